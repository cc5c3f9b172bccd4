package datasets

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"

	sabia "github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

// LUISOutOfScopeIntent is the intent under which WriteLUISJSON writes
// out-of-scope examples (Intent ""), and which ReadLUISJSON reads back as
// Intent "": every LUIS app has it, for utterances that match no intent.
const LUISOutOfScopeIntent = "None"

// luisVersion is the schema version WriteLUISJSON declares.
const luisVersion = "7.0.0"

// luisUtterance is one utterance of a LUIS app. Keys other than these
// (and an entity's nested "children") are ignored.
type luisUtterance struct {
	Text     *string      `json:"text"`
	Intent   *string      `json:"intent"`
	Entities []luisEntity `json:"entities"`
}

// luisEntity is one labelled entity of an utterance. Positions count UTF-16
// code units, and EndPos is inclusive.
type luisEntity struct {
	Entity   string `json:"entity"`
	StartPos *int   `json:"startPos"`
	EndPos   *int   `json:"endPos"`
	Role     string `json:"role,omitempty"`
	// Children is written empty, as LUIS 7.0 writes a label without nested
	// entities; ReadLUISJSON never reads it.
	Children *[]struct{} `json:"children,omitempty"`
}

// ReadLUISJSON reads the example utterances of a Microsoft LUIS app exported
// as JSON, schema versions 3.x to 7.x:
//
//	{"luis_schema_version": "7.0.0", "culture": "pt-br", ...,
//	 "utterances": [{"text": "quero uma pizza de calabresa", "intent": "pedir_pizza",
//	   "entities": [{"entity": "sabor", "startPos": 19, "endPos": 27, "children": []}]}]}
//
// Only "luis_schema_version" and "utterances" are read; intents and entities
// without utterances, patterns, phrase lists, closed lists and settings are
// ignored, as are unknown keys of an utterance or a label, and a UTF-8
// byte-order mark at the start. The intent
// LUISOutOfScopeIntent ("None") is read as Intent "" (out of scope). An
// entity label's "role" becomes the span's Group. In 7.0 a label may nest
// the labels of its child entities in "children": only the top-level entity
// is kept, as one span over the words it covers.
//
// startPos and endPos are taken as LUIS's authoring service counts them:
// in UTF-16 code units (the .NET string index), endPos inclusive. They are
// the same as character offsets for every text without emoji or other
// characters beyond the Basic Multilingual Plane, accented letters included;
// each such character counts twice. A label whose ends fall inside such a
// character is rejected. Spans come back as rune offsets, end exclusive,
// sorted by position; labels that overlap are rejected, since Sabiá's spans
// of one example cannot.
//
// Returns an EINVALID *sabia.Error naming the utterance (by its index in
// "utterances", from 0) for malformed JSON, a missing or unsupported schema
// version, or a malformed utterance or label, and ETOOLARGE for more than
// 100,000 utterances or a text over 1 MiB. Errors of r are wrapped.
func ReadLUISJSON(r io.Reader) ([]nlu.Example, error) {
	rec := &errRecorder{r: r}
	br := bufio.NewReader(rec)
	if b, _ := br.Peek(3); string(b) == "\ufeff" {
		_, _ = br.Discard(3) // byte-order mark left by Windows editors
	}
	dec := json.NewDecoder(br)
	fail := jsonFailer(rec, dec)

	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF && rec.err == nil {
			return nil, sabia.Errorf(sabia.EINVALID, `empty file: not a LUIS app`)
		}
		return nil, fail("", err)
	}
	if tok != json.Delim('{') {
		return nil, sabia.Errorf(sabia.EINVALID, `a LUIS app is a JSON object with "luis_schema_version" and "utterances"`)
	}
	var out []nlu.Example
	var version *string
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fail("", err)
		}
		key, _ := tok.(string) // object keys are always strings
		if seen[key] && (key == "utterances" || key == "luis_schema_version") {
			return nil, sabia.Errorf(sabia.EINVALID, "key %q twice", key)
		}
		seen[key] = true
		switch key {
		case "luis_schema_version":
			if err := dec.Decode(&version); err != nil {
				return nil, fail(`"luis_schema_version"`, err)
			}
		case "utterances":
			tok, err := dec.Token()
			if err != nil {
				return nil, fail(`"utterances"`, err)
			}
			if tok != json.Delim('[') {
				return nil, sabia.Errorf(sabia.EINVALID, `"utterances" must be an array`)
			}
			if out, err = readJSONExamples(dec, fail, "utterance", luisToExample); err != nil {
				return nil, err
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, fail(fmt.Sprintf("key %q", key), err)
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, fail("", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("unexpected data after the JSON document")
		}
		return nil, fail("", err)
	}
	if rec.err != nil {
		return nil, fmt.Errorf("reading JSON: %w", rec.err)
	}
	if version == nil {
		return nil, sabia.Errorf(sabia.EINVALID, `no "luis_schema_version": not a LUIS app export`)
	}
	if !luisVersionSupported(*version) {
		return nil, sabia.Errorf(sabia.EINVALID, `"luis_schema_version" %q is not supported: export the app with schema 3.x to 7.x`, clip(*version))
	}
	if !seen["utterances"] {
		return nil, sabia.Errorf(sabia.EINVALID, `no "utterances" key: not a LUIS app export`)
	}
	if out == nil {
		out = []nlu.Example{}
	}
	return out, nil
}

