package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/repository/sqlrow"
)

const sqlInsertRepository = `INSERT INTO repositories
    (uuid, name, name_folded, description, language, languages, threshold, builtin_intents, log_retention_days,
    pattern_entities, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// sqlInsertVersion numbers a version above every version ever deleted (see
// migration 0006), so that an ID is never reused.
const sqlInsertVersion = `INSERT INTO versions (id, repository_uuid, name, is_default, created_at) VALUES (
    MAX(COALESCE((SELECT MAX(id) FROM versions), 0), COALESCE((SELECT max_id FROM id_watermarks WHERE tbl = 'versions'), 0)) + 1,
    ?, ?, ?, ?)`

// CreateRepository implements repository.Store.
func (s *Store) CreateRepository(ctx context.Context, r *repository.Repository, v *repository.Version) error {
	langs, err := json.Marshal(r.Languages)
	if err != nil {
		return err
	}
	pats, err := sqlrow.PatternsJSON(r.PatternEntities)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, sqlInsertRepository, r.UUID, r.Name, nlu.Fold(r.Name), r.Description,
			r.Language, string(langs), r.Threshold, r.BuiltinIntents, r.LogRetentionDays, pats, fmtTime(r.CreatedAt), fmtTime(r.UpdatedAt))
		if isUnique(err) {
			return sabia.Errorf(sabia.ECONFLICT, "repository %q already exists", r.UUID)
		}
		if err != nil {
			return fmt.Errorf("inserting repository: %w", err)
		}
		res, err := tx.ExecContext(ctx, sqlInsertVersion, r.UUID, v.Name, v.IsDefault, fmtTime(v.CreatedAt))
		if err != nil {
			return fmt.Errorf("inserting version: %w", err)
		}
		v.ID, err = res.LastInsertId()
		v.RepositoryUUID = r.UUID
		return err
	})
}

const sqlSelectRepository = `SELECT uuid, name, description, language, languages, threshold, builtin_intents,
    log_retention_days, pattern_entities, created_at, updated_at FROM repositories`

// FindRepository implements repository.Store.
func (s *Store) FindRepository(ctx context.Context, uuid string) (repository.Repository, error) {
	r, err := scan.Repository(s.db.QueryRowContext(ctx, sqlSelectRepository+` WHERE uuid = ?`, uuid))
	if err != nil {
		return repository.Repository{}, sqlrow.NotFound(err, "repository %q", uuid)
	}
	return r, nil
}

// ListRepositories implements repository.Store.
func (s *Store) ListRepositories(ctx context.Context, f repository.RepositoryFilter) ([]repository.Repository, int, error) {
	var c sqlrow.Conds
	if f.UUIDs != nil {
		b, _ := json.Marshal(f.UUIDs)
		c.Add("uuid IN (SELECT value FROM json_each(?))", string(b))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		c.Add(`name_folded LIKE ? ESCAPE '\'`, sqlrow.LikeContains(nlu.Fold(q)))
	}
	return sqlrow.List(ctx, s.shared, "repositories", sqlrow.Page{Count: `SELECT COUNT(*) FROM repositories`,
		Select: sqlSelectRepository, Conds: &c, Order: ` ORDER BY created_at DESC, uuid`, Offset: f.Offset, Limit: f.Limit},
		scan.Repository)
}

const sqlUpdateRepository = `UPDATE repositories SET name = ?, name_folded = ?, description = ?, language = ?,
    languages = ?, threshold = ?, builtin_intents = ?, log_retention_days = ?, pattern_entities = ?, updated_at = ?
    WHERE uuid = ?`

// UpdateRepository implements repository.Store.
func (s *Store) UpdateRepository(ctx context.Context, r *repository.Repository) error {
	langs, err := json.Marshal(r.Languages)
	if err != nil {
		return err
	}
	pats, err := sqlrow.PatternsJSON(r.PatternEntities)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, sqlUpdateRepository, r.Name, nlu.Fold(r.Name), r.Description, r.Language,
			string(langs), r.Threshold, r.BuiltinIntents, r.LogRetentionDays, pats, fmtTime(r.UpdatedAt), r.UUID)
		if err != nil {
			return fmt.Errorf("updating repository: %w", err)
		}
		return sqlrow.MustAffect(res, "repository %q", r.UUID)
	})
}

