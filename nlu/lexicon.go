package nlu

import (
	"bufio"
	"embed"
	"hash/crc32"
	"strings"
	"sync"
)

// The lexicons are hand-written synonym groups, one per line ("buy, bought,
// purchase"), per language family; lexicon/README.md tells how they were
// written. A word of a group also yields the group as a feature, so that an
// intent shown "beautiful" recognises "gorgeous".
//
//go:embed lexicon/*.txt
var lexiconFS embed.FS

var (
	lexiconOnce  sync.Once
	lexicons     map[string]map[string][]string // family → normalised word → group keys
	lexiconPrint map[string]uint32              // family → CRC-32 of its file
)

// synonymGroups returns the keys of the synonym groups of a normalised word
// in lang's lexicon (nil when it has none).
func synonymGroups(lang, w string) []string { return lexiconOf(family(lang))[w] }

// SynonymGroups returns the keys of the synonym groups of a normalised word
// (a Token's Norm) in lang's hand-written lexicon, nil when it has none.
// Two words share a key when the lexicon lists them as synonyms. The slice
// is shared: do not modify it.
func SynonymGroups(lang, norm string) []string { return synonymGroups(lang, norm) }

// lexiconOf returns the lexicon of a language family (nil when none): each
// normalised word's group keys.
func lexiconOf(fam string) map[string][]string {
	lexiconOnce.Do(loadLexicons)
	return lexicons[fam]
}

// lexiconFingerprint identifies the lexicon lang's features use (0: none).
// A model records it, and Decode refuses a model whose lexicon is not the
// one this build has, since its features would no longer mean the same.
func lexiconFingerprint(lang string) uint32 {
	lexiconOnce.Do(loadLexicons)
	return lexiconPrint[family(lang)]
}

// lexiconFormat is part of every lexicon's fingerprint: bump it whenever
// parseLexicon's output for the same file changes, so that models trained
// on the old groups are refused like those of another file. (A word listed
// in two non-adjacent lines of one key gets that key twice, and so counts it
// twice as much; the shipped figures were measured so.)
const lexiconFormat = 1

func loadLexicons() {
	lexicons = map[string]map[string][]string{}
	lexiconPrint = map[string]uint32{}
	files, _ := lexiconFS.ReadDir("lexicon")
	for _, f := range files {
		fam, ok := strings.CutSuffix(f.Name(), ".txt")
		if !ok {
			continue
		}
		b, err := lexiconFS.ReadFile("lexicon/" + f.Name())
		if err != nil {
			continue
		}
		lexicons[fam] = parseLexicon(string(b))
		lexiconPrint[fam] = crc32.Update(crc32.ChecksumIEEE(b), crc32.IEEETable, []byte{lexiconFormat})
	}
}

// parseLexicon reads synonym groups: one per line, words separated by
// commas, "#" starting a comment line. Words are normalised as tokens are;
// a group's key is its first word. Entries with spaces are skipped (the
// feature works on single tokens).
func parseLexicon(text string) map[string][]string {
	out := map[string][]string{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var words []string
		for _, w := range strings.Split(line, ",") {
			w = strings.TrimSpace(w)
			if w == "" || strings.ContainsAny(w, " \t") {
				continue
			}
			words = append(words, normalizeToken(w, KindWord))
		}
		if len(words) < 2 {
			continue
		}
		key := words[0]
		for _, w := range words {
			if g := out[w]; len(g) == 0 || g[len(g)-1] != key {
				out[w] = append(out[w], key)
			}
		}
	}
	return out
}
