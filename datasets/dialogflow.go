package datasets

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/sha1"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	sabia "github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

// DialogflowFallbackIntent is the intent under which WriteDialogflowZIP
// writes out-of-scope examples (Intent ""), and which ReadDialogflowZIP reads
// back as Intent "", as it does any intent marked "fallbackIntent": an
// agent's training phrases under a fallback intent are its negative
// examples.
const DialogflowFallbackIntent = "Default Fallback Intent"

// Bounds of an agent ZIP ReadDialogflowZIP accepts: an agent is a few
// hundred small JSON files, so more is a broken file or a zip bomb.
const (
	maxZipFiles = 10_000   // entries, directories included
	maxZipBytes = 64 << 20 // bytes, the ZIP itself and its files unpacked together
)

// dfAgent is the part of agent.json ReadDialogflowZIP reads.
type dfAgent struct {
	Language *string `json:"language"`
}

// dfIntent is the part of an intent file ReadDialogflowZIP reads.
type dfIntent struct {
	Name           *string `json:"name"`
	FallbackIntent bool    `json:"fallbackIntent"`
}

// dfPhraseIn is the part of a training phrase ReadDialogflowZIP reads.
type dfPhraseIn struct {
	Data []struct {
		Text  *string `json:"text"`
		Alias string  `json:"alias"`
		Meta  string  `json:"meta"`
	} `json:"data"`
	IsTemplate bool `json:"isTemplate"`
}

// dfPhrase is a training phrase as WriteDialogflowZIP writes it.
type dfPhrase struct {
	ID         string    `json:"id"`
	Data       []dfChunk `json:"data"`
	IsTemplate bool      `json:"isTemplate"`
	Count      int       `json:"count"`
	Lang       string    `json:"lang"`
	Updated    int       `json:"updated"`
}

// dfChunk is one piece of a training phrase as WriteDialogflowZIP writes
// it: plain text, or an entity when Meta names its type.
type dfChunk struct {
	Text        *string `json:"text"`
	Alias       string  `json:"alias,omitempty"`
	Meta        string  `json:"meta,omitempty"`
	UserDefined bool    `json:"userDefined"`
}

