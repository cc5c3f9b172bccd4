package nlu

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// TokenKind says what a token is made of.
type TokenKind uint8

// Token kinds.
const (
	KindWord   TokenKind = iota // letters, possibly with digits ("7am", "não")
	KindNumber                  // digits, possibly with . , / - : inside ("123.456.789-09", "20/11")
	KindPunct                   // one punctuation rune
	KindSymbol                  // one symbol rune, emojis included
	KindURL                     // http(s)://… or www.…
	KindEmail                   // local@domain.tld
)

// Token is one unit of text with its original spelling, its normalised form
// and its rune offsets into the original text (End exclusive).
type Token struct {
	Text       string
	Norm       string
	Start, End int
	Kind       TokenKind
}

// Tokenize splits text into tokens, keeping rune offsets into text. Invalid
// UTF-8 bytes count as one rune each (utf8.RuneError) and become symbols.
func Tokenize(text string) []Token {
	runes := []rune(text)
	toks := make([]Token, 0, len(runes)/4+1)
	n := len(runes)
	for i := 0; i < n; {
		r := runes[i]
		switch {
		case unicode.IsSpace(r) || r == '\u200d' || r == '\ufe0f':
			i++
		case startsURL(runes, i):
			j := i
			for j < n && !unicode.IsSpace(runes[j]) {
				j++
			}
			for j > i+1 && strings.ContainsRune(".,;:!?)]}'\"", runes[j-1]) {
				j--
			}
			toks = append(toks, Token{Text: string(runes[i:j]), Norm: "<url>", Start: i, End: j, Kind: KindURL})
			i = j
		case isWordRune(r) && emailEnd(runes, i) > i:
			e := emailEnd(runes, i) // local parts are short: see maxEmailLocal
			toks = append(toks, Token{Text: string(runes[i:e]), Norm: "<email>", Start: i, End: e, Kind: KindEmail})
			i = e
		case isWordRune(r):
			j := i
			for j < n && (isWordRune(runes[j]) || (isJoiner(runes[j]) && j+1 < n && isWordRune(runes[j+1]) && j > i)) {
				// numbers keep their separators: 123.456.789-09, 20/11, 10:30, 1,50
				if isJoiner(runes[j]) && !(unicode.IsDigit(runes[j-1]) && unicode.IsDigit(runes[j+1])) && runes[j] != '\'' && runes[j] != '’' {
					break
				}
				j++
			}
			t := Token{Text: string(runes[i:j]), Start: i, End: j, Kind: KindWord}
			if allDigitsOrSep(runes[i:j]) {
				t.Kind = KindNumber
			}
			t.Norm = normalizeToken(t.Text, t.Kind)
			toks = append(toks, t)
			i = j
		default:
			k := KindSymbol
			if unicode.IsPunct(r) {
				k = KindPunct
			}
			toks = append(toks, Token{Text: string(r), Norm: string(r), Start: i, End: i + 1, Kind: k})
			i++
		}
	}
	return toks
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func isJoiner(r rune) bool {
	switch r {
	case '.', ',', '/', '-', ':', '\'', '’':
		return true
	}
	return false
}

func allDigitsOrSep(rs []rune) bool {
	hasDigit := false
	for _, r := range rs {
		if unicode.IsDigit(r) {
			hasDigit = true
			continue
		}
		if !isJoiner(r) {
			return false
		}
	}
	return hasDigit
}

func startsURL(rs []rune, i int) bool {
	if i > 0 && isWordRune(rs[i-1]) {
		return false
	}
	rest := rs[i:]
	if len(rest) > 12 {
		rest = rest[:12]
	}
	s := strings.ToLower(string(rest))
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "www.")
}

// maxEmailLocal bounds the local part of an e-mail address (RFC 5321 says
// 64 octets), which also keeps the tokeniser linear on long texts.
const maxEmailLocal = 64 // runes

// emailEnd returns the end of an e-mail address starting at i, or -1.
func emailEnd(rs []rune, i int) int {
	j := i
	for j < len(rs) && j-i <= maxEmailLocal && (isWordRune(rs[j]) || strings.ContainsRune("._%+-", rs[j])) {
		j++
	}
	if j >= len(rs) || rs[j] != '@' {
		return -1
	}
	j++
	start := j
	dot := false
	for j < len(rs) && (isWordRune(rs[j]) || rs[j] == '-' || (rs[j] == '.' && j+1 < len(rs) && isWordRune(rs[j+1]))) {
		if rs[j] == '.' {
			dot = true
		}
		j++
	}
	if !dot || j == start {
		return -1
	}
	return j
}

// Fold lower-cases s, removes accents and folds compatibility forms ("Não" →
// "nao", "AÇÃO" → "acao", "2ª" → "2a", full-width letters to plain ones).
func Fold(s string) string {
	if f, ok := foldASCII(s); ok {
		return f
	}
	return foldFull(s)
}

// foldFull is Fold without its ASCII fast path.
func foldFull(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFKD.String(strings.ToValidUTF8(s, "\uFFFD")) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// foldASCII is Fold's fast path for ASCII text, where NFKD changes nothing
// and there are no marks to drop: it lower-cases, and allocates only when
// there is an upper-case letter. ok is false for any other text.
func foldASCII(s string) (string, bool) {
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return "", false
		}
		upper = upper || ('A' <= c && c <= 'Z')
	}
	if !upper {
		return s, true
	}
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b), true
}

