package content

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

// Limits of a zero-shot request.
const (
	MaxZeroShotClasses     = 100
	MaxClassNameRunes      = 64
	MaxClassDescRunes      = 1000
	MaxClassExamples       = 20
	MaxZeroShotTextRunes   = 5000
	zeroShotCacheEntries   = 256 // models kept for repeated class sets
	zeroShotLLMMaxTokens   = 60
	zeroShotLLMTemperature = 0.1
)

// Class is a class of a zero-shot request: a name, and optionally a
// description and a few examples.
type Class struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Examples    []string `json:"examples,omitempty"`
}

// ZeroShotRequest classifies a text among classes given with the request,
// with no repository and no training by the caller.
type ZeroShotRequest struct {
	Text     string  `json:"text"`
	Language string  `json:"language,omitempty" doc:"pt_br, es or en in any spelling; default pt_br"`
	Classes  []Class `json:"classes"`
	// Threshold, when > 0, is the confidence below which no class is
	// chosen; 0 means ZeroShotThreshold of the number of classes for the
	// in-process model, and the LLM's own choice for the LLM.
	Threshold float64 `json:"threshold,omitempty"`
	// UseLLM asks the configured LLM instead of the in-process model;
	// default true when an LLM is configured.
	UseLLM *bool `json:"use_llm,omitempty"`
}

// ZeroShotResult is the answer of a zero-shot classification.
type ZeroShotResult struct {
	// Class is the chosen class, "" when none reaches the threshold.
	Class      string       `json:"class"`
	Confidence float64      `json:"confidence"`
	Ranking    []nlu.Scored `json:"ranking"`
	// Mode is "model" (in-process classifier trained on the names,
	// descriptions and examples) or "llm".
	Mode string `json:"mode"`
}

// zeroShotUniformFactor: the in-process model chooses a class by default
// when its confidence is at least this many times the uniform share 1/n.
// Measured with names alone on the public benchmarks' test sets (`sabia eval
// --zero-shot`, argmax accuracy → accuracy with the threshold, share of the
// wrong answers turned into "none"): snips 61.4 → 53.9 (66% of wrong
// refused), hwu64 37.2 → 37.1 (8%), banking77 41.3 → 41.3, clinc150 49.3 →
// 49.3: the flat confidences of a text that matches no class fall under
// it, while the model's own threshold (0.5) refused most right answers.
const zeroShotUniformFactor = 1.5

// ZeroShotThreshold is the default confidence threshold of zero-shot
// classification among n classes by the in-process model.
func ZeroShotThreshold(n int) float64 {
	if n <= 0 {
		return 0
	}
	return min(zeroShotUniformFactor/float64(n), 0.95)
}

// zeroShotModels caches the in-process models of recent class sets, so a
// flow asking with the same classes again does not train again.
type zeroShotModels struct {
	mu sync.Mutex
	m  map[[32]byte]*nlu.Model
}

// ZeroShot classifies req.Text among req.Classes. Without an LLM (or with
// use_llm false) it trains, once per class set, the same classifier as a
// repository's on one example per class name, one per sentence of its
// description and the class's examples. With the LLM it asks the model to
// choose a class or none. Returns EINVALID for bad requests, ETOOLARGE past
// the limits and EUNAVAILABLE when the LLM fails or answers nonsense.
func (s *Service) ZeroShot(ctx context.Context, req ZeroShotRequest) (ZeroShotResult, error) {
	lang, err := checkZeroShot(&req)
	if err != nil {
		return ZeroShotResult{}, err
	}
	useLLM := s.cfg.LLM != nil
	if req.UseLLM != nil {
		if *req.UseLLM && s.cfg.LLM == nil {
			return ZeroShotResult{}, sabia.Errorf(sabia.EUNAVAILABLE, "no LLM is configured on this server")
		}
		useLLM = *req.UseLLM
	}
	if useLLM {
		return s.zeroShotLLM(ctx, req)
	}
	m, err := s.zeroShotModel(ctx, lang, req.Classes)
	if err != nil {
		return ZeroShotResult{}, err
	}
	th := req.Threshold
	if th == 0 {
		th = ZeroShotThreshold(len(req.Classes))
	}
	p := m.Predict(req.Text, nlu.PredictOptions{Threshold: th, NoBuiltins: true})
	return ZeroShotResult{Class: p.Intent, Confidence: p.Confidence, Ranking: p.Ranking, Mode: "model"}, nil
}