// ReadDialogflowZIP reads the training phrases of a Google Dialogflow ES
// agent exported as a ZIP file ("Export as ZIP" in the agent's settings):
// agent.json, whose "language" is the agent's default language, and in
// intents/ a file <Name>.json per intent with its training phrases in
// <Name>_usersays_<language>.json:
//
//	[{"data": [{"text": "quero uma pizza de ", "userDefined": false},
//	           {"text": "calabresa", "alias": "sabor", "meta": "@sabor", "userDefined": true}],
//	  "isTemplate": false}]
//
// An example's text is its chunks' texts put together; a chunk with "meta"
// is an entity span named by its "alias" (the parameter), or by its meta
// without "@" and "sys." when it has none ("@sys.date" → "date"); "@sys.ignore"
// marks no entity. Decode has no language parameter, so only the usersays
// files of the agent's default language are read and the others are
// ignored. The intent's name is the "name" of its file; an intent named
// DialogflowFallbackIntent or marked "fallbackIntent": true is read as
// Intent "" (out of scope). Template-mode phrases ("isTemplate": true) are
// skipped: their text is a pattern such as "@sys.date:data", not a
// sentence. Entity definitions (entities/) and everything else in the agent
// are ignored, as are unknown keys. The files may sit in one folder at the
// top of the ZIP (where agent.json is). Examples come back grouped by
// intent, intents in the order their usersays files come in the ZIP (the
// fallback intents together as one), with spans in text order and rune
// offsets.
//
// The ZIP is read into memory whole. Returns ETOOLARGE when it is larger
// than 64 MiB, holds more than 10,000 files, unpacks to more than 64 MiB
// (declared or actual), or a file unpacks to more than its declared size;
// and as every reader, for more than 100,000 examples or a text over 1 MiB.
// Returns EINVALID naming the file and the phrase (by its index, from 0) for
// what is not a ZIP, a missing agent.json or language, a usersays file
// without its intent file, malformed JSON or a malformed phrase. Errors of
// r are wrapped.
func ReadDialogflowZIP(r io.Reader) ([]nlu.Example, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxZipBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading ZIP: %w", err)
	}
	if len(data) > maxZipBytes {
		return nil, sabia.Errorf(sabia.ETOOLARGE, "the ZIP file is larger than %d MiB", maxZipBytes>>20)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // nothing is written to disk
		return nil, sabia.Errorf(sabia.EINVALID, "not a Dialogflow agent ZIP: %v", err)
	}
	if len(zr.File) > maxZipFiles {
		return nil, sabia.Errorf(sabia.ETOOLARGE, "the ZIP holds %d files, more than %d", len(zr.File), maxZipFiles)
	}
	var declared uint64
	for _, f := range zr.File {
		declared += min(f.UncompressedSize64, maxZipBytes+1) // cannot overflow within maxZipFiles
		if declared > maxZipBytes {
			return nil, sabia.Errorf(sabia.ETOOLARGE, "the ZIP unpacks to more than %d MiB", maxZipBytes>>20)
		}
	}
	zf := &zipFiles{byName: map[string]*zip.File{}}
	var agent *zip.File
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		zf.byName[f.Name] = f
		if path.Base(f.Name) == "agent.json" {
			switch {
			case agent == nil || depth(f.Name) < depth(agent.Name):
				agent = f
			case depth(f.Name) == depth(agent.Name):
				return nil, sabia.Errorf(sabia.EINVALID, "two agent.json files, %q and %q: export one agent per ZIP", clip(agent.Name), clip(f.Name))
			}
		}
	}
	if agent == nil {
		return nil, sabia.Errorf(sabia.EINVALID, "no agent.json: not a Dialogflow ES agent export")
	}
	prefix := strings.TrimSuffix(agent.Name, "agent.json")
	var ag dfAgent
	if err := zf.decode(agent, &ag); err != nil {
		return nil, err
	}
	if ag.Language == nil || strings.TrimSpace(*ag.Language) == "" {
		return nil, sabia.Errorf(sabia.EINVALID, `%s: no "language"`, clip(agent.Name))
	}
	suffix := "_usersays_" + strings.ToLower(strings.TrimSpace(*ag.Language)) + ".json"

	var groups [][]nlu.Example // examples by intent
	index := map[string]int{}  // intent → position in groups
	n := 0
	for _, f := range zr.File {
		name, ok := strings.CutPrefix(f.Name, prefix+"intents/")
		if !ok || strings.Contains(name, "/") || len(name) <= len(suffix) || !strings.EqualFold(name[len(name)-len(suffix):], suffix) {
			continue
		}
		base := name[:len(name)-len(suffix)]
		intentFile := zf.byName[prefix+"intents/"+base+".json"]
		if intentFile == nil {
			return nil, sabia.Errorf(sabia.EINVALID, "%s: no intent file %s", clip(f.Name), clip(prefix+"intents/"+base+".json"))
		}
		var in dfIntent
		if err := zf.decode(intentFile, &in); err != nil {
			return nil, err
		}
		intent := base
		if in.Name != nil && *in.Name != "" {
			intent = *in.Name
		}
		if in.FallbackIntent || intent == DialogflowFallbackIntent {
			intent = ""
		}
		var phrases []dfPhraseIn
		if err := zf.decode(f, &phrases); err != nil {
			return nil, err
		}
		for i, p := range phrases {
			if p.IsTemplate {
				continue
			}
			if n == maxExamples {
				return nil, tooManyExamples()
			}
			ex, err := dfToExample(p)
			if err != nil {
				return nil, readError(fmt.Sprintf("%s: phrase %d", clip(f.Name), i), err)
			}
			ex.Intent = intent
			g, ok := index[intent]
			if !ok {
				g = len(groups)
				index[intent] = g
				groups = append(groups, nil)
			}
			groups[g] = append(groups[g], ex)
			n++
		}
	}
	out := make([]nlu.Example, 0, n)
	for _, g := range groups {
		out = append(out, g...)
	}
	return out, nil
}

