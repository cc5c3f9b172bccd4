package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/repository/sqlrow"
)

const (
	sqlSelectJob = `SELECT id, kind, repository_uuid, version_id, language, status, progress, error,
    created_at, started_at, finished_at, COALESCE(model_id, 0) FROM jobs`
	sqlQueuedJob = `SELECT id FROM jobs WHERE version_id = $1 AND language = $2 AND kind = $3 AND status = $4`
	sqlInsertJob = `INSERT INTO jobs (id, kind, repository_uuid, version_id, language, status, progress,
    error, created_at, started_at, finished_at, model_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`
	sqlLockJobRepo = `SELECT r.uuid FROM repositories r
WHERE r.uuid = (SELECT j.repository_uuid FROM jobs j WHERE j.id = $1) FOR KEY SHARE`
	sqlSelectJobForUpdate = sqlSelectJob + ` WHERE id = $1 FOR NO KEY UPDATE`
	sqlUpdateJob          = `UPDATE jobs SET status = $1, progress = $2, error = $3, started_at = $4, finished_at = $5,
    model_id = $6 WHERE id = $7`
	// jobsOneQueued is the partial unique index that allows one queued job
	// per kind, version and language.
	jobsOneQueued = "jobs_one_queued"
)

// CreateJob implements repository.Store. A queued job that a concurrent
// transaction inserts after the check is caught by the index jobs_one_queued.
func (s *Store) CreateJob(ctx context.Context, j *repository.Job) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := needVersion(ctx, tx, j.VersionID); err != nil {
			return err
		}
		if j.Status == repository.JobQueued {
			var other string
			err := tx.QueryRowContext(ctx, sqlQueuedJob, j.VersionID, j.Language, j.Kind, repository.JobQueued).Scan(&other)
			if err == nil {
				return sabia.Errorf(sabia.ECONFLICT, "a %s job for %s is already queued (job %s)", j.Kind, j.Language, other)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("checking queued jobs: %w", err)
			}
		}
		_, err := tx.ExecContext(ctx, sqlInsertJob, j.ID, j.Kind, j.RepositoryUUID, j.VersionID, j.Language, j.Status,
			j.Progress, j.Error, ts(j.CreatedAt), tsPtr(j.StartedAt), tsPtr(j.FinishedAt), sqlrow.ModelID(j.ModelID))
		if constraint, ok := uniqueViolation(err); ok {
			if constraint == jobsOneQueued {
				return sabia.Errorf(sabia.ECONFLICT, "a %s job for %s is already queued", j.Kind, j.Language)
			}
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
	j, err := scan.Job(s.db.QueryRowContext(ctx, sqlSelectJob+` WHERE id = $1`, id))
	if err != nil {
		return j, sqlrow.NotFound(err, "job %q", id)
	}
	return j, nil
}

// UpdateJob implements repository.Store. The job's row is locked from the
// read to the write, so that concurrent updates of one job apply one after
// the other, as in SQLite.
func (s *Store) UpdateJob(ctx context.Context, id string, update func(*repository.Job) error) (repository.Job, error) {
	var j repository.Job
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := lockRow(ctx, tx, sqlLockJobRepo, id); err != nil {
			return err
		}
		var err error
		j, err = scan.Job(tx.QueryRowContext(ctx, sqlSelectJobForUpdate, id))
		if err != nil {
			return sqlrow.NotFound(err, "job %q", id)
		}
		if err := update(&j); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, sqlUpdateJob, j.Status, j.Progress, j.Error, tsPtr(j.StartedAt), tsPtr(j.FinishedAt),
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
	var c sqlrow.Conds
	sqlrow.FilterJobs(&c, f)
	if f.Statuses != nil {
		c.Add("status = ANY(?)", f.Statuses)
	}
	rows, err := s.db.QueryContext(ctx, sqlSelectJob+where(&c)+` ORDER BY created_at DESC, id COLLATE "C" DESC`+
		limitOffset(f.Offset, f.Limit), c.Args()...)
	if err != nil {
		return nil, fmt.Errorf("listing jobs: %w", err)
	}
	out, err := sqlrow.ScanAll(rows, scan.Job)
	if err != nil {
		return nil, fmt.Errorf("listing jobs: %w", err)
	}
	return out, nil
}