// luisVersionSupported says whether ReadLUISJSON knows the utterances of a
// schema version: 3.x to 7.x share their shape.
func luisVersionSupported(v string) bool {
	major, _, _ := strings.Cut(v, ".")
	n, err := strconv.Atoi(major)
	return err == nil && n >= 3 && n <= 7
}

func luisToExample(raw luisUtterance) (nlu.Example, error) {
	if raw.Text == nil {
		return nlu.Example{}, errors.New(`missing "text"`)
	}
	if err := checkReadText(*raw.Text); err != nil {
		return nlu.Example{}, err
	}
	switch {
	case raw.Intent == nil:
		return nlu.Example{}, fmt.Errorf(`missing "intent" (use %q for an out-of-scope utterance)`, LUISOutOfScopeIntent)
	case *raw.Intent == "":
		return nlu.Example{}, fmt.Errorf(`empty "intent" (use %q for an out-of-scope utterance)`, LUISOutOfScopeIntent)
	}
	ex := nlu.Example{Text: *raw.Text, Intent: *raw.Intent}
	if ex.Intent == LUISOutOfScopeIntent {
		ex.Intent = ""
	}
	if len(raw.Entities) == 0 {
		return ex, nil
	}
	// runeAt[k] is the rune index of UTF-16 code unit k, -1 inside a
	// surrogate pair; runeAt[len16] is the number of runes.
	runeAt := make([]int, 0, len(ex.Text)+1)
	runes := 0
	for _, r := range ex.Text {
		runeAt = append(runeAt, runes)
		if utf16.RuneLen(r) == 2 {
			runeAt = append(runeAt, -1)
		}
		runes++
	}
	n16 := len(runeAt)
	runeAt = append(runeAt, runes)
	spans := make([]nlu.Span, 0, len(raw.Entities))
	for i, e := range raw.Entities {
		switch {
		case e.Entity == "":
			return nlu.Example{}, fmt.Errorf(`entity %d: missing "entity"`, i)
		case e.StartPos == nil || e.EndPos == nil:
			return nlu.Example{}, fmt.Errorf(`entity %d (%s): missing "startPos" or "endPos"`, i, e.Entity)
		case *e.StartPos < 0 || *e.StartPos > *e.EndPos || *e.EndPos >= n16:
			return nlu.Example{}, fmt.Errorf("entity %d (%s): startPos %d and endPos %d (inclusive) are not inside the text of %d UTF-16 code units",
				i, e.Entity, *e.StartPos, *e.EndPos, n16)
		}
		start, end := runeAt[*e.StartPos], runeAt[*e.EndPos+1]
		if start < 0 || end < 0 {
			return nlu.Example{}, fmt.Errorf("entity %d (%s): startPos %d or endPos %d falls inside a character: positions are read as UTF-16 code units, where an emoji counts 2",
				i, e.Entity, *e.StartPos, *e.EndPos)
		}
		spans = append(spans, nlu.Span{Start: start, End: end, Entity: e.Entity, Group: e.Role})
	}
	if err := sortSpans(spans); err != nil {
		return nlu.Example{}, err
	}
	ex.Entities = spans
	return ex, nil
}

