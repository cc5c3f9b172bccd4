package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"

	"github.com/go-chi/chi/v5"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/training"
)

// EvaluateRequest starts an evaluation job.
type EvaluateRequest struct {
	Language  string `json:"language,omitempty"`
	VersionID int64  `json:"version,omitempty"`
	Mode      string `json:"mode" doc:"test_set or cross_validation"`
	Folds     int    `json:"folds,omitempty" doc:"cross-validation folds, 2 to 10, default 5"`
}

// EvaluationDetail is a stored evaluation with its full report.
type EvaluationDetail struct {
	repository.Evaluation
	Report training.EvaluationReport `json:"report"`
}

// Comparison tells which sentences an evaluation fixed or broke against an
// earlier one, matched by text.
type Comparison struct {
	Before        int64              `json:"before"`
	After         int64              `json:"after"`
	AccuracyDelta float64            `json:"accuracy_delta"`
	Fixed         []ComparedSentence `json:"fixed"`
	Broken        []ComparedSentence `json:"broken"`
	StillWrong    int                `json:"still_wrong"`
	Unmatched     int                `json:"unmatched"`
	IntentF1Delta map[string]float64 `json:"intent_f1_delta"`
}

// ComparedSentence is a sentence whose outcome changed.
type ComparedSentence struct {
	Text            string `json:"text"`
	Expected        string `json:"expected"`
	PredictedBefore string `json:"predicted_before"`
	PredictedAfter  string `json:"predicted_after"`
}

func (s *Server) evaluationRoutes() {
	const base = "/v1/repositories/{uuid}"
	s.handle(route{Method: http.MethodPost, Pattern: base + "/evaluate",
		Summary: "Evaluate as a job: on the test sentences with the trained model (test_set) or by k-fold cross-validation of the examples (the live model is untouched)",
		Tag:     "evaluation", Auth: authAny, Request: EvaluateRequest{}, Response: repository.Job{}, Status: http.StatusAccepted},
		jsonHandler(http.StatusAccepted, func(r *http.Request, in *EvaluateRequest) (repository.Job, error) {
			uuid, err := scoped(r, repository.RoleContributor)
			if err != nil {
				return repository.Job{}, err
			}
			repo, err := s.repos.FindRepository(r.Context(), uuid)
			if err != nil {
				return repository.Job{}, err
			}
			lang, err := training.LanguageOf(repo, in.Language)
			if err != nil {
				return repository.Job{}, err
			}
			return s.engine.Evaluate(r.Context(), training.EvaluateRequest{RepositoryUUID: uuid, VersionID: in.VersionID, Language: lang, Mode: in.Mode, Folds: in.Folds})
		}))
	s.handle(route{Method: http.MethodGet, Pattern: base + "/evaluations", Summary: "List evaluations, newest first (query: language, mode, version, offset, limit)",
		Tag: "evaluation", Auth: authAny, Response: Page[repository.Evaluation]{}},
		getHandler(http.StatusOK, func(r *http.Request) (Page[repository.Evaluation], error) {
			uuid, err := scoped(r, repository.RoleUser)
			if err != nil {
				return Page[repository.Evaluation]{}, err
			}
			off, lim, err := paging(r)
			if err != nil {
				return Page[repository.Evaluation]{}, err
			}
			v, lang, err := versionAndLanguage(r)
			if err != nil {
				return Page[repository.Evaluation]{}, err
			}
			items, total, err := s.repos.ListEvaluations(r.Context(), uuid, repository.EvaluationFilter{VersionID: v, Language: lang,
				Mode: r.URL.Query().Get("mode"), Offset: off, Limit: lim})
			return Page[repository.Evaluation]{Items: nonNil(items), Total: total, Offset: off, Limit: lim}, err
		}))
	s.handle(route{Method: http.MethodGet, Pattern: base + "/evaluations/{id}",
		Summary: "An evaluation: accuracy, macro and weighted precision/recall/F1, per intent and per entity metrics, confusion matrix",
		Tag:     "evaluation", Auth: authAny, Response: EvaluationDetail{}},
		getHandler(http.StatusOK, func(r *http.Request) (EvaluationDetail, error) {
			return s.evaluation(r)
		}))
	s.handle(route{Method: http.MethodGet, Pattern: base + "/evaluations/{id}/results",
		Summary: "The per-sentence log of an evaluation (query: status success|error, intent, offset, limit)",
		Tag:     "evaluation", Auth: authAny, Response: Page[repository.EvaluationResult]{}},
		getHandler(http.StatusOK, func(r *http.Request) (Page[repository.EvaluationResult], error) {
			ev, err := s.evaluation(r)
			if err != nil {
				return Page[repository.EvaluationResult]{}, err
			}
			off, lim, err := paging(r)
			if err != nil {
				return Page[repository.EvaluationResult]{}, err
			}
			q := r.URL.Query()
			items, total, err := s.repos.ListEvaluationResults(r.Context(), ev.RepositoryUUID, repository.EvaluationResultFilter{EvaluationID: ev.ID,
				Status: q.Get("status"), Intent: q.Get("intent"), Offset: off, Limit: lim})
			return Page[repository.EvaluationResult]{Items: nonNil(items), Total: total, Offset: off, Limit: lim}, err
		}))
	s.handle(route{Method: http.MethodGet, Pattern: base + "/evaluations/{id}/confusion.svg",
		Summary: "The confusion matrix as an SVG picture (only the intents with errors when there are more than 40)",
		Tag:     "evaluation", Auth: authAny, Raw: "image/svg+xml"},
		func(w http.ResponseWriter, r *http.Request) {
			ev, err := s.evaluation(r)
			if err != nil {
				writeError(w, r, err)
				return
			}
			writeSVG(w, confusionSVG(ev.Report.Confusion, fmt.Sprintf("Confusion matrix — evaluation %d (%s, %s), accuracy %.1f%%",
				ev.ID, ev.Mode, ev.Language, 100*ev.Summary.Accuracy)))
		})
	s.handle(route{Method: http.MethodGet, Pattern: base + "/evaluations/{id}/confidence.svg",
		Summary: "Histogram of top confidence for right and wrong predictions, as an SVG picture",
		Tag:     "evaluation", Auth: authAny, Raw: "image/svg+xml"},
		func(w http.ResponseWriter, r *http.Request) {
			ev, err := s.evaluation(r)
			if err != nil {
				writeError(w, r, err)
				return
			}
			writeSVG(w, confidenceSVG(ev.Report.CorrectConfidences, ev.Report.WrongConfidences,
				fmt.Sprintf("Confidence — evaluation %d (%s, %s)", ev.ID, ev.Mode, ev.Language)))
		})
	s.handle(route{Method: http.MethodGet, Pattern: base + "/evaluations/compare",
		Summary: "Compare two evaluations (query: before, after): sentences fixed and broken, accuracy and per-intent F1 deltas",
		Tag:     "evaluation", Auth: authAny, Response: Comparison{}},
		getHandler(http.StatusOK, s.compare))
}