// DeleteRepository implements repository.Store. Foreign keys cascade to
// everything the repository holds.
func (s *Store) DeleteRepository(ctx context.Context, uuid string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM repositories WHERE uuid = ?`, uuid)
		if err != nil {
			return fmt.Errorf("deleting repository: %w", err)
		}
		return sqlrow.MustAffect(res, "repository %q", uuid)
	})
}

const sqlSelectVersion = `SELECT id, repository_uuid, name, is_default, created_at FROM versions`

// FindVersion implements repository.Store.
func (s *Store) FindVersion(ctx context.Context, id int64) (repository.Version, error) {
	v, err := scan.Version(s.db.QueryRowContext(ctx, sqlSelectVersion+` WHERE id = ?`, id))
	if err != nil {
		return v, sqlrow.NotFound(err, "version %d", id)
	}
	return v, nil
}

// DefaultVersion implements repository.Store.
func (s *Store) DefaultVersion(ctx context.Context, repoUUID string) (repository.Version, error) {
	v, err := scan.Version(s.db.QueryRowContext(ctx, sqlSelectVersion+` WHERE repository_uuid = ? AND is_default = 1`, repoUUID))
	if err != nil {
		return v, sqlrow.NotFound(err, "repository %q", repoUUID)
	}
	return v, nil
}

// ListVersions implements repository.Store.
func (s *Store) ListVersions(ctx context.Context, repoUUID string) ([]repository.Version, error) {
	rows, err := s.db.QueryContext(ctx, sqlSelectVersion+` WHERE repository_uuid = ? ORDER BY id`, repoUUID)
	if err != nil {
		return nil, fmt.Errorf("listing versions: %w", err)
	}
	defer rows.Close()
	out := []repository.Version{}
	for rows.Next() {
		v, err := scan.Version(rows)
		if err != nil {
			return nil, fmt.Errorf("listing versions: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// CreateVersion implements repository.Store.
func (s *Store) CreateVersion(ctx context.Context, v *repository.Version, from int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM repositories WHERE uuid = ?`, v.RepositoryUUID).Scan(&n); err != nil {
			return fmt.Errorf("finding repository: %w", err)
		}
		if n == 0 {
			return sabia.Errorf(sabia.ENOTFOUND, "repository %q not found", v.RepositoryUUID)
		}
		if from != 0 {
			src, err := scan.Version(tx.QueryRowContext(ctx, sqlSelectVersion+` WHERE id = ?`, from))
			if err != nil {
				return sqlrow.NotFound(err, "version %d", from)
			}
			if src.RepositoryUUID != v.RepositoryUUID {
				return sabia.Errorf(sabia.ENOTFOUND, "version %d not found", from)
			}
		}
		if err := sqlrow.VersionRoom(ctx, s.shared, tx, v.RepositoryUUID); err != nil {
			return err
		}
		if v.IsDefault {
			if err := unsetDefault(ctx, tx, v.RepositoryUUID); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, sqlInsertVersion, v.RepositoryUUID, v.Name, v.IsDefault, fmtTime(v.CreatedAt))
		if isUnique(err) {
			return sabia.Errorf(sabia.ECONFLICT, "version %q already exists", v.Name)
		}
		if err != nil {
			return fmt.Errorf("inserting version: %w", err)
		}
		if v.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if from == 0 {
			return nil
		}
		return sqlrow.CopyVersion(ctx, s.shared, tx, from, *v)
	})
}

// unsetDefault makes a repository's default version an ordinary one, before
// another becomes the default.
func unsetDefault(ctx context.Context, tx *sql.Tx, repoUUID string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE versions SET is_default = 0 WHERE repository_uuid = ? AND is_default = 1`, repoUUID); err != nil {
		return fmt.Errorf("unsetting the default version: %w", err)
	}
	return nil
}

// UpdateVersion implements repository.Store.
func (s *Store) UpdateVersion(ctx context.Context, v *repository.Version) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		cur, err := scan.Version(tx.QueryRowContext(ctx, sqlSelectVersion+` WHERE id = ?`, v.ID))
		if err != nil {
			return sqlrow.NotFound(err, "version %d", v.ID)
		}
		isDefault := cur.IsDefault || v.IsDefault
		if isDefault && !cur.IsDefault {
			if err := unsetDefault(ctx, tx, cur.RepositoryUUID); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE versions SET name = ?, is_default = ? WHERE id = ?`, v.Name, isDefault, v.ID)
		if isUnique(err) {
			return sabia.Errorf(sabia.ECONFLICT, "version %q already exists", v.Name)
		}
		if err != nil {
			return fmt.Errorf("updating version: %w", err)
		}
		v.RepositoryUUID, v.IsDefault, v.CreatedAt = cur.RepositoryUUID, isDefault, cur.CreatedAt
		return nil
	})
}

// DeleteVersion implements repository.Store. Foreign keys cascade to what
// the version holds but its logs, which have none.
func (s *Store) DeleteVersion(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		cur, err := scan.Version(tx.QueryRowContext(ctx, sqlSelectVersion+` WHERE id = ?`, id))
		if err != nil {
			return sqlrow.NotFound(err, "version %d", id)
		}
		if cur.IsDefault {
			return sqlrow.DeleteDefault(cur)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM logs WHERE repository_uuid = ? AND version_id = ?`, cur.RepositoryUUID, id); err != nil {
			return fmt.Errorf("deleting the logs of version %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM versions WHERE id = ?`, id); err != nil {
			return fmt.Errorf("deleting version %d: %w", id, err)
		}
		return nil
	})
}
