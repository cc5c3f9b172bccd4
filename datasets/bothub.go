package datasets

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	sabia "github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

// bothubExample is one example of a Bothub export. Intent stays raw so that
// a missing key can be told apart from null.
type bothubExample struct {
	Text         *string             `json:"text"`
	Intent       json.RawMessage     `json:"intent"`
	Entities     []jsonlSpan         `json:"entities"`
	Translations []bothubTranslation `json:"translations"`
}

// bothubTranslation is one translation of an example in a Bothub export.
type bothubTranslation struct {
	Language *string     `json:"language"`
	Text     *string     `json:"text"`
	Entities []jsonlSpan `json:"entities"`
}

// bothubOut is the shape WriteBothubJSON writes an example in.
type bothubOut struct {
	Text         string                 `json:"text"`
	Intent       string                 `json:"intent"`
	Entities     []jsonlSpan            `json:"entities"`
	Translations []bothubTranslationOut `json:"translations,omitempty"`
}

// bothubTranslationOut is the shape WriteBothubTranslated writes a
// translation in.
type bothubTranslationOut struct {
	Language string      `json:"language"`
	Text     string      `json:"text"`
	Entities []jsonlSpan `json:"entities"`
}

// Translation is an example's text in another language with its own entity
// spans, as a Bothub export nests it in the example ("translations"). Its
// intent is the example's.
type Translation struct {
	Language string     `json:"language"`
	Text     string     `json:"text"`
	Entities []nlu.Span `json:"entities"`
}

// ReadBothubJSON reads examples in the JSON Bothub exports them in, and the
// language the document names ("" when it names none):
//
//	{"language": "pt_br", "examples": [
//	  {"text": "quero uma pizza de calabresa", "intent": "pedir_pizza",
//	   "entities": [{"start": 19, "end": 28, "entity": "sabor", "value": "calabresa", "group": "g"}]}]}
//
// A bare array of examples is accepted too. Other top-level keys are
// ignored; unknown keys inside an example or an entity are rejected, so
// that a misspelt key cannot silently change the data. "text" and "intent"
// are required; intent "" or null marks an out-of-scope example. Offsets
// are rune offsets, end exclusive, checked as ReadJSONL checks them
// ("value" and "group" optional). An example's "translations" are dropped
// (ReadBothubTranslated keeps them).
//
// Returns an EINVALID *sabia.Error naming the example (by its index in the
// array, from 0) for malformed JSON or a malformed example or span, and
// ETOOLARGE for more than 100,000 examples or a text over 1 MiB. Errors of r
// are wrapped.
func ReadBothubJSON(r io.Reader) ([]nlu.Example, string, error) {
	exs, _, lang, err := ReadBothubTranslated(r)
	return exs, lang, err
}

// ReadBothubTranslated is ReadBothubJSON keeping the translations of each
// example, index for index (nil for an example without any), as Bothub
// exports them:
//
//	"translations": [{"language": "es", "text": "quiero una pizza de calabresa",
//	  "entities": [{"start": 20, "end": 29, "entity": "sabor", "value": "calabresa"}]}]
//
// "language" and "text" are required in each, and its entities are checked
// as an example's; unknown keys are rejected. Errors name the example and
// the translation ("example 3: translation 0: …").
func ReadBothubTranslated(r io.Reader) ([]nlu.Example, [][]Translation, string, error) {
	rec := &errRecorder{r: r}
	dec := json.NewDecoder(bufio.NewReader(rec))
	dec.DisallowUnknownFields()
	fail := jsonFailer(rec, dec)

	var out []nlu.Example
	var trs [][]Translation
	language := ""
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF && rec.err == nil {
			return nil, nil, "", sabia.Errorf(sabia.EINVALID, "empty file: no examples")
		}
		return nil, nil, "", fail("", err)
	}
	switch tok {
	case json.Delim('['):
		if out, trs, err = readBothubExamples(dec, fail); err != nil {
			return nil, nil, "", err
		}
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return nil, nil, "", fail("", err)
			}
			key, _ := tok.(string) // object keys are always strings
			if seen[key] && (key == "examples" || key == "language") {
				return nil, nil, "", sabia.Errorf(sabia.EINVALID, "key %q twice", key)
			}
			seen[key] = true
			switch key {
			case "language":
				var lang *string
				if err := dec.Decode(&lang); err != nil {
					return nil, nil, "", fail(`"language"`, err)
				}
				if lang != nil {
					language = *lang
				}
			case "examples":
				tok, err := dec.Token()
				if err != nil {
					return nil, nil, "", fail(`"examples"`, err)
				}
				if tok != json.Delim('[') {
					return nil, nil, "", sabia.Errorf(sabia.EINVALID, `"examples" must be an array`)
				}
				if out, trs, err = readBothubExamples(dec, fail); err != nil {
					return nil, nil, "", err
				}
			default:
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					return nil, nil, "", fail(fmt.Sprintf("key %q", key), err)
				}
			}
		}
		if _, err := dec.Token(); err != nil { // the closing brace
			return nil, nil, "", fail("", err)
		}
		if !seen["examples"] {
			return nil, nil, "", sabia.Errorf(sabia.EINVALID, `no "examples" key: not a Bothub export`)
		}
	default:
		got, _ := json.Marshal(tok) // a string, number, bool or null
		return nil, nil, "", sabia.Errorf(sabia.EINVALID, "a Bothub export is an object with \"examples\" or an array of examples, not %s", clip(string(got)))
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("unexpected data after the JSON document")
		}
		return nil, nil, "", fail("", err)
	}
	if rec.err != nil {
		return nil, nil, "", fmt.Errorf("reading JSON: %w", rec.err)
	}
	return out, trs, language, nil
}