func checkZeroShot(req *ZeroShotRequest) (string, error) {
	switch n := utf8.RuneCountInString(req.Text); {
	case strings.TrimSpace(req.Text) == "":
		return "", sabia.Errorf(sabia.EINVALID, "text is required")
	case n > MaxZeroShotTextRunes:
		return "", sabia.Errorf(sabia.ETOOLARGE, "text has %d characters, more than %d", n, MaxZeroShotTextRunes)
	case len(req.Classes) < 2:
		return "", sabia.Errorf(sabia.EINVALID, "at least two classes are needed")
	case len(req.Classes) > MaxZeroShotClasses:
		return "", sabia.Errorf(sabia.ETOOLARGE, "%d classes, more than %d", len(req.Classes), MaxZeroShotClasses)
	case req.Threshold < 0 || req.Threshold > 1:
		return "", sabia.Errorf(sabia.EINVALID, "threshold must be between 0 and 1")
	}
	lang := nlu.LangPortugueseBR
	if req.Language != "" {
		l, ok := nlu.ParseLanguage(req.Language)
		if !ok {
			return "", sabia.Errorf(sabia.EINVALID, "unknown language %q", req.Language)
		}
		lang = l
	}
	seen := map[string]bool{}
	for i := range req.Classes {
		c := &req.Classes[i]
		c.Name = strings.TrimSpace(c.Name)
		switch {
		case c.Name == "":
			return "", sabia.Errorf(sabia.EINVALID, "class %d has no name", i)
		case utf8.RuneCountInString(c.Name) > MaxClassNameRunes:
			return "", sabia.Errorf(sabia.ETOOLARGE, "class %d: name has more than %d characters", i, MaxClassNameRunes)
		case seen[c.Name]:
			return "", sabia.Errorf(sabia.EINVALID, "class %q appears twice", c.Name)
		case utf8.RuneCountInString(c.Description) > MaxClassDescRunes:
			return "", sabia.Errorf(sabia.ETOOLARGE, "class %q: description has more than %d characters", c.Name, MaxClassDescRunes)
		case len(c.Examples) > MaxClassExamples:
			return "", sabia.Errorf(sabia.ETOOLARGE, "class %q: more than %d examples", c.Name, MaxClassExamples)
		}
		for _, ex := range c.Examples {
			if n := utf8.RuneCountInString(ex); n > MaxClassDescRunes {
				return "", sabia.Errorf(sabia.ETOOLARGE, "class %q: an example has more than %d characters", c.Name, MaxClassDescRunes)
			}
		}
		seen[c.Name] = true
	}
	return lang, nil
}

// zeroShotModel returns the cached model of a class set or trains it.
func (s *Service) zeroShotModel(ctx context.Context, lang string, classes []Class) (*nlu.Model, error) {
	key, _ := json.Marshal(struct {
		L string
		C []Class
	}{lang, classes})
	h := sha256.Sum256(key)
	s.zs.mu.Lock()
	m, ok := s.zs.m[h]
	s.zs.mu.Unlock()
	if ok {
		return m, nil
	}
	var exs []nlu.Example
	for _, c := range classes {
		exs = append(exs, nlu.Example{Text: nlu.IntentNameText(c.Name), Intent: c.Name})
		if d := strings.TrimSpace(c.Description); d != "" {
			rs := []rune(d)
			for _, sp := range sentences(rs) {
				exs = append(exs, nlu.Example{Text: string(rs[sp.Start:sp.End]), Intent: c.Name})
			}
		}
		for _, ex := range c.Examples {
			if strings.TrimSpace(ex) != "" {
				exs = append(exs, nlu.Example{Text: ex, Intent: c.Name})
			}
		}
	}
	// With Config.IntentNames the name counts twice: once above, so that a
	// class with neither description nor examples exists, and once added
	// by Train. That is load-bearing: with one example a class, the
	// training-time cross-validation holds out a class's only example and
	// calibrates nothing; names counted once gave, with names alone on the
	// benchmarks' test sets, clinc150 27.5% / hwu64 17.5% / snips 40.9%
	// against 49.3 / 37.1 / 53.9% (`sabia eval --zero-shot`, which trains
	// the same way).
	cfg := nlu.DefaultConfig()
	cfg.Workers = 1
	m, err := nlu.Train(ctx, lang, exs, cfg, nil)
	if err != nil {
		return nil, fmt.Errorf("training the zero-shot model: %w", err)
	}
	s.zs.mu.Lock()
	if s.zs.m == nil || len(s.zs.m) >= zeroShotCacheEntries {
		s.zs.m = map[[32]byte]*nlu.Model{}
	}
	s.zs.m[h] = m
	s.zs.mu.Unlock()
	return m, nil
}

