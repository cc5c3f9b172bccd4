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
	// Translations were added as translations of the file's examples;
	// SkippedTranslations were not, because their text already existed in
	// their language (or earlier in the file), or their original already
	// had a translation into it, or is itself a translation.
	Translations        int `json:"translations"`
	SkippedTranslations int `json:"skipped_translations"`
	// Intents is how many intents the imported examples have.
	Intents  int    `json:"intents"`
	Language string `json:"language"`
	// VersionID is the version the examples went to.
	VersionID int64 `json:"version_id"`
}

// ImportExamples adds the examples of a decoded file to a version (0: the
// default) in one language ("" = the repository's main language), with
// their translations (translations[i] are those of exs[i]; translations may
// be shorter than exs, or nil), all or none, in one transaction. An example
// without an intent becomes an OutOfScopeIntent example. Texts the version
// already has in that language, and texts repeated within the file, are
// skipped and counted rather than failing the import, so that the same file
// can be imported twice; the translations of a skipped example go to the
// example already there (or earlier in the file), and translations are
// skipped in the same way (see ImportResult). Every other check is
// AddExamples's and TranslateExample's, with errors naming the example by
// its index in the file ("example 3: translation 0: …"). Returns ENOTFOUND,
// EINVALID, or ETOOLARGE past MaxImport examples and translations.
func (s *Service) ImportExamples(ctx context.Context, repoUUID string, versionID int64, lang string, exs []nlu.Example, translations [][]TranslationInput) (ImportResult, error) {
	total := len(exs)
	for _, ts := range translations {
		total += len(ts)
	}
	if total > MaxImport {
		return ImportResult{}, sabia.Errorf(sabia.ETOOLARGE, "%d examples and translations, more than %d per import", total, MaxImport)
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
	// The version in every language: texts by language, and the languages
	// each example is already translated into.
	existing := map[string]map[string]Example{}
	translated := map[int64]map[string]bool{}
	err = s.eachExample(ctx, ExampleFilter{RepositoryUUID: repoUUID, VersionID: v.ID}, func(e Example) {
		if existing[e.Language] == nil {
			existing[e.Language] = map[string]Example{}
		}
		existing[e.Language][e.Text] = e
		if e.TranslatedFrom != 0 {
			if translated[e.TranslatedFrom] == nil {
				translated[e.TranslatedFrom] = map[string]bool{}
			}
			translated[e.TranslatedFrom][e.Language] = true
		}
	})
	if err != nil {
		return ImportResult{}, err
	}
	res := ImportResult{Language: l, VersionID: v.ID}
	in := make([]ExampleInput, 0, len(exs))
	index := make([]int, 0, len(exs)) // position in the file of each input
	// origin[i] says where example i of the file is: at batch[i] >= 0 in
	// in, or already stored as stored[i].
	batch := make([]int, len(exs))
	stored := make([]Example, len(exs))
	first := map[string]int{} // text → first position in the file
	for i, ex := range exs {
		t := strings.TrimSpace(ex.Text)
		if j, ok := first[t]; ok {
			res.SkippedRepeated++
			batch[i], stored[i] = batch[j], stored[j]
			continue
		}
		first[t] = i
		if e, ok := existing[l][t]; ok {
			res.SkippedExisting++
			batch[i], stored[i] = -1, e
			continue
		}
		intent := ex.Intent
		if intent == "" {
			intent = OutOfScopeIntent
		}
		batch[i] = len(in)
		in = append(in, ExampleInput{VersionID: v.ID, Text: ex.Text, Language: l, Intent: intent, Entities: ex.Entities})
		index = append(index, i)
	}
	clean, err := s.cleanBatch(ctx, repoUUID, whatExample, in, MaxImport, index)
	if err != nil {
		return ImportResult{}, err
	}
	ptrs := make([]*Example, len(clean))
	intents := map[string]bool{}
	for i := range clean {
		ptrs[i] = &clean[i]
		intents[clean[i].Intent] = true
	}
	added := map[string]map[string]bool{} // language → texts of the translations added
	done := map[string]bool{}             // original and language translated here
	for i := range translations {
		if i >= len(exs) {
			break
		}
		o, key := stored[i], fmt.Sprint("id ", stored[i].ID)
		if batch[i] >= 0 {
			o, key = clean[batch[i]], fmt.Sprint("batch ", batch[i])
		}
		for j, tr := range translations[i] {
			if strings.TrimSpace(tr.Language) == "" {
				return ImportResult{}, sabia.Errorf(sabia.EINVALID, "example %d: translation %d: language is required", i, j)
			}
			e, verr := cleanExample(r, tr.Text, tr.Language, o.Intent, tr.Entities)
			if verr != nil {
				return ImportResult{}, sabia.Errorf(verr.Code, "example %d: translation %d: %s", i, j, verr.Message)
			}
			into := key + " " + e.Language
			_, exists := existing[e.Language][e.Text]
			if exists || added[e.Language][e.Text] || done[into] || translated[o.ID][e.Language] || o.TranslatedFrom != 0 {
				res.SkippedTranslations++
				continue
			}
			now := s.clock()
			e.RepositoryUUID, e.VersionID, e.CreatedAt, e.UpdatedAt = repoUUID, v.ID, now, now
			if verr := CheckTranslation(o, e); verr != nil {
				return ImportResult{}, sabia.Errorf(verr.Code, "example %d: translation %d: %s", i, j, verr.Message)
			}
			e.TranslatedFrom = o.ID
			if batch[i] >= 0 {
				e.TranslatedFrom = -int64(batch[i]) - 1 // the original's place in the batch
			}
			if added[e.Language] == nil {
				added[e.Language] = map[string]bool{}
			}
			added[e.Language][e.Text], done[into] = true, true
			ptrs = append(ptrs, &e)
			res.Translations++
		}
	}
	if len(ptrs) == 0 {
		return res, nil
	}
	if err := s.store.CreateExamples(ctx, ptrs); err != nil {
		return ImportResult{}, fmt.Errorf("importing examples: %w", err)
	}
	res.Imported, res.Intents = len(clean), len(intents)
	return res, nil
}

// ExportExamples returns every example of a version (0: the default) in a
// language ("" = every language), oldest first, as nlu examples;
// OutOfScopeIntent examples have Intent "", as files mark them. The second
// result holds, index for index, the translations of each example (nil for
// none), oldest first, for the formats that nest them; translations are
// also examples of their own language. Returns ENOTFOUND or EINVALID.
func (s *Service) ExportExamples(ctx context.Context, repoUUID string, versionID int64, lang string) ([]nlu.Example, [][]TranslationInput, error) {
	f := ExampleFilter{VersionID: versionID, Language: lang}
	if err := s.scopeFilter(ctx, repoUUID, &f); err != nil {
		return nil, nil, err
	}
	out := []nlu.Example{}
	var ids []int64
	byOriginal := map[int64][]TranslationInput{}
	all := f
	all.Language = ""
	err := s.eachExample(ctx, all, func(e Example) {
		if e.TranslatedFrom != 0 {
			byOriginal[e.TranslatedFrom] = append(byOriginal[e.TranslatedFrom], TranslationInput{Language: e.Language, Text: e.Text, Entities: e.Entities})
		}
		if f.Language != "" && e.Language != f.Language {
			return
		}
		intent := e.Intent
		if intent == OutOfScopeIntent {
			intent = ""
		}
		out = append(out, nlu.Example{Text: e.Text, Intent: intent, Entities: e.Entities})
		ids = append(ids, e.ID)
	})
	if err != nil {
		return nil, nil, err
	}
	trs := make([][]TranslationInput, len(out))
	for i, id := range ids {
		trs[i] = byOriginal[id]
	}
	return out, trs, nil
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
