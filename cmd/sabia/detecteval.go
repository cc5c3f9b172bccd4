package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/weni-ai/sabia/datasets"
)

// detectEvalLine is one line of `sabia detect-eval`: a detector in a
// language, scored on one of the shipped evaluation sets.
type detectEvalLine struct {
	Set            string   `json:"set"`
	Detector       string   `json:"detector"`
	Language       string   `json:"language"`
	LanguageGiven  bool     `json:"language_given"`
	N              int      `json:"n"`
	Positives      int      `json:"positives"`
	Precision      float64  `json:"precision"`
	Recall         float64  `json:"recall"`
	F1             float64  `json:"f1"`
	StartSeconds   float64  `json:"start_seconds"`
	DetectP50US    float64  `json:"detect_p50_us"`
	DetectP99US    float64  `json:"detect_p99_us"`
	FalsePositives []string `json:"false_positives,omitempty"`
	FalseNegatives []string `json:"false_negatives,omitempty"`
}

func newDetectEvalCmd() *cobra.Command {
	var verbose, train bool
	cmd := &cobra.Command{
		Use:   "detect-eval",
		Short: "Score the built-in detectors on their held-out evaluation sets",
		Long: "Loads the built-in human_handoff and opt_out detectors shipped in the binary and\n" +
			"scores them on every evaluation set written apart from their training data (see\n" +
			"datasets/builtin/README.md), once with the language given and once detected. Prints one\n" +
			"JSON line per set, detector and language. With --train the detectors are trained from\n" +
			"the shipped data instead of loaded precompiled (the same models).",
		RunE: func(cmd *cobra.Command, _ []string) error {
			start := time.Now()
			load := datasets.NewDetectors
			if train {
				load = datasets.TrainDetectors
			}
			d, err := load(cmd.Context())
			if err != nil {
				return err
			}
			startSecs := time.Since(start).Seconds()
			// One timing per language: it does not depend on the set or
			// detector of a line.
			type latency struct{ p50, p99 float64 }
			lat := map[string]latency{}
			for _, l := range datasets.DetectorLanguages {
				p50, p99, err := detectLatency(d, l)
				if err != nil {
					return err
				}
				lat[l] = latency{p50, p99}
			}
			for _, set := range datasets.EvalSets {
				for _, given := range []bool{true, false} {
					reports, err := datasets.EvaluateDetectors(d, set, given)
					if err != nil {
						return err
					}
					for _, r := range reports {
						p50, p99 := lat[r.Language].p50, lat[r.Language].p99
						line := detectEvalLine{Set: r.Set, Detector: r.Detector, Language: r.Language, LanguageGiven: given, N: r.N, Positives: r.Positives,
							Precision: round4(r.Precision), Recall: round4(r.Recall), F1: round4(r.F1), StartSeconds: round4(startSecs),
							DetectP50US: round4(p50), DetectP99US: round4(p99)}
						if verbose {
							line.FalsePositives, line.FalseNegatives = r.FalsePositives, r.FalseNegatives
						}
						b, _ := json.Marshal(line)
						fmt.Fprintln(cmd.OutOrStdout(), string(b))
					}
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&train, "train", false, "train the detectors from the shipped data instead of loading the precompiled models")
	cmd.Flags().BoolVar(&verbose, "verbose", false, "list the texts each detector got wrong")
	return cmd
}

// detectLatency times one detection (language given) over the sentences of
// the newest evaluation set in lang, as `sabia eval` times predictions
// (timeEach), warmed on training sentences.
func detectLatency(d *datasets.Detectors, lang string) (float64, float64, error) {
	exs, err := datasets.DetectorEvalSet(datasets.EvalSets[len(datasets.EvalSets)-1], lang)
	if err != nil {
		return 0, 0, err
	}
	train, err := datasets.DetectorTraining(lang)
	if err != nil {
		return 0, 0, err
	}
	warm := make([]string, 0, 50)
	for _, ex := range train[:min(len(train), 50)] {
		warm = append(warm, ex.Text)
	}
	var detectErr error
	p50, p99 := timeEach(len(exs), warm, func(_ int, text string) {
		if _, _, err := d.Detect(text, lang, nil); err != nil && detectErr == nil {
			detectErr = err
		}
	}, func(i int) string { return exs[i].Text })
	return p50, p99, detectErr
}
