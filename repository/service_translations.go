package repository

import (
	"context"
	"fmt"
	"strings"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

// TranslateExample adds the translation of the example exampleID into
// another language of the repository: a new example of that language in
// the original's version, with the original's intent (see
// Example.TranslatedFrom). in is cleaned as in AddExamples; its language is
// required; its entity labels (entity and group, counted) must be the
// original's, at the offsets of the translated text. Returns ENOTFOUND;
// EINVALID (the original is a translation, same language, labels differ —
// naming the missing and extra ones —, or a bad text or span); ETOOLARGE;
// ECONFLICT when the original already has a translation into the language
// or the text already exists in it.
func (s *Service) TranslateExample(ctx context.Context, repoUUID string, exampleID int64, in TranslationInput) (Example, error) {
	o, err := s.FindExample(ctx, repoUUID, exampleID)
	if err != nil {
		return Example{}, err
	}
	if strings.TrimSpace(in.Language) == "" {
		return Example{}, sabia.Errorf(sabia.EINVALID, "language is required")
	}
	r, err := s.store.FindRepository(ctx, repoUUID)
	if err != nil {
		return Example{}, err
	}
	e, verr := s.cleanTranslation(r, o, in)
	if verr != nil {
		return Example{}, verr
	}
	if err := s.store.CreateExamples(ctx, []*Example{&e}); err != nil {
		return Example{}, fmt.Errorf("translating example %d: %w", exampleID, unprefixed(whatExample, err))
	}
	return e, nil
}

// cleanTranslation validates in as a translation of o (see
// TranslateExample) and returns the example to store.
func (s *Service) cleanTranslation(r Repository, o Example, in TranslationInput) (Example, *sabia.Error) {
	e, verr := cleanExample(r, in.Text, in.Language, o.Intent, in.Entities)
	if verr != nil {
		return Example{}, verr
	}
	now := s.clock()
	e.RepositoryUUID, e.VersionID, e.TranslatedFrom, e.CreatedAt, e.UpdatedAt = o.RepositoryUUID, o.VersionID, o.ID, now, now
	if verr := CheckTranslation(o, e); verr != nil {
		return Example{}, verr
	}
	return e, nil
}

// ListTranslations returns the translations of an example of the
// repository by ID (empty for a translation or an example without any).
// Returns ENOTFOUND.
func (s *Service) ListTranslations(ctx context.Context, repoUUID string, exampleID int64) ([]Example, error) {
	o, err := s.FindExample(ctx, repoUUID, exampleID)
	if err != nil {
		return nil, err
	}
	out, _, err := s.store.ListExamples(ctx, ExampleFilter{RepositoryUUID: repoUUID, VersionID: o.VersionID, TranslatedFrom: o.ID})
	if err != nil {
		return nil, fmt.Errorf("listing translations of example %d: %w", exampleID, err)
	}
	return out, nil
}

// checkTranslationUpdate validates the update u of e, already applied to
// c: a translation keeps its original's intent (change the original's)
// and labels.
func (s *Service) checkTranslationUpdate(ctx context.Context, e, c Example) error {
	if e.TranslatedFrom == 0 {
		return nil
	}
	if c.Intent != e.Intent {
		return sabia.Errorf(sabia.EINVALID, "example %d is a translation of example %d: change the original's intent", e.ID, e.TranslatedFrom)
	}
	o, err := s.store.FindExample(ctx, e.TranslatedFrom)
	if err != nil {
		return fmt.Errorf("finding the original of example %d: %w", e.ID, err)
	}
	if verr := CheckTranslation(o, c); verr != nil {
		return verr
	}
	return nil
}

// TranslationReport is the state of the translations into one language of
// a version.
type TranslationReport struct {
	// Untranslated counts the originals of other languages that have no
	// translation into this one yet (ExampleFilter.Untranslated).
	Untranslated int `json:"untranslated"`
	// Mismatched are the translations into this language whose entity
	// labels no longer match their original's (it changed since), by ID.
	Mismatched []Example `json:"mismatched"`
}

// TranslationStatus reports the translations into a language ("" = main
// language) of a version (0 = default): how many originals are left to
// translate into it and which translations no longer have their
// original's entity labels. Returns ENOTFOUND or EINVALID.
func (s *Service) TranslationStatus(ctx context.Context, repoUUID string, versionID int64, lang string) (TranslationReport, error) {
	_, v, l, err := s.scope(ctx, repoUUID, versionID, lang)
	if err != nil {
		return TranslationReport{}, err
	}
	rep := TranslationReport{Mismatched: []Example{}}
	if _, rep.Untranslated, err = s.store.ListExamples(ctx, ExampleFilter{RepositoryUUID: repoUUID, VersionID: v.ID, Untranslated: l, Limit: 1}); err != nil {
		return TranslationReport{}, err
	}
	// One pass over the version: the originals' spans by ID, and the
	// translations into l (by ID, as listed).
	spans := map[int64][]nlu.Span{}
	var translations []Example
	err = s.eachExample(ctx, ExampleFilter{RepositoryUUID: repoUUID, VersionID: v.ID}, func(e Example) {
		switch {
		case e.TranslatedFrom == 0:
			spans[e.ID] = e.Entities
		case e.Language == l:
			translations = append(translations, e)
		}
	})
	if err != nil {
		return TranslationReport{}, err
	}
	for _, t := range translations {
		o, ok := spans[t.TranslatedFrom]
		if !ok {
			continue // listed after a concurrent change; the next report sees it
		}
		if missing, extra := LabelDiff(o, t.Entities); len(missing)+len(extra) > 0 {
			rep.Mismatched = append(rep.Mismatched, t)
		}
	}
	return rep, nil
}
