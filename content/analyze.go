package content

import (
	"strings"
	"unicode/utf8"

	"github.com/weni-ai/sabia/nlu"
)

// prefixRunes is the length of the prefix that stands in for a stem: words
// longer than it also match by their first prefixRunes runes, so that
// "atendimento", "atendemos" and "atender" meet in Portuguese and Spanish
// without a stemmer per language.
const prefixRunes = 5

// term is one indexed unit of a text: a folded word, a word prefix or a
// synonym group of the word.
type term struct {
	text   string
	prefix bool // a prefix or a synonym group: a weaker match than the word
	tok    int  // index of the word among the text's content words
}

// analyze returns the retrieval terms of text: each content word (not a
// stop word, folded, chat abbreviations of lang expanded), for longer words
// its prefix, and, when lang is known, its synonym groups in the nlu
// lexicon ("valor" meets "preço"). Number tokens count as words. On the
// development set (datasets/content) synonyms raised the answerable
// questions answered from the right document from 0.439 to 0.589 at equal
// settings (and lowered abstention on unanswerable ones, which the IDF
// weighting of coverage restores; see Index.search).
func analyze(lang, text string) []term {
	var out []term
	w := 0
	for _, t := range nlu.Tokenize(text) {
		if t.Kind != nlu.KindWord && t.Kind != nlu.KindNumber {
			continue
		}
		norm := t.Norm
		if lang != "" {
			norm = nlu.Expand(lang, norm)
		}
		for _, word := range strings.Fields(norm) {
			if nlu.StopWord(word) {
				continue
			}
			out = append(out, term{text: word, tok: w})
			if utf8.RuneCountInString(word) > prefixRunes {
				out = append(out, term{text: string([]rune(word)[:prefixRunes]) + "~", prefix: true, tok: w})
			}
			if lang != "" {
				for _, g := range nlu.SynonymGroups(lang, word) {
					out = append(out, term{text: "=" + g, prefix: true, tok: w})
				}
			}
			w++
		}
	}
	return out
}