// squeeze collapses runs of three or more equal letters into one
// ("simmmm" → "sim", "nãooo" → "não") and keeps double letters ("carro").
func squeeze(s string) string {
	if len(s) < 3 || !hasRun3(s) {
		return s
	}
	return squeezeRunes(s)
}

// squeezeRunes is squeeze without its fast path for text with no run.
func squeezeRunes(s string) string {
	rs := []rune(s)
	out := rs[:0:0]
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && rs[j] == rs[i] {
			j++
		}
		if j-i >= 3 && unicode.IsLetter(rs[i]) {
			out = append(out, rs[i])
		} else {
			out = append(out, rs[i:j]...)
		}
		i = j
	}
	return string(out)
}

// hasRun3 reports whether s has three equal runes in a row.
func hasRun3(s string) bool {
	var p1, p2 rune = -1, -2
	for _, r := range s {
		if r == p1 && r == p2 {
			return true
		}
		p2, p1 = p1, r
	}
	return false
}

// chatAbbreviations maps WhatsApp-style abbreviations (already folded) to the
// word they stand for, per language family. Kept per language because "to"
// means "estou" in Portuguese chat and is a plain word in English.
var chatAbbreviations = map[string]map[string]string{
	"pt": {
		"vc": "voce", "vcs": "voces", "voc": "voce", "ce": "voce", "pq": "porque", "q": "que",
		"tb": "tambem", "tbm": "tambem", "blz": "beleza", "hj": "hoje", "td": "tudo", "tds": "todos",
		"cmg": "comigo", "ctz": "certeza", "obg": "obrigado", "obgd": "obrigado", "obgda": "obrigada",
		"vlw": "valeu", "pfv": "favor", "pf": "favor", "pfvr": "favor", "qdo": "quando", "qnd": "quando",
		"qto": "quanto", "mto": "muito", "mt": "muito", "mtos": "muitos", "msg": "mensagem",
		"msgs": "mensagens", "pra": "para", "pro": "para", "p": "para", "n": "nao", "nn": "nao",
		"naum": "nao", "eh": "e", "to": "estou", "ta": "esta", "aki": "aqui", "oq": "que", "qm": "quem",
		"agr": "agora", "dps": "depois", "vdd": "verdade", "gnt": "gente", "hrs": "horas", "qr": "quer",
		"kd": "cade", "kero": "quero", "axo": "acho", "fds": "fim", "bjs": "beijos", "cel": "celular",
		"num": "nao", "ngm": "ninguem", "alguem": "alguem", "sao": "sao",
	},
	"es": {
		"q": "que", "k": "que", "ke": "que", "xq": "porque", "pq": "porque", "porq": "porque",
		"tmb": "tambien", "tb": "tambien", "dnd": "donde", "x": "por", "xfa": "favor", "xfavor": "favor",
		"pf": "favor", "pfv": "favor", "pls": "favor", "kero": "quiero", "msj": "mensaje", "msg": "mensaje",
		"toy": "estoy", "tas": "estas", "d": "de", "salu2": "saludos", "bn": "bien", "hno": "hermano",
		"n": "no", "nd": "nada", "grax": "gracias", "tqm": "quiero", "vdd": "verdad", "cel": "celular",
	},
	"en": {
		"u": "you", "ur": "your", "r": "are", "thx": "thanks", "ty": "thanks", "pls": "please",
		"plz": "please", "bc": "because", "cuz": "because", "b4": "before", "msg": "message",
		"im": "i'm", "dont": "don't", "cant": "can't", "wanna": "want", "gonna": "going",
	},
}

// Expand returns the word a chat abbreviation stands for in the language
// (a code accepted by ParseLanguage; unknown languages expand nothing), or norm
// itself. norm must already be normalised (folded and squeezed).
func Expand(lang, norm string) string {
	m := chatAbbreviations[family(lang)]
	if e, ok := m[norm]; ok {
		return e
	}
	return norm
}

// normalizeToken folds case and accents and squeezes repeated letters; numbers keep their digits up to four, longer ones
// become a digit-shape class so that CPFs, phones and card numbers generalise.
func normalizeToken(text string, kind TokenKind) string {
	if kind == KindNumber {
		digits := 0
		for _, r := range text {
			if unicode.IsDigit(r) {
				digits++
			}
		}
		if digits <= 4 && utf8.RuneCountInString(text) == digits {
			return text
		}
		return "<num" + numberClass(digits) + ">"
	}
	f := squeeze(Fold(text))
	if f == "" { // a lone combining mark: keep it rather than an empty feature
		f = strings.ToLower(text)
	}
	return strings.ReplaceAll(f, "’", "'")
}

func numberClass(digits int) string {
	switch {
	case digits == 11:
		return "11" // CPF, mobile phone with area code
	case digits == 14:
		return "14" // CNPJ
	case digits == 8:
		return "8" // CEP, phone without area code
	case digits >= 13 && digits <= 19:
		return "card"
	default:
		return ""
	}
}
