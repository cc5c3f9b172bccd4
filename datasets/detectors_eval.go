package datasets

// Evaluation sets of the built-in detectors, oldest first; each is
// described in builtin/README.md.
const (
	// EvalSetFirst is the first held-out set, written apart from the
	// training data.
	EvalSetFirst = "eval"
	// EvalSetFresh is the second, written by someone who saw neither the
	// training data nor the first.
	EvalSetFresh = "fresh"
	// EvalSetBlind to EvalSetBlind5 were each written blind, by someone
	// shown no file of the project.
	EvalSetBlind  = "blind"
	EvalSetBlind2 = "blind2"
	EvalSetBlind3 = "blind3"
	EvalSetBlind4 = "blind4"
	EvalSetBlind5 = "blind5"
)

// EvalSets lists the held-out evaluation sets, oldest first.
var EvalSets = []string{EvalSetFirst, EvalSetFresh, EvalSetBlind, EvalSetBlind2, EvalSetBlind3, EvalSetBlind4, EvalSetBlind5}

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
