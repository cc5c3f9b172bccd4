package nlu

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Built-in entity names, as ExtractBuiltins reports them.
const (
	BuiltinEmail  = "email"  // e-mail address
	BuiltinPhone  = "phone"  // Brazilian or international phone number
	BuiltinCPF    = "cpf"    // Brazilian individual taxpayer id, check digits verified
	BuiltinCNPJ   = "cnpj"   // Brazilian company id, check digits verified
	BuiltinCEP    = "cep"    // Brazilian postal code
	BuiltinMoney  = "money"  // an amount with a currency
	BuiltinNumber = "number" // digits or number words
	BuiltinDate   = "date"   // a calendar day, absolute or relative
)

// Confidences of built-in entities. Pattern-certain matches get 1; the
// others say how often the reading is the intended one in chat traffic.
const (
	confCertain      = 1.0
	confBarePhone    = 0.9 // 10–11 bare digits with a valid area code: phones, but also ids
	confShortPhone   = 0.8 // 8–9 digits with a hyphen and no area code
	confBareCPF      = 0.9 // 11 bare digits that pass the CPF check and also look like a mobile phone
	confCEPNoContext = 0.9 // 00000-000 without "cep" nearby
	confBareCEP      = 0.8 // 8 bare digits with "cep" nearby
	confSlangMoney   = 0.9 // "contos", "pila", "bucks"
	confArticle      = 0.5 // "um", "una", "un": far more often an article than a quantity
	confOne          = 0.8 // "one", "uno": often a pronoun
	confBareWeekday  = 0.7 // pt "segunda", "quinta" alone are also ordinals
	confMorning      = 0.9 // es "mañana" alone may be "morning"
)

// builtinContextWindow is how many tokens before a match are searched for
// words such as "cep" or "telefone".
const builtinContextWindow = 5 // tokens

// Regular expressions for the digit-based entities. Go's regexp runs in
// linear time; boundaries are checked by hand because \b is ASCII-only and
// Go has no look-behind.
var (
	cpfRe       = regexp.MustCompile(`\d{3}[.\s]?\d{3}[.\s]?\d{3}[-.\s]?\d{2}`)
	cnpjRe      = regexp.MustCompile(`\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}`)
	cepRe       = regexp.MustCompile(`\d{2}\.?\d{3}-\d{3}|\d{8}`)
	phoneBRRe   = regexp.MustCompile(`(?:\+\s?55[\s.-]?)?(?:\(\s?0?\d{2}\s?\)[\s.-]?|0?\d{2}[\s.-]?)?(?:9[\s.]?)?\d{4}[\s.-]?\d{4}`)
	phoneIntlRe = regexp.MustCompile(`\+\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,5}`)
	phoneAreaRe = regexp.MustCompile(`\(\s?\d{2,4}\s?\)\s?\d{3,5}[\s.-]?\d{4}`)
)

var (
	cpfContext   = builtinWords("cpf")
	cepContext   = builtinWords("cep", "postal", "zip")
	phoneContext = builtinWords("telefone", "tel", "fone", "celular", "cel", "whatsapp", "whats", "zap", "wpp",
		"numero", "contato", "ligar", "ligue", "liga", "telefono", "movil", "phone", "call", "mobile")
)

