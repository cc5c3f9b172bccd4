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
			if stopWords[word] {
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

// stopWords are folded function words of Portuguese, Spanish and English,
// which say nothing about which passage answers a question. (Adding the
// verbs of asking — "posso", "quero", "puedo", "need" — moved the
// development set's trade-off the wrong way: 45.6% answered from the right
// document and 70.0% declined, against 44.4% and 75.0% without them.)
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, list := range []string{
		// Portuguese
		`a o as os um uma uns umas de do da dos das em no na nos nas por pelo pela pelos pelas para pra pro
		com sem e ou que se me te lhe nos vos eu tu ele ela eles elas voce voces meu minha meus minhas seu sua
		seus suas nosso nossa isso isto esse essa este esta aquele aquela ao aos qual quais quando como onde
		porque pq q ja tem ter sao ser estar esta estou foi sera era tambem mais muito mas nao sim la aqui ai
		vcs vc qto quanto quanta quantos quantas qtos qtas`,
		// Spanish
		`el la los las un una unos unas de del al en por para con sin y o u que se me te le les nos lo mi mis
		tu tus su sus nuestro nuestra este esta estos estas ese esa eso esto cual cuales cuando como donde
		porque es son ser estar estoy fue era tambien mas muy pero no si ya hay tiene tengo usted ustedes yo
		cuanto cuanta cuantos cuantas`,
		// English
		`the a an of to in on at for from by with without and or that this these those is are was were be
		been being do does did have has had i you he she it we they my your his her its our their me us them
		what which who whom when where why how can could would should will shall may might not no yes so
		there here about into than then`,
	} {
		for _, w := range strings.Fields(list) {
			m[w] = true
		}
	}
	return m
}()
