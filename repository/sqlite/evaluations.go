package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/repository/sqlrow"
)

const (
	sqlInsertEvaluation = `INSERT INTO evaluations (repository_uuid, version_id, language, mode, folds, job_id, model_id,
    n, accuracy, macro_precision, macro_recall, macro_f1, weighted_precision, weighted_recall, weighted_f1,
    entity_f1, has_entities, created_at, report)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlInsertEvaluationResult = `INSERT INTO evaluation_results
    (evaluation_id, idx, text, expected, predicted, confidence, success, entities) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	sqlEvaluationColumns = `id, repository_uuid, version_id, language, mode, folds, job_id, COALESCE(model_id, 0),
    n, accuracy, macro_precision, macro_recall, macro_f1, weighted_precision, weighted_recall, weighted_f1,
    entity_f1, has_entities, created_at`
	sqlSelectEvaluation           = `SELECT ` + sqlEvaluationColumns + ` FROM evaluations`
	sqlSelectEvaluationWithReport = `SELECT ` + sqlEvaluationColumns + `, report FROM evaluations`
	sqlSelectEvaluationResult     = `SELECT evaluation_id, idx, text, expected, predicted, confidence, success, entities
FROM evaluation_results`
)

// SaveEvaluation implements repository.Store.
func (s *Store) SaveEvaluation(ctx context.Context, e *repository.Evaluation, report []byte, results []repository.EvaluationResult) error {
	if report == nil {
		report = []byte{} // the column is a NOT NULL BLOB
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := s.shared.VersionExists(ctx, tx, e.VersionID); err != nil {
			return err
		}
		if e.ModelID != 0 {
			var n int
			err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM models WHERE id = ? AND repository_uuid = ?`,
				e.ModelID, e.RepositoryUUID).Scan(&n)
			if err != nil {
				return fmt.Errorf("finding model %d: %w", e.ModelID, err)
			}
			if n == 0 {
				return sabia.Errorf(sabia.ENOTFOUND, "model %d not found", e.ModelID)
			}
		}
		m := e.Summary
		res, err := tx.ExecContext(ctx, sqlInsertEvaluation, e.RepositoryUUID, e.VersionID, e.Language, e.Mode, e.Folds,
			e.JobID, sqlrow.ModelID(e.ModelID), m.N, m.Accuracy, m.MacroPrecision, m.MacroRecall, m.MacroF1,
			m.WeightedPrecision, m.WeightedRecall, m.WeightedF1, m.EntityF1, m.HasEntities, fmtTime(e.CreatedAt), report)
		if err != nil {
			return fmt.Errorf("inserting evaluation: %w", err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, sqlInsertEvaluationResult)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, r := range results {
			var ents any // NULL when the evaluator wrote none
			if len(r.Entities) > 0 {
				ents = string(r.Entities)
			}
			_, err := stmt.ExecContext(ctx, id, r.Index, r.Text, r.Expected, r.Predicted, r.Confidence, r.Success, ents)
			if isUnique(err) {
				return sabia.Errorf(sabia.EINVALID, "result index %d repeats", r.Index)
			}
			if err != nil {
				return fmt.Errorf("inserting evaluation result %d: %w", r.Index, err)
			}
		}
		e.ID = id
		return nil
	})
}

// FindEvaluation implements repository.Store.
func (s *Store) FindEvaluation(ctx context.Context, id int64) (repository.Evaluation, []byte, error) {
	var report []byte
	e, err := scan.Evaluation(s.db.QueryRowContext(ctx, sqlSelectEvaluationWithReport+` WHERE id = ?`, id), &report)
	if err != nil {
		return repository.Evaluation{}, nil, notFound(err, "evaluation %d", id)
	}
	return e, report, nil
}

// ListEvaluations implements repository.Store.
func (s *Store) ListEvaluations(ctx context.Context, f repository.EvaluationFilter) ([]repository.Evaluation, int, error) {
	c := newConds()
	sqlrow.FilterEvaluations(c, f)
	var out []repository.Evaluation
	var total int
	err := s.read(ctx, func(tx *sql.Tx) (err error) {
		out, total, err = readPage(ctx, tx, listQuery{count: `SELECT COUNT(*) FROM evaluations`, sel: sqlSelectEvaluation,
			cond: c.Where(), args: c.Args(), order: ` ORDER BY created_at DESC, id DESC`, offset: f.Offset, limit: f.Limit},
			func(r rowScanner) (repository.Evaluation, error) { return scan.Evaluation(r) })
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("listing evaluations: %w", err)
	}
	return out, total, nil
}

// ListEvaluationResults implements repository.Store.
func (s *Store) ListEvaluationResults(ctx context.Context, f repository.EvaluationResultFilter) ([]repository.EvaluationResult, int, error) {
	where, args := []string{"evaluation_id = ?"}, []any{f.EvaluationID}
	switch f.Status {
	case repository.ResultSuccess:
		where = append(where, "success = 1")
	case repository.ResultError:
		where = append(where, "success = 0")
	}
	if f.Intent != "" {
		where, args = append(where, "(expected = ? OR predicted = ?)"), append(args, f.Intent, f.Intent)
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	var out []repository.EvaluationResult
	var total int
	err := s.read(ctx, func(tx *sql.Tx) (err error) {
		out, total, err = readPage(ctx, tx, listQuery{count: `SELECT COUNT(*) FROM evaluation_results`, sel: sqlSelectEvaluationResult,
			cond: cond, args: args, order: ` ORDER BY idx`, offset: f.Offset, limit: f.Limit}, scan.EvaluationResult)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("listing evaluation results: %w", err)
	}
	return out, total, nil
}

// DeleteEvaluation implements repository.Store. The results go with it
// (ON DELETE CASCADE).
func (s *Store) DeleteEvaluation(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM evaluations WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("deleting evaluation: %w", err)
		}
		return mustAffect(res, "evaluation %d", id)
	})
}