// depth is how many folders deep a ZIP entry is.
func depth(name string) int { return strings.Count(name, "/") }

// zipFiles reads the files of a ZIP within the bounds of ReadDialogflowZIP.
type zipFiles struct {
	byName   map[string]*zip.File
	unpacked int64 // bytes unpacked so far
}

// decode unpacks f and decodes its JSON into v. It inflates the file itself
// rather than through zip.File.Open so that a file larger than its header
// declares is told apart from a corrupt one.
func (z *zipFiles) decode(f *zip.File, v any) error {
	raw, err := f.OpenRaw()
	if err != nil {
		return sabia.Errorf(sabia.EINVALID, "%s: %v", clip(f.Name), err)
	}
	var rd io.Reader
	switch f.Method {
	case zip.Store:
		rd = raw
	case zip.Deflate:
		fr := flate.NewReader(raw)
		defer fr.Close()
		rd = fr
	default:
		return sabia.Errorf(sabia.EINVALID, "%s: compression method %d is not supported (use deflate)", clip(f.Name), f.Method)
	}
	// The declared sizes add up to at most maxZipBytes, so this is bounded.
	b, err := io.ReadAll(io.LimitReader(rd, int64(f.UncompressedSize64)+1))
	switch {
	case uint64(len(b)) > f.UncompressedSize64:
		return sabia.Errorf(sabia.ETOOLARGE, "%s: unpacks to more than its declared %d bytes", clip(f.Name), f.UncompressedSize64)
	case err != nil:
		return sabia.Errorf(sabia.EINVALID, "%s: corrupt: %v", clip(f.Name), err)
	case uint64(len(b)) < f.UncompressedSize64:
		return sabia.Errorf(sabia.EINVALID, "%s: corrupt: %d bytes where its header declares %d", clip(f.Name), len(b), f.UncompressedSize64)
	case crc32.ChecksumIEEE(b) != f.CRC32:
		return sabia.Errorf(sabia.EINVALID, "%s: corrupt: checksum mismatch", clip(f.Name))
	}
	if z.unpacked += int64(len(b)); z.unpacked > maxZipBytes {
		return sabia.Errorf(sabia.ETOOLARGE, "the ZIP unpacks to more than %d MiB", maxZipBytes>>20)
	}
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	if err := json.Unmarshal(b, v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return sabia.Errorf(sabia.EINVALID, "%s: malformed JSON near byte %d: %v", clip(f.Name), se.Offset, err)
		}
		return sabia.Errorf(sabia.EINVALID, "%s: %v", clip(f.Name), err)
	}
	return nil
}

// dfToExample puts a phrase's chunks together; Intent is left to the caller.
func dfToExample(p dfPhraseIn) (nlu.Example, error) {
	var b strings.Builder
	var spans []nlu.Span
	pos := 0 // runes so far
	for j, c := range p.Data {
		if c.Text == nil {
			return nlu.Example{}, fmt.Errorf(`chunk %d: missing "text"`, j)
		}
		if len(*c.Text) > maxText || b.Len()+len(*c.Text) > maxText {
			return nlu.Example{}, errTextTooLong
		}
		n := utf8.RuneCountInString(*c.Text)
		b.WriteString(*c.Text)
		if c.Meta != "" && c.Meta != "@sys.ignore" && n > 0 {
			entity := c.Alias
			if entity == "" {
				entity = strings.TrimPrefix(strings.TrimPrefix(c.Meta, "@"), "sys.")
			}
			if entity == "" {
				return nlu.Example{}, fmt.Errorf("chunk %d: meta %q names no entity", j, clip(c.Meta))
			}
			spans = append(spans, nlu.Span{Start: pos, End: pos + n, Entity: entity})
		}
		pos += n
	}
	if err := checkReadText(b.String()); err != nil {
		return nlu.Example{}, err
	}
	return nlu.Example{Text: b.String(), Entities: spans}, nil
}

