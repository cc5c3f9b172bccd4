package postgres

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

const (
	sqlInsertRepository = `INSERT INTO repositories
    (uuid, name, name_folded, description, language, languages, threshold, builtin_intents, log_retention_days,
    pattern_entities, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`
	sqlInsertVersion = `INSERT INTO versions (repository_uuid, name, is_default, created_at) VALUES ($1, $2, $3, $4)
RETURNING id`
	sqlSelectRepository = `SELECT uuid, name, description, language, languages, threshold, builtin_intents,
    log_retention_days, pattern_entities, created_at, updated_at FROM repositories`
	sqlUpdateRepository = `UPDATE repositories SET name = $1, name_folded = $2, description = $3, language = $4,
    languages = $5, threshold = $6, builtin_intents = $7, log_retention_days = $8, pattern_entities = $9,
    updated_at = $10 WHERE uuid = $11`
	sqlDeleteRepository = `DELETE FROM repositories WHERE uuid = $1`
	sqlSelectVersion    = `SELECT id, repository_uuid, name, is_default, created_at FROM versions`
)

// CreateRepository implements repository.Store.
func (s *Store) CreateRepository(ctx context.Context, r *repository.Repository, v *repository.Version) error {
	langs, err := json.Marshal(r.Languages)
	if err != nil {
		return fmt.Errorf("encoding languages: %w", err)
	}
	pats, err := sqlrow.PatternsJSON(r.PatternEntities)
	if err != nil {
		return fmt.Errorf("encoding pattern entities: %w", err)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, sqlInsertRepository, r.UUID, r.Name, nlu.Fold(r.Name), r.Description,
			r.Language, string(langs), r.Threshold, r.BuiltinIntents, r.LogRetentionDays, pats,
			ts(r.CreatedAt), ts(r.UpdatedAt))
		if isUnique(err) {
			return sabia.Errorf(sabia.ECONFLICT, "repository %q already exists", r.UUID)
		}
		if err != nil {
			return fmt.Errorf("inserting repository: %w", err)
		}
		var id int64
		if err := tx.QueryRowContext(ctx, sqlInsertVersion, r.UUID, v.Name, v.IsDefault, ts(v.CreatedAt)).Scan(&id); err != nil {
			return fmt.Errorf("inserting version: %w", err)
		}
		v.ID, v.RepositoryUUID = id, r.UUID
		return nil
	})
}

// FindRepository implements repository.Store.
func (s *Store) FindRepository(ctx context.Context, uuid string) (repository.Repository, error) {
	r, err := scan.Repository(s.db.QueryRowContext(ctx, sqlSelectRepository+` WHERE uuid = $1`, uuid))
	if err != nil {
		return repository.Repository{}, sqlrow.NotFound(err, "repository %q", uuid)
	}
	return r, nil
}

// ListRepositories implements repository.Store. Query matches the folded
// name (nlu.Fold: case and accents ignored), "%" and "_" literally.
func (s *Store) ListRepositories(ctx context.Context, f repository.RepositoryFilter) ([]repository.Repository, int, error) {
	var c sqlrow.Conds
	if f.UUIDs != nil {
		c.Add("uuid = ANY(?)", f.UUIDs)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		c.Add(`name_folded LIKE ? ESCAPE '\'`, sqlrow.LikeContains(nlu.Fold(q)))
	}
	return sqlrow.List(ctx, s.shared, "repositories", sqlrow.Page{Count: `SELECT COUNT(*) FROM repositories`,
		Select: sqlSelectRepository, Conds: &c, Order: ` ORDER BY created_at DESC, uuid COLLATE "C"`,
		Offset: f.Offset, Limit: f.Limit}, scan.Repository)
}

// UpdateRepository implements repository.Store.
func (s *Store) UpdateRepository(ctx context.Context, r *repository.Repository) error {
	langs, err := json.Marshal(r.Languages)
	if err != nil {
		return fmt.Errorf("encoding languages: %w", err)
	}
	pats, err := sqlrow.PatternsJSON(r.PatternEntities)
	if err != nil {
		return fmt.Errorf("encoding pattern entities: %w", err)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, sqlUpdateRepository, r.Name, nlu.Fold(r.Name), r.Description, r.Language,
			string(langs), r.Threshold, r.BuiltinIntents, r.LogRetentionDays, pats, ts(r.UpdatedAt), r.UUID)
		if err != nil {
			return fmt.Errorf("updating repository: %w", err)
		}
		if err := sqlrow.MustAffect(res, "repository %q", r.UUID); err != nil {
			return err
		}
		return s.notify(ctx, tx, Change{Kind: ChangeRepository, Repository: r.UUID})
	})
}

// DeleteRepository implements repository.Store. Foreign keys cascade to
// everything the repository holds, content documents and chunks included.
func (s *Store) DeleteRepository(ctx context.Context, uuid string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, sqlDeleteRepository, uuid)
		if err != nil {
			return fmt.Errorf("deleting repository: %w", err)
		}
		if err := sqlrow.MustAffect(res, "repository %q", uuid); err != nil {
			return err
		}
		return s.notify(ctx, tx, Change{Kind: ChangeRepositoryDeleted, Repository: uuid})
	})
}

// FindVersion implements repository.Store.
func (s *Store) FindVersion(ctx context.Context, id int64) (repository.Version, error) {
	v, err := scan.Version(s.db.QueryRowContext(ctx, sqlSelectVersion+` WHERE id = $1`, id))
	if err != nil {
		return v, sqlrow.NotFound(err, "version %d", id)
	}
	return v, nil
}

