package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"sort"
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
			for _, set := range datasets.EvalSets {
				for _, given := range []bool{true, false} {
					reports, err := datasets.EvaluateDetectors(d, set, given)
					if err != nil {
						return err
					}
					for _, r := range reports {
						p50, p99, err := detectLatency(d, r.Language)
						if err != nil {
							return err
						}
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
// the newest evaluation set in lang, as `sabia eval` times predictions: after
// a garbage collection and a few untimed detections on training sentences,
// the median over timingPasses passes of each pass's percentile.
func detectLatency(d *datasets.Detectors, lang string) (float64, float64, error) {
	exs, err := datasets.DetectorEvalSet(datasets.EvalSets[len(datasets.EvalSets)-1], lang)
	if err != nil {
		return 0, 0, err
	}
	warm, err := datasets.DetectorTraining(lang)
	if err != nil {
		return 0, 0, err
	}
	runtime.GC()
	for _, ex := range warm[:min(len(warm), 50)] {
		if _, _, err := d.Detect(ex.Text, lang, nil); err != nil {
			return 0, 0, err
		}
	}
	lat := make([]float64, len(exs))
	var p50s, p99s []float64
	for pass := 0; pass < timingPasses; pass++ {
		for i, ex := range exs {
			t0 := time.Now()
			if _, _, err := d.Detect(ex.Text, lang, nil); err != nil {
				return 0, 0, err
			}
			lat[i] = float64(time.Since(t0).Nanoseconds()) / 1e3
		}
		sort.Float64s(lat)
		p50s, p99s = append(p50s, percentile(lat, 0.5)), append(p99s, percentile(lat, 0.99))
	}
	sort.Float64s(p50s)
	sort.Float64s(p99s)
	return p50s[len(p50s)/2], p99s[len(p99s)/2], nil
}