// WriteDialogflowZIP writes examples as a Dialogflow ES agent ZIP that
// ReadDialogflowZIP reads and Dialogflow restores or imports: agent.json
// and package.json; for every intent, in the order it first appears,
// intents/<Name>.json and intents/<Name>_usersays_<language>.json with its
// examples as training phrases, out-of-scope examples under
// DialogflowFallbackIntent (marked "fallbackIntent"); and for every entity
// an entity type entities/<entity>.json whose entries are the values its
// spans cover. An entity span is a chunk with the entity's name as alias
// and "@<entity>" as meta; Dialogflow has no entity groups, so a span's
// Group is not written. File names keep the letters, digits, spaces and
// "-_." of a name ("_" stands for the others) and are made unique. The
// language is Dialogflow's spelling of language (pt_br → "pt-br", es → "es",
// en → "en"; "" writes "pt-br"). Ids are derived from the names and texts,
// so that the same examples always give the same ZIP.
//
// Returns an EINVALID *sabia.Error, before writing anything, for an unknown
// language, an example with an empty text, invalid UTF-8, a span outside
// its text or without an entity name, overlapping spans, or the intent
// DialogflowFallbackIntent itself. Errors of w are wrapped.
func WriteDialogflowZIP(w io.Writer, language string, examples []nlu.Example) error {
	lang := "pt-br"
	if language != "" {
		l, ok := nlu.ParseLanguage(language)
		if !ok {
			return sabia.Errorf(sabia.EINVALID, "Dialogflow: unknown language %q", clip(language))
		}
		lang = dfLanguage(l)
	}
	type intentOut struct {
		name    string
		phrases []dfPhrase
		params  []string // entity names, in the order they first appear
	}
	var intents []*intentOut
	byIntent := map[string]*intentOut{}
	var entityNames []string
	entries := map[string][]string{} // entity → distinct values
	for i, ex := range examples {
		if err := checkWritable(i, ex); err != nil {
			return err
		}
		if ex.Intent == DialogflowFallbackIntent {
			return sabia.Errorf(sabia.EINVALID, "example %d: the intent name %q is reserved for out-of-scope examples", i, DialogflowFallbackIntent)
		}
		spans := slices.Clone(ex.Entities)
		if err := sortSpans(spans); err != nil {
			return sabia.Errorf(sabia.EINVALID, "example %d: %v, which Dialogflow annotations cannot express", i, err)
		}
		in := byIntent[ex.Intent]
		if in == nil {
			in = &intentOut{name: ex.Intent}
			if in.name == "" {
				in.name = DialogflowFallbackIntent
			}
			byIntent[ex.Intent] = in
			intents = append(intents, in)
		}
		runes := []rune(ex.Text)
		var chunks []dfChunk
		text := func(s string) dfChunk { return dfChunk{Text: &s} }
		at := 0
		for _, s := range spans {
			if s.Start > at {
				chunks = append(chunks, text(string(runes[at:s.Start])))
			}
			c := text(string(runes[s.Start:s.End]))
			c.Alias, c.Meta, c.UserDefined = s.Entity, "@"+s.Entity, true
			chunks = append(chunks, c)
			at = s.End
			if !slices.Contains(in.params, s.Entity) {
				in.params = append(in.params, s.Entity)
			}
			if _, ok := entries[s.Entity]; !ok {
				entityNames = append(entityNames, s.Entity)
			}
			if v := *c.Text; !slices.Contains(entries[s.Entity], v) {
				entries[s.Entity] = append(entries[s.Entity], v)
			}
		}
		if at < len(runes) {
			chunks = append(chunks, text(string(runes[at:])))
		}
		in.phrases = append(in.phrases, dfPhrase{
			ID: dfID("phrase", lang, in.name, ex.Text), Data: chunks, Lang: lang,
		})
	}

	zw := zip.NewWriter(w)
	add := func(name string, v any) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
		enc := json.NewEncoder(f)
		enc.SetEscapeHTML(false) // keep "<", ">" and "&" readable in sentences
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
		return nil
	}
	agent := map[string]any{
		"description": "Exported from Sabiá", "language": lang, "supportedLanguages": []string{},
		"displayName": "Sabiá", "mlMinConfidence": 0.3, "enableOnePlatformApi": true, "onePlatformApiVersion": "v2",
	}
	if err := add("agent.json", agent); err != nil {
		return err
	}
	if err := add("package.json", map[string]string{"version": "1.0.0"}); err != nil {
		return err
	}
	files := fileNamer{}
	for _, in := range intents {
		base := "intents/" + files.name(in.name)
		params := make([]map[string]any, len(in.params))
		for j, p := range in.params {
			params[j] = map[string]any{
				"id": dfID("parameter", in.name, p), "name": p, "required": false, "dataType": "@" + p,
				"value": "$" + p, "isList": false, "prompts": []string{},
			}
		}
		action := ""
		if in.name == DialogflowFallbackIntent {
			action = "input.unknown"
		}
		intent := map[string]any{
			"id": dfID("intent", in.name), "name": in.name, "auto": true, "contexts": []string{},
			"responses": []map[string]any{{
				"resetContexts": false, "action": action, "affectedContexts": []string{},
				"parameters": params, "messages": []string{}, "speech": []string{},
			}},
			"priority": 500000, "webhookUsed": false, "webhookForSlotFilling": false,
			"fallbackIntent": in.name == DialogflowFallbackIntent, "events": []string{},
		}
		if err := add(base+".json", intent); err != nil {
			return err
		}
		if err := add(base+"_usersays_"+lang+".json", in.phrases); err != nil {
			return err
		}
	}
	entityFiles := fileNamer{}
	for _, e := range entityNames {
		if strings.HasPrefix(e, "sys.") {
			continue // a system entity Dialogflow has already
		}
		base := "entities/" + entityFiles.name(e)
		entity := map[string]any{
			"id": dfID("entity", e), "name": e, "isOverridable": true, "isEnum": false, "isRegexp": false,
			"automatedExpansion": true, "allowFuzzyExtraction": false,
		}
		if err := add(base+".json", entity); err != nil {
			return err
		}
		type entry struct {
			Value    string   `json:"value"`
			Synonyms []string `json:"synonyms"`
		}
		values := make([]entry, len(entries[e]))
		for j, v := range entries[e] {
			values[j] = entry{Value: v, Synonyms: []string{v}}
		}
		if err := add(base+"_entries_"+lang+".json", values); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("writing ZIP: %w", err)
	}
	return nil
}

