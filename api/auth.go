package api

import (
	"context"
	"crypto/subtle"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/repository"
)

// principal is who is calling: the admin, or a repository token.
type principal struct {
	admin bool
	token repository.Token
}

func principalOf(r *http.Request) principal {
	p, _ := r.Context().Value(authKey).(principal)
	return p
}

// bearer extracts the secret of "Authorization: Bearer <secret>" (Bothub's
// flows also send "Token <secret>" in older versions).
func bearer(r *http.Request) string {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	for _, scheme := range []string{"Bearer ", "bearer ", "Token ", "token "} {
		if strings.HasPrefix(h, scheme) {
			return strings.TrimSpace(h[len(scheme):])
		}
	}
	return ""
}

// authenticate resolves the caller and enforces the route's mode: authAdmin
// needs the admin token, authToken a repository token, authAny either (the
// handler then checks the repository with allow).
func (s *Server) authenticate(mode string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret := bearer(r)
		if secret == "" {
			writeError(w, r, sabia.Errorf(sabia.EUNAUTHORIZED, "missing credentials: send the header \"Authorization: Bearer <token>\""))
			return
		}
		var p principal
		if s.cfg.AdminToken != "" && subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.AdminToken)) == 1 {
			p.admin = true
		} else {
			t, err := s.auth.lookup(r.Context(), secret)
			if err != nil {
				writeError(w, r, err)
				return
			}
			p.token = t
			if s.limiter != nil {
				if ok, wait := s.limiter.allow(t.ID); !ok {
					w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
					writeError(w, r, sabia.Errorf(sabia.ERATELIMITED, "token %s made more than %g requests per second (burst %g): retry in %s",
						t.ID, s.limiter.rate, s.limiter.burst, wait.Round(time.Millisecond)))
					return
				}
			}
		}
		switch {
		case mode == authAdmin && !p.admin:
			writeError(w, r, sabia.Errorf(sabia.EFORBIDDEN, "this route needs the admin token"))
			return
		case mode == authToken && p.admin:
			writeError(w, r, sabia.Errorf(sabia.EFORBIDDEN, "this route needs a repository access token; the admin token can use /v1/repositories/{uuid}/parse"))
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), authKey, p)))
	})
}

// allow checks that the caller may act on repoUUID with at least role need.
func allow(r *http.Request, repoUUID string, need repository.Role) error {
	p := principalOf(r)
	if p.admin {
		return nil
	}
	if p.token.RepositoryUUID != repoUUID {
		// Do not reveal whether another repository exists.
		return sabia.Errorf(sabia.ENOTFOUND, "repository %q not found", repoUUID)
	}
	if !p.token.Role.Includes(need) {
		return sabia.Errorf(sabia.EFORBIDDEN, "a %s token cannot do this; it needs the %s role", p.token.Role, need)
	}
	return nil
}

// authCache keeps authenticated tokens for a short while so that parse
// requests do not hit the store; revocations in this process take effect at
// once, elsewhere within ttl.
type authCache struct {
	repos *repository.Service
	ttl   time.Duration
	now   func() time.Time
	mu    sync.RWMutex
	byKey map[string]authEntry
}

type authEntry struct {
	token   repository.Token
	expires time.Time
}

// maxAuthEntries bounds the cache; past it the cache is cleared (tokens are
// few; a flood of bad secrets is never cached).
const maxAuthEntries = 10000

func newAuthCache(repos *repository.Service, ttl time.Duration) *authCache {
	return &authCache{repos: repos, ttl: ttl, now: time.Now, byKey: map[string]authEntry{}}
}

func (c *authCache) lookup(ctx context.Context, secret string) (repository.Token, error) {
	key := string(repository.HashSecret(secret))
	now := c.now()
	c.mu.RLock()
	e, ok := c.byKey[key]
	c.mu.RUnlock()
	if ok && now.Before(e.expires) {
		return e.token, nil
	}
	t, err := c.repos.Authenticate(ctx, secret)
	if err != nil {
		return repository.Token{}, err
	}
	c.mu.Lock()
	if len(c.byKey) >= maxAuthEntries {
		clear(c.byKey)
	}
	c.byKey[key] = authEntry{token: t, expires: now.Add(c.ttl)}
	c.mu.Unlock()
	return t, nil
}

// forget drops every cached entry of a token (after a revocation), of a
// repository (tokenID "") or every entry (both "").
func (c *authCache) forget(repoUUID, tokenID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if repoUUID == "" && tokenID == "" {
		clear(c.byKey)
		return
	}
	for k, e := range c.byKey {
		if e.token.ID == tokenID || (tokenID == "" && e.token.RepositoryUUID == repoUUID) {
			delete(c.byKey, k)
		}
	}
}
