package main

import (
	"encoding/json"
	"fmt"
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
	TrainSeconds   float64  `json:"train_seconds"`
	DetectP50US    float64  `json:"detect_p50_us"`
	DetectP99US    float64  `json:"detect_p99_us"`
	FalsePositives []string `json:"false_positives,omitempty"`
	FalseNegatives []string `json:"false_negatives,omitempty"`
}

func newDetectEvalCmd() *cobra.Command {
	var verbose bool
	cmd := &cobra.Command{
		Use:   "detect-eval",
		Short: "Score the built-in detectors on their held-out evaluation sets",
		Long: "Trains the built-in human_handoff and opt_out detectors from the data shipped in the\n" +
			"binary and scores them on every evaluation set written apart from it (\"eval\",\n" +
			"\"fresh\", \"blind\", …; see datasets/builtin/README.md), once with the language given and once detected. Prints one JSON line per\n" +
			"set, detector and language.",
		RunE: func(cmd *cobra.Command, _ []string) error {
			start := time.Now()
			d, err := datasets.NewDetectors(cmd.Context())
			if err != nil {
				return err
			}
			trainSecs := time.Since(start).Seconds()
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
							Precision: round4(r.Precision), Recall: round4(r.Recall), F1: round4(r.F1), TrainSeconds: round4(trainSecs),
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
	cmd.Flags().BoolVar(&verbose, "verbose", false, "list the texts each detector got wrong")
	return cmd
}

// detectLatency times one detection (language given) over the evaluation
// sentences of lang.
func detectLatency(d *datasets.Detectors, lang string) (float64, float64, error) {
	exs, err := datasets.DetectorEvalSet(datasets.EvalSetFirst, lang)
	if err != nil {
		return 0, 0, err
	}
	lat := make([]float64, 0, len(exs))
	for _, ex := range exs {
		t0 := time.Now()
		if _, _, err := d.Detect(ex.Text, lang, nil); err != nil {
			return 0, 0, err
		}
		lat = append(lat, float64(time.Since(t0).Nanoseconds())/1e3)
	}
	sort.Float64s(lat)
	return percentile(lat, 0.5), percentile(lat, 0.99), nil
}
