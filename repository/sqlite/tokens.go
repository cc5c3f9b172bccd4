package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/repository/sqlrow"
)

const sqlSelectToken = `SELECT id, repository_uuid, name, role, created_at, last_used_at, revoked_at FROM tokens`

// CreateToken implements repository.Store.
func (s *Store) CreateToken(ctx context.Context, t *repository.Token, hash []byte) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO tokens
    (id, repository_uuid, name, role, secret_hash, created_at, last_used_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			t.ID, t.RepositoryUUID, t.Name, string(t.Role), hash, fmtTime(t.CreatedAt),
			fmtTimePtr(t.LastUsedAt), fmtTimePtr(t.RevokedAt))
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
	t, err := scan.Token(s.db.QueryRowContext(ctx, sqlSelectToken+` WHERE id = ?`, id))
	if err != nil {
		return t, sqlrow.NotFound(err, "token %q", id)
	}
	return t, nil
}

// FindTokenByHash implements repository.Store.
func (s *Store) FindTokenByHash(ctx context.Context, hash []byte) (repository.Token, error) {
	t, err := scan.Token(s.db.QueryRowContext(ctx, sqlSelectToken+` WHERE secret_hash = ?`, hash))
	if err != nil {
		return t, sqlrow.NotFound(err, "token")
	}
	return t, nil
}

// ListTokens implements repository.Store.
func (s *Store) ListTokens(ctx context.Context, repoUUID string) ([]repository.Token, error) {
	rows, err := s.db.QueryContext(ctx, sqlSelectToken+` WHERE repository_uuid = ? ORDER BY created_at, id`, repoUUID)
	if err != nil {
		return nil, fmt.Errorf("listing tokens: %w", err)
	}
	defer rows.Close()
	out := []repository.Token{}
	for rows.Next() {
		t, err := scan.Token(rows)
		if err != nil {
			return nil, fmt.Errorf("listing tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken implements repository.Store.
func (s *Store) RevokeToken(ctx context.Context, id string, at time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`, fmtTime(at), id)
		if err != nil {
			return fmt.Errorf("revoking token: %w", err)
		}
		return sqlrow.MustAffect(res, "token %q", id)
	})
}

// TouchToken implements repository.Store.
func (s *Store) TouchToken(ctx context.Context, id string, at time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tokens SET last_used_at = ? WHERE id = ?`, fmtTime(at), id)
		if err != nil {
			return fmt.Errorf("touching token: %w", err)
		}
		return sqlrow.MustAffect(res, "token %q", id)
	})
}