// sortSpans sorts spans by position and fails when two of them overlap.
func sortSpans(spans []nlu.Span) error {
	slices.SortStableFunc(spans, func(a, b nlu.Span) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End))
	})
	for i := 1; i < len(spans); i++ {
		if p, s := spans[i-1], spans[i]; s.Start < p.End {
			return fmt.Errorf("entities %q [%d,%d) and %q [%d,%d) overlap", p.Entity, p.Start, p.End, s.Entity, s.Start, s.End)
		}
	}
	return nil
}

// luisCultures maps Sabiá's language codes to the culture of a LUIS app;
// LUIS has one culture per language, and only Brazilian Portuguese.
var luisCultures = map[string]string{
	nlu.LangPortugueseBR: "pt-br", nlu.LangPortuguese: "pt-br", nlu.LangSpanish: "es-es", nlu.LangEnglish: "en-us",
	"fr": "fr-fr", "de": "de-de", "it": "it-it", "nl": "nl-nl", "ja": "ja-jp", "ko": "ko-kr", "zh": "zh-cn",
	"tr": "tr-tr", "hi": "hi-in", "ar": "ar-ar",
}

// luisApp is the document WriteLUISJSON writes: a complete LUIS 7.0 app
// whose optional parts are empty.
type luisApp struct {
	SchemaVersion      string          `json:"luis_schema_version"`
	Intents            []luisIntentDef `json:"intents"`
	Entities           []luisEntityDef `json:"entities"`
	Hierarchicals      []struct{}      `json:"hierarchicals"`
	Composites         []struct{}      `json:"composites"`
	ClosedLists        []struct{}      `json:"closedLists"`
	PrebuiltEntities   []struct{}      `json:"prebuiltEntities"`
	Utterances         []luisUtterOut  `json:"utterances"`
	VersionID          string          `json:"versionId"`
	Name               string          `json:"name"`
	Desc               string          `json:"desc"`
	Culture            string          `json:"culture"`
	TokenizerVersion   string          `json:"tokenizerVersion"`
	PatternAnyEntities []struct{}      `json:"patternAnyEntities"`
	RegexEntities      []struct{}      `json:"regex_entities"`
	Phraselists        []struct{}      `json:"phraselists"`
	RegexFeatures      []struct{}      `json:"regex_features"`
	Patterns           []struct{}      `json:"patterns"`
	Settings           []struct{}      `json:"settings"`
}

// luisIntentDef is an intent of the app's "intents" list.
type luisIntentDef struct {
	Name     string     `json:"name"`
	Features []struct{} `json:"features"`
}

// luisEntityDef is a machine-learned entity of the app's "entities" list,
// with the roles its labels use.
type luisEntityDef struct {
	Name     string     `json:"name"`
	Children []struct{} `json:"children"`
	Roles    []string   `json:"roles"`
	Features []struct{} `json:"features"`
}

// luisUtterOut is an utterance as WriteLUISJSON writes it.
type luisUtterOut struct {
	Text     string       `json:"text"`
	Intent   string       `json:"intent"`
	Entities []luisEntity `json:"entities"`
}

