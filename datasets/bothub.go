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
	Text     *string         `json:"text"`
	Intent   json.RawMessage `json:"intent"`
	Entities []jsonlSpan     `json:"entities"`
}

// bothubOut is the shape WriteBothubJSON writes an example in.
type bothubOut struct {
	Text     string      `json:"text"`
	Intent   string      `json:"intent"`
	Entities []jsonlSpan `json:"entities"`
}

// ReadBothubJSON reads examples in the JSON Bothub exports them in, and the
// language the document names ("" when it names none):
//
//	{"language": "pt_br", "examples": [
//	  {"text": "quero uma pizza de calabresa", "intent": "pedir_pizza",
//	   "entities": [{"start": 19, "end": 28, "entity": "sabor", "value": "calabresa", "group": "g"}]}]}
//
// A bare array of examples is accepted too. Other top-level keys
// ("translations", ...) are ignored; unknown keys inside an example or an
// entity are rejected, so that a misspelt key cannot silently change the
// data. "text" and "intent" are required; intent "" or null marks an
// out-of-scope example. Offsets are rune offsets, end exclusive, checked as
// ReadJSONL checks them ("value" and "group" optional).
//
// Returns an EINVALID *sabia.Error naming the example (by its index in the
// array, from 0) for malformed JSON or a malformed example or span, and
// ETOOLARGE for more than 100,000 examples or a text over 1 MiB. Errors of r
// are wrapped.
func ReadBothubJSON(r io.Reader) ([]nlu.Example, string, error) {
	rec := &errRecorder{r: r}
	dec := json.NewDecoder(bufio.NewReader(rec))
	dec.DisallowUnknownFields()
	fail := jsonFailer(rec, dec)

	var out []nlu.Example
	language := ""
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF && rec.err == nil {
			return nil, "", sabia.Errorf(sabia.EINVALID, "empty file: no examples")
		}
		return nil, "", fail("", err)
	}
	switch tok {
	case json.Delim('['):
		if out, err = readJSONExamples(dec, fail, "example", bothubToExample); err != nil {
			return nil, "", err
		}
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return nil, "", fail("", err)
			}
			key, _ := tok.(string) // object keys are always strings
			if seen[key] && (key == "examples" || key == "language") {
				return nil, "", sabia.Errorf(sabia.EINVALID, "key %q twice", key)
			}
			seen[key] = true
			switch key {
			case "language":
				var lang *string
				if err := dec.Decode(&lang); err != nil {
					return nil, "", fail(`"language"`, err)
				}
				if lang != nil {
					language = *lang
				}
			case "examples":
				tok, err := dec.Token()
				if err != nil {
					return nil, "", fail(`"examples"`, err)
				}
				if tok != json.Delim('[') {
					return nil, "", sabia.Errorf(sabia.EINVALID, `"examples" must be an array`)
				}
				if out, err = readJSONExamples(dec, fail, "example", bothubToExample); err != nil {
					return nil, "", err
				}
			default:
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					return nil, "", fail(fmt.Sprintf("key %q", key), err)
				}
			}
		}
		if _, err := dec.Token(); err != nil { // the closing brace
			return nil, "", fail("", err)
		}
		if !seen["examples"] {
			return nil, "", sabia.Errorf(sabia.EINVALID, `no "examples" key: not a Bothub export`)
		}
	default:
		got, _ := json.Marshal(tok) // a string, number, bool or null
		return nil, "", sabia.Errorf(sabia.EINVALID, "a Bothub export is an object with \"examples\" or an array of examples, not %s", clip(string(got)))
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("unexpected data after the JSON document")
		}
		return nil, "", fail("", err)
	}
	if rec.err != nil {
		return nil, "", fmt.Errorf("reading JSON: %w", rec.err)
	}
	return out, language, nil
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
