package sqlrow

import (
	"fmt"
	"slices"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
)

// Copied is what CopySentences did: the ID of each copy by the ID of its
// original, the languages copied, sorted, without repeats, and the
// translation links among the copies.
type Copied struct {
	IDs       map[int64]int64
	Languages []string
	// Links holds, for each copy of a translation, the copy's ID and the ID
	// of the copy of its original: the store sets translated_from from it.
	Links [][2]int64
}

// CopySentences copies sentences (the examples or test sentences of one
// version, read with their spans) into version v, one at a time with insert,
// which stores a sentence with its spans and sets its ID. A copy keeps the
// text, language, intent and spans of its original; its version is v and
// its CreatedAt and UpdatedAt are v.CreatedAt. insert never sees
// TranslatedFrom: the links go in Copied.Links.
//
// The copies are made one by one, not with INSERT … SELECT, so that the
// stores learn each copy's new ID: a column that links a sentence to
// another of the same version (as a translation to its original) is pointed
// at the copy through Copied.IDs once every sentence is in.
func CopySentences(src []repository.Example, v repository.Version, insert func(*repository.Example) error) (Copied, error) {
	out := Copied{IDs: make(map[int64]int64, len(src))}
	for _, e := range src {
		c := repository.Example{
			RepositoryUUID: v.RepositoryUUID, VersionID: v.ID, Text: e.Text, Language: e.Language, Intent: e.Intent,
			Entities: slices.Clone(e.Entities), CreatedAt: v.CreatedAt, UpdatedAt: v.CreatedAt,
		}
		if c.Entities == nil {
			c.Entities = []nlu.Span{}
		}
		if err := insert(&c); err != nil {
			return Copied{}, fmt.Errorf("copying %d: %w", e.ID, err)
		}
		out.IDs[e.ID] = c.ID
		out.Languages = append(out.Languages, e.Language)
	}
	for _, e := range src {
		if e.TranslatedFrom == 0 {
			continue
		}
		orig, ok := out.IDs[e.TranslatedFrom]
		if !ok {
			return Copied{}, fmt.Errorf("copying %d: its original %d is not in the version", e.ID, e.TranslatedFrom)
		}
		out.Links = append(out.Links, [2]int64{out.IDs[e.ID], orig})
	}
	slices.Sort(out.Languages)
	out.Languages = slices.Compact(out.Languages)
	return out, nil
}

// DeleteDefault is the error of deleting v, a repository's default version:
// EINVALID, since the repository would be left without one.
func DeleteDefault(v repository.Version) error {
	return sabia.Errorf(sabia.EINVALID,
		"version %q is the repository's default version and cannot be deleted; make another version the default first", v.Name)
}