// readBothubExamples reads the elements of the examples array, whose '[' dec
// has just read, and its closing ']', with each example's translations.
func readBothubExamples(dec *json.Decoder, fail func(string, error) error) ([]nlu.Example, [][]Translation, error) {
	trs := [][]Translation{}
	out, err := readJSONExamples(dec, fail, "example", func(raw bothubExample) (nlu.Example, error) {
		ex, err := bothubToExample(raw)
		if err != nil {
			return ex, err
		}
		var ts []Translation
		for j, rt := range raw.Translations {
			t, err := bothubToTranslation(rt)
			if err != nil {
				return ex, fmt.Errorf("translation %d: %w", j, err)
			}
			ts = append(ts, t)
		}
		trs = append(trs, ts)
		return ex, nil
	})
	if err != nil {
		return nil, nil, err
	}
	return out, trs, nil
}

func bothubToTranslation(raw bothubTranslation) (Translation, error) {
	switch {
	case raw.Language == nil || *raw.Language == "":
		return Translation{}, errors.New(`missing "language"`)
	case !utf8.ValidString(*raw.Language):
		return Translation{}, errors.New(`"language" is not valid UTF-8`)
	case raw.Text == nil:
		return Translation{}, errors.New(`missing "text"`)
	}
	if err := checkReadText(*raw.Text); err != nil {
		return Translation{}, err
	}
	spans, err := spansOf(*raw.Text, raw.Entities)
	if err != nil {
		return Translation{}, err
	}
	return Translation{Language: *raw.Language, Text: *raw.Text, Entities: spans}, nil
}

func bothubToExample(raw bothubExample) (nlu.Example, error) {
	if raw.Text == nil {
		return nlu.Example{}, errors.New(`missing "text"`)
	}
	if err := checkReadText(*raw.Text); err != nil {
		return nlu.Example{}, err
	}
	ex := nlu.Example{Text: *raw.Text}
	switch {
	case len(raw.Intent) == 0:
		return nlu.Example{}, errors.New(`missing "intent" (use "" for an out-of-scope example)`)
	case string(raw.Intent) != "null":
		if err := json.Unmarshal(raw.Intent, &ex.Intent); err != nil {
			return nlu.Example{}, errors.New(`"intent" must be a string or null`)
		}
	}
	spans, err := spansOf(ex.Text, raw.Entities)
	if err != nil {
		return nlu.Example{}, err
	}
	ex.Entities = spans
	return ex, nil
}

// WriteBothubJSON writes examples as a Bothub export that ReadBothubJSON
// reads: an object with "language" (left out when language is "") and
// "examples", each with its text, its intent ("" when out of scope) and its
// entities with the value each covers, indented by two spaces.
//
// Returns an EINVALID *sabia.Error, before writing anything, for an example
// with an empty text, invalid UTF-8, or a span outside its text or without
// an entity name. Errors of w are wrapped.
func WriteBothubJSON(w io.Writer, language string, examples []nlu.Example) error {
	return WriteBothubTranslated(w, language, examples, nil)
}

// WriteBothubTranslated is WriteBothubJSON writing, in each example, its
// translations (translations[i] are those of examples[i]; translations may
// be shorter than examples) under "translations", left out when there are
// none. It returns EINVALID, before writing anything, for a translation
// without a language or with the faults of an example.
func WriteBothubTranslated(w io.Writer, language string, examples []nlu.Example, translations [][]Translation) error {
	doc := struct {
		Language string      `json:"language,omitempty"`
		Examples []bothubOut `json:"examples"`
	}{Language: language, Examples: make([]bothubOut, len(examples))}
	if !utf8.ValidString(language) {
		return sabia.Errorf(sabia.EINVALID, "language %q is not valid UTF-8", language)
	}
	for i, ex := range examples {
		if err := checkWritable(i, ex); err != nil {
			return err
		}
		ents := jsonSpans(ex)
		if ents == nil {
			ents = []jsonlSpan{}
		}
		doc.Examples[i] = bothubOut{Text: ex.Text, Intent: ex.Intent, Entities: ents}
		if i >= len(translations) {
			continue
		}
		for j, t := range translations[i] {
			if err := checkWritable(i, nlu.Example{Text: t.Text, Entities: t.Entities}); err != nil {
				return sabia.Errorf(sabia.EINVALID, "translation %d of %s", j, sabia.ErrorMessage(err))
			}
			if t.Language == "" || !utf8.ValidString(t.Language) {
				return sabia.Errorf(sabia.EINVALID, "example %d: translation %d: language %q is empty or not valid UTF-8", i, j, t.Language)
			}
			ents := jsonSpans(nlu.Example{Text: t.Text, Entities: t.Entities})
			if ents == nil {
				ents = []jsonlSpan{}
			}
			doc.Examples[i].Translations = append(doc.Examples[i].Translations, bothubTranslationOut{Language: t.Language, Text: t.Text, Entities: ents})
		}
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false) // keep "<", ">" and "&" readable in sentences
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	return nil
}