func builtinWords(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// builtinLangs says which languages' words to recognise, with their
// tables merged once at start-up.
type builtinLangs struct {
	pt, es, en bool
	numbers    map[string]int
	months     map[string]time.Month // full names and abbreviations
	weekdays   map[string]time.Weekday
	relative   map[string][]relativeDay // by first word
}

var (
	langsPT  = newBuiltinLangs(true, false, false)
	langsES  = newBuiltinLangs(false, true, false)
	langsEN  = newBuiltinLangs(false, false, true)
	langsAll = newBuiltinLangs(true, true, true)
)

func newBuiltinLangs(pt, es, en bool) *builtinLangs {
	l := &builtinLangs{pt: pt, es: es, en: en, numbers: map[string]int{}, months: map[string]time.Month{},
		weekdays: map[string]time.Weekday{}, relative: map[string][]relativeDay{}}
	add := func(on bool, nums map[string]int, months map[string]time.Month, days map[string]time.Weekday, rel []relativeDay) {
		if !on {
			return
		}
		for k, v := range nums {
			l.numbers[k] = v
		}
		for k, v := range months {
			l.months[k] = v
		}
		for k, v := range days {
			l.weekdays[k] = v
		}
		for _, r := range rel {
			l.relative[r.words[0]] = append(l.relative[r.words[0]], r)
		}
	}
	add(pt, numberWordsPT, monthsPT, weekdaysPT, relativeDaysPT)
	add(es, numberWordsES, monthsES, weekdaysES, relativeDaysES)
	add(en, numberWordsEN, monthsEN, weekdaysEN, relativeDaysEN)
	delete(l.numbers, "hundred") // only after "a" or "one"
	return l
}

func langsFor(lang string) *builtinLangs {
	switch family(lang) {
	case "pt":
		return langsPT
	case "es":
		return langsES
	case "en":
		return langsEN
	}
	return langsAll
}

// builtinScan holds one ExtractBuiltins call.
type builtinScan struct {
	text    string
	toks    []Token
	norms   []string // normalised tokens, chat abbreviations expanded for pt
	langs   *builtinLangs
	now     time.Time
	noon    time.Time // today(), cached
	runes   []rune
	regions [][2]int // byte ranges where digit entities may be, see digitRegions
}

// digitRegions returns the byte ranges of text made only of digits and the
// characters phones, CPFs and CEPs are written with, and holding at least
// eight digits. The regexps run only there.
func digitRegions(text string) [][2]int {
	var out [][2]int
	start, digits := -1, 0
	for i := 0; i <= len(text); i++ {
		c := byte(0)
		if i < len(text) {
			c = text[i]
		}
		switch {
		case c >= '0' && c <= '9':
			digits++
			if start < 0 {
				start = i
			}
		case c != 0 && strings.IndexByte(" \t\n\r\f.-()/+", c) >= 0:
			if start < 0 {
				start = i
			}
		default:
			if start >= 0 && digits >= 8 {
				out = append(out, [2]int{start, i})
			}
			start, digits = -1, 0
		}
	}
	return out
}

// ExtractBuiltins finds the built-in entities of text, which need no
// training: email, phone, cpf, cnpj, cep, money, number and date. toks
// must be Tokenize(text); lang (any spelling ParseLanguage accepts; unknown
// means all of pt, es and en) picks the words recognised. Canonical values:
// email lower-cased; phone "+<digits>" when the country is known (typed, or
// Brazil when lang is Portuguese and there is an area code), else digits;
// cpf and cnpj digits; cep "00000-000"; money the amount with two decimals
// ("50.00"); number digits with "." as decimal point ("1.5"); date ISO
// "2006-01-02" in now's location. Relative dates ("amanhã", "el lunes",
// "dia 5") resolve against now; dates without a year, weekdays and day
// numbers resolve to their next occurrence, today included, except that a
// weekday said on that same weekday means a week later. Confidence is 1
// for pattern-certain matches and lower for ambiguous ones (a bare 8-digit
// CEP, "um" as a number, "segunda" alone). Outputs never overlap: the more
// specific entity wins (email, cpf, cnpj, cep, phone, money, date, number,
// in that order), then the longer.
func ExtractBuiltins(text string, toks []Token, lang string, now time.Time) []Entity {
	if len(toks) == 0 {
		return nil
	}
	b := &builtinScan{text: text, toks: toks, langs: langsFor(lang), now: now}
	b.norms = make([]string, len(toks))
	abbrev := chatAbbreviations["pt"]
	for i, tk := range toks {
		n := tk.Norm
		if e, ok := abbrev[n]; ok && tk.Kind == KindWord && b.langs.pt {
			n = e
		}
		b.norms[i] = n
	}
	var emails []Entity
	digits := 0
	for _, tk := range toks {
		switch tk.Kind {
		case KindEmail:
			e := b.spanEntity(BuiltinEmail, b.emailStart(tk.Start), tk.End, confCertain, "")
			e.Canonical = strings.ToLower(e.Value)
			emails = append(emails, e)
		case KindNumber, KindWord:
			for _, r := range tk.Text {
				if r >= '0' && r <= '9' {
					digits++
				}
			}
		}
	}
	var cpfs, cnpjs, ceps, phones []Entity
	if digits >= 8 {
		b.regions = digitRegions(text)
	}
	if len(b.regions) > 0 {
		cpfs = b.cpfs()
		cnpjs = b.cnpjs()
		ceps = b.ceps()
		phones = b.phones()
	}
	money := b.money()
	dates := b.dates()
	numbers := b.numbers()
	return MergeEntities(emails, cpfs, cnpjs, ceps, phones, money, dates, numbers)
}

// emailStart moves the start of an e-mail token back over the local part
// that Tokenize leaves in front of it: "maria.silva@x.com" comes out as
// "maria", ".", "silva@x.com".
func (b *builtinScan) emailStart(start int) int {
	if b.runes == nil {
		b.runes = []rune(b.text)
	}
	for start > 0 && start <= len(b.runes) {
		r := b.runes[start-1]
		if !isWordRune(r) && !strings.ContainsRune("._%+-", r) {
			break
		}
		start--
	}
	for start < len(b.runes) && !isWordRune(b.runes[start]) {
		start++ // the local part starts with a letter or digit
	}
	return start
}

// spanEntity builds an entity over runes [start, end) of the text.
func (b *builtinScan) spanEntity(name string, start, end int, conf float64, canonical string) Entity {
	if b.runes == nil {
		b.runes = []rune(b.text)
	}
	start, end = clampSpan(start, end, len(b.runes))
	return Entity{Entity: name, Value: string(b.runes[start:end]), Start: start, End: end,
		Confidence: conf, Source: SourceBuiltin, Canonical: canonical}
}

// tokenEntity builds an entity over tokens [i, j].
func (b *builtinScan) tokenEntity(name string, i, j int, conf float64, canonical string) Entity {
	return b.spanEntity(name, b.toks[i].Start, b.toks[j].End, conf, canonical)
}

// digitMatch is a regexp match in runes, with its text.
type digitMatch struct {
	start, end int
	s          string
}

// digitMatches returns the matches of re that are not glued to a letter or
// digit on either side.
func (b *builtinScan) digitMatches(re *regexp.Regexp) []digitMatch {
	var out []digitMatch
	for _, reg := range b.regions {
		out = b.regionMatches(re, reg, out)
	}
	return out
}

func (b *builtinScan) regionMatches(re *regexp.Regexp, reg [2]int, out []digitMatch) []digitMatch {
	for _, loc := range re.FindAllStringIndex(b.text[reg[0]:reg[1]], -1) {
		bs, be := reg[0]+loc[0], reg[0]+loc[1]
		if bs > 0 {
			if r, _ := utf8.DecodeLastRuneInString(b.text[:bs]); isWordRune(r) {
				continue
			}
		}
		if be < len(b.text) {
			if r, _ := utf8.DecodeRuneInString(b.text[be:]); isWordRune(r) {
				continue
			}
			// "123.456.789-09.5" or "1234-5678-9": part of a longer number.
			if rest := b.text[be:]; len(rest) >= 2 && strings.ContainsRune(".,-/", rune(rest[0])) && rest[1] >= '0' && rest[1] <= '9' {
				continue
			}
		}
		start := utf8.RuneCountInString(b.text[:bs])
		out = append(out, digitMatch{start: start, end: start + utf8.RuneCountInString(b.text[bs:be]), s: b.text[bs:be]})
	}
	return out
}

// nearby reports whether one of words is among the builtinContextWindow
// tokens before rune offset start (or the token right after end).
func (b *builtinScan) nearby(start, end int, words map[string]bool) bool {
	first := -1
	for i, tk := range b.toks {
		if tk.End > start {
			first = i
			break
		}
	}
	if first < 0 {
		first = len(b.toks)
	}
	for i := max(0, first-builtinContextWindow); i < first; i++ {
		if words[b.norms[i]] {
			return true
		}
	}
	for i, tk := range b.toks {
		if tk.Start >= end {
			return words[b.norms[i]]
		}
	}
	return false
}

func digitsOf(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			sb.WriteByte(s[i])
		}
	}
	return sb.String()
}

