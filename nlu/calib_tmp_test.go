package nlu

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestTmpCalib(t *testing.T) {
	for _, set := range []string{"snips", "fb-tod-es"} {
		dir := filepath.Join(benchmarksDir, set)
		every := 1
		if set == "snips" {
			every = 2
		}
		if os.Getenv("TMPCAL") == "" {
			t.Skip()
		}
		train := readJSONL(t, filepath.Join(dir, "train.jsonl"), every)
		test := readJSONL(t, filepath.Join(dir, "test.jsonl"), 1)
		tg0, _ := TrainTagger(context.Background(), train, 1)
		for _, f := range []float64{1, 0.7, 0.5, 0.35} {
			tg := *tg0
			tg.scale *= f
			tg.derive()
			var n, c [10]float64
			var sumConf, sumOK float64
			for _, ex := range test {
				gold := map[[2]int]string{}
				for _, sp := range ex.Entities {
					gold[[2]int{sp.Start, sp.End}] = sp.Entity
				}
				for _, e := range tg.Tag(ex.Text, Tokenize(ex.Text)) {
					b := min(int(e.Confidence*10), 9)
					n[b]++
					sumConf += e.Confidence
					if gold[[2]int{e.Start, e.End}] == e.Entity {
						c[b]++
						sumOK++
					}
				}
			}
			t.Logf("%s scale %.2f mean conf %.3f acc %.3f", set, tg.scale, sumConf/(n[0]+n[1]+n[2]+n[3]+n[4]+n[5]+n[6]+n[7]+n[8]+n[9]), sumOK/(n[0]+n[1]+n[2]+n[3]+n[4]+n[5]+n[6]+n[7]+n[8]+n[9]))
			for b := range n {
				if n[b] > 0 {
					t.Logf("  [%.1f,%.1f): n=%4.0f acc=%.3f", float64(b)/10, float64(b+1)/10, n[b], c[b]/n[b])
				}
			}
		}
	}
}
