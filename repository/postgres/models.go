package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/repository/sqlrow"
)

const (
	sqlInsertModel = `INSERT INTO models (repository_uuid, version_id, language, data, size, revision, trained_at)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`
	sqlSelectModelInfo = `SELECT id, repository_uuid, version_id, language, revision, trained_at, size FROM models`
	sqlSelectModel     = `SELECT id, repository_uuid, version_id, language, revision, trained_at, size, data FROM models`
	sqlLatestModel     = ` WHERE repository_uuid = $1 AND version_id = $2 AND language = $3
ORDER BY revision DESC, id DESC LIMIT 1`
)

// SaveModel implements repository.Store.
func (s *Store) SaveModel(ctx context.Context, m *repository.Model) error {
	data := m.Data
	if data == nil {
		data = []byte{} // nil would be NULL
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := needVersion(ctx, tx, m.VersionID); err != nil {
			return err
		}
		size := int64(len(data))
		var id int64
		err := tx.QueryRowContext(ctx, sqlInsertModel, m.RepositoryUUID, m.VersionID, m.Language, data, size,
			m.Revision, ts(m.TrainedAt)).Scan(&id)
		if err != nil {
			return fmt.Errorf("inserting model: %w", err)
		}
		m.ID, m.Size = id, size
		return s.notify(ctx, tx, Change{Kind: ChangeModel, Repository: m.RepositoryUUID, Version: m.VersionID,
			Language: m.Language, Model: id})
	})
}

// FindModel implements repository.Store.
func (s *Store) FindModel(ctx context.Context, id int64) (repository.Model, error) {
	m, err := scan.Model(s.db.QueryRowContext(ctx, sqlSelectModel+` WHERE id = $1`, id), true)
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
