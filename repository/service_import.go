package repository

import (
	"context"
	"fmt"
	"strings"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

// MaxImport bounds the examples of one import (a whole file).
const MaxImport = 100_000

// ImportResult says what an import did.
type ImportResult struct {
	// Imported examples were added.
	Imported int `json:"imported"`
	// SkippedExisting texts were already examples of the version and
	// language; SkippedRepeated appeared earlier in the same file.
	SkippedExisting int `json:"skipped_existing"`
	SkippedRepeated int `json:"skipped_repeated"`
	// Intents is how many intents the imported examples have.
	Intents  int    `json:"intents"`
	Language string `json:"language"`
	// VersionID is the version the examples went to.
	VersionID int64 `json:"version_id"`
}

// ImportExamples adds the examples of a decoded file to a version (0: the
// default) in one language ("" = the repository's main language), all or
// none, in one transaction. An example without an intent becomes an
// OutOfScopeIntent example. Texts the version already has in that language,
// and texts repeated within the file, are skipped and counted rather than
// failing the import, so that the same file can be imported twice. Every
// other check is AddExamples's, with errors naming the example by its index
// in the file. Returns ENOTFOUND, EINVALID, or ETOOLARGE past MaxImport.
func (s *Service) ImportExamples(ctx context.Context, repoUUID string, versionID int64, lang string, exs []nlu.Example) (ImportResult, error) {
	if len(exs) > MaxImport {
		return ImportResult{}, sabia.Errorf(sabia.ETOOLARGE, "%d examples, more than %d per import", len(exs), MaxImport)
	}
	r, err := s.store.FindRepository(ctx, repoUUID)
	if err != nil {
		return ImportResult{}, err
	}
	if lang == "" {
		lang = r.Language
	}
	l, verr := parseLanguage(lang)
	if verr != nil {
		return ImportResult{}, verr
	}
	v, err := s.FindVersion(ctx, repoUUID, versionID)
	if err != nil {
		return ImportResult{}, err
	}
	existing := map[string]bool{}
	err = s.eachExample(ctx, ExampleFilter{RepositoryUUID: repoUUID, VersionID: v.ID, Language: l}, func(e Example) {
		existing[e.Text] = true
	})
	if err != nil {
		return ImportResult{}, err
	}
	res := ImportResult{Language: l, VersionID: v.ID}
	in := make([]ExampleInput, 0, len(exs))
	index := make([]int, 0, len(exs)) // position in the file of each input
	seen := map[string]bool{}
	for i, ex := range exs {
		t := strings.TrimSpace(ex.Text)
		if seen[t] {
			res.SkippedRepeated++
			continue
		}
		seen[t] = true
		if existing[t] {
			res.SkippedExisting++
			continue
		}
		intent := ex.Intent
		if intent == "" {
			intent = OutOfScopeIntent
		}
		in = append(in, ExampleInput{VersionID: v.ID, Text: ex.Text, Language: l, Intent: intent, Entities: ex.Entities})
		index = append(index, i)
	}
	clean, err := s.cleanBatch(ctx, repoUUID, whatExample, in, MaxImport, index)
	if err != nil {
		return ImportResult{}, err
	}
	if len(clean) == 0 {
		return res, nil
	}
	ptrs := make([]*Example, len(clean))
	intents := map[string]bool{}
	for i := range clean {
		ptrs[i] = &clean[i]
		intents[clean[i].Intent] = true
	}
	if err := s.store.CreateExamples(ctx, ptrs); err != nil {
		return ImportResult{}, fmt.Errorf("importing examples: %w", err)
	}
	res.Imported, res.Intents = len(clean), len(intents)
	return res, nil
}

// ExportExamples returns every example of a version (0: the default) in a
// language ("" = every language), oldest first, as nlu examples;
// OutOfScopeIntent examples have Intent "", as files mark them. Returns
// ENOTFOUND or EINVALID.
func (s *Service) ExportExamples(ctx context.Context, repoUUID string, versionID int64, lang string) ([]nlu.Example, error) {
	f := ExampleFilter{VersionID: versionID, Language: lang}
	if err := s.scopeFilter(ctx, repoUUID, &f); err != nil {
		return nil, err
	}
	out := []nlu.Example{}
	err := s.eachExample(ctx, f, func(e Example) {
		intent := e.Intent
		if intent == OutOfScopeIntent {
			intent = ""
		}
		out = append(out, nlu.Example{Text: e.Text, Intent: intent, Entities: e.Entities})
	})
	return out, err
}

// eachExample calls fn for every example matching f (RepositoryUUID and
// VersionID resolved), page by page.
func (s *Service) eachExample(ctx context.Context, f ExampleFilter, fn func(Example)) error {
	f.Offset, f.Limit = 0, MaxPageSize
	for {
		page, total, err := s.store.ListExamples(ctx, f)
		if err != nil {
			return err
		}
		for _, e := range page {
			fn(e)
		}
		f.Offset += len(page)
		if len(page) == 0 || f.Offset >= total {
			return nil
		}
	}
}
