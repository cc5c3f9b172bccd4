package repository_test

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/repository"
)

func TestEvaluations(t *testing.T) {
	e := newEnv(t)
	r := e.repo(t)
	other := e.repo(t)
	ctx := t.Context()
	m, err := e.svc.SaveModel(ctx, repository.Model{RepositoryUUID: r.UUID, Data: []byte("model"), Revision: 1})
	noErr(t, err)
	otherModel, err := e.svc.SaveModel(ctx, repository.Model{RepositoryUUID: other.UUID, Data: []byte("model"), Revision: 1})
	noErr(t, err)
	summary := repository.EvaluationSummary{N: 3, Accuracy: 2.0 / 3, MacroPrecision: 0.75, MacroRecall: 0.75, MacroF1: 0.7,
		WeightedPrecision: 0.8, WeightedRecall: 2.0 / 3, WeightedF1: 0.7}
	results := []repository.EvaluationResult{
		{Index: 0, Text: "qro a 2ª via do boleto", Expected: "boleto", Predicted: "boleto", Confidence: 0.9, Success: true},
		{Index: 1, Text: "faz um pix pra Maria", Expected: "pix", Predicted: "boleto", Confidence: 0.4,
			Entities: json.RawMessage(`{"expected":[{"entity":"pessoa","start":15,"end":20}],"predicted":[]}`)},
		{Index: 2, Text: "oi", Expected: "saudacao", Predicted: "saudacao", Confidence: 0.95, Success: true},
	}
	valid := func() repository.Evaluation {
		return repository.Evaluation{RepositoryUUID: r.UUID, Language: "pt-BR", Mode: repository.EvaluationTestSet,
			ModelID: m.ID, JobID: "job-1", Summary: summary}
	}

	ev := valid()
	noErr(t, e.svc.SaveEvaluation(ctx, &ev, []byte(`{"intents":{}}`), results))
	if ev.ID == 0 || ev.VersionID == 0 || ev.Language != "pt_br" || ev.CreatedAt.IsZero() {
		t.Fatalf("saved evaluation = %+v, want ID, version, canonical language and time", ev)
	}
	got, report, err := e.svc.FindEvaluation(ctx, r.UUID, ev.ID)
	noErr(t, err)
	if got.Summary != summary || string(report) != `{"intents":{}}` || !got.CreatedAt.Equal(ev.CreatedAt) {
		t.Fatalf("found = %+v %s", got, report)
	}
	_, _, err = e.svc.FindEvaluation(ctx, other.UUID, ev.ID)
	wantError(t, err, sabia.ENOTFOUND, fmt.Sprintf("evaluation %d not found", ev.ID))

	cv := valid()
	cv.Mode, cv.Folds, cv.ModelID, cv.Language = repository.EvaluationCrossValidation, 5, 0, "es"
	noErr(t, e.svc.SaveEvaluation(ctx, &cv, nil, nil))

	tests := []struct {
		name    string
		change  func(*repository.Evaluation)
		report  string
		results []repository.EvaluationResult
		code    string
		msg     string
	}{
		{"unknown mode", func(e *repository.Evaluation) { e.Mode = "holdout" }, "", nil,
			sabia.EINVALID, `unknown evaluation mode "holdout" (test_set or cross_validation)`},
		{"test set with folds", func(e *repository.Evaluation) { e.Folds = 5 }, "", nil,
			sabia.EINVALID, "a test-set evaluation has no folds, not 5"},
		{"test set without model", func(e *repository.Evaluation) { e.ModelID = 0 }, "", nil,
			sabia.EINVALID, "a test-set evaluation needs the model it scored"},
		{"one fold", func(e *repository.Evaluation) {
			e.Mode, e.Folds, e.ModelID = repository.EvaluationCrossValidation, 1, 0
		}, "", nil,
			sabia.EINVALID, "a cross-validation needs at least 2 folds, not 1"},
		{"cross-validation with a model", func(e *repository.Evaluation) { e.Mode, e.Folds = repository.EvaluationCrossValidation, 5 }, "", nil,
			sabia.EINVALID, "a cross-validation scores no saved model"},
		{"negative n", func(e *repository.Evaluation) { e.Summary.N = -1 }, "", nil, sabia.EINVALID, "summary n -1 is negative"},
		{"accuracy above 1", func(e *repository.Evaluation) { e.Summary.Accuracy = 1.2 }, "", nil,
			sabia.EINVALID, "summary accuracy 1.2 is not between 0 and 1"},
		{"NaN F1", func(e *repository.Evaluation) { e.Summary.MacroF1 = math.NaN() }, "", nil,
			sabia.EINVALID, "summary macro_f1 NaN is not between 0 and 1"},
		{"bad report", nil, `{"intents":`, nil, sabia.EINVALID, "report is not valid JSON"},
		{"negative index", nil, "", []repository.EvaluationResult{{Index: -1}}, sabia.EINVALID, "result 0: index -1 is negative"},
		{"repeated index", nil, "", []repository.EvaluationResult{{Index: 0}, {Index: 1}, {Index: 0}},
			sabia.EINVALID, "result 2: index 0 repeats result 0"},
		{"result confidence", nil, "", []repository.EvaluationResult{{Index: 0, Confidence: 2}},
			sabia.EINVALID, "result 0: confidence 2 is not between 0 and 1"},
		{"result entities", nil, "", []repository.EvaluationResult{{Index: 0, Entities: json.RawMessage(`[{`)}},
			sabia.EINVALID, "result 0: entities are not valid JSON"},
		{"language not in the repository", func(e *repository.Evaluation) { e.Language = "en" }, "", nil, sabia.EINVALID, ""},
		{"missing repository", func(e *repository.Evaluation) { e.RepositoryUUID = "missing" }, "", nil, sabia.ENOTFOUND, ""},
		{"model of another repository", func(e *repository.Evaluation) { e.ModelID = otherModel.ID }, "", nil,
			sabia.ENOTFOUND, fmt.Sprintf("model %d not found", otherModel.ID)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := valid()
			if tt.change != nil {
				tt.change(&ev)
			}
			wantError(t, e.svc.SaveEvaluation(ctx, &ev, []byte(tt.report), tt.results), tt.code, tt.msg)
			if ev.ID != 0 {
				t.Fatalf("a refused evaluation got ID %d", ev.ID)
			}
		})
	}
	list, total, err := e.svc.ListEvaluations(ctx, r.UUID, repository.EvaluationFilter{})
	noErr(t, err)
	if total != 2 || list[0].ID != cv.ID || list[1].ID != ev.ID {
		t.Fatalf("evaluations = %+v (%d), want the two saved, newest first", list, total)
	}
	list, total, err = e.svc.ListEvaluations(ctx, r.UUID, repository.EvaluationFilter{Language: "spa", Mode: repository.EvaluationCrossValidation})
	noErr(t, err)
	if total != 1 || list[0].ID != cv.ID || list[0].Folds != 5 {
		t.Fatalf("cross-validations in es = %+v (%d)", list, total)
	}
	_, _, err = e.svc.ListEvaluations(ctx, r.UUID, repository.EvaluationFilter{Mode: "holdout"})
	wantError(t, err, sabia.EINVALID, `unknown evaluation mode "holdout" (test_set or cross_validation)`)
	_, _, err = e.svc.ListEvaluations(ctx, r.UUID, repository.EvaluationFilter{VersionID: 999})
	wantError(t, err, sabia.ENOTFOUND, "version 999 not found")
	_, _, err = e.svc.ListEvaluations(ctx, "missing", repository.EvaluationFilter{})
	wantError(t, err, sabia.ENOTFOUND, "")

	res, total, err := e.svc.ListEvaluationResults(ctx, r.UUID, repository.EvaluationResultFilter{EvaluationID: ev.ID, Status: repository.ResultError})
	noErr(t, err)
	if total != 1 || res[0].Index != 1 || string(res[0].Entities) != string(results[1].Entities) {
		t.Fatalf("errors = %+v (%d)", res, total)
	}
	res, total, err = e.svc.ListEvaluationResults(ctx, r.UUID, repository.EvaluationResultFilter{EvaluationID: ev.ID, Intent: " boleto "})
	noErr(t, err)
	if total != 2 || res[0].Index != 0 || res[1].Index != 1 {
		t.Fatalf("results about boleto = %+v (%d)", res, total)
	}
	_, _, err = e.svc.ListEvaluationResults(ctx, r.UUID, repository.EvaluationResultFilter{EvaluationID: ev.ID, Status: "wrong"})
	wantError(t, err, sabia.EINVALID, `unknown result status "wrong" (success or error)`)
	_, _, err = e.svc.ListEvaluationResults(ctx, other.UUID, repository.EvaluationResultFilter{EvaluationID: ev.ID})
	wantError(t, err, sabia.ENOTFOUND, "")

	wantError(t, e.svc.DeleteEvaluation(ctx, other.UUID, ev.ID), sabia.ENOTFOUND, "")
	noErr(t, e.svc.DeleteEvaluation(ctx, r.UUID, ev.ID))
	_, _, err = e.svc.FindEvaluation(ctx, r.UUID, ev.ID)
	wantError(t, err, sabia.ENOTFOUND, "")
}
