package nlu

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestTmpLow(t *testing.T) {
	if os.Getenv("TMPCAL") == "" {
		t.Skip()
	}
	dir := filepath.Join(benchmarksDir, "snips")
	train := readJSONL(t, filepath.Join(dir, "train.jsonl"), 2)
	test := readJSONL(t, filepath.Join(dir, "test.jsonl"), 1)
	tg, _ := TrainTagger(context.Background(), train, 1)
	k := 0
	for _, ex := range test {
		toks := Tokenize(ex.Text)
		for _, e := range tg.Tag(ex.Text, toks) {
			if e.Confidence < 0.1 && k < 5 {
				k++
				t.Logf("%q %+v", ex.Text, e)
				sc := tagScratchPool.Get().(*tagScratch)
				sc.emit = tg.emissions(&sc.fx, toks, sc.emit)
				tg.forwardBackward(&sc.marg, sc.emit, len(toks))
				S := tg.numStates()
				for i := range toks {
					var za, zb float64
					for s := 0; s < S; s++ {
						za += sc.marg.alpha[i*S+s]
						zb += sc.marg.beta[i*S+s] * sc.marg.alpha[i*S+s]
					}
					t.Logf("  tok %d %q za=%g z=%g", i, toks[i].Text, za, zb)
				}
			}
		}
	}
}
