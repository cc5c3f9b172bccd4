package repository

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/weni-ai/sabia"
)

// touchEvery is how stale LastUsedAt may get before Authenticate writes it
// again: a write per request would serialise parse traffic on SQLite's one
// writer, and minute precision is all a "last used" column needs.
const touchEvery = time.Minute

// secretBytes is the entropy of a token secret: 256 bits.
const secretBytes = 32

// HashSecret returns the SHA-256 hash under which a token secret is stored.
// A fast hash is enough: secrets are 256 random bits, not passwords.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// CreateToken creates a token for a repository and returns it with its
// secret ("sabia_" and 43 URL-safe characters), which is not stored and
// cannot be shown again. The name is optional (at most MaxNameRunes); role
// "" means RoleUser. Returns ENOTFOUND or EINVALID.
func (s *Service) CreateToken(ctx context.Context, repoUUID string, in TokenInput) (Token, string, error) {
	if _, err := s.store.FindRepository(ctx, repoUUID); err != nil {
		return Token{}, "", err
	}
	name, verr := cleanText("name", in.Name, false, MaxNameRunes)
	if verr != nil {
		return Token{}, "", verr
	}
	role := in.Role
	if role == "" {
		role = RoleUser
	}
	if !role.Valid() {
		return Token{}, "", sabia.Errorf(sabia.EINVALID, "unknown role %q (user, contributor or admin)", role)
	}
	var b [secretBytes]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	secret := TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	t := Token{ID: newUUID(), RepositoryUUID: repoUUID, Name: name, Role: role, CreatedAt: s.clock()}
	if err := s.store.CreateToken(ctx, &t, HashSecret(secret)); err != nil {
		return Token{}, "", fmt.Errorf("creating token: %w", err)
	}
	return t, secret, nil
}

// ListTokens returns the tokens of a repository, revoked ones included,
// oldest first. Returns ENOTFOUND if the repository does not exist.
func (s *Service) ListTokens(ctx context.Context, repoUUID string) ([]Token, error) {
	if _, err := s.store.FindRepository(ctx, repoUUID); err != nil {
		return nil, err
	}
	return s.store.ListTokens(ctx, repoUUID)
}

// RevokeToken revokes a token of the repository; revoking twice keeps the
// first time. Returns ENOTFOUND.
func (s *Service) RevokeToken(ctx context.Context, repoUUID, id string) error {
	t, err := s.store.FindToken(ctx, id)
	if err != nil {
		return err
	}
	if t.RepositoryUUID != repoUUID {
		return sabia.Errorf(sabia.ENOTFOUND, "token %q not found", id)
	}
	return s.store.RevokeToken(ctx, id, s.clock())
}

// Authenticate returns the token whose secret is given and records its use
// (at most once per minute). Returns EUNAUTHORIZED "invalid token" for an
// unknown or revoked secret, with no hint of which.
func (s *Service) Authenticate(ctx context.Context, secret string) (Token, error) {
	if secret == "" {
		return Token{}, sabia.Errorf(sabia.EUNAUTHORIZED, "invalid token")
	}
	t, err := s.store.FindTokenByHash(ctx, HashSecret(secret))
	if sabia.ErrorCode(err) == sabia.ENOTFOUND || err == nil && t.RevokedAt != nil {
		return Token{}, sabia.Errorf(sabia.EUNAUTHORIZED, "invalid token")
	}
	if err != nil {
		return Token{}, fmt.Errorf("finding token: %w", err)
	}
	now := s.clock()
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= touchEvery {
		if err := s.store.TouchToken(ctx, t.ID, now); err != nil {
			return Token{}, fmt.Errorf("touching token: %w", err)
		}
		t.LastUsedAt = &now
	}
	return t, nil
}