// validCPF checks the two CPF check digits of 11 digits.
func validCPF(d string) bool {
	if len(d) != 11 || strings.Count(d, d[:1]) == 11 {
		return false
	}
	for k := 9; k <= 10; k++ {
		sum := 0
		for i := 0; i < k; i++ {
			sum += int(d[i]-'0') * (k + 1 - i)
		}
		check := sum * 10 % 11 % 10
		if check != int(d[k]-'0') {
			return false
		}
	}
	return true
}

// validCNPJ checks the two CNPJ check digits of 14 digits.
func validCNPJ(d string) bool {
	if len(d) != 14 || strings.Count(d, d[:1]) == 14 {
		return false
	}
	weights := []int{6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}
	for k := 12; k <= 13; k++ {
		sum := 0
		for i := 0; i < k; i++ {
			sum += int(d[i]-'0') * weights[i+13-k]
		}
		check := sum % 11
		if check < 2 {
			check = 0
		} else {
			check = 11 - check
		}
		if check != int(d[k]-'0') {
			return false
		}
	}
	return true
}

// mobileLike reports whether 11 digits read as a Brazilian mobile: a valid
// area code then 9.
func mobileLike(d string) bool {
	return len(d) == 11 && validDDD(d[:2]) && d[2] == '9'
}

// validDDD reports whether two digits are a plausible Brazilian area code
// (11–99 without a zero).
func validDDD(d string) bool {
	return len(d) == 2 && d[0] >= '1' && d[0] <= '9' && d[1] >= '1' && d[1] <= '9'
}

func (b *builtinScan) cpfs() []Entity {
	var out []Entity
	for _, m := range b.digitMatches(cpfRe) {
		d := digitsOf(m.s)
		if !validCPF(d) {
			continue
		}
		conf := confCertain
		if d == m.s && mobileLike(d) {
			if b.nearby(m.start, m.end, cpfContext) {
				conf = confCertain
			} else if b.nearby(m.start, m.end, phoneContext) {
				continue
			} else {
				conf = confBareCPF
			}
		}
		out = append(out, b.spanEntity(BuiltinCPF, m.start, m.end, conf, d))
	}
	return out
}

func (b *builtinScan) cnpjs() []Entity {
	var out []Entity
	for _, m := range b.digitMatches(cnpjRe) {
		if d := digitsOf(m.s); validCNPJ(d) {
			out = append(out, b.spanEntity(BuiltinCNPJ, m.start, m.end, confCertain, d))
		}
	}
	return out
}

func (b *builtinScan) ceps() []Entity {
	var out []Entity
	for _, m := range b.digitMatches(cepRe) {
		d := digitsOf(m.s)
		ctx := b.nearby(m.start, m.end, cepContext)
		conf := confCertain
		switch {
		case d == m.s && !ctx:
			continue
		case d == m.s:
			conf = confBareCEP
		case !ctx:
			conf = confCEPNoContext
		}
		out = append(out, b.spanEntity(BuiltinCEP, m.start, m.end, conf, d[:5]+"-"+d[5:]))
	}
	return out
}

func (b *builtinScan) phones() []Entity {
	var out []Entity
	for _, re := range []*regexp.Regexp{phoneBRRe, phoneIntlRe, phoneAreaRe} {
		for _, m := range b.digitMatches(re) {
			if conf, canonical, ok := b.classifyPhone(m.s); ok {
				out = append(out, b.spanEntity(BuiltinPhone, m.start, m.end, conf, canonical))
			}
		}
	}
	return out
}

