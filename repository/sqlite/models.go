package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/repository/sqlrow"
)

// SaveModel implements repository.Store.
func (s *Store) SaveModel(ctx context.Context, m *repository.Model) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := s.shared.VersionExists(ctx, tx, m.VersionID); err != nil {
			return err
		}
		size := int64(len(m.Data))
		res, err := tx.ExecContext(ctx, `INSERT INTO models (repository_uuid, version_id, language, data, size, revision, trained_at)
VALUES (?, ?, ?, ?, ?, ?, ?)`, m.RepositoryUUID, m.VersionID, m.Language, m.Data, size, m.Revision, fmtTime(m.TrainedAt))
		if err != nil {
			return fmt.Errorf("inserting model: %w", err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		m.ID, m.Size = id, size
		return nil
	})
}

const (
	sqlSelectModelInfo = `SELECT id, repository_uuid, version_id, language, revision, trained_at, size FROM models`
	sqlSelectModel     = `SELECT id, repository_uuid, version_id, language, revision, trained_at, size, data FROM models`
	sqlLatestModel     = ` WHERE repository_uuid = ? AND version_id = ? AND language = ? ORDER BY revision DESC, id DESC LIMIT 1`
)

// FindModel implements repository.Store.
func (s *Store) FindModel(ctx context.Context, id int64) (repository.Model, error) {
	m, err := scan.Model(s.db.QueryRowContext(ctx, sqlSelectModel+` WHERE id = ?`, id), true)
	if err != nil {
		return m, sqlrow.NotFound(err, "model %d", id)
	}
	return m, nil
}

// LatestModel implements repository.Store.
func (s *Store) LatestModel(ctx context.Context, repoUUID string, versionID int64, lang string) (repository.Model, error) {
	m, err := scan.Model(s.db.QueryRowContext(ctx, sqlSelectModel+sqlLatestModel, repoUUID, versionID, lang), true)
	if err != nil {
		return m, sqlrow.NotFound(err, "model of version %d in %s", versionID, lang)
	}
	return m, nil
}

// LatestModelInfo implements repository.Store.
func (s *Store) LatestModelInfo(ctx context.Context, repoUUID string, versionID int64, lang string) (repository.Model, error) {
	m, err := scan.Model(s.db.QueryRowContext(ctx, sqlSelectModelInfo+sqlLatestModel, repoUUID, versionID, lang), false)
	if err != nil {
		return m, sqlrow.NotFound(err, "model of version %d in %s", versionID, lang)
	}
	return m, nil
}
