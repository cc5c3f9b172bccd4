package nlu

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// CrossValidate trains k models on stratified folds of examples and
// predicts each example with the model that did not see it. It returns the
// predictions in the order of examples. Folds are stratified by intent: the
// i-th example of an intent (in a seeded shuffle) goes to fold i mod k, so
// every fold sees every intent with at least k examples. progress, when not
// nil, receives values in [0,1]; ctx cancels between and inside folds.
func CrossValidate(ctx context.Context, lang string, examples []Example, cfg Config, k int, now time.Time, progress func(float64)) ([]Prediction, error) {
	if k < 2 {
		return nil, fmt.Errorf("cross-validation needs at least 2 folds, got %d", k)
	}
	if progress == nil {
		progress = func(float64) {}
	}
	byIntent := map[string][]int{}
	for i, ex := range examples {
		byIntent[ex.Intent] = append(byIntent[ex.Intent], i)
	}
	names := make([]string, 0, len(byIntent))
	for n := range byIntent {
		names = append(names, n)
	}
	sort.Strings(names)
	fold := make([]int, len(examples))
	rng := newSplitMix(uint64(cfg.Seed))
	offset := 0
	for _, n := range names {
		idx := byIntent[n]
		for i := len(idx) - 1; i > 0; i-- {
			j := int(rng.next() % uint64(i+1))
			idx[i], idx[j] = idx[j], idx[i]
		}
		for i, e := range idx {
			// offset rotates the first fold per intent so that folds stay
			// balanced in size when intents have fewer than k examples.
			fold[e] = (i + offset) % k
		}
		offset += len(idx)
	}
	preds := make([]Prediction, len(examples))
	for f := 0; f < k; f++ {
		var train []Example
		var test []int
		for i, ex := range examples {
			if fold[i] == f {
				test = append(test, i)
			} else {
				train = append(train, ex)
			}
		}
		if len(test) == 0 {
			continue
		}
		base := float64(f) / float64(k)
		m, err := Train(ctx, lang, train, cfg, func(p float64) { progress(base + 0.9*p/float64(k)) })
		if err != nil {
			return nil, fmt.Errorf("fold %d: %w", f+1, err)
		}
		for _, i := range test {
			preds[i] = m.Predict(examples[i].Text, PredictOptions{Now: now})
		}
		progress(float64(f+1) / float64(k))
	}
	return preds, nil
}

// splitMix is a small deterministic generator for shuffles that must not
// depend on the math/rand version.
type splitMix struct{ s uint64 }

func newSplitMix(seed uint64) *splitMix { return &splitMix{s: seed ^ 0x9e3779b97f4a7c15} }

func (r *splitMix) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