// classifyPhone decides whether a phone-shaped match is a phone, how sure
// that is, and its canonical form: +<digits> when the country is known
// (given, or Brazil for Portuguese with an area code), digits otherwise.
func (b *builtinScan) classifyPhone(s string) (float64, string, bool) {
	d := digitsOf(s)
	plus := strings.HasPrefix(s, "+")
	if plus {
		if len(d) < 10 || len(d) > 15 {
			return 0, "", false
		}
		return confCertain, "+" + d, true
	}
	national := d
	if (len(d) == 11 || len(d) == 12) && d[0] == '0' {
		national = d[1:] // trunk prefix: (011) 3333-4444
	}
	canonical := national
	withArea := len(national) == 10 || (len(national) == 11 && national[2] == '9')
	if withArea && validDDD(national[:2]) && b.langs.pt && !b.langs.es {
		canonical = "+55" + national
	}
	switch {
	case strings.Contains(s, "(") && (withArea || len(d) >= 9 && len(d) <= 12):
		return confCertain, canonical, true
	case withArea && validDDD(national[:2]):
		if d == s {
			return confBarePhone, canonical, true
		}
		return confCertain, canonical, true
	case (len(d) == 8 || (len(d) == 9 && d[0] == '9')) && strings.Contains(s, "-"):
		return confShortPhone, d, true
	}
	return 0, "", false
}

// decimalNum is a non-negative decimal number kept as digit strings, so that
// long amounts keep every digit.
type decimalNum struct{ whole, frac string }

func (d decimalNum) String() string {
	w := strings.TrimLeft(d.whole, "0")
	if w == "" {
		w = "0"
	}
	f := strings.TrimRight(d.frac, "0")
	if f == "" {
		return w
	}
	return w + "." + f
}

// cents formats d with exactly two decimals.
func (d decimalNum) cents() string {
	w := strings.TrimLeft(d.whole, "0")
	if w == "" {
		w = "0"
	}
	f := d.frac + "00"
	return w + "." + f[:2]
}

// shift multiplies d by 10^n (n ≥ 0).
func (d decimalNum) shift(n int) decimalNum {
	for ; n > 0; n-- {
		if d.frac == "" {
			d.whole += "0"
		} else {
			d.whole += d.frac[:1]
			d.frac = d.frac[1:]
		}
	}
	return d
}

// parseAmount reads a number written with digits and . or , separators:
// a separator followed by exactly three digits that is not the last
// decimal one groups thousands ("1.500", "1,500", "1.234,56"); otherwise
// the last separator is the decimal point ("1,5", "3.14").
func parseAmount(s string) (decimalNum, bool) {
	if s == "" || s[0] < '0' || s[0] > '9' || s[len(s)-1] < '0' || s[len(s)-1] > '9' {
		return decimalNum{}, false
	}
	var groups []string
	var seps []byte
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			continue
		}
		if c != '.' && c != ',' {
			return decimalNum{}, false
		}
		groups = append(groups, s[start:i])
		seps = append(seps, c)
		start = i + 1
	}
	groups = append(groups, s[start:])
	if len(seps) == 0 {
		return decimalNum{whole: s}, true
	}
	last := seps[len(seps)-1]
	mixed := false
	for _, c := range seps {
		mixed = mixed || c != last
	}
	lastGroup := groups[len(groups)-1]
	decimalLast := mixed || len(lastGroup) != 3 || (len(seps) == 1 && groups[0] == "0")
	// Every thousands group has three digits; the first has one to three.
	thousands := groups[:len(groups)-1]
	if !decimalLast {
		thousands = groups
	}
	if len(thousands[0]) > 3 && len(thousands) > 1 {
		return decimalNum{}, false
	}
	for i, g := range thousands {
		if i > 0 && len(g) != 3 || g == "" {
			return decimalNum{}, false
		}
	}
	if decimalLast {
		for _, c := range seps[:len(seps)-1] {
			if c == last {
				return decimalNum{}, false // "1.234.5"
			}
		}
		return decimalNum{whole: strings.Join(thousands, ""), frac: lastGroup}, true
	}
	return decimalNum{whole: strings.Join(thousands, "")}, true
}

// Number words (folded), per language.
var (
	numberWordsPT = map[string]int{
		"zero": 0, "um": 1, "uma": 1, "dois": 2, "duas": 2, "tres": 3, "quatro": 4, "cinco": 5, "seis": 6,
		"sete": 7, "oito": 8, "nove": 9, "dez": 10, "onze": 11, "doze": 12, "treze": 13, "catorze": 14,
		"quatorze": 14, "quinze": 15, "dezesseis": 16, "dezasseis": 16, "dezessete": 17, "dezoito": 18,
		"dezenove": 19, "dezanove": 19, "vinte": 20, "trinta": 30, "quarenta": 40, "cinquenta": 50,
		"cincoenta": 50, "sessenta": 60, "setenta": 70, "oitenta": 80, "noventa": 90, "cem": 100,
	}
	numberWordsES = map[string]int{
		"cero": 0, "uno": 1, "una": 1, "un": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
		"siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14,
		"quince": 15, "dieciseis": 16, "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20,
		"veintiuno": 21, "veintiun": 21, "veintiuna": 21, "veintidos": 22, "veintitres": 23,
		"veinticuatro": 24, "veinticinco": 25, "veintiseis": 26, "veintisiete": 27, "veintiocho": 28,
		"veintinueve": 29, "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70,
		"ochenta": 80, "noventa": 90, "cien": 100,
	}
	numberWordsEN = map[string]int{
		"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
		"nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
		"sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
		"forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
	}
	// numberWordConf lowers the confidence of words that are usually
	// something else.
	numberWordConf = map[string]float64{"um": confArticle, "uma": confArticle, "un": confArticle,
		"una": confArticle, "uno": confOne, "one": confOne}
)

// numberWord returns the value of the folded word in the active languages.
func (b *builtinScan) numberWord(w string) (int, bool) {
	v, ok := b.langs.numbers[w]
	return v, ok
}

