package repository

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

// Service validates requests about repositories and carries them out on a
// Store. Its methods take the repository UUID first, so that callers scoped
// to one repository (by a token) cannot reach another's data: things of
// another repository are reported as not found.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService returns a Service on store. now is the clock (time.Now when
// nil); times are kept in UTC at microsecond precision, which every Store
// can hold.
func NewService(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

// clock returns the current time as stored.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// CreateRepository creates a repository with its default version. The name
// is required (at most MaxNameRunes); the main language is required and is
// added to Languages; every language is parsed with nlu.ParseLanguage;
// LogRetentionDays is in [0, MaxLogRetentionDays]. Returns EINVALID
// ("unknown language \"xx\"", "name is required", …).
func (s *Service) CreateRepository(ctx context.Context, in RepositoryInput) (Repository, error) {
	name, verr := cleanText("name", in.Name, true, MaxNameRunes)
	if verr != nil {
		return Repository{}, verr
	}
	desc, verr := cleanText("description", in.Description, false, MaxDescriptionRunes)
	if verr != nil {
		return Repository{}, verr
	}
	main, langs, verr := languages(in.Language, in.Languages)
	if verr != nil {
		return Repository{}, verr
	}
	threshold := DefaultThreshold
	if in.Threshold != nil {
		threshold = *in.Threshold
	}
	if verr := checkThreshold(threshold); verr != nil {
		return Repository{}, verr
	}
	retention := DefaultLogRetentionDays
	if in.LogRetentionDays != nil {
		retention = *in.LogRetentionDays
	}
	if verr := checkRetention(retention); verr != nil {
		return Repository{}, verr
	}
	pats, verr := checkPatterns(in.PatternEntities)
	if verr != nil {
		return Repository{}, verr
	}
	now := s.clock()
	r := Repository{
		UUID: newUUID(), Name: name, Description: desc, Language: main, Languages: langs,
		Threshold: threshold, BuiltinIntents: in.BuiltinIntents, LogRetentionDays: retention,
		PatternEntities: pats, CreatedAt: now, UpdatedAt: now,
	}
	v := Version{RepositoryUUID: r.UUID, Name: DefaultVersionName, IsDefault: true, CreatedAt: now}
	if err := s.store.CreateRepository(ctx, &r, &v); err != nil {
		return Repository{}, fmt.Errorf("creating repository: %w", err)
	}
	return r, nil
}

// checkPatterns validates pattern entities (names like entity names, a regex
// or values, regexes that compile) and returns them, never nil.
func checkPatterns(p []nlu.PatternEntity) ([]nlu.PatternEntity, *sabia.Error) {
	if len(p) > MaxPatternEntities {
		return nil, sabia.Errorf(sabia.ETOOLARGE, "%d pattern entities, more than %d", len(p), MaxPatternEntities)
	}
	out := make([]nlu.PatternEntity, len(p))
	for i, d := range p {
		name, verr := cleanLabel("entity", d.Name)
		if verr != nil {
			return nil, sabia.Errorf(verr.Code, "pattern entity %d: %s", i, verr.Message)
		}
		d.Name = name
		if d.Group != "" {
			if d.Group, verr = cleanLabel("group", d.Group); verr != nil {
				return nil, sabia.Errorf(verr.Code, "pattern entity %d: %s", i, verr.Message)
			}
		}
		out[i] = d
	}
	if _, err := nlu.CompilePatterns(out); err != nil {
		return nil, sabia.Errorf(sabia.EINVALID, "%v", err)
	}
	return out, nil
}

func checkThreshold(t float64) *sabia.Error {
	if !(t >= 0 && t <= 1) { // also rejects NaN
		return sabia.Errorf(sabia.EINVALID, "threshold %v is not between 0 and 1", t)
	}
	return nil
}

func checkRetention(days int) *sabia.Error {
	if days < 0 || days > MaxLogRetentionDays {
		return sabia.Errorf(sabia.EINVALID, "log_retention_days %d is not between 0 and %d", days, MaxLogRetentionDays)
	}
	return nil
}

// FindRepository returns ENOTFOUND if the repository does not exist.
func (s *Service) FindRepository(ctx context.Context, uuid string) (Repository, error) {
	return s.store.FindRepository(ctx, uuid)
}

// ListRepositories returns a page of repositories, newest first, and the
// total that match. Limit 0 means DefaultPageSize; larger than MaxPageSize
// means MaxPageSize.
func (s *Service) ListRepositories(ctx context.Context, f RepositoryFilter) ([]Repository, int, error) {
	f.Offset, f.Limit = page(f.Offset, f.Limit)
	return s.store.ListRepositories(ctx, f)
}

// page returns a sane offset and limit.
func page(offset, limit int) (int, int) {
	if limit <= 0 {
		limit = DefaultPageSize
	}
	return max(offset, 0), min(limit, MaxPageSize)
}

// UpdateRepository changes the fields set in u, validated as in
// CreateRepository. Returns ENOTFOUND, EINVALID, or ECONFLICT when a
// language to drop still has examples or test sentences.
func (s *Service) UpdateRepository(ctx context.Context, uuid string, u RepositoryUpdate) (Repository, error) {
	r, err := s.store.FindRepository(ctx, uuid)
	if err != nil {
		return Repository{}, err
	}
	old := r.Languages
	var verr *sabia.Error
	if u.Name != nil {
		if r.Name, verr = cleanText("name", *u.Name, true, MaxNameRunes); verr != nil {
			return Repository{}, verr
		}
	}
	if u.Description != nil {
		if r.Description, verr = cleanText("description", *u.Description, false, MaxDescriptionRunes); verr != nil {
			return Repository{}, verr
		}
	}
	if u.Language != nil || u.Languages != nil {
		main, others := r.Language, r.Languages
		if u.Language != nil {
			main = *u.Language
		}
		if u.Languages != nil {
			others = *u.Languages
		}
		if r.Language, r.Languages, verr = languages(main, others); verr != nil {
			return Repository{}, verr
		}
	}
	if u.Threshold != nil {
		if verr := checkThreshold(*u.Threshold); verr != nil {
			return Repository{}, verr
		}
		r.Threshold = *u.Threshold
	}
	if u.BuiltinIntents != nil {
		r.BuiltinIntents = *u.BuiltinIntents
	}
	if u.LogRetentionDays != nil {
		if verr := checkRetention(*u.LogRetentionDays); verr != nil {
			return Repository{}, verr
		}
		r.LogRetentionDays = *u.LogRetentionDays
	}
	if u.PatternEntities != nil {
		if r.PatternEntities, verr = checkPatterns(*u.PatternEntities); verr != nil {
			return Repository{}, verr
		}
	}
	for _, l := range old {
		if r.HasLanguage(l) {
			continue
		}
		_, n, err := s.store.ListExamples(ctx, ExampleFilter{RepositoryUUID: uuid, Language: l, Limit: 1})
		if err != nil {
			return Repository{}, fmt.Errorf("counting examples: %w", err)
		}
		if n > 0 {
			return Repository{}, sabia.Errorf(sabia.ECONFLICT, "language %q still has %d examples; delete them before removing it", l, n)
		}
		_, n, err = s.store.ListTestSentences(ctx, TestSentenceFilter{RepositoryUUID: uuid, Language: l, Limit: 1})
		if err != nil {
			return Repository{}, fmt.Errorf("counting test sentences: %w", err)
		}
		if n > 0 {
			return Repository{}, sabia.Errorf(sabia.ECONFLICT, "language %q still has %d test sentences; delete them before removing it", l, n)
		}
	}
	r.UpdatedAt = s.clock()
	if err := s.store.UpdateRepository(ctx, &r); err != nil {
		return Repository{}, fmt.Errorf("updating repository: %w", err)
	}
	return r, nil
}

// DeleteRepository deletes a repository and everything in it. Returns
// ENOTFOUND.
func (s *Service) DeleteRepository(ctx context.Context, uuid string) error {
	return s.store.DeleteRepository(ctx, uuid)
}

// ListVersions returns the versions of a repository. Returns ENOTFOUND if
// the repository does not exist.
func (s *Service) ListVersions(ctx context.Context, repoUUID string) ([]Version, error) {
	if _, err := s.store.FindRepository(ctx, repoUUID); err != nil {
		return nil, err
	}
	return s.store.ListVersions(ctx, repoUUID)
}

// FindVersion returns a version of a repository; id 0 means the default
// version. Returns ENOTFOUND if the version is not the repository's.
func (s *Service) FindVersion(ctx context.Context, repoUUID string, id int64) (Version, error) {
	if id == 0 {
		return s.store.DefaultVersion(ctx, repoUUID)
	}
	v, err := s.store.FindVersion(ctx, id)
	if err != nil {
		return Version{}, err
	}
	if v.RepositoryUUID != repoUUID {
		return Version{}, sabia.Errorf(sabia.ENOTFOUND, "version %d not found", id)
	}
	return v, nil
}

// scope loads a repository and resolves one of its versions (0 = default)
// and a language ("" = main language, otherwise one of its languages).
func (s *Service) scope(ctx context.Context, repoUUID string, versionID int64, lang string) (Repository, Version, string, error) {
	r, err := s.store.FindRepository(ctx, repoUUID)
	if err != nil {
		return Repository{}, Version{}, "", err
	}
	v, err := s.FindVersion(ctx, repoUUID, versionID)
	if err != nil {
		return Repository{}, Version{}, "", err
	}
	l, verr := repoLanguage(r, lang)
	if verr != nil {
		return Repository{}, Version{}, "", verr
	}
	return r, v, l, nil
}