// dfLanguage spells a canonical language code as Dialogflow does.
func dfLanguage(l string) string {
	switch l {
	case nlu.LangPortugueseBR:
		return "pt-br"
	case "zh":
		return "zh-cn"
	}
	return strings.ReplaceAll(l, "_", "-")
}

// dfID derives a UUID-shaped id from parts (SHA-1, as a version 5 UUID is).
func dfID(parts ...string) string {
	h := sha1.Sum([]byte(strings.Join(parts, "\x00")))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// fileNamer turns names into file names that are safe in a ZIP and on disk,
// and distinct even where letter case is not.
type fileNamer map[string]bool

// maxFileName is the longest base name fileNamer gives, in runes; file
// systems allow 255 bytes, and a usersays suffix follows.
const maxFileName = 100

// name returns the file name of s, not given before (a "_2", "_3", ...
// suffix tells apart names that would be the same).
func (used fileNamer) name(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 4*maxFileName {
			break
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_. ", r) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	base := []rune(strings.ReplaceAll(b.String(), "_usersays_", "_usersays-"))
	if len(base) > maxFileName {
		base = base[:maxFileName]
	}
	name := strings.Trim(string(base), " .")
	if name == "" {
		name = "_"
	}
	for i, stem := 2, name; used[strings.ToLower(name)]; i++ {
		name = fmt.Sprintf("%s_%d", stem, i)
	}
	used[strings.ToLower(name)] = true
	return name
}
