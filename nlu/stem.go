package nlu

import (
	"strings"
	"unicode/utf8"
)

// stemSuffixes are suffixes stripped by the light stemmer, longest first.
// The stem is an extra feature beside the word, so conflating a little too
// much ("cancelar", "cancelamento", "cancelado" → "cancel") is the point.
var stemSuffixes = map[string][]string{
	"pt": {"amentos", "imentos", "amento", "imento", "acoes", "mente", "idades", "idade", "adoras", "adores", "adora", "ador",
		"ancia", "encia", "istas", "ista", "aram", "eram", "iram", "ando", "endo", "indo", "ados", "idos", "adas", "idas",
		"acao", "ado", "ido", "ada", "ida", "ava", "ara", "ira", "ear", "ar", "er", "ir", "am", "em", "os", "as", "es", "ei", "ou",
		"s", "o", "a", "e"},
	"es": {"amientos", "imientos", "amiento", "imiento", "aciones", "mente", "idades", "idad", "adoras", "adores", "adora", "ador",
		"ancia", "encia", "istas", "ista", "aron", "ieron", "ando", "iendo", "ados", "idos", "adas", "idas", "acion",
		"ado", "ido", "ada", "ida", "aba", "ar", "er", "ir", "an", "en", "os", "as", "es", "e", "s", "o", "a"},
	"en": {"ational", "ations", "ation", "ments", "ment", "ingly", "ness", "ing", "ies", "ied", "ers", "ed", "er", "ly", "es", "s"},
}

// minStemRunes keeps stems long enough to mean something.
const minStemRunes = 3

// stem returns a light stem of a normalised word, or the word itself when
// the language has no stemmer or nothing applies.
func stem(lang, w string) string { return stemFamily(family(lang), w) }

// stemFamily is stem for a language family ("pt", "es", "en").
func stemFamily(fam, w string) string {
	sfx, ok := stemSuffixes[fam]
	if !ok {
		return w
	}
	n := utf8.RuneCountInString(w)
	if n <= minStemRunes {
		return w
	}
	for _, s := range sfx {
		if strings.HasSuffix(w, s) && n-utf8.RuneCountInString(s) >= minStemRunes {
			return w[:len(w)-len(s)]
		}
	}
	return w
}

// Stem returns the light stem of a normalised word (a Token's Norm) in lang
// ("entregam", "entrega" → "entreg"), or the word itself when lang has no
// stemmer or nothing applies. The classifier uses it as a feature beside the
// word.
func Stem(lang, norm string) string { return stem(lang, norm) }
