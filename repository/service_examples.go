package repository

import (
	"context"
	"fmt"
	"strings"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

// AddExamples adds examples to a repository, all or none, in one
// transaction. Each item is validated (see ExampleInput): valid UTF-8, text
// not empty after trimming and at most MaxTextRunes, language one of the
// repository's, intent and entity names as described at Service.RenameIntent,
// spans inside the text (offsets into the text as sent), start before end,
// not overlapping. Errors name the failing item by its index from 0:
// "example 3: entity end 40 is past the end of the text (32 characters)".
//
// Returns ENOTFOUND (repository or version), ETOOLARGE (more than MaxBatch
// items, or a text over MaxTextRunes), EINVALID, or ECONFLICT when a text
// (trimmed, compared exactly) already exists in its version and language or
// repeats an earlier item.
func (s *Service) AddExamples(ctx context.Context, repoUUID string, in []ExampleInput) ([]Example, error) {
	out, err := s.cleanBatch(ctx, repoUUID, whatExample, in, MaxBatch, nil)
	if err != nil || len(out) == 0 {
		return out, err
	}
	ptrs := make([]*Example, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	if err := s.store.CreateExamples(ctx, ptrs); err != nil {
		return nil, fmt.Errorf("adding examples: %w", err)
	}
	return out, nil
}

// cleanBatch validates a batch of examples or test sentences (what names
// them in messages) for the repository repoUUID, as AddExamples describes
// (at most limit items); messages name item i by pos[i] when pos is not
// nil (its place in a file), by i otherwise:
// it resolves versions, checks the batch for repeated texts and stamps the
// times. The Store checks texts against the stored ones.
func (s *Service) cleanBatch(ctx context.Context, repoUUID, what string, in []ExampleInput, limit int, pos []int) ([]Example, error) {
	at := func(i int) int { // the position messages name
		if pos != nil {
			return pos[i]
		}
		return i
	}
	if len(in) > limit {
		return nil, sabia.Errorf(sabia.ETOOLARGE, "%d %ss, more than %d per call", len(in), what, limit)
	}
	r, err := s.store.FindRepository(ctx, repoUUID)
	if err != nil {
		return nil, err
	}
	if len(in) == 0 {
		return []Example{}, nil
	}
	versions := map[int64]int64{} // requested → resolved
	type key struct {
		version int64
		lang    string
		text    string
	}
	seen := map[key]int{}
	now := s.clock()
	out := make([]Example, len(in))
	for i, item := range in {
		vid, ok := versions[item.VersionID]
		if !ok {
			v, err := s.FindVersion(ctx, repoUUID, item.VersionID)
			if err != nil {
				if sabia.ErrorCode(err) == sabia.ENOTFOUND {
					return nil, sabia.Errorf(sabia.ENOTFOUND, "%s %d: version %d not found", what, at(i), item.VersionID)
				}
				return nil, err
			}
			vid, versions[item.VersionID] = v.ID, v.ID
		}
		e, verr := cleanExample(r, item.Text, item.Language, item.Intent, item.Entities)
		if verr != nil {
			return nil, prefixed(what, at(i), verr)
		}
		k := key{vid, e.Language, e.Text}
		if j, dup := seen[k]; dup {
			return nil, sabia.Errorf(sabia.ECONFLICT, "%s %d: text %q repeats %s %d", what, at(i), e.Text, what, at(j))
		}
		seen[k] = i
		e.RepositoryUUID, e.VersionID, e.CreatedAt, e.UpdatedAt = repoUUID, vid, now, now
		out[i] = e
	}
	return out, nil
}

// FindExample returns an example of the repository. Returns ENOTFOUND.
func (s *Service) FindExample(ctx context.Context, repoUUID string, id int64) (Example, error) {
	e, err := s.store.FindExample(ctx, id)
	if err != nil {
		return Example{}, err
	}
	if e.RepositoryUUID != repoUUID {
		return Example{}, sabia.Errorf(sabia.ENOTFOUND, "example %d not found", id)
	}
	return e, nil
}

// ListExamples returns a page of a version's examples (VersionID 0 = the
// default version) and the total that match. Language and Untranslated,
// when set, are parsed with nlu.ParseLanguage. Limit 0 means DefaultPageSize; larger than
// MaxPageSize means MaxPageSize. Returns ENOTFOUND (repository or version)
// or EINVALID (unknown language).
func (s *Service) ListExamples(ctx context.Context, repoUUID string, f ExampleFilter) ([]Example, int, error) {
	if err := s.scopeFilter(ctx, repoUUID, &f); err != nil {
		return nil, 0, err
	}
	return s.store.ListExamples(ctx, f)
}

// scopeFilter resolves a sentence filter for a repository: its version (0 =
// the default), the canonical language, trimmed names and a valid page.
// Returns ENOTFOUND or EINVALID.
func (s *Service) scopeFilter(ctx context.Context, repoUUID string, f *ExampleFilter) error {
	v, err := s.FindVersion(ctx, repoUUID, f.VersionID)
	if err != nil {
		return err
	}
	if f.Language != "" {
		l, verr := parseLanguage(f.Language)
		if verr != nil {
			return verr
		}
		f.Language = l
	}
	if f.Untranslated != "" {
		l, verr := parseLanguage(f.Untranslated)
		if verr != nil {
			return verr
		}
		f.Untranslated = l
	}
	f.RepositoryUUID, f.VersionID = repoUUID, v.ID
	f.Intent, f.Entity = strings.TrimSpace(f.Intent), strings.TrimSpace(f.Entity)
	f.Offset, f.Limit = page(f.Offset, f.Limit)
	return nil
}

// UpdateExample changes the fields set in u, validated as in AddExamples
// (messages without the "example N: " prefix). A translation keeps its
// original's intent (EINVALID: change the original's, which its
// translations follow) and entity labels (EINVALID naming the missing and
// extra ones), and stays in another language than its original's. An
// original may not move into the language of one of its translations; its
// entity changes do not reach them (TranslationStatus reports the
// mismatch). Returns ENOTFOUND, EINVALID, ETOOLARGE, or ECONFLICT when
// another example of the version and language has the new text, or a
// translation moves into a language its original already has a translation
// into.
func (s *Service) UpdateExample(ctx context.Context, repoUUID string, id int64, u ExampleUpdate) (Example, error) {
	e, err := s.FindExample(ctx, repoUUID, id)
	if err != nil {
		return Example{}, err
	}
	old := e
	if err := s.cleanUpdate(ctx, &e, u); err != nil {
		return Example{}, err
	}
	if err := s.checkTranslationUpdate(ctx, old, e); err != nil {
		return Example{}, err
	}
	if err := s.store.UpdateExample(ctx, &e); err != nil {
		return Example{}, fmt.Errorf("updating example %d: %w", id, err)
	}
	return e, nil
}

// cleanUpdate applies u to an example or test sentence e of its repository,
// validated as in AddExamples (messages without a prefix), and stamps
// UpdatedAt.
func (s *Service) cleanUpdate(ctx context.Context, e *Example, u ExampleUpdate) error {
	r, err := s.store.FindRepository(ctx, e.RepositoryUUID)
	if err != nil {
		return err
	}
	text, lang, intent, spans := e.Text, e.Language, e.Intent, e.Entities
	if u.Text != nil {
		text = *u.Text
	}
	if u.Language != nil {
		lang = *u.Language
	}
	if u.Intent != nil {
		intent = *u.Intent
	}
	if u.Entities != nil {
		spans = *u.Entities
	}
	c, verr := cleanExample(r, text, lang, intent, spans)
	if verr != nil {
		return verr
	}
	e.Text, e.Language, e.Intent, e.Entities, e.UpdatedAt = c.Text, c.Language, c.Intent, c.Entities, s.clock()
	return nil
}

// DeleteExample deletes an example of the repository with its translations.
// Returns ENOTFOUND.
func (s *Service) DeleteExample(ctx context.Context, repoUUID string, id int64) error {
	if _, err := s.FindExample(ctx, repoUUID, id); err != nil {
		return err
	}
	return s.store.DeleteExample(ctx, id)
}

// ListIntents summarises the intents of a version (0 = default) in one
// language, or all when lang is "". Returns ENOTFOUND or EINVALID.
func (s *Service) ListIntents(ctx context.Context, repoUUID string, versionID int64, lang string) ([]IntentSummary, error) {
	v, l, err := s.versionAndFilterLanguage(ctx, repoUUID, versionID, lang)
	if err != nil {
		return nil, err
	}
	return s.store.ListIntents(ctx, v.ID, l)
}

// ListEntities summarises the entities of a version (0 = default) by entity
// and group, in one language or all when lang is "". Returns ENOTFOUND or
// EINVALID.
func (s *Service) ListEntities(ctx context.Context, repoUUID string, versionID int64, lang string) ([]EntitySummary, error) {
	v, l, err := s.versionAndFilterLanguage(ctx, repoUUID, versionID, lang)
	if err != nil {
		return nil, err
	}
	return s.store.ListEntities(ctx, v.ID, l)
}

func (s *Service) versionAndFilterLanguage(ctx context.Context, repoUUID string, versionID int64, lang string) (Version, string, error) {
	v, err := s.FindVersion(ctx, repoUUID, versionID)
	if err != nil {
		return Version{}, "", err
	}
	if lang == "" {
		return v, "", nil
	}
	l, verr := parseLanguage(lang)
	if verr != nil {
		return Version{}, "", verr
	}
	return v, l, nil
}

// RenameIntent renames an intent in every example of a version (0 =
// default) in every language; renaming onto an existing intent merges the
// two. Names are trimmed, keep their case, have at most MaxLabelRunes and
// contain only letters, digits, "_", "-" and "." (the same rules hold for
// entities and groups). Renaming onto the same name changes nothing. Returns
// the number of examples changed; ENOTFOUND if the intent has no examples,
// EINVALID for a bad name.
func (s *Service) RenameIntent(ctx context.Context, repoUUID string, versionID int64, from, to string) (int64, error) {
	v, from, to, err := s.renameArgs(ctx, repoUUID, versionID, "intent", from, to)
	if err != nil {
		return 0, err
	}
	if from == to {
		if err := s.mustHaveIntent(ctx, v.ID, from); err != nil {
			return 0, err
		}
		return 0, nil
	}
	return s.store.RenameIntent(ctx, v.ID, from, to, s.clock())
}

func (s *Service) mustHaveIntent(ctx context.Context, versionID int64, name string) error {
	intents, err := s.store.ListIntents(ctx, versionID, "")
	if err != nil {
		return err
	}
	for _, in := range intents {
		if in.Name == name {
			return nil
		}
	}
	return sabia.Errorf(sabia.ENOTFOUND, "intent %q not found", name)
}

// mustHaveEntity returns ENOTFOUND unless some entity summary of the
// version matches.
func (s *Service) mustHaveEntity(ctx context.Context, versionID int64, match func(EntitySummary) bool, what, name string) error {
	ents, err := s.store.ListEntities(ctx, versionID, "")
	if err != nil {
		return err
	}
	for _, e := range ents {
		if match(e) {
			return nil
		}
	}
	return sabia.Errorf(sabia.ENOTFOUND, "%s %q not found", what, name)
}

func (s *Service) renameArgs(ctx context.Context, repoUUID string, versionID int64, what, from, to string) (Version, string, string, error) {
	v, err := s.FindVersion(ctx, repoUUID, versionID)
	if err != nil {
		return Version{}, "", "", err
	}
	f := strings.TrimSpace(from)
	if f == "" {
		return Version{}, "", "", sabia.Errorf(sabia.EINVALID, "%s to rename is required", what)
	}
	t, verr := cleanLabel("new "+what, to)
	if verr != nil {
		return Version{}, "", "", verr
	}
	return v, f, t, nil
}

// DeleteIntent deletes every example of an intent in a version (0 =
// default), in every language, and returns how many. Returns ENOTFOUND.
func (s *Service) DeleteIntent(ctx context.Context, repoUUID string, versionID int64, name string) (int64, error) {
	v, err := s.FindVersion(ctx, repoUUID, versionID)
	if err != nil {
		return 0, err
	}
	return s.store.DeleteIntent(ctx, v.ID, strings.TrimSpace(name))
}

// RenameEntity renames an entity in every span of a version (0 = default);
// renaming onto an existing entity merges them. Returns the number of
// examples changed; ENOTFOUND if no span has the entity, EINVALID for a bad
// name (rules at RenameIntent).
func (s *Service) RenameEntity(ctx context.Context, repoUUID string, versionID int64, from, to string) (int64, error) {
	v, from, to, err := s.renameArgs(ctx, repoUUID, versionID, "entity", from, to)
	if err != nil {
		return 0, err
	}
	if from == to {
		return 0, s.mustHaveEntity(ctx, v.ID, func(e EntitySummary) bool { return e.Entity == from }, "entity", from)
	}
	return s.store.RenameEntity(ctx, v.ID, from, to, s.clock())
}

// SetEntityGroup puts every span of an entity in group, or takes them out
// of any group when group is "" (after trimming). Returns the number of
// examples changed; ENOTFOUND if no span has the entity, EINVALID for a bad
// group name.
func (s *Service) SetEntityGroup(ctx context.Context, repoUUID string, versionID int64, entity, group string) (int64, error) {
	v, err := s.FindVersion(ctx, repoUUID, versionID)
	if err != nil {
		return 0, err
	}
	g := ""
	if strings.TrimSpace(group) != "" {
		var verr *sabia.Error
		if g, verr = cleanLabel("group", group); verr != nil {
			return 0, verr
		}
	}
	return s.store.SetEntityGroup(ctx, v.ID, strings.TrimSpace(entity), g, s.clock())
}

// RenameGroup renames a group in every span of a version (0 = default).
// Returns the number of examples changed; ENOTFOUND if no span has the
// group, EINVALID for a bad name.
func (s *Service) RenameGroup(ctx context.Context, repoUUID string, versionID int64, from, to string) (int64, error) {
	v, from, to, err := s.renameArgs(ctx, repoUUID, versionID, "group", from, to)
	if err != nil {
		return 0, err
	}
	if from == to {
		return 0, s.mustHaveEntity(ctx, v.ID, func(e EntitySummary) bool { return e.Group == from }, "group", from)
	}
	return s.store.RenameGroup(ctx, v.ID, from, to, s.clock())
}

// DeleteEntity removes every span of an entity in a version (0 = default);
// the examples stay. Returns the number of examples changed; ENOTFOUND if
// no span has the entity.
func (s *Service) DeleteEntity(ctx context.Context, repoUUID string, versionID int64, entity string) (int64, error) {
	v, err := s.FindVersion(ctx, repoUUID, versionID)
	if err != nil {
		return 0, err
	}
	return s.store.DeleteEntity(ctx, v.ID, strings.TrimSpace(entity), s.clock())
}

// Revision returns the dataset revision of a version (0 = default) and
// language ("" = main language); it grows with every change to those
// examples. Returns ENOTFOUND or EINVALID.
func (s *Service) Revision(ctx context.Context, repoUUID string, versionID int64, lang string) (int64, error) {
	_, v, l, err := s.scope(ctx, repoUUID, versionID, lang)
	if err != nil {
		return 0, err
	}
	return s.store.Revision(ctx, v.ID, l)
}

// TrainingSet returns the examples of a version (0 = default) and language
// ("" = main language) by ID, with the revision they are at. Returns
// ENOTFOUND or EINVALID.
func (s *Service) TrainingSet(ctx context.Context, repoUUID string, versionID int64, lang string) ([]nlu.Example, int64, error) {
	_, v, l, err := s.scope(ctx, repoUUID, versionID, lang)
	if err != nil {
		return nil, 0, err
	}
	return s.store.TrainingSet(ctx, v.ID, l)
}

// NeedsTraining reports whether the examples of a version (0 = default) and
// language ("" = main language) changed since the latest model was trained,
// or were never trained while some change happened. Returns ENOTFOUND or
// EINVALID.
func (s *Service) NeedsTraining(ctx context.Context, repoUUID string, versionID int64, lang string) (bool, error) {
	_, v, l, err := s.scope(ctx, repoUUID, versionID, lang)
	if err != nil {
		return false, err
	}
	rev, err := s.store.Revision(ctx, v.ID, l)
	if err != nil {
		return false, err
	}
	m, err := s.store.LatestModelInfo(ctx, repoUUID, v.ID, l)
	if sabia.ErrorCode(err) == sabia.ENOTFOUND {
		return rev > 0, nil
	}
	if err != nil {
		return false, err
	}
	return rev > m.Revision, nil
}
