package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/weni-ai/sabia/content"
	"github.com/weni-ai/sabia/datasets"
	"github.com/weni-ai/sabia/nlu"
)

// evalResult is the one JSON line `sabia eval` prints last.
type evalResult struct {
	NTrain       int      `json:"n_train"`
	NTest        int      `json:"n_test"`
	NIntents     int      `json:"n_intents"`
	Accuracy     float64  `json:"accuracy"`
	MacroF1      float64  `json:"macro_f1"`
	OOSRecall    *float64 `json:"oos_recall,omitempty"`
	OOSPrecision *float64 `json:"oos_precision,omitempty"`
	EntityF1     *float64 `json:"entity_f1,omitempty"`
	Threshold    float64  `json:"threshold"`
	TrainSeconds float64  `json:"train_seconds"`
	PredictP50US float64  `json:"predict_p50_us"`
	PredictP99US float64  `json:"predict_p99_us"`
	ModelBytes   int      `json:"model_bytes"`
}

func newEvalCmd() *cobra.Command {
	var trainPath, testPath, validPath, lang string
	var zeroShot bool
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Train on a JSONL file with the default configuration and evaluate on another",
		Long: "Trains on --train with the server's default configuration, evaluates on --test and prints\n" +
			"one JSON object as the last line of output. --valid is used only to calibrate the\n" +
			"out-of-scope threshold. Progress goes to stderr. predict_p50_us and predict_p99_us time one\n" +
			"whole prediction (normalise, featurise, classify, extract entities); each is the median over\n" +
			"three timed passes of the test set of that pass's percentile.",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runEval(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), trainPath, testPath, validPath, lang, zeroShot)
		},
	}
	cmd.Flags().StringVar(&trainPath, "train", "", "training examples (JSONL)")
	cmd.Flags().StringVar(&testPath, "test", "", "test examples (JSONL)")
	cmd.Flags().StringVar(&validPath, "valid", "", "validation examples (JSONL), for threshold calibration only")
	cmd.Flags().StringVar(&lang, "language", "en", "language of the examples")
	cmd.Flags().BoolVar(&zeroShot, "zero-shot", false, "learn only the intent names of --train, not its examples (what /v1/zeroshot does with names alone)")
	_ = cmd.MarkFlagRequired("train")
	_ = cmd.MarkFlagRequired("test")
	return cmd
}

func readExamples(path string) ([]nlu.Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ex, dropped, err := datasets.ReadJSONLDroppingBadSpans(f)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	for _, d := range dropped {
		fmt.Fprintf(os.Stderr, "%s: dropped a bad entity span: %s\n", path, d)
	}
	return ex, nil
}

func runEval(ctx context.Context, stdout, stderr io.Writer, trainPath, testPath, validPath, lang string, zeroShot bool) error {
	l, ok := nlu.ParseLanguage(lang)
	if !ok {
		return fmt.Errorf("unknown language %q", lang)
	}
	train, err := readExamples(trainPath)
	if err != nil {
		return err
	}
	test, err := readExamples(testPath)
	if err != nil {
		return err
	}
	if zeroShot {
		train = intentNameExamples(train)
	}
	bar := newProgress(stderr, "training")
	start := time.Now()
	m, err := nlu.Train(ctx, l, train, nlu.DefaultConfig(), bar.set)
	if err != nil {
		return fmt.Errorf("training: %w", err)
	}
	trainSecs := time.Since(start).Seconds()
	bar.done()
	if zeroShot {
		m = m.WithThreshold(content.ZeroShotThreshold(len(train)))
	}
	if validPath != "" {
		valid, err := readExamples(validPath)
		if err != nil {
			return err
		}
		m = m.WithThreshold(nlu.CalibrateThreshold(m, valid))
	}
	fmt.Fprintf(stderr, "trained %d examples in %.1fs; evaluating %d\n", len(train), trainSecs, len(test))
	now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	preds := make([]nlu.Prediction, len(test))
	warm := make([]string, 0, 50)
	for _, ex := range train[:min(len(train), 50)] {
		warm = append(warm, ex.Text)
	}
	p50, p99 := timeEach(len(test), warm, func(i int, text string) {
		p := m.Predict(text, nlu.PredictOptions{Now: now})
		if i >= 0 {
			preds[i] = p
		}
	}, func(i int) string { return test[i].Text })
	rep := nlu.Score(test, preds)
	blob, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	res := evalResult{NTrain: len(train), NTest: len(test), NIntents: len(m.Intents()), Accuracy: round4(rep.Accuracy),
		MacroF1: round4(rep.MacroF1), Threshold: round4(m.Threshold()), TrainSeconds: round4(trainSecs),
		PredictP50US: round4(p50), PredictP99US: round4(p99), ModelBytes: len(blob)}
	if rep.HasOOS {
		r, p := round4(rep.OOSRecall), round4(rep.OOSPrecision)
		res.OOSRecall, res.OOSPrecision = &r, &p
	}
	if rep.HasEntities {
		f := round4(rep.EntityF1)
		res.EntityF1 = &f
	}
	out, err := json.Marshal(res)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, string(out))
	return err
}

// timingPasses is how many times sabia eval and detect-eval time the whole
// test set.
const timingPasses = 3

// timeEach times run on each of n texts (text(i)) as a serving process runs
// it: after a garbage collection (as testing.B does before a benchmark) and
// untimed runs on the warm texts (index -1), which warm the code paths but
// not the timed texts' own data. It returns the median over timingPasses
// passes of each pass's p50 and p99 in µs, so that one burst of another
// process on this shared machine does not decide the p99.
func timeEach(n int, warm []string, run func(i int, text string), text func(i int) string) (p50, p99 float64) {
	runtime.GC()
	for _, w := range warm {
		run(-1, w)
	}
	lat := make([]float64, n)
	p50s, p99s := make([]float64, 0, timingPasses), make([]float64, 0, timingPasses)
	for range timingPasses {
		for i := range n {
			t := text(i)
			t0 := time.Now()
			run(i, t)
			lat[i] = float64(time.Since(t0).Nanoseconds()) / 1e3
		}
		sort.Float64s(lat)
		p50s, p99s = append(p50s, percentile(lat, 0.5)), append(p99s, percentile(lat, 0.99))
	}
	sort.Float64s(p50s)
	sort.Float64s(p99s)
	return p50s[timingPasses/2], p99s[timingPasses/2]
}

func percentile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q * float64(len(sorted)-1))
	return sorted[i]
}

func round4(x float64) float64 { return float64(int64(x*1e4+0.5)) / 1e4 }

// intentNameExamples returns one example per intent of exs: its name split
// into words, as zero-shot classification with names alone learns. Train
// adds the same name once more (Config.IntentNames), as the zero-shot model
// does; see content.Service.ZeroShot for why both copies stay.
func intentNameExamples(exs []nlu.Example) []nlu.Example {
	seen := map[string]bool{}
	var out []nlu.Example
	for _, ex := range exs {
		if ex.Intent != "" && !seen[ex.Intent] {
			seen[ex.Intent] = true
			out = append(out, nlu.Example{Text: nlu.IntentNameText(ex.Intent), Intent: ex.Intent})
		}
	}
	return out
}