const zeroShotSystem = `You classify a customer's message for a chatbot into one of the classes listed by the user.
Reply with one JSON object and nothing else: {"class": "<exact class name>", "confidence": <number from 0 to 1>}.
Use "class": "none" when no class fits the message.`

var jsonObject = regexp.MustCompile(`(?s)\{.*\}`)

func (s *Service) zeroShotLLM(ctx context.Context, req ZeroShotRequest) (ZeroShotResult, error) {
	var b strings.Builder
	b.WriteString("Classes:\n")
	for _, c := range req.Classes {
		fmt.Fprintf(&b, "- %s", c.Name)
		if c.Description != "" {
			fmt.Fprintf(&b, ": %s", strings.ReplaceAll(c.Description, "\n", " "))
		}
		for i, ex := range c.Examples {
			if i == 0 {
				b.WriteString(" Examples:")
			}
			fmt.Fprintf(&b, " %q", ex)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\nMessage: %s\n", req.Text)
	reply, err := s.cfg.LLM.Complete(ctx, Completion{System: zeroShotSystem, User: b.String(), MaxTokens: zeroShotLLMMaxTokens, Temperature: zeroShotLLMTemperature})
	if err != nil {
		return ZeroShotResult{}, sabia.Errorf(sabia.EUNAVAILABLE, "asking the LLM: %v", err)
	}
	var out struct {
		Class      string   `json:"class"`
		Confidence *float64 `json:"confidence"`
	}
	obj := jsonObject.FindString(reply)
	if obj == "" || json.Unmarshal([]byte(obj), &out) != nil {
		return ZeroShotResult{}, sabia.Errorf(sabia.EUNAVAILABLE, "the LLM did not answer with a class: %.200q", reply)
	}
	conf := 1.0
	if out.Confidence != nil {
		conf = min(max(*out.Confidence, 0), 1)
	}
	res := ZeroShotResult{Mode: "llm", Ranking: make([]nlu.Scored, 0, len(req.Classes))}
	chosen := -1
	for i, c := range req.Classes {
		if c.Name == strings.TrimSpace(out.Class) {
			chosen = i
		}
	}
	if chosen < 0 && !strings.EqualFold(strings.TrimSpace(out.Class), "none") {
		return ZeroShotResult{}, sabia.Errorf(sabia.EUNAVAILABLE, "the LLM chose %q, which is not a class", out.Class)
	}
	// The chosen class gets the LLM's confidence; the rest share what is left.
	rest := 1.0
	if chosen >= 0 {
		res.Ranking = append(res.Ranking, nlu.Scored{Name: req.Classes[chosen].Name, Confidence: conf})
		rest = 1 - conf
	}
	others := len(req.Classes)
	if chosen >= 0 {
		others--
	}
	for i, c := range req.Classes {
		if i != chosen {
			res.Ranking = append(res.Ranking, nlu.Scored{Name: c.Name, Confidence: rest / float64(others)})
		}
	}
	if chosen >= 0 && (req.Threshold == 0 || conf >= req.Threshold) {
		res.Class, res.Confidence = req.Classes[chosen].Name, conf
	}
	return res, nil
}
