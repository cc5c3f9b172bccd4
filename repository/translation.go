package repository

import (
	"fmt"
	"slices"
	"strings"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

// TranslationInput is the translation of an example into another language
// of its repository: its text and entity spans, cleaned as ExampleInput's.
// The intent and version are the original's.
type TranslationInput struct {
	Language string     `json:"language"`
	Text     string     `json:"text"`
	Entities []nlu.Span `json:"entities"`
}

// LabelDiff compares the entity labels of a translation with its
// original's, as multisets of (entity, group): missing are the labels the
// original has more often than the translation, extra the reverse, each
// written "entity" or "entity/group" and sorted. Both are empty when the
// labels match, whatever the order and positions of the spans.
func LabelDiff(original, translation []nlu.Span) (missing, extra []string) {
	count := map[string]int{}
	for _, s := range original {
		count[label(s)]++
	}
	for _, s := range translation {
		count[label(s)]--
	}
	for l, n := range count {
		for ; n > 0; n-- {
			missing = append(missing, l)
		}
		for ; n < 0; n++ {
			extra = append(extra, l)
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	return missing, extra
}

func label(s nlu.Span) string {
	if s.Group == "" {
		return s.Entity
	}
	return s.Entity + "/" + s.Group
}

// CheckTranslation checks a translation t against its original o, the
// rules both the Service and the Stores enforce: o is not itself a
// translation, t is in the same version, in another language, with the
// same intent and the same entity labels (see LabelDiff). Returns nil or an
// EINVALID *sabia.Error naming what differs (the missing and extra labels).
func CheckTranslation(o, t Example) *sabia.Error {
	switch {
	case o.TranslatedFrom != 0:
		return sabia.Errorf(sabia.EINVALID, "example %d is a translation of example %d: translate the original", o.ID, o.TranslatedFrom)
	case t.VersionID != o.VersionID:
		return sabia.Errorf(sabia.EINVALID, "a translation belongs to its original's version %d, not %d", o.VersionID, t.VersionID)
	case t.Language == o.Language:
		return sabia.Errorf(sabia.EINVALID, "a translation must be in another language than its original's (%s)", o.Language)
	case t.Intent != o.Intent:
		return sabia.Errorf(sabia.EINVALID, "a translation has its original's intent %q, not %q: change the original", o.Intent, t.Intent)
	}
	if msg := labelMismatch(o.Entities, t.Entities); msg != "" {
		return sabia.Errorf(sabia.EINVALID, "a translation has its original's entities: %s", msg)
	}
	return nil
}

// labelMismatch describes LabelDiff's result, "" when the labels match.
func labelMismatch(original, translation []nlu.Span) string {
	missing, extra := LabelDiff(original, translation)
	var parts []string
	quote := func(ls []string) string {
		q := make([]string, len(ls))
		for i, l := range ls {
			q[i] = fmt.Sprintf("%q", l)
		}
		return strings.Join(q, ", ")
	}
	if len(missing) > 0 {
		parts = append(parts, "missing "+quote(missing))
	}
	if len(extra) > 0 {
		parts = append(parts, "extra "+quote(extra))
	}
	return strings.Join(parts, "; ")
}
