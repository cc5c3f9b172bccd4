package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/repository"
)

// evaluation builds an evaluation of the fixture's default version; a
// cross-validation gets 5 folds.
func (f fixture) evaluation(lang, mode string, modelID int64, created time.Time) *repository.Evaluation {
	e := &repository.Evaluation{
		RepositoryUUID: f.repo.UUID, VersionID: f.version.ID, Language: lang, Mode: mode, ModelID: modelID,
		JobID: "job-eval-" + f.repo.UUID, CreatedAt: created,
		Summary: repository.EvaluationSummary{
			N: 40, Accuracy: 0.875, MacroPrecision: 0.81, MacroRecall: 0.79, MacroF1: 0.8,
			WeightedPrecision: 0.88, WeightedRecall: 0.875, WeightedF1: 0.87, EntityF1: 0.66, HasEntities: true,
		},
	}
	if mode == repository.EvaluationCrossValidation {
		e.Folds = 5
	}
	return e
}

func result(index int, text, expected, predicted string, confidence float64) repository.EvaluationResult {
	return repository.EvaluationResult{Index: index, Text: text, Expected: expected, Predicted: predicted,
		Confidence: confidence, Success: expected == predicted}
}

func (f fixture) model(t *testing.T, s repository.Store, lang string) repository.Model {
	t.Helper()
	m := repository.Model{RepositoryUUID: f.repo.UUID, VersionID: f.version.ID, Language: lang, Data: []byte("model"), Revision: 1, TrainedAt: t0}
	noErr(t, s.SaveModel(t.Context(), &m))
	return m
}

func countEvaluations(t *testing.T, s repository.Store, f repository.EvaluationFilter) int {
	t.Helper()
	_, n, err := s.ListEvaluations(t.Context(), f)
	noErr(t, err)
	return n
}

func testSaveEvaluation(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es")
	other := newRepo(t, s, "r2", t0, "pt_br")
	m := f.model(t, s, "pt_br")
	otherModel := other.model(t, s, "pt_br")

	e := f.evaluation("pt_br", repository.EvaluationTestSet, m.ID, at(3))
	report := []byte(`{"intents":{"boleto":{"precision":1,"recall":0.5,"f1":0.667,"support":2}},"confusion":[[1,1],[0,1]]}`)
	ents := json.RawMessage(`{"expected":[{"entity":"documento","start":16,"end":22}],"predicted":[]}`)
	results := []repository.EvaluationResult{
		result(0, "qro a 2ª via do boleto", "boleto", "boleto", 0.93),
		result(1, "manda o boleto pfv", "boleto", "pix", 0.41),
		result(2, "oi tudo bem", "saudacao", "saudacao", 0.99),
	}
	results[0].Entities = ents
	noErr(t, s.SaveEvaluation(ctx, e, report, results))
	if e.ID == 0 {
		t.Fatal("SaveEvaluation set no ID")
	}

	got, gotReport, err := s.FindEvaluation(ctx, e.ID)
	noErr(t, err)
	sameTime(t, "CreatedAt", got.CreatedAt, at(3))
	got.CreatedAt = e.CreatedAt
	equal(t, "evaluation", got, *e)
	equal(t, "report", string(gotReport), string(report))

	list, total, err := s.ListEvaluationResults(ctx, repository.EvaluationResultFilter{EvaluationID: e.ID})
	noErr(t, err)
	equal(t, "results total", total, 3)
	for i := range results {
		results[i].EvaluationID = e.ID
	}
	equal(t, "results", list, results)

	// A cross-validation: no model, no report, no results.
	cv := f.evaluation("es", repository.EvaluationCrossValidation, 0, at(4))
	cv.JobID = ""
	noErr(t, s.SaveEvaluation(ctx, cv, nil, nil))
	got, gotReport, err = s.FindEvaluation(ctx, cv.ID)
	noErr(t, err)
	got.CreatedAt = cv.CreatedAt
	equal(t, "cross-validation", got, *cv)
	equal(t, "empty report length", len(gotReport), 0)

	_, _, err = s.FindEvaluation(ctx, cv.ID+1000)
	wantCode(t, err, sabia.ENOTFOUND, "")

	// Nothing is stored when the version or model is not found, or a
	// result fails.
	bad := f.evaluation("pt_br", repository.EvaluationTestSet, m.ID, at(5))
	bad.VersionID += 1000
	wantCode(t, s.SaveEvaluation(ctx, bad, nil, nil), sabia.ENOTFOUND, "version")
	bad = f.evaluation("pt_br", repository.EvaluationTestSet, otherModel.ID, at(5))
	wantCode(t, s.SaveEvaluation(ctx, bad, nil, nil), sabia.ENOTFOUND, "model")
	bad = f.evaluation("pt_br", repository.EvaluationTestSet, otherModel.ID+1000, at(5))
	wantCode(t, s.SaveEvaluation(ctx, bad, nil, nil), sabia.ENOTFOUND, "model")
	bad = f.evaluation("pt_br", repository.EvaluationTestSet, m.ID, at(5))
	wantCode(t, s.SaveEvaluation(ctx, bad, report, []repository.EvaluationResult{
		result(0, "oi", "saudacao", "saudacao", 0.9), result(0, "olá", "saudacao", "saudacao", 0.9),
	}), sabia.EINVALID, "")
	equal(t, "evaluations stored", countEvaluations(t, s, repository.EvaluationFilter{RepositoryUUID: "r1"}), 2)
}

