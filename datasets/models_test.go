package datasets

import (
	"context"
	"flag"
	"math"
	"os"
	"testing"

	"github.com/weni-ai/sabia/nlu"
)

var update = flag.Bool("update", false, "rewrite the precompiled detector models in builtin/models")

// TestBuiltinModelsCurrent checks that the precompiled models NewDetectors
// loads are the ones the shipped data train today, so that a change to the
// data cannot ship with stale models. -update rewrites them.
func TestBuiltinModelsCurrent(t *testing.T) {
	for _, l := range DetectorLanguages {
		exs, err := DetectorTraining(l)
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := TrainDetectorModel(context.Background(), l, exs)
		if err != nil {
			t.Fatal(err)
		}
		b, err := fresh.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if *update {
			if err := os.WriteFile(builtinModelPath(l), b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		embedded, err := builtinModels.ReadFile(builtinModelPath(l))
		if err != nil {
			t.Fatalf("%v; run go test ./datasets -run TestBuiltinModelsCurrent -update", err)
		}
		// The bytes differ at least in the training time; the models must
		// agree on every training sentence (to 1e-4: another architecture
		// may round differently, with fused multiply-adds).
		m, err := nlu.Decode(embedded)
		if err != nil {
			t.Fatal(err)
		}
		worst := 0.0
		opts := nlu.PredictOptions{Threshold: 1e-12}
		for _, ex := range exs {
			got := map[string]float64{}
			for _, s := range m.Classify(ex.Text, opts).Ranking {
				got[s.Name] = s.Confidence
			}
			for _, s := range fresh.Classify(ex.Text, opts).Ranking {
				worst = max(worst, math.Abs(s.Confidence-got[s.Name]))
			}
		}
		if worst > 1e-4 {
			t.Errorf("the precompiled %s detectors differ from the shipped data's (confidence off by up to %.4f); run go test ./datasets -run TestBuiltinModelsCurrent -update", l, worst)
		}
	}
}
