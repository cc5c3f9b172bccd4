package nlu

import "sort"

// ClassMetrics are precision, recall and F1 of one intent or entity.
type ClassMetrics struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Support   int     `json:"support"`
}

// SentenceResult is one scored test sentence.
type SentenceResult struct {
	Text           string   `json:"text"`
	Expected       string   `json:"expected"`
	Predicted      string   `json:"predicted"`
	Confidence     float64  `json:"confidence"`
	Success        bool     `json:"success"`
	EntityTrue     []Entity `json:"entity_true_positives,omitempty"`
	EntityFalsePos []Entity `json:"entity_false_positives,omitempty"`
	EntityMissed   []Span   `json:"entity_false_negatives,omitempty"`
}

// Report is the evaluation of predictions against expected examples.
// Out-of-scope is the intent "". Accuracy is over in-scope examples only, an
// in-scope example predicted out-of-scope counting as wrong; the out-of-scope
// figures are present (HasOOS) only when the expected set has out-of-scope
// examples, and the entity figures (HasEntities) only when it has spans.
type Report struct {
	N               int                       `json:"n"`
	Accuracy        float64                   `json:"accuracy"`
	MacroPrecision  float64                   `json:"macro_precision"`
	MacroRecall     float64                   `json:"macro_recall"`
	MacroF1         float64                   `json:"macro_f1"`
	WeightedF1      float64                   `json:"weighted_f1"`
	PerIntent       map[string]ClassMetrics   `json:"per_intent"`
	Confusion       map[string]map[string]int `json:"confusion"`
	HasOOS          bool                      `json:"has_oos"`
	OOSRecall       float64                   `json:"oos_recall"`
	OOSPrecision    float64                   `json:"oos_precision"`
	HasEntities     bool                      `json:"has_entities"`
	EntityPrecision float64                   `json:"entity_precision"`
	EntityRecall    float64                   `json:"entity_recall"`
	EntityF1        float64                   `json:"entity_f1"`
	PerEntity       map[string]ClassMetrics   `json:"per_entity"`
	Sentences       []SentenceResult          `json:"sentences"`
}

// OutOfScopeLabel names out-of-scope in confusion matrices and per-sentence logs.
const OutOfScopeLabel = "(out of scope)"

func prf(tp, fp, fn int) ClassMetrics {
	m := ClassMetrics{Support: tp + fn}
	if tp+fp > 0 {
		m.Precision = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		m.Recall = float64(tp) / float64(tp+fn)
	}
	if m.Precision+m.Recall > 0 {
		m.F1 = 2 * m.Precision * m.Recall / (m.Precision + m.Recall)
	}
	return m
}

// Score compares predictions with expected examples, index by index.
// Learned-entity scoring uses exact span and label (micro-averaged) over the
// entities the model predicted with Source "model" or "pattern"; built-ins
// count only when the expected spans use their names.
func Score(expected []Example, preds []Prediction) Report {
	r := Report{N: len(expected), PerIntent: map[string]ClassMetrics{}, Confusion: map[string]map[string]int{}, PerEntity: map[string]ClassMetrics{}}
	tp, fp, fn := map[string]int{}, map[string]int{}, map[string]int{}
	etp, efp, efn := map[string]int{}, map[string]int{}, map[string]int{}
	expectedLabels := map[string]bool{}
	var inScope, correct, oosTotal, oosHit, oosPredicted int
	for i, ex := range expected {
		p := preds[i]
		exp, got := ex.Intent, p.Intent
		if p.OutOfScope {
			got = ""
		}
		label := func(s string) string {
			if s == "" {
				return OutOfScopeLabel
			}
			return s
		}
		if r.Confusion[label(exp)] == nil {
			r.Confusion[label(exp)] = map[string]int{}
		}
		r.Confusion[label(exp)][label(got)]++
		if exp == "" {
			oosTotal++
			if got == "" {
				oosHit++
			}
		} else {
			inScope++
			expectedLabels[exp] = true
			if got == exp {
				correct++
				tp[exp]++
			} else {
				fn[exp]++
				if got != "" {
					fp[got]++
				}
			}
		}
		if got == "" {
			oosPredicted++
		} else if exp == "" {
			fp[got]++
		}
		sr := SentenceResult{Text: ex.Text, Expected: exp, Predicted: got, Confidence: p.Confidence, Success: exp == got}
		// Entities: exact span and label.
		want := map[[2]int]string{}
		for _, s := range ex.Entities {
			r.HasEntities = true
			want[[2]int{s.Start, s.End}] = s.Entity
		}
		wantNames := map[string]bool{}
		for _, s := range ex.Entities {
			wantNames[s.Entity] = true
		}
		matched := map[[2]int]bool{}
		for _, e := range p.Entities {
			if e.Source == SourceBuiltin && !wantNames[e.Entity] {
				continue
			}
			k := [2]int{e.Start, e.End}
			if want[k] == e.Entity && !matched[k] {
				matched[k] = true
				etp[e.Entity]++
				sr.EntityTrue = append(sr.EntityTrue, e)
			} else {
				efp[e.Entity]++
				sr.EntityFalsePos = append(sr.EntityFalsePos, e)
			}
		}
		for _, s := range ex.Entities {
			if !matched[[2]int{s.Start, s.End}] {
				efn[s.Entity]++
				sr.EntityMissed = append(sr.EntityMissed, s)
			}
		}
		r.Sentences = append(r.Sentences, sr)
	}
	if inScope > 0 {
		r.Accuracy = float64(correct) / float64(inScope)
	}
	if oosTotal > 0 {
		r.HasOOS = true
		r.OOSRecall = float64(oosHit) / float64(oosTotal)
		if oosPredicted > 0 {
			r.OOSPrecision = float64(oosHit) / float64(oosPredicted)
		}
	}
	labels := make([]string, 0, len(expectedLabels))
	for l := range expectedLabels {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	var wsum float64
	for _, l := range labels {
		m := prf(tp[l], fp[l], fn[l])
		r.PerIntent[l] = m
		r.MacroPrecision += m.Precision
		r.MacroRecall += m.Recall
		r.MacroF1 += m.F1
		r.WeightedF1 += m.F1 * float64(m.Support)
		wsum += float64(m.Support)
	}
	if n := float64(len(labels)); n > 0 {
		r.MacroPrecision /= n
		r.MacroRecall /= n
		r.MacroF1 /= n
	}
	if wsum > 0 {
		r.WeightedF1 /= wsum
	}
	var ttp, tfp, tfn int
	names := map[string]bool{}
	for k := range etp {
		names[k] = true
	}
	for k := range efp {
		names[k] = true
	}
	for k := range efn {
		names[k] = true
	}
	for k := range names {
		r.PerEntity[k] = prf(etp[k], efp[k], efn[k])
		ttp += etp[k]
		tfp += efp[k]
		tfn += efn[k]
	}
	em := prf(ttp, tfp, tfn)
	r.EntityPrecision, r.EntityRecall, r.EntityF1 = em.Precision, em.Recall, em.F1
	return r
}