func testListEvaluations(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es")
	other := newRepo(t, s, "r2", t0, "pt_br")
	m := f.model(t, s, "pt_br")
	save := func(x fixture, lang, mode string, modelID int64, created time.Time) int64 {
		e := x.evaluation(lang, mode, modelID, created)
		noErr(t, s.SaveEvaluation(ctx, e, []byte(`{}`), nil))
		return e.ID
	}
	a := save(f, "pt_br", repository.EvaluationTestSet, m.ID, at(1))
	b := save(f, "pt_br", repository.EvaluationCrossValidation, 0, at(2))
	c := save(f, "es", repository.EvaluationCrossValidation, 0, at(3))
	d := save(other, "pt_br", repository.EvaluationCrossValidation, 0, at(4))
	e := save(f, "pt_br", repository.EvaluationTestSet, m.ID, at(3)) // same time as c, saved later

	ids := func(list []repository.Evaluation) []int64 {
		out := []int64{}
		for _, e := range list {
			out = append(out, e.ID)
		}
		return out
	}
	tests := []struct {
		name  string
		f     repository.EvaluationFilter
		want  []int64
		total int
	}{
		{"all, newest first", repository.EvaluationFilter{}, []int64{d, e, c, b, a}, 5},
		{"repository", repository.EvaluationFilter{RepositoryUUID: "r1"}, []int64{e, c, b, a}, 4},
		{"version", repository.EvaluationFilter{VersionID: other.version.ID}, []int64{d}, 1},
		{"language", repository.EvaluationFilter{RepositoryUUID: "r1", Language: "es"}, []int64{c}, 1},
		{"mode", repository.EvaluationFilter{RepositoryUUID: "r1", Mode: repository.EvaluationTestSet}, []int64{e, a}, 2},
		{"combined", repository.EvaluationFilter{VersionID: f.version.ID, Language: "pt_br", Mode: repository.EvaluationCrossValidation}, []int64{b}, 1},
		{"page", repository.EvaluationFilter{RepositoryUUID: "r1", Offset: 1, Limit: 2}, []int64{c, b}, 4},
		{"page past the end", repository.EvaluationFilter{RepositoryUUID: "r1", Offset: 4, Limit: 2}, []int64{}, 4},
		{"none", repository.EvaluationFilter{RepositoryUUID: "missing"}, []int64{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := s.ListEvaluations(ctx, tt.f)
			noErr(t, err)
			equal(t, "ids", ids(got), tt.want)
			equal(t, "total", total, tt.total)
		})
	}

	got, _, err := s.ListEvaluations(ctx, repository.EvaluationFilter{RepositoryUUID: "r1", Mode: repository.EvaluationTestSet, Limit: 1})
	noErr(t, err)
	want := f.evaluation("pt_br", repository.EvaluationTestSet, m.ID, at(3))
	want.ID = e
	sameTime(t, "listed CreatedAt", got[0].CreatedAt, want.CreatedAt)
	got[0].CreatedAt = want.CreatedAt
	equal(t, "listed evaluation", got[0], *want)
}

