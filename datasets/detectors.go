package datasets

import (
	"context"
	"embed"
	"fmt"
	"slices"
	"strings"

	sabia "github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

// DetectorLanguages are the languages the built-in detectors know.
var DetectorLanguages = []string{nlu.LangPortugueseBR, nlu.LangSpanish, nlu.LangEnglish}

// DetectorNames are the built-in detectors, in the order they are reported.
var DetectorNames = []string{IntentHumanHandoff, IntentOptOut}

// DetectThreshold is the confidence at or above which a detector reports a
// detection. Chosen on the training data's cross-validation, never on the
// evaluation sets.
const DetectThreshold = 0.5

// Detection is one detector's verdict on a text.
type Detection struct {
	Name       string  `json:"name"`
	Detected   bool    `json:"detected"`
	Confidence float64 `json:"confidence"`
}

// Detectors are the built-in human_handoff and opt_out detectors for every
// language in DetectorLanguages, trained once from the data shipped in the
// binary, with a language identifier for texts whose language is not given.
// Safe for concurrent use.
type Detectors struct {
	models map[string]*nlu.Model
	langID *nlu.LanguageID
}

// builtinModels holds the detectors' models as TrainDetectorModel makes
// them from the shipped data, encoded with nlu.Model.MarshalBinary, so that
// start-up decodes them in milliseconds instead of training them.
// TestBuiltinModelsCurrent fails when they no longer match the data;
// `go test ./datasets -run TestBuiltinModelsCurrent -update` rewrites them.
//
//go:embed builtin/models/*.model
var builtinModels embed.FS

// builtinModelPath is where the precompiled model of lang is embedded.
func builtinModelPath(lang string) string {
	return "builtin/models/detectors_" + lang + ".model"
}

// NewDetectors loads the built-in detectors: it decodes the models
// precompiled from the shipped data and trains the language identifier from
// the training sentences (about a tenth of a second in all).
func NewDetectors(ctx context.Context) (*Detectors, error) {
	return newDetectors(ctx, func(_ context.Context, lang string, _ []nlu.Example) (*nlu.Model, error) {
		b, err := builtinModels.ReadFile(builtinModelPath(lang))
		if err != nil {
			return nil, fmt.Errorf("opening the precompiled %s detectors: %w", lang, err)
		}
		m, err := nlu.Decode(b)
		if err != nil {
			return nil, fmt.Errorf("decoding the precompiled %s detectors: %w", lang, err)
		}
		return m, nil
	})
}

// TrainDetectors trains the built-in detectors from the shipped data, as
// the precompiled models were made (about a second on two cores).
func TrainDetectors(ctx context.Context) (*Detectors, error) {
	return newDetectors(ctx, func(ctx context.Context, lang string, exs []nlu.Example) (*nlu.Model, error) {
		return TrainDetectorModel(ctx, lang, exs)
	})
}

// TrainDetectorModel trains the detectors of one language from its
// examples with the classifier's default configuration, except that intent
// names are not training examples: the detectors' figures were measured on
// held-out sets written blind, once each, for models trained without them,
// and a model trained otherwise would need a new blind set.
func TrainDetectorModel(ctx context.Context, lang string, exs []nlu.Example) (*nlu.Model, error) {
	cfg := nlu.DefaultConfig()
	cfg.IntentNames = false
	m, err := nlu.Train(ctx, lang, exs, cfg, nil)
	if err != nil {
		return nil, fmt.Errorf("training the %s detectors: %w", lang, err)
	}
	return m, nil
}

// newDetectors builds the detectors of every language with model and the
// language identifier from the training sentences.
func newDetectors(ctx context.Context, model func(context.Context, string, []nlu.Example) (*nlu.Model, error)) (*Detectors, error) {
	d := &Detectors{models: map[string]*nlu.Model{}}
	sentences := map[string][]string{}
	for _, l := range DetectorLanguages {
		exs, err := DetectorTraining(l)
		if err != nil {
			return nil, err
		}
		m, err := model(ctx, l, exs)
		if err != nil {
			return nil, err
		}
		d.models[l] = m
		for _, ex := range exs {
			sentences[l] = append(sentences[l], ex.Text)
		}
	}
	d.langID = nlu.TrainLanguageID(sentences)
	return d, nil
}

// Language returns the language of text among DetectorLanguages.
func (d *Detectors) Language(text string) string {
	l, _ := d.langID.Detect(text)
	return l
}

// Detect runs the named detectors (nil means all) on text in lang ("" means
// detect the language) and returns their verdicts with the language used.
// Returns EINVALID for an unknown detector name or a language without
// detectors.
func (d *Detectors) Detect(text, lang string, names []string) ([]Detection, string, error) {
	if lang == "" {
		lang = d.Language(text)
	} else {
		l, ok := nlu.ParseLanguage(lang)
		if !ok || d.models[l] == nil {
			return nil, "", sabia.Errorf(sabia.EINVALID, "no built-in detectors for language %q (%s)", lang, strings.Join(DetectorLanguages, ", "))
		}
		lang = l
	}
	if len(names) == 0 {
		names = DetectorNames
	}
	for _, n := range names {
		if !slices.Contains(DetectorNames, n) {
			return nil, "", sabia.Errorf(sabia.EINVALID, "unknown detector %q (%s)", n, strings.Join(DetectorNames, ", "))
		}
	}
	scores := d.scores(text, lang)
	out := make([]Detection, 0, len(names))
	for _, n := range names {
		c := scores[n]
		out = append(out, Detection{Name: n, Detected: c >= DetectThreshold, Confidence: c})
	}
	return out, lang, nil
}

func (d *Detectors) scores(text, lang string) map[string]float64 {
	p := d.models[lang].Classify(text, nlu.PredictOptions{Threshold: 1e-12})
	out := make(map[string]float64, len(p.Ranking))
	for _, s := range p.Ranking {
		out[s.Name] = s.Confidence
	}
	return out
}

// Scores returns the confidence of each built-in intent for text in lang,
// and false when lang has no detectors. It implements training.Detector.
func (d *Detectors) Scores(text, lang string) ([]nlu.Scored, bool) {
	l, ok := nlu.ParseLanguage(lang)
	if !ok || d.models[l] == nil {
		return nil, false
	}
	s := d.scores(text, l)
	out := make([]nlu.Scored, 0, len(DetectorNames))
	for _, n := range DetectorNames {
		out = append(out, nlu.Scored{Name: n, Confidence: s[n]})
	}
	return out, true
}
