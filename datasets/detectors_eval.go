package datasets

// EvalSetBlind7 to EvalSetBlind10 are the held-out evaluation sets of the built-in detectors: each about 120 requests per
// detector and 260 negatives per language, written blind by six people shown
// no file of the project. Earlier sets ("eval", "fresh", "blind" to "blind6") were measured
// first and then became training data; builtin/README.md tells the history.
const (
	EvalSetBlind7  = "blind7"
	EvalSetBlind8  = "blind8"
	EvalSetBlind9  = "blind9"
	EvalSetBlind10 = "blind10"
)

// EvalSets lists the held-out evaluation sets, oldest first.
var EvalSets = []string{EvalSetBlind7, EvalSetBlind8, EvalSetBlind9, EvalSetBlind10}

// DetectorReport is the evaluation of one detector in one language.
type DetectorReport struct {
	Set       string  `json:"set"`
	Detector  string  `json:"detector"`
	Language  string  `json:"language"`
	N         int     `json:"n"`
	Positives int     `json:"positives"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	// FalsePositives and FalseNegatives list the texts it got wrong.
	FalsePositives []string `json:"false_positives"`
	FalseNegatives []string `json:"false_negatives"`
}

// EvaluateDetectors scores the detectors on one of the shipped evaluation
// sets (one of EvalSets), which were written apart from the
// training data, with the language given (langGiven) or detected.
func EvaluateDetectors(d *Detectors, set string, langGiven bool) ([]DetectorReport, error) {
	var out []DetectorReport
	for _, l := range DetectorLanguages {
		exs, err := DetectorEvalSet(set, l)
		if err != nil {
			return nil, err
		}
		for _, name := range DetectorNames {
			r := DetectorReport{Set: set, Detector: name, Language: l, N: len(exs), FalsePositives: []string{}, FalseNegatives: []string{}}
			var tp, fp, fn int
			for _, ex := range exs {
				lang := ""
				if langGiven {
					lang = l
				}
				dets, _, err := d.Detect(ex.Text, lang, []string{name})
				if err != nil {
					return nil, err
				}
				want, got := ex.Intent == name, dets[0].Detected
				if want {
					r.Positives++
				}
				switch {
				case want && got:
					tp++
				case got:
					fp++
					r.FalsePositives = append(r.FalsePositives, ex.Text)
				case want:
					fn++
					r.FalseNegatives = append(r.FalseNegatives, ex.Text)
				}
			}
			if tp+fp > 0 {
				r.Precision = float64(tp) / float64(tp+fp)
			}
			if tp+fn > 0 {
				r.Recall = float64(tp) / float64(tp+fn)
			}
			if r.Precision+r.Recall > 0 {
				r.F1 = 2 * r.Precision * r.Recall / (r.Precision + r.Recall)
			}
			out = append(out, r)
		}
	}
	return out, nil
}
