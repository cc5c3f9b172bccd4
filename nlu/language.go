package nlu

import "strings"

// Language codes Sabiá knows, in Bothub's spelling.
const (
	LangPortugueseBR = "pt_br"
	LangPortuguese   = "pt"
	LangSpanish      = "es"
	LangEnglish      = "en"
)

// languageAliases maps forgiving spellings (already lower-cased, "-" → "_")
// to the canonical code. Bothub treats pt, pt-BR, pt_br and por as Brazilian
// Portuguese, and flows send any of them.
var languageAliases = map[string]string{
	"pt_br": LangPortugueseBR, "pt": LangPortugueseBR, "por": LangPortugueseBR, "ptbr": LangPortugueseBR,
	"pt_pt": LangPortuguese, "portuguese": LangPortugueseBR, "portugues": LangPortugueseBR,
	"es": LangSpanish, "spa": LangSpanish, "es_es": LangSpanish, "es_mx": LangSpanish, "es_ar": LangSpanish,
	"es_co": LangSpanish, "es_419": LangSpanish, "spanish": LangSpanish, "espanol": LangSpanish,
	"en": LangEnglish, "eng": LangEnglish, "en_us": LangEnglish, "en_gb": LangEnglish, "english": LangEnglish,
	"fr": "fr", "fra": "fr", "de": "de", "deu": "de", "it": "it", "ita": "it", "nl": "nl", "ru": "ru",
	"id": "id", "ar": "ar", "zh": "zh", "ja": "ja", "ko": "ko", "tr": "tr", "pl": "pl", "hi": "hi",
}

// ParseLanguage returns the canonical code for a forgiving spelling of a
// language ("pt-BR", "PT", "por" → "pt_br"), and false when it is unknown.
func ParseLanguage(s string) (string, bool) {
	k := strings.ToLower(strings.TrimSpace(s))
	k = strings.ReplaceAll(k, "-", "_")
	l, ok := languageAliases[k]
	if !ok {
		l, ok = languageAliases[Fold(k)]
	}
	return l, ok
}

// family returns the two-letter family of a language code ("pt_br" → "pt").
func family(lang string) string {
	if l, ok := ParseLanguage(lang); ok {
		lang = l
	}
	if i := strings.IndexByte(lang, '_'); i > 0 {
		return lang[:i]
	}
	return lang
}