// wordNumberAt reads a number written in words at token i ("vinte e
// cinco", "treinta y dos", "twenty-five", "a hundred") and returns its
// value, its last token and a confidence.
func (b *builtinScan) wordNumberAt(i int) (int, int, float64, bool) {
	w := b.norms[i]
	if b.langs.en && (w == "a" || w == "one") && i+1 < len(b.toks) && b.norms[i+1] == "hundred" {
		return 100, i + 1, confCertain, true
	}
	v, ok := b.numberWord(w)
	if !ok || b.toks[i].Kind != KindWord {
		return 0, 0, 0, false
	}
	conf := confCertain
	if c, ok := numberWordConf[w]; ok {
		conf = c
	}
	end := i
	if v >= 20 && v < 100 && v%10 == 0 {
		// tens [e|y|-|and] unit
		j := i + 1
		if j < len(b.toks) {
			switch b.norms[j] {
			case "e", "y", "-", "and":
				j++
			}
		}
		if j < len(b.toks) && b.toks[j].Kind == KindWord {
			if u, ok := b.numberWord(b.norms[j]); ok && u >= 1 && u <= 9 {
				v += u
				end = j
				conf = confCertain
			}
		}
	}
	return v, end, conf, true
}

// amountAt reads an amount at token i: digits ("1.500,00") or number words,
// optionally followed by a thousands word ("50 mil", "2 thousand").
func (b *builtinScan) amountAt(i int) (decimalNum, int, float64, bool) {
	var d decimalNum
	end, conf := i, confCertain
	switch tk := b.toks[i]; tk.Kind {
	case KindNumber:
		var ok bool
		if d, ok = parseAmount(tk.Text); !ok {
			return decimalNum{}, 0, 0, false
		}
	case KindWord:
		v, e, c, ok := b.wordNumberAt(i)
		if !ok {
			return decimalNum{}, 0, 0, false
		}
		d, end, conf = decimalNum{whole: strconv.Itoa(v)}, e, c
	default:
		return decimalNum{}, 0, 0, false
	}
	if end+1 < len(b.toks) {
		switch b.norms[end+1] {
		case "mil", "thousand":
			d = d.shift(3)
			end++
			conf = confCertain
		}
	}
	return d, end, conf, true
}

// Currency markers (folded).
var (
	// currencyCodes count only in capitals: "cop" and "pen" are words.
	currencyCodes = builtinWords("brl", "usd", "eur", "mxn", "ars", "cop", "clp", "pen", "uyu", "gbp")
	currencyWords = map[string]float64{
		"real": confCertain, "reais": confCertain, "reales": confCertain, "dolar": confCertain,
		"dolares": confCertain, "dollar": confCertain, "dollars": confCertain, "euro": confCertain,
		"euros": confCertain, "peso": confCertain, "pesos": confCertain, "soles": confCertain,
		"conto": confSlangMoney, "contos": confSlangMoney, "pila": confSlangMoney, "pilas": confSlangMoney,
		"buck": confSlangMoney, "bucks": confSlangMoney, "libras": confSlangMoney, "pounds": confSlangMoney,
	}
	centWords = builtinWords("centavo", "centavos", "centimo", "centimos", "cent", "cents")
)

// isCode reports whether token i is a currency code in capitals ("USD").
func (b *builtinScan) isCode(i int) bool {
	if i < 0 || i >= len(b.toks) {
		return false
	}
	return currencyCodes[b.norms[i]] && b.toks[i].Text == strings.ToUpper(b.toks[i].Text)
}

// symbolAt reports whether a currency symbol or code starts at token i
// ("R$", "US$", "$", "€", "£", "USD") and returns its last token.
func (b *builtinScan) symbolAt(i int) (int, bool) {
	tk := b.toks[i]
	switch tk.Text {
	case "$", "€", "£":
		return i, true
	}
	if b.isCode(i) {
		return i, true
	}
	if i+1 < len(b.toks) && b.toks[i+1].Text == "$" && b.toks[i+1].Start == tk.End {
		switch strings.ToUpper(tk.Text) {
		case "R", "US", "U", "USD", "AR", "MX", "CLP", "COP":
			return i + 1, true
		}
	}
	return 0, false
}

func (b *builtinScan) money() []Entity {
	var out []Entity
	for i := 0; i < len(b.toks); i++ {
		// symbol amount: "R$ 50,00", "$20", "USD 15"
		if j, ok := b.symbolAt(i); ok && j+1 < len(b.toks) {
			if d, end, _, ok := b.amountAt(j + 1); ok {
				if _, ok := currencyWords[b.normAt(end+1)]; ok || b.isCode(end+1) {
					end++ // "$1.500 pesos"
				}
				out = append(out, b.tokenEntity(BuiltinMoney, i, end, confCertain, d.cents()))
				i = end
				continue
			}
		}
		// amount word: "50 reais", "cinquenta reais e vinte centavos", "20 USD", "50 centavos"
		d, end, conf, ok := b.amountAt(i)
		if !ok || end+1 >= len(b.toks) {
			continue
		}
		w := b.norms[end+1]
		if centWords[w] && d.frac == "" && len(strings.TrimLeft(d.whole, "0")) <= 2 {
			c := decimalNum{whole: "0", frac: strings.Repeat("0", 2-len(strings.TrimLeft(d.whole, "0"))) + strings.TrimLeft(d.whole, "0")}
			out = append(out, b.tokenEntity(BuiltinMoney, i, end+1, max(conf, confSlangMoney), c.cents()))
			i = end + 1
			continue
		}
		wc, isWord := currencyWords[w]
		if !isWord && b.isCode(end+1) {
			wc, isWord = confCertain, true
		}
		if !isWord {
			continue
		}
		last := end + 1
		// cents tail: "e vinte centavos", "y 50 centavos", "and 5 cents"
		if k := last + 1; k+2 < len(b.toks) && d.frac == "" {
			switch b.norms[k] {
			case "e", "y", "and":
				if c, ce, _, ok := b.amountAt(k + 1); ok && c.frac == "" && ce+1 < len(b.toks) && centWords[b.norms[ce+1]] {
					if cw := strings.TrimLeft(c.whole, "0"); len(cw) <= 2 {
						d.frac = strings.Repeat("0", 2-len(cw)) + cw
						last = ce + 1
					}
				}
			}
		}
		out = append(out, b.tokenEntity(BuiltinMoney, i, last, min(wc, max(conf, confSlangMoney)), d.cents()))
		i = last
	}
	return out
}

