package repository

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/weni-ai/sabia"
)

// SaveEvaluation stores an evaluation of a repository's version (0 =
// default) and language ("" = main language) with its report and
// per-sentence results, in one transaction, and sets e.ID, e.VersionID and
// e.Language (resolved) and e.CreatedAt (now when zero). A test-set
// evaluation names the model it scored and has no folds; a cross-validation
// has at least 2 folds and no model. Summary metrics are in [0, 1]; report,
// when not empty, and each result's Entities, when set, are valid JSON;
// result indexes are not negative and do not repeat.
//
// Returns ENOTFOUND (repository, version, or a model not of the repository)
// or EINVALID ("unknown evaluation mode \"x\"", "result 3: index 2 repeats
// result 1", …).
func (s *Service) SaveEvaluation(ctx context.Context, e *Evaluation, report []byte, results []EvaluationResult) error {
	_, v, l, err := s.scope(ctx, e.RepositoryUUID, e.VersionID, e.Language)
	if err != nil {
		return err
	}
	if verr := checkEvaluation(*e, report, results); verr != nil {
		return verr
	}
	e.VersionID, e.Language = v.ID, l
	if e.CreatedAt.IsZero() {
		e.CreatedAt = s.clock()
	}
	e.CreatedAt = e.CreatedAt.UTC().Truncate(time.Microsecond)
	if err := s.store.SaveEvaluation(ctx, e, report, results); err != nil {
		return fmt.Errorf("saving evaluation: %w", err)
	}
	return nil
}

// checkEvaluation validates what SaveEvaluation is given, but for the
// repository, version and language.
func checkEvaluation(e Evaluation, report []byte, results []EvaluationResult) *sabia.Error {
	switch e.Mode {
	case EvaluationTestSet:
		if e.Folds != 0 {
			return sabia.Errorf(sabia.EINVALID, "a test-set evaluation has no folds, not %d", e.Folds)
		}
		if e.ModelID == 0 {
			return sabia.Errorf(sabia.EINVALID, "a test-set evaluation needs the model it scored")
		}
	case EvaluationCrossValidation:
		if e.Folds < 2 {
			return sabia.Errorf(sabia.EINVALID, "a cross-validation needs at least 2 folds, not %d", e.Folds)
		}
		if e.ModelID != 0 {
			return sabia.Errorf(sabia.EINVALID, "a cross-validation scores no saved model")
		}
	default:
		return sabia.Errorf(sabia.EINVALID, "unknown evaluation mode %q (test_set or cross_validation)", e.Mode)
	}
	sum := e.Summary
	if sum.N < 0 {
		return sabia.Errorf(sabia.EINVALID, "summary n %d is negative", sum.N)
	}
	for _, m := range []struct {
		name string
		v    float64
	}{
		{"accuracy", sum.Accuracy}, {"macro_precision", sum.MacroPrecision}, {"macro_recall", sum.MacroRecall},
		{"macro_f1", sum.MacroF1}, {"weighted_precision", sum.WeightedPrecision}, {"weighted_recall", sum.WeightedRecall},
		{"weighted_f1", sum.WeightedF1}, {"entity_f1", sum.EntityF1},
	} {
		if !(m.v >= 0 && m.v <= 1) { // also rejects NaN
			return sabia.Errorf(sabia.EINVALID, "summary %s %v is not between 0 and 1", m.name, m.v)
		}
	}
	if len(report) > 0 && !json.Valid(report) {
		return sabia.Errorf(sabia.EINVALID, "report is not valid JSON")
	}
	seen := make(map[int]int, len(results))
	for i, r := range results {
		if r.Index < 0 {
			return sabia.Errorf(sabia.EINVALID, "result %d: index %d is negative", i, r.Index)
		}
		if j, dup := seen[r.Index]; dup {
			return sabia.Errorf(sabia.EINVALID, "result %d: index %d repeats result %d", i, r.Index, j)
		}
		seen[r.Index] = i
		if !(r.Confidence >= 0 && r.Confidence <= 1) {
			return sabia.Errorf(sabia.EINVALID, "result %d: confidence %v is not between 0 and 1", i, r.Confidence)
		}
		if len(r.Entities) > 0 && !json.Valid(r.Entities) {
			return sabia.Errorf(sabia.EINVALID, "result %d: entities are not valid JSON", i)
		}
	}
	return nil
}

// FindEvaluation returns an evaluation of the repository and its report.
// Returns ENOTFOUND.
func (s *Service) FindEvaluation(ctx context.Context, repoUUID string, id int64) (Evaluation, []byte, error) {
	e, report, err := s.store.FindEvaluation(ctx, id)
	if err != nil {
		return Evaluation{}, nil, err
	}
	if e.RepositoryUUID != repoUUID {
		return Evaluation{}, nil, sabia.Errorf(sabia.ENOTFOUND, "evaluation %d not found", id)
	}
	return e, report, nil
}

// ListEvaluations returns a page of a repository's evaluations, newest
// first, and the total that match. VersionID 0 means every version;
// Language, when set, is parsed with nlu.ParseLanguage. Limit 0 means
// DefaultPageSize; larger than MaxPageSize means MaxPageSize. Returns
// ENOTFOUND (repository or version) or EINVALID (unknown language or mode).
func (s *Service) ListEvaluations(ctx context.Context, repoUUID string, f EvaluationFilter) ([]Evaluation, int, error) {
	var err error
	if f.Language, err = s.listScope(ctx, repoUUID, f.VersionID, f.Language); err != nil {
		return nil, 0, err
	}
	if f.Mode != "" && f.Mode != EvaluationTestSet && f.Mode != EvaluationCrossValidation {
		return nil, 0, sabia.Errorf(sabia.EINVALID, "unknown evaluation mode %q (test_set or cross_validation)", f.Mode)
	}
	f.RepositoryUUID = repoUUID
	f.Offset, f.Limit = page(f.Offset, f.Limit)
	return s.store.ListEvaluations(ctx, f)
}

// ListEvaluationResults returns a page of the results of an evaluation of
// the repository, by Index, and the total that match. Limit 0 means
// DefaultPageSize; larger than MaxPageSize means MaxPageSize. Returns
// ENOTFOUND (evaluation) or EINVALID (unknown status).
func (s *Service) ListEvaluationResults(ctx context.Context, repoUUID string, f EvaluationResultFilter) ([]EvaluationResult, int, error) {
	if f.Status != "" && f.Status != ResultSuccess && f.Status != ResultError {
		return nil, 0, sabia.Errorf(sabia.EINVALID, "unknown result status %q (success or error)", f.Status)
	}
	if _, _, err := s.FindEvaluation(ctx, repoUUID, f.EvaluationID); err != nil {
		return nil, 0, err
	}
	f.Intent = strings.TrimSpace(f.Intent)
	f.Offset, f.Limit = page(f.Offset, f.Limit)
	return s.store.ListEvaluationResults(ctx, f)
}

// DeleteEvaluation deletes an evaluation of the repository with its
// results. Returns ENOTFOUND.
func (s *Service) DeleteEvaluation(ctx context.Context, repoUUID string, id int64) error {
	if _, _, err := s.FindEvaluation(ctx, repoUUID, id); err != nil {
		return err
	}
	return s.store.DeleteEvaluation(ctx, id)
}