// WriteLUISJSON writes examples as a LUIS app (schema "7.0.0") that
// ReadLUISJSON reads and LUIS imports: "intents" lists LUISOutOfScopeIntent
// and then every intent in the order it first appears, "entities" every
// entity name used (with the groups of its spans as roles), and
// "utterances" the examples in order, out-of-scope ones under
// LUISOutOfScopeIntent. The culture comes from language (pt_br → "pt-br",
// es → "es-es", en → "en-us"; "" writes "pt-br"). Positions are written as
// ReadLUISJSON reads them: UTF-16 code units, endPos inclusive; spans are
// written sorted.
//
// Returns an EINVALID *sabia.Error, before writing anything, for a language
// LUIS has no culture for, an example with an empty text, invalid UTF-8, a
// span outside its text or without an entity name, overlapping spans, or
// the intent LUISOutOfScopeIntent itself. Errors of w are wrapped.
func WriteLUISJSON(w io.Writer, language string, examples []nlu.Example) error {
	culture := "pt-br"
	if language != "" {
		l, _ := nlu.ParseLanguage(language)
		if culture = luisCultures[l]; culture == "" {
			return sabia.Errorf(sabia.EINVALID, "LUIS has no culture for the language %q", clip(language))
		}
	}
	app := luisApp{
		SchemaVersion: luisVersion, VersionID: "0.1", Name: "Sabiá", Desc: "Exported from Sabiá",
		Culture: culture, TokenizerVersion: "1.0.0",
		Intents:  []luisIntentDef{{Name: LUISOutOfScopeIntent, Features: []struct{}{}}},
		Entities: []luisEntityDef{}, Utterances: make([]luisUtterOut, len(examples)),
		Hierarchicals: []struct{}{}, Composites: []struct{}{}, ClosedLists: []struct{}{},
		PrebuiltEntities: []struct{}{}, PatternAnyEntities: []struct{}{}, RegexEntities: []struct{}{},
		Phraselists: []struct{}{}, RegexFeatures: []struct{}{}, Patterns: []struct{}{}, Settings: []struct{}{},
	}
	intents := map[string]bool{LUISOutOfScopeIntent: true}
	entities := map[string]int{} // name → index in app.Entities
	roles := map[[2]string]bool{}
	noChildren := []struct{}{}
	for i, ex := range examples {
		if err := checkWritable(i, ex); err != nil {
			return err
		}
		if ex.Intent == LUISOutOfScopeIntent {
			return sabia.Errorf(sabia.EINVALID, "example %d: the intent name %q is reserved for out-of-scope examples", i, LUISOutOfScopeIntent)
		}
		intent := cmp.Or(ex.Intent, LUISOutOfScopeIntent)
		if !intents[intent] {
			intents[intent] = true
			app.Intents = append(app.Intents, luisIntentDef{Name: intent, Features: []struct{}{}})
		}
		spans := slices.Clone(ex.Entities)
		if err := sortSpans(spans); err != nil {
			return sabia.Errorf(sabia.EINVALID, "example %d: %v, which LUIS labels cannot express", i, err)
		}
		// at16[k] is the UTF-16 position of rune k.
		at16 := make([]int, 0, len(ex.Text)+1)
		pos := 0
		for _, r := range ex.Text {
			at16 = append(at16, pos)
			pos += utf16.RuneLen(r)
		}
		at16 = append(at16, pos)
		labels := make([]luisEntity, len(spans))
		for j, s := range spans {
			start, end := at16[s.Start], at16[s.End]-1
			labels[j] = luisEntity{Entity: s.Entity, StartPos: &start, EndPos: &end, Role: s.Group, Children: &noChildren}
			k, ok := entities[s.Entity]
			if !ok {
				k = len(app.Entities)
				entities[s.Entity] = k
				app.Entities = append(app.Entities, luisEntityDef{Name: s.Entity, Children: []struct{}{}, Roles: []string{}, Features: []struct{}{}})
			}
			if s.Group != "" && !roles[[2]string{s.Entity, s.Group}] {
				roles[[2]string{s.Entity, s.Group}] = true
				app.Entities[k].Roles = append(app.Entities[k].Roles, s.Group)
			}
		}
		app.Utterances[i] = luisUtterOut{Text: ex.Text, Intent: intent, Entities: labels}
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false) // keep "<", ">" and "&" readable in sentences
	enc.SetIndent("", "  ")
	if err := enc.Encode(app); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	return nil
}