// DefaultVersion implements repository.Store.
func (s *Store) DefaultVersion(ctx context.Context, repoUUID string) (repository.Version, error) {
	v, err := scan.Version(s.db.QueryRowContext(ctx, sqlSelectVersion+` WHERE repository_uuid = $1 AND is_default`, repoUUID))
	if err != nil {
		return v, sqlrow.NotFound(err, "repository %q", repoUUID)
	}
	return v, nil
}

// ListVersions implements repository.Store.
func (s *Store) ListVersions(ctx context.Context, repoUUID string) ([]repository.Version, error) {
	rows, err := s.db.QueryContext(ctx, sqlSelectVersion+` WHERE repository_uuid = $1 ORDER BY id`, repoUUID)
	if err != nil {
		return nil, fmt.Errorf("listing versions: %w", err)
	}
	out, err := sqlrow.ScanAll(rows, scan.Version)
	if err != nil {
		return nil, fmt.Errorf("listing versions: %w", err)
	}
	return out, nil
}

const (
	// sqlLockVersions locks a repository's row against other changes of its
	// versions (which take the same lock) but not against writers of its
	// examples (which take KEY SHARE): two default switches of one
	// repository run one after the other instead of meeting at the unique
	// index of its default version.
	sqlLockVersions          = `SELECT uuid FROM repositories WHERE uuid = $1 FOR NO KEY UPDATE`
	sqlLockVersionsOfVersion = `SELECT r.uuid FROM repositories r
WHERE r.uuid = (SELECT v.repository_uuid FROM versions v WHERE v.id = $1) FOR NO KEY UPDATE`
	sqlUnsetDefault = `UPDATE versions SET is_default = false WHERE repository_uuid = $1 AND is_default`
)

// CreateVersion implements repository.Store. When v becomes the default it
// sends ChangeVersions.
func (s *Store) CreateVersion(ctx context.Context, v *repository.Version, from int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		ok, err := lockRow(ctx, tx, sqlLockVersions, v.RepositoryUUID)
		if err != nil {
			return err
		}
		if !ok {
			return sabia.Errorf(sabia.ENOTFOUND, "repository %q not found", v.RepositoryUUID)
		}
		if from != 0 {
			src, err := scan.Version(tx.QueryRowContext(ctx, sqlSelectVersion+` WHERE id = $1`, from))
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
			if _, err := tx.ExecContext(ctx, sqlUnsetDefault, v.RepositoryUUID); err != nil {
				return fmt.Errorf("unsetting the default version: %w", err)
			}
		}
		err = tx.QueryRowContext(ctx, sqlInsertVersion, v.RepositoryUUID, v.Name, v.IsDefault, ts(v.CreatedAt)).Scan(&v.ID)
		if isUnique(err) {
			return sabia.Errorf(sabia.ECONFLICT, "version %q already exists", v.Name)
		}
		if err != nil {
			return fmt.Errorf("inserting version: %w", err)
		}
		if from != 0 {
			if err := sqlrow.CopyVersion(ctx, s.shared, tx, from, *v); err != nil {
				return err
			}
		}
		if !v.IsDefault {
			return nil
		}
		return s.notify(ctx, tx, Change{Kind: ChangeVersions, Repository: v.RepositoryUUID})
	})
}

// lockVersionRow locks the repository of version id against other changes
// of its versions and returns the version, ENOTFOUND.
func lockVersionRow(ctx context.Context, tx *sql.Tx, id int64) (repository.Version, error) {
	if _, err := lockRow(ctx, tx, sqlLockVersionsOfVersion, id); err != nil {
		return repository.Version{}, err
	}
	v, err := scan.Version(tx.QueryRowContext(ctx, sqlSelectVersion+` WHERE id = $1`, id))
	if err != nil {
		return v, sqlrow.NotFound(err, "version %d", id)
	}
	return v, nil
}

// UpdateVersion implements repository.Store. It sends ChangeVersions.
func (s *Store) UpdateVersion(ctx context.Context, v *repository.Version) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		cur, err := lockVersionRow(ctx, tx, v.ID)
		if err != nil {
			return err
		}
		isDefault := cur.IsDefault || v.IsDefault
		if isDefault && !cur.IsDefault {
			if _, err := tx.ExecContext(ctx, sqlUnsetDefault, cur.RepositoryUUID); err != nil {
				return fmt.Errorf("unsetting the default version: %w", err)
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE versions SET name = $1, is_default = $2 WHERE id = $3`, v.Name, isDefault, v.ID)
		if isUnique(err) {
			return sabia.Errorf(sabia.ECONFLICT, "version %q already exists", v.Name)
		}
		if err != nil {
			return fmt.Errorf("updating version: %w", err)
		}
		v.RepositoryUUID, v.IsDefault, v.CreatedAt = cur.RepositoryUUID, isDefault, cur.CreatedAt
		return s.notify(ctx, tx, Change{Kind: ChangeVersions, Repository: cur.RepositoryUUID})
	})
}

// DeleteVersion implements repository.Store. Foreign keys cascade to what
// the version holds but its logs, which have none. It sends ChangeVersions.
func (s *Store) DeleteVersion(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		cur, err := lockVersionRow(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.IsDefault {
			return sqlrow.DeleteDefault(cur)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM logs WHERE repository_uuid = $1 AND version_id = $2`, cur.RepositoryUUID, id); err != nil {
			return fmt.Errorf("deleting the logs of version %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM versions WHERE id = $1`, id); err != nil {
			return fmt.Errorf("deleting version %d: %w", id, err)
		}
		return s.notify(ctx, tx, Change{Kind: ChangeVersions, Repository: cur.RepositoryUUID, Version: cur.ID})
	})
}
