package sqlrow

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/repository"
)

const (
	sqlInsertEvaluation = `INSERT INTO evaluations (repository_uuid, version_id, language, mode, folds, job_id, model_id,
    n, accuracy, macro_precision, macro_recall, macro_f1, weighted_precision, weighted_recall, weighted_f1,
    entity_f1, has_entities, created_at, report)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	sqlInsertEvaluationResult = `INSERT INTO evaluation_results
    (evaluation_id, idx, text, expected, predicted, confidence, success, entities) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	sqlModelOfRepository = `SELECT EXISTS (SELECT 1 FROM models WHERE id = ? AND repository_uuid = ?)`
	sqlEvaluationColumns = `id, repository_uuid, version_id, language, mode, folds, job_id, COALESCE(model_id, 0),
    n, accuracy, macro_precision, macro_recall, macro_f1, weighted_precision, weighted_recall, weighted_f1,
    entity_f1, has_entities, created_at`
	sqlSelectEvaluation           = `SELECT ` + sqlEvaluationColumns + ` FROM evaluations`
	sqlSelectEvaluationWithReport = `SELECT ` + sqlEvaluationColumns + `, report FROM evaluations`
	sqlSelectEvaluationResult     = `SELECT evaluation_id, idx, text, expected, predicted, confidence, success, entities
FROM evaluation_results`
)

// SaveEvaluation implements repository.Store.
func (s Methods) SaveEvaluation(ctx context.Context, e *repository.Evaluation, report []byte, results []repository.EvaluationResult) error {
	if report == nil {
		report = []byte{} // the column is NOT NULL; nil would be NULL
	}
	db := s.db
	return db.Write(ctx, func(tx *sql.Tx) error {
		if err := db.NeedVersion(ctx, tx, e.VersionID); err != nil {
			return err
		}
		if e.ModelID != 0 {
			var ok bool
			if err := tx.QueryRowContext(ctx, db.Bind(sqlModelOfRepository), e.ModelID, e.RepositoryUUID).Scan(&ok); err != nil {
				return fmt.Errorf("finding model %d: %w", e.ModelID, err)
			}
			if !ok {
				return sabia.Errorf(sabia.ENOTFOUND, "model %d not found", e.ModelID)
			}
		}
		m := e.Summary
		var id int64
		err := tx.QueryRowContext(ctx, db.Bind(sqlInsertEvaluation), e.RepositoryUUID, e.VersionID, e.Language, e.Mode, e.Folds,
			e.JobID, ModelID(e.ModelID), m.N, m.Accuracy, m.MacroPrecision, m.MacroRecall, m.MacroF1,
			m.WeightedPrecision, m.WeightedRecall, m.WeightedF1, m.EntityF1, m.HasEntities, db.Time(e.CreatedAt), report).Scan(&id)
		if err != nil {
			return fmt.Errorf("inserting evaluation: %w", err)
		}
		stmt, err := tx.PrepareContext(ctx, db.Bind(sqlInsertEvaluationResult))
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
			if _, ok := db.Unique(err); ok {
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
func (s Methods) FindEvaluation(ctx context.Context, id int64) (repository.Evaluation, []byte, error) {
	var e repository.Evaluation
	var report []byte
	err := s.db.Read(ctx, func(tx *sql.Tx) (err error) {
		e, err = s.db.Evaluation(tx.QueryRowContext(ctx, s.db.Bind(sqlSelectEvaluationWithReport+` WHERE id = ?`), id), &report)
		return err
	})
	if err != nil {
		return repository.Evaluation{}, nil, NotFound(err, "evaluation %d", id)
	}
	return e, report, nil
}

// ListEvaluations implements repository.Store.
func (s Methods) ListEvaluations(ctx context.Context, f repository.EvaluationFilter) ([]repository.Evaluation, int, error) {
	var c Conds
	FilterEvaluations(&c, f)
	return List(ctx, s.db, "evaluations", Page{Count: `SELECT COUNT(*) FROM evaluations`, Select: sqlSelectEvaluation,
		Conds: &c, Order: ` ORDER BY created_at DESC, id DESC`, Offset: f.Offset, Limit: f.Limit},
		func(r Row) (repository.Evaluation, error) { return s.db.Evaluation(r) })
}

// ListEvaluationResults implements repository.Store.
func (s Methods) ListEvaluationResults(ctx context.Context, f repository.EvaluationResultFilter) ([]repository.EvaluationResult, int, error) {
	var c Conds
	FilterEvaluationResults(&c, f)
	return List(ctx, s.db, "evaluation results", Page{Count: `SELECT COUNT(*) FROM evaluation_results`,
		Select: sqlSelectEvaluationResult, Conds: &c, Order: ` ORDER BY idx`, Offset: f.Offset, Limit: f.Limit},
		s.db.EvaluationResult)
}

// DeleteEvaluation implements repository.Store. The results go with it
// (ON DELETE CASCADE).
func (s Methods) DeleteEvaluation(ctx context.Context, id int64) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.db.Bind(`DELETE FROM evaluations WHERE id = ?`), id)
		if err != nil {
			return fmt.Errorf("deleting evaluation: %w", err)
		}
		return MustAffect(res, "evaluation %d", id)
	})
}
