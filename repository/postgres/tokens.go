package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/repository/sqlrow"
)

const (
	sqlInsertToken = `INSERT INTO tokens
    (id, repository_uuid, name, role, secret_hash, created_at, last_used_at, revoked_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
	sqlSelectToken = `SELECT id, repository_uuid, name, role, created_at, last_used_at, revoked_at FROM tokens`
	sqlListTokens  = sqlSelectToken + ` WHERE repository_uuid = $1 ORDER BY created_at, id COLLATE "C"`
	sqlRevokeToken = `UPDATE tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2`
	sqlTouchToken  = `UPDATE tokens SET last_used_at = $1 WHERE id = $2`
)

// CreateToken implements repository.Store.
func (s *Store) CreateToken(ctx context.Context, t *repository.Token, hash []byte) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, sqlInsertToken, t.ID, t.RepositoryUUID, t.Name, string(t.Role), hash,
			ts(t.CreatedAt), tsPtr(t.LastUsedAt), tsPtr(t.RevokedAt))
		if isUnique(err) {
			return sabia.Errorf(sabia.ECONFLICT, "token %q already exists", t.ID)
		}
		if err != nil {
			return fmt.Errorf("inserting token: %w", err)
		}
		return nil
	})
}

// FindToken implements repository.Store.
func (s *Store) FindToken(ctx context.Context, id string) (repository.Token, error) {
	t, err := scan.Token(s.db.QueryRowContext(ctx, sqlSelectToken+` WHERE id = $1`, id))
	if err != nil {
		return t, sqlrow.NotFound(err, "token %q", id)
	}
	return t, nil
}

// FindTokenByHash implements repository.Store.
func (s *Store) FindTokenByHash(ctx context.Context, hash []byte) (repository.Token, error) {
	t, err := scan.Token(s.db.QueryRowContext(ctx, sqlSelectToken+` WHERE secret_hash = $1`, hash))
	if err != nil {
		return t, sqlrow.NotFound(err, "token")
	}
	return t, nil
}

// ListTokens implements repository.Store.
func (s *Store) ListTokens(ctx context.Context, repoUUID string) ([]repository.Token, error) {
	rows, err := s.db.QueryContext(ctx, sqlListTokens, repoUUID)
	if err != nil {
		return nil, fmt.Errorf("listing tokens: %w", err)
	}
	out, err := sqlrow.ScanAll(rows, scan.Token)
	if err != nil {
		return nil, fmt.Errorf("listing tokens: %w", err)
	}
	return out, nil
}

// RevokeToken implements repository.Store.
func (s *Store) RevokeToken(ctx context.Context, id string, at time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, sqlRevokeToken, ts(at), id)
		if err != nil {
			return fmt.Errorf("revoking token: %w", err)
		}
		if err := sqlrow.MustAffect(res, "token %q", id); err != nil {
			return err
		}
		return s.notify(ctx, tx, Change{Kind: ChangeToken, Token: id})
	})
}

// TouchToken implements repository.Store.
func (s *Store) TouchToken(ctx context.Context, id string, at time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, sqlTouchToken, ts(at), id)
		if err != nil {
			return fmt.Errorf("touching token: %w", err)
		}
		return sqlrow.MustAffect(res, "token %q", id)
	})
}