func testListEvaluationResults(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0)
	e := f.evaluation("pt_br", repository.EvaluationCrossValidation, 0, t0)
	// Saved out of order: listing sorts by Index.
	noErr(t, s.SaveEvaluation(ctx, e, nil, []repository.EvaluationResult{
		result(3, "quero pagar com pix", "pix", "pix", 0.88),
		result(0, "qro a 2ª via do boleto", "boleto", "boleto", 0.95),
		result(1, "manda o boleto pfv", "boleto", "pix", 0.51),
		result(2, "oi", "saudacao", "", 0.22), // out of scope
		result(5, "tá caro demais", "reclamacao", "cancelar", 0.47),
		result(4, "faz um pix pra Maria", "pix", "boleto", 0.39),
	}))
	other := f.evaluation("pt_br", repository.EvaluationCrossValidation, 0, t0)
	noErr(t, s.SaveEvaluation(ctx, other, nil, []repository.EvaluationResult{result(0, "boleto", "boleto", "boleto", 0.9)}))

	indexes := func(list []repository.EvaluationResult) []int {
		out := []int{}
		for _, r := range list {
			if r.EvaluationID != e.ID {
				t.Fatalf("result %+v is not of evaluation %d", r, e.ID)
			}
			out = append(out, r.Index)
		}
		return out
	}
	id := e.ID
	tests := []struct {
		name  string
		f     repository.EvaluationResultFilter
		want  []int
		total int
	}{
		{"all, by index", repository.EvaluationResultFilter{EvaluationID: id}, []int{0, 1, 2, 3, 4, 5}, 6},
		{"successes", repository.EvaluationResultFilter{EvaluationID: id, Status: repository.ResultSuccess}, []int{0, 3}, 2},
		{"errors", repository.EvaluationResultFilter{EvaluationID: id, Status: repository.ResultError}, []int{1, 2, 4, 5}, 4},
		{"intent expected or predicted", repository.EvaluationResultFilter{EvaluationID: id, Intent: "pix"}, []int{1, 3, 4}, 3},
		{"intent only predicted", repository.EvaluationResultFilter{EvaluationID: id, Intent: "cancelar"}, []int{5}, 1},
		{"intent and errors", repository.EvaluationResultFilter{EvaluationID: id, Intent: "boleto", Status: repository.ResultError}, []int{1, 4}, 2},
		{"page", repository.EvaluationResultFilter{EvaluationID: id, Offset: 2, Limit: 3}, []int{2, 3, 4}, 6},
		{"page past the end", repository.EvaluationResultFilter{EvaluationID: id, Offset: 6, Limit: 3}, []int{}, 6},
		{"missing evaluation", repository.EvaluationResultFilter{EvaluationID: other.ID + 1000}, []int{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := s.ListEvaluationResults(ctx, tt.f)
			noErr(t, err)
			equal(t, "indexes", indexes(got), tt.want)
			equal(t, "total", total, tt.total)
		})
	}
}

func testDeleteEvaluation(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0)
	a := f.evaluation("pt_br", repository.EvaluationCrossValidation, 0, t0)
	b := f.evaluation("pt_br", repository.EvaluationCrossValidation, 0, at(1))
	for _, e := range []*repository.Evaluation{a, b} {
		noErr(t, s.SaveEvaluation(ctx, e, []byte(`{}`), []repository.EvaluationResult{
			result(0, "qro a 2ª via do boleto", "boleto", "boleto", 0.95), result(1, "oi", "saudacao", "pix", 0.3),
		}))
	}

	noErr(t, s.DeleteEvaluation(ctx, a.ID))
	_, _, err := s.FindEvaluation(ctx, a.ID)
	wantCode(t, err, sabia.ENOTFOUND, "")
	_, n, err := s.ListEvaluationResults(ctx, repository.EvaluationResultFilter{EvaluationID: a.ID})
	noErr(t, err)
	equal(t, "results of the deleted evaluation", n, 0)
	wantCode(t, s.DeleteEvaluation(ctx, a.ID), sabia.ENOTFOUND, "")

	_, n, err = s.ListEvaluationResults(ctx, repository.EvaluationResultFilter{EvaluationID: b.ID})
	noErr(t, err)
	equal(t, "results of the other evaluation", n, 2)
}
