package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/repository/sqlrow"
)

const sqlSelectJob = `SELECT id, kind, repository_uuid, version_id, language, status, progress, error,
    created_at, started_at, finished_at, COALESCE(model_id, 0) FROM jobs`

// CreateJob implements repository.Store.
func (s *Store) CreateJob(ctx context.Context, j *repository.Job) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := s.shared.VersionExists(ctx, tx, j.VersionID); err != nil {
			return err
		}
		if j.Status == repository.JobQueued {
			var other string
			err := tx.QueryRowContext(ctx, `SELECT id FROM jobs WHERE version_id = ? AND language = ? AND kind = ? AND status = ?`,
				j.VersionID, j.Language, j.Kind, repository.JobQueued).Scan(&other)
			if err == nil {
				return sabia.Errorf(sabia.ECONFLICT, "a %s job for %s is already queued (job %s)", j.Kind, j.Language, other)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("checking queued jobs: %w", err)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO jobs (id, kind, repository_uuid, version_id, language, status, progress,
    error, created_at, started_at, finished_at, model_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			j.ID, j.Kind, j.RepositoryUUID, j.VersionID, j.Language, j.Status, j.Progress, j.Error,
			fmtTime(j.CreatedAt), fmtTimePtr(j.StartedAt), fmtTimePtr(j.FinishedAt), sqlrow.ModelID(j.ModelID))
		if isUnique(err) {
			return sabia.Errorf(sabia.ECONFLICT, "job %q already exists", j.ID)
		}
		if err != nil {
			return fmt.Errorf("inserting job: %w", err)
		}
		return nil
	})
}

// FindJob implements repository.Store.
func (s *Store) FindJob(ctx context.Context, id string) (repository.Job, error) {
	j, err := scan.Job(s.db.QueryRowContext(ctx, sqlSelectJob+` WHERE id = ?`, id))
	if err != nil {
		return j, sqlrow.NotFound(err, "job %q", id)
	}
	return j, nil
}

// UpdateJob implements repository.Store.
func (s *Store) UpdateJob(ctx context.Context, id string, update func(*repository.Job) error) (repository.Job, error) {
	var j repository.Job
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		j, err = scan.Job(tx.QueryRowContext(ctx, sqlSelectJob+` WHERE id = ?`, id))
		if err != nil {
			return sqlrow.NotFound(err, "job %q", id)
		}
		if err := update(&j); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE jobs SET status = ?, progress = ?, error = ?, started_at = ?, finished_at = ?,
    model_id = ? WHERE id = ?`, j.Status, j.Progress, j.Error, fmtTimePtr(j.StartedAt), fmtTimePtr(j.FinishedAt),
			sqlrow.ModelID(j.ModelID), id)
		if isUnique(err) {
			return sabia.Errorf(sabia.ECONFLICT, "a %s job for %s is already queued", j.Kind, j.Language)
		}
		if err != nil {
			return fmt.Errorf("updating job: %w", err)
		}
		return nil
	})
	if err != nil {
		return repository.Job{}, err
	}
	return j, nil
}

// ListJobs implements repository.Store.
func (s *Store) ListJobs(ctx context.Context, f repository.JobFilter) ([]repository.Job, error) {
	c := newConds()
	sqlrow.FilterJobs(c, f)
	if f.Statuses != nil {
		b, _ := json.Marshal(f.Statuses)
		c.Add("status IN (SELECT value FROM json_each(?))", string(b))
	}
	rows, err := s.db.QueryContext(ctx, sqlSelectJob+c.Where()+
		` ORDER BY created_at DESC, id DESC`+limitOffset(f.Offset, f.Limit), c.Args()...)
	if err != nil {
		return nil, fmt.Errorf("listing jobs: %w", err)
	}
	defer rows.Close()
	out := []repository.Job{}
	for rows.Next() {
		j, err := scan.Job(rows)
		if err != nil {
			return nil, fmt.Errorf("listing jobs: %w", err)
		}
		out = append(out, j)
	}
	return out, rows.Err()
}