func (b *builtinScan) numbers() []Entity {
	var out []Entity
	for i := 0; i < len(b.toks); i++ {
		tk := b.toks[i]
		switch tk.Kind {
		case KindNumber:
			if d, ok := parseAmount(tk.Text); ok {
				out = append(out, b.tokenEntity(BuiltinNumber, i, i, confCertain, d.String()))
			}
		case KindWord:
			if v, end, conf, ok := b.wordNumberAt(i); ok {
				out = append(out, b.tokenEntity(BuiltinNumber, i, end, conf, strconv.Itoa(v)))
				i = end
			}
		}
	}
	return out
}

// Date words (folded).
var (
	monthsPT = map[string]time.Month{"janeiro": 1, "fevereiro": 2, "marco": 3, "abril": 4, "maio": 5, "junho": 6,
		"julho": 7, "agosto": 8, "setembro": 9, "outubro": 10, "novembro": 11, "dezembro": 12,
		"jan": 1, "fev": 2, "mar": 3, "abr": 4, "mai": 5, "jun": 6, "jul": 7, "ago": 8, "set": 9, "out": 10, "nov": 11, "dez": 12}
	monthsES = map[string]time.Month{"enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6,
		"julio": 7, "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
		"ene": 1, "feb": 2, "mar": 3, "abr": 4, "may": 5, "jun": 6, "jul": 7, "ago": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dic": 12}
	monthsEN = map[string]time.Month{"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
		"july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
		"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12}
	weekdaysPT = map[string]time.Weekday{"domingo": time.Sunday, "segunda": time.Monday, "terca": time.Tuesday,
		"quarta": time.Wednesday, "quinta": time.Thursday, "sexta": time.Friday, "sabado": time.Saturday}
	weekdaysES = map[string]time.Weekday{"domingo": time.Sunday, "lunes": time.Monday, "martes": time.Tuesday,
		"miercoles": time.Wednesday, "jueves": time.Thursday, "viernes": time.Friday, "sabado": time.Saturday}
	weekdaysEN = map[string]time.Weekday{"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday,
		"wednesday": time.Wednesday, "thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday}
	// relativeDays are phrases of folded tokens and their offset in days.
	relativeDaysPT = []relativeDay{{[]string{"depois", "de", "amanha"}, 2}, {[]string{"antes", "de", "ontem"}, -2},
		{[]string{"hoje"}, 0}, {[]string{"amanha"}, 1}, {[]string{"ontem"}, -1}, {[]string{"anteontem"}, -2}}
	relativeDaysES = []relativeDay{{[]string{"pasado", "manana"}, 2}, {[]string{"antes", "de", "ayer"}, -2},
		{[]string{"hoy"}, 0}, {[]string{"manana"}, 1}, {[]string{"ayer"}, -1}, {[]string{"anteayer"}, -2}, {[]string{"antier"}, -2}}
	relativeDaysEN = []relativeDay{{[]string{"day", "after", "tomorrow"}, 2}, {[]string{"day", "before", "yesterday"}, -2},
		{[]string{"today"}, 0}, {[]string{"tonight"}, 0}, {[]string{"tomorrow"}, 1}, {[]string{"tmrw"}, 1}, {[]string{"yesterday"}, -1}}
)

type relativeDay struct {
	words []string
	days  int
}

// month returns the month a folded word names in the active languages.
// Abbreviations of four letters or fewer ("mar", "set", "dez") count only
// when allowShort, since they are also words.
func (b *builtinScan) month(w string, allowShort bool) (time.Month, bool) {
	m, ok := b.langs.months[w]
	if !ok || (!allowShort && len(w) <= 4 && w != "maio" && w != "mayo" && w != "may" && w != "june" && w != "july") {
		return 0, false
	}
	return m, true
}

func (b *builtinScan) weekday(w string) (time.Weekday, bool) {
	d, ok := b.langs.weekdays[w]
	return d, ok
}

func (b *builtinScan) isWord(i int, words ...string) bool {
	if i < 0 || i >= len(b.toks) {
		return false
	}
	for _, w := range words {
		if b.norms[i] == w {
			return true
		}
	}
	return false
}

// dayNumber reads a day of the month at token i: "5", "05", "5th", "1º",
// "primeiro".
func (b *builtinScan) dayNumber(i int) (int, bool) {
	if i >= len(b.toks) {
		return 0, false
	}
	s := b.norms[i]
	if b.toks[i].Kind == KindWord {
		if s == "primeiro" && b.langs.pt {
			return 1, true
		}
		for _, suf := range []string{"st", "nd", "rd", "th", "º", "o"} {
			if t, ok := strings.CutSuffix(s, suf); ok && t != "" && len(t) <= 2 && strings.Trim(t, "0123456789") == "" {
				s = t
				break
			}
		}
	} else if b.toks[i].Kind != KindNumber {
		return 0, false
	}
	if len(s) == 0 || len(s) > 2 || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	d, _ := strconv.Atoi(s)
	return d, d >= 1 && d <= 31
}

// yearAt reads a four-digit year at token i.
func (b *builtinScan) yearAt(i int) (int, bool) {
	if i >= len(b.toks) || b.toks[i].Kind != KindNumber || len(b.toks[i].Text) != 4 {
		return 0, false
	}
	y, err := strconv.Atoi(b.toks[i].Text)
	return y, err == nil && y >= 1900 && y <= 2200
}

func isoDate(t time.Time) string { return t.Format("2006-01-02") }

// civilDate returns the date y-m-d at noon, if it exists.
func civilDate(y int, m time.Month, d int, loc *time.Location) (time.Time, bool) {
	t := time.Date(y, m, d, 12, 0, 0, 0, loc)
	return t, t.Day() == d && t.Month() == m
}

// nextDayMonth returns the next occurrence of day d of month m, today
// included.
func (b *builtinScan) nextDayMonth(m time.Month, d int) (time.Time, bool) {
	y, _, _ := b.now.Date()
	today := b.today()
	for k := 0; k < 8; k++ { // 29 February comes back within eight years
		if t, ok := civilDate(y+k, m, d, b.now.Location()); ok && !t.Before(today) {
			return t, true
		}
	}
	return time.Time{}, false
}

// today returns noon of now's day: noon keeps AddDate clear of DST edges.
func (b *builtinScan) today() time.Time {
	if b.noon.IsZero() {
		y, m, d := b.now.Date()
		b.noon = time.Date(y, m, d, 12, 0, 0, 0, b.now.Location())
	}
	return b.noon
}

// dateAt tries the date forms at token i in turn (relative days, weekdays,
// explicit dates) and returns the first that matches: its last token,
// canonical date and confidence.
func (b *builtinScan) dateAt(i int) (int, string, float64, bool) {
	n := len(b.toks)
	today := b.today()
	w := b.norms[i]

	// Relative days.
	for _, r := range b.langs.relative[w] {
		if i+len(r.words) > n {
			continue
		}
		ok := true
		for k, rw := range r.words {
			ok = ok && b.norms[i+k] == rw
		}
		if !ok {
			continue
		}
		conf := confCertain
		if len(r.words) == 1 && r.words[0] == "manana" {
			// "por la mañana", "esta mañana", "cada mañana": the morning.
			if b.isWord(i-1, "la", "esta", "cada", "toda", "una", "manana") {
				continue
			}
			if b.isWord(i-1, "de", "en", "por") {
				conf = confMorning
			}
		}
		return i + len(r.words) - 1, isoDate(today.AddDate(0, 0, r.days)), conf, true
	}

	// Weekdays: "segunda-feira", "sexta que vem", "el lunes", "next friday".
	start := i
	if b.isWord(i, "proxima", "proximo", "next") && i+1 < n {
		if _, ok := b.weekday(b.norms[i+1]); ok {
			i++
			w = b.norms[i]
		}
	}
	if wd, ok := b.weekday(w); ok && b.toks[i].Kind == KindWord {
		end := i
		conf := confCertain
		switch {
		case b.isWord(i+1, "-") && b.isWord(i+2, "feira"):
			end = i + 2
		case b.isWord(i+1, "feira"):
			end = i + 1
		}
		if _, pt := weekdaysPT[w]; pt && b.langs.pt && end == i && wd >= time.Monday && wd <= time.Friday {
			// "segunda via", "quinta série": ordinals, not days.
			if b.isWord(i+1, "via", "vez", "serie", "opcao", "parcela", "chamada", "tentativa") {
				return 0, "", 0, false
			}
			if start == i && !b.isWord(i-1, "na", "nesta", "nessa", "ate", "de", "toda", "proxima", "essa", "esta", "para", "dia", "desde", "a", "partir") &&
				!(b.isWord(i+1, "que") && b.isWord(i+2, "vem")) {
				conf = confBareWeekday
			}
		}
		if (b.isWord(end+1, "que") && b.isWord(end+2, "vem", "viene")) || b.isWord(end+1, "proximo", "proxima") {
			if b.isWord(end+1, "que") {
				end += 2
			} else {
				end++
			}
		}
		// "martes 3 de diciembre", "segunda, 08/12": the explicit date wins.
		j := end + 1
		if b.isWord(j, ",") {
			j++
		}
		if j < n {
			if e, canonical, _, ok := b.explicitDateAt(j); ok {
				return e, canonical, confCertain, true
			}
		}
		days := (int(wd) - int(today.Weekday()) + 7) % 7
		if days == 0 {
			days = 7
		}
		return end, isoDate(today.AddDate(0, 0, days)), conf, true
	}
	return b.explicitDateAt(start)
}

// explicitDateAt reads a date that names its day at token i: "20/11",
// "dia 5", "el 5 de marzo", "march 5th".
func (b *builtinScan) explicitDateAt(i int) (int, string, float64, bool) {
	w := b.norms[i]

	// Numeric dates: 20/11, 20/11/2026, 20-11-2026, 2026-11-20.
	if b.toks[i].Kind == KindNumber {
		if t, ok := b.numericDate(b.toks[i].Text); ok {
			return i, isoDate(t), confCertain, true
		}
	}

	// "dia 5", "día 5 de marzo", "el 5", "5 de março de 2026", "march 5th", "5th of march".
	k := i
	lead := false
	if b.isWord(k, "dia") && (b.langs.pt || b.langs.es) {
		k++
		lead = true
	} else if b.isWord(k, "el") && b.langs.es {
		k++
		lead = true
	}
	if d, ok := b.dayNumber(k); ok {
		j := k + 1
		if b.isWord(j, "de", "of") {
			j++
		}
		if mo, ok := b.month(b.normAt(j), j > k+1); ok {
			end := j
			y := 0
			if b.isWord(j+1, "de", ",") {
				if yy, ok := b.yearAt(j + 2); ok {
					y, end = yy, j+2
				}
			} else if yy, ok := b.yearAt(j + 1); ok {
				y, end = yy, j+1
			}
			if t, ok := b.dayMonthYear(y, mo, d); ok {
				return end, isoDate(t), confCertain, true
			}
		}
		if lead {
			if t, ok := b.nextDay(d); ok {
				return k, isoDate(t), confCertain, true
			}
		}
	}
	if b.langs.en {
		if mo, ok := b.month(w, true); ok && utf8.RuneCountInString(w) >= 3 {
			if d, ok := b.dayNumber(i + 1); ok {
				end, y := i+1, 0
				if b.isWord(i+2, ",") {
					if yy, ok := b.yearAt(i + 3); ok {
						end, y = i+3, yy
					}
				} else if yy, ok := b.yearAt(i + 2); ok {
					end, y = i+2, yy
				}
				if t, ok := b.dayMonthYear(y, mo, d); ok {
					return end, isoDate(t), confCertain, true
				}
			}
		}
	}
	return 0, "", 0, false
}

func (b *builtinScan) normAt(i int) string {
	if i < 0 || i >= len(b.norms) {
		return ""
	}
	return b.norms[i]
}

// dayMonthYear returns the date, or its next occurrence when y is 0.
func (b *builtinScan) dayMonthYear(y int, m time.Month, d int) (time.Time, bool) {
	if y == 0 {
		return b.nextDayMonth(m, d)
	}
	return civilDate(y, m, d, b.now.Location())
}

// nextDay returns the next day numbered d, today included.
func (b *builtinScan) nextDay(d int) (time.Time, bool) {
	y, m, _ := b.now.Date()
	today := b.today()
	for k := 0; k < 12; k++ {
		// time.Date normalises month 13 into January of the next year.
		first := time.Date(y, m+time.Month(k), 1, 12, 0, 0, 0, b.now.Location())
		if t, ok := civilDate(first.Year(), first.Month(), d, b.now.Location()); ok && !t.Before(today) {
			return t, true
		}
	}
	return time.Time{}, false
}

// numericDate parses 20/11, 20/11/2026, 20/11/26, 20-11-2026, 20.11.2026
// and 2026-11-20; month/day order for English unless the first part is
// over 12.
func (b *builtinScan) numericDate(s string) (time.Time, bool) {
	sep := byte(0)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < '0' || c > '9' {
			if sep != 0 && c != sep {
				return time.Time{}, false
			}
			sep = c
		}
	}
	if sep != '/' && sep != '-' && sep != '.' {
		return time.Time{}, false
	}
	parts := strings.Split(s, string(sep))
	nums := make([]int, len(parts))
	for i, p := range parts {
		if p == "" || len(p) > 4 {
			return time.Time{}, false
		}
		nums[i], _ = strconv.Atoi(p)
	}
	loc := b.now.Location()
	switch {
	case len(parts) == 3 && len(parts[0]) == 4 && sep == '-': // ISO
		return civilDate(nums[0], time.Month(nums[1]), nums[2], loc)
	case len(parts) == 2 && sep == '/' && len(parts[0]) <= 2 && len(parts[1]) <= 2:
		d, m := b.dayMonthOrder(nums[0], nums[1])
		if m < 1 || m > 12 {
			return time.Time{}, false
		}
		return b.nextDayMonth(time.Month(m), d)
	case len(parts) == 3 && len(parts[0]) <= 2 && len(parts[1]) <= 2 && (len(parts[2]) == 2 || len(parts[2]) == 4):
		d, m := b.dayMonthOrder(nums[0], nums[1])
		y := nums[2]
		if len(parts[2]) == 2 {
			y += 2000
		}
		if m < 1 || m > 12 {
			return time.Time{}, false
		}
		return civilDate(y, time.Month(m), d, loc)
	}
	return time.Time{}, false
}

// dayMonthOrder returns (day, month) from the first two parts of a numeric
// date: day first, except month first in English when that makes sense.
func (b *builtinScan) dayMonthOrder(a, c int) (int, int) {
	if b.langs.en && !b.langs.pt && !b.langs.es && a <= 12 {
		return c, a
	}
	return a, c
}

func (b *builtinScan) dates() []Entity {
	var out []Entity
	for i := 0; i < len(b.toks); i++ {
		if end, canonical, conf, ok := b.dateAt(i); ok {
			out = append(out, b.tokenEntity(BuiltinDate, i, end, conf, canonical))
			i = end
		}
	}
	return out
}