func writeSVG(w http.ResponseWriter, svg []byte) {
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	_, _ = w.Write(svg)
}

func (s *Server) evaluation(r *http.Request) (EvaluationDetail, error) {
	uuid := chi.URLParam(r, "uuid")
	if err := allow(r, uuid, repository.RoleUser); err != nil {
		return EvaluationDetail{}, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return EvaluationDetail{}, err
	}
	return s.loadEvaluation(r, uuid, id)
}

func (s *Server) loadEvaluation(r *http.Request, uuid string, id int64) (EvaluationDetail, error) {
	ev, blob, err := s.repos.FindEvaluation(r.Context(), uuid, id)
	if err != nil {
		return EvaluationDetail{}, err
	}
	d := EvaluationDetail{Evaluation: ev}
	if err := json.Unmarshal(blob, &d.Report); err != nil {
		return EvaluationDetail{}, fmt.Errorf("decoding report of evaluation %d: %w", id, err)
	}
	return d, nil
}

// allResults reads every per-sentence result of an evaluation.
func (s *Server) allResults(r *http.Request, uuid string, id int64) ([]repository.EvaluationResult, error) {
	var out []repository.EvaluationResult
	for off := 0; ; off += repository.MaxPageSize {
		page, total, err := s.repos.ListEvaluationResults(r.Context(), uuid, repository.EvaluationResultFilter{EvaluationID: id, Offset: off, Limit: repository.MaxPageSize})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) == 0 || len(out) >= total {
			return out, nil
		}
	}
}

func (s *Server) compare(r *http.Request) (Comparison, error) {
	uuid := chi.URLParam(r, "uuid")
	if err := allow(r, uuid, repository.RoleUser); err != nil {
		return Comparison{}, err
	}
	before, err := queryInt(r, "before", 0)
	if err != nil {
		return Comparison{}, err
	}
	after, err := queryInt(r, "after", 0)
	if err != nil {
		return Comparison{}, err
	}
	if before == 0 || after == 0 {
		return Comparison{}, sabia.Errorf(sabia.EINVALID, "query parameters \"before\" and \"after\" must name two evaluations")
	}
	b, err := s.loadEvaluation(r, uuid, before)
	if err != nil {
		return Comparison{}, err
	}
	a, err := s.loadEvaluation(r, uuid, after)
	if err != nil {
		return Comparison{}, err
	}
	br, err := s.allResults(r, uuid, before)
	if err != nil {
		return Comparison{}, err
	}
	ar, err := s.allResults(r, uuid, after)
	if err != nil {
		return Comparison{}, err
	}
	old := map[string]repository.EvaluationResult{}
	for _, x := range br {
		old[x.Text+"\x00"+x.Expected] = x
	}
	c := Comparison{Before: before, After: after, AccuracyDelta: a.Summary.Accuracy - b.Summary.Accuracy,
		Fixed: []ComparedSentence{}, Broken: []ComparedSentence{}, IntentF1Delta: map[string]float64{}}
	for _, x := range ar {
		o, ok := old[x.Text+"\x00"+x.Expected]
		if !ok {
			c.Unmatched++
			continue
		}
		cs := ComparedSentence{Text: x.Text, Expected: x.Expected, PredictedBefore: o.Predicted, PredictedAfter: x.Predicted}
		switch {
		case x.Success && !o.Success:
			c.Fixed = append(c.Fixed, cs)
		case !x.Success && o.Success:
			c.Broken = append(c.Broken, cs)
		case !x.Success:
			c.StillWrong++
		}
	}
	names := map[string]bool{}
	for n := range a.Report.PerIntent {
		names[n] = true
	}
	for n := range b.Report.PerIntent {
		names[n] = true
	}
	keys := make([]string, 0, len(names))
	for n := range names {
		keys = append(keys, n)
	}
	sort.Strings(keys)
	for _, n := range keys {
		if d := a.Report.PerIntent[n].F1 - b.Report.PerIntent[n].F1; d != 0 {
			c.IntentF1Delta[n] = d
		}
	}
	return c, nil
}
