package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/repository"
)

const sqlSelectJob = `SELECT id, kind, repository_uuid, version_id, language, status, progress, error,
    created_at, started_at, finished_at, COALESCE(model_id, 0) FROM jobs`

func scanJob(row rowScanner) (repository.Job, error) {
	var j repository.Job
	err := row.Scan(&j.ID, &j.Kind, &j.RepositoryUUID, &j.VersionID, &j.Language, &j.Status, &j.Progress, &j.Error,
		timeCol{&j.CreatedAt}, nullTimeCol{&j.StartedAt}, nullTimeCol{&j.FinishedAt}, &j.ModelID)
	return j, err
}

// modelID maps ModelID 0 (none) to NULL.
func modelID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// CreateJob implements repository.Store.
func (s *Store) CreateJob(ctx context.Context, j *repository.Job) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := versionExists(ctx, tx, j.VersionID); err != nil {
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
			fmtTime(j.CreatedAt), fmtTimePtr(j.StartedAt), fmtTimePtr(j.FinishedAt), modelID(j.ModelID))
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
	j, err := scanJob(s.db.QueryRowContext(ctx, sqlSelectJob+` WHERE id = ?`, id))
	if err != nil {
		return j, notFound(err, "job %q", id)
	}
	return j, nil
}

// UpdateJob implements repository.Store.
func (s *Store) UpdateJob(ctx context.Context, id string, update func(*repository.Job) error) (repository.Job, error) {
	var j repository.Job
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		j, err = scanJob(tx.QueryRowContext(ctx, sqlSelectJob+` WHERE id = ?`, id))
		if err != nil {
			return notFound(err, "job %q", id)
		}
		if err := update(&j); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE jobs SET status = ?, progress = ?, error = ?, started_at = ?, finished_at = ?,
    model_id = ? WHERE id = ?`, j.Status, j.Progress, j.Error, fmtTimePtr(j.StartedAt), fmtTimePtr(j.FinishedAt),
			modelID(j.ModelID), id)
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
	where, args := []string{"1 = 1"}, []any{}
	if f.RepositoryUUID != "" {
		where, args = append(where, "repository_uuid = ?"), append(args, f.RepositoryUUID)
	}
	if f.VersionID != 0 {
		where, args = append(where, "version_id = ?"), append(args, f.VersionID)
	}
	if f.Language != "" {
		where, args = append(where, "language = ?"), append(args, f.Language)
	}
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, f.Kind)
	}
	if f.Statuses != nil {
		b, _ := json.Marshal(f.Statuses)
		where, args = append(where, "status IN (SELECT value FROM json_each(?))"), append(args, string(b))
	}
	rows, err := s.db.QueryContext(ctx, sqlSelectJob+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY created_at DESC, id DESC`+limitOffset(f.Offset, f.Limit), args...)
	if err != nil {
		return nil, fmt.Errorf("listing jobs: %w", err)
	}
	defer rows.Close()
	out := []repository.Job{}
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("listing jobs: %w", err)
		}
		out = append(out, j)
	}
	return out, rows.Err()
}
