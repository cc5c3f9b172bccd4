package nlu

import "sort"

// CalibrateThreshold picks the out-of-scope threshold that maximises the
// share of validation examples handled right: in-scope ones predicted with
// their intent at or above the threshold, out-of-scope ones below it (or
// predicted as out-of-scope by the model). It returns the model's own
// threshold when valid has no out-of-scope example, since then any threshold
// can only lose.
func CalibrateThreshold(m *Model, valid []Example) float64 {
	type point struct {
		conf  float64
		inOK  bool // in-scope and right intent
		isOOS bool
		model bool // the model itself said out-of-scope (oos class)
	}
	pts := make([]point, 0, len(valid))
	hasOOS := false
	for _, ex := range valid {
		p := m.classify(Tokenize(ex.Text), PredictOptions{Threshold: 1e-12})
		pt := point{conf: p.Confidence, isOOS: ex.Intent == "", model: p.OutOfScope}
		if len(p.Ranking) > 0 {
			pt.conf = p.Ranking[0].Confidence
		}
		if ex.Intent == "" {
			hasOOS = true
		} else {
			pt.inOK = !p.OutOfScope && p.Intent == ex.Intent
		}
		pts = append(pts, pt)
	}
	if !hasOOS {
		return m.threshold
	}
	cands := make([]float64, 0, len(pts)+1)
	for _, p := range pts {
		cands = append(cands, p.conf)
	}
	sort.Float64s(cands)
	best, bestScore := m.threshold, -1
	for _, t := range cands {
		score := 0
		for _, p := range pts {
			below := p.conf < t || p.model
			if (p.isOOS && below) || (p.inOK && !below) {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = t, score
		}
	}
	return best
}

// WithThreshold returns a copy of m whose default out-of-scope threshold is t.
func (m *Model) WithThreshold(t float64) *Model {
	c := *m
	c.threshold = t
	return &c
}
