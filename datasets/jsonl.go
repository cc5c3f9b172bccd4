package datasets

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	sabia "github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

// maxJSONLLine is the longest line ReadJSONL accepts, in bytes; one example
// is a sentence or a paragraph, so a longer line is a broken file, not data.
const maxJSONLLine = 1 << 20

// jsonlExample is one line of the JSONL format. Intent stays raw so that a
// missing key can be told apart from an explicit null.
type jsonlExample struct {
	Text     *string         `json:"text"`
	Intent   json.RawMessage `json:"intent"`
	Entities []jsonlSpan     `json:"entities,omitempty"`
}

// jsonlSpan is one entity of a line; Value repeats the text it covers so that
// a file can be checked by eye and by machine.
type jsonlSpan struct {
	Start  *int    `json:"start"`
	End    *int    `json:"end"`
	Entity string  `json:"entity"`
	Value  *string `json:"value"`
	Group  string  `json:"group,omitempty"`
}

// ReadJSONL reads examples in the JSON Lines format of the benchmark sets, one
// object per line:
//
//	{"text": "...", "intent": "name" or null, "entities": [{"start": 0, "end": 5, "entity": "x", "value": "..."}]}
//
// "text" and "intent" are required; intent null (or "") marks an
// out-of-scope example. "entities" and each span's "group" are optional.
// Offsets are rune (code point) offsets into text, end exclusive; a span must
// satisfy 0 <= start < end <= len(runes) and, when "value" is given, value
// must equal the runes it covers. Unknown keys are rejected so that a
// misspelt "intent" cannot silently turn examples into negatives. Blank
// lines are skipped.
//
// Returns an EINVALID *sabia.Error naming the line for a malformed line, and
// ETOOLARGE when a line is longer than 1 MiB. Errors of r are wrapped.
func ReadJSONL(r io.Reader) ([]nlu.Example, error) {
	out, _, err := readJSONL(r, false)
	return out, err
}

// ReadJSONLDroppingBadSpans reads like ReadJSONL, but a span that is not
// inside its text or does not match its value is dropped (and described in
// dropped, with its line) instead of failing the whole file: public data
// sets carry a few such annotation slips, and an evaluation should report
// them rather than refuse to run.
func ReadJSONLDroppingBadSpans(r io.Reader) (examples []nlu.Example, dropped []string, err error) {
	return readJSONL(r, true)
}

func readJSONL(r io.Reader, lenient bool) ([]nlu.Example, []string, error) {
	var dropped []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), maxJSONLLine)
	var out []nlu.Example
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if line == 1 {
			b = bytes.TrimPrefix(b, []byte("\ufeff")) // byte-order mark left by spreadsheet tools
		}
		b = bytes.TrimSpace(b)
		if len(b) == 0 {
			continue
		}
		ex, bad, err := parseJSONLLine(b, lenient)
		if err != nil {
			return nil, nil, sabia.Errorf(sabia.EINVALID, "line %d: %v", line, err)
		}
		for _, e := range bad {
			dropped = append(dropped, fmt.Sprintf("line %d: %v", line, e))
		}
		out = append(out, ex)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, nil, sabia.Errorf(sabia.ETOOLARGE, "line %d: longer than %d bytes", line+1, maxJSONLLine)
		}
		return nil, nil, fmt.Errorf("reading line %d: %w", line+1, err)
	}
	return out, dropped, nil
}

// parseJSONLLine decodes and validates one non-blank line. With lenient, a
// bad span is dropped and returned in bad instead of failing the line.
func parseJSONLLine(b []byte, lenient bool) (nlu.Example, []error, error) {
	var bad []error
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var raw jsonlExample
	if err := dec.Decode(&raw); err != nil {
		return nlu.Example{}, nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nlu.Example{}, nil, errors.New("unexpected data after the JSON object")
	}
	if raw.Text == nil {
		return nlu.Example{}, nil, errors.New(`missing "text"`)
	}
	text := *raw.Text
	if strings.TrimSpace(text) == "" {
		return nlu.Example{}, nil, errors.New(`empty "text"`)
	}
	ex := nlu.Example{Text: text}
	switch {
	case len(raw.Intent) == 0:
		return nlu.Example{}, nil, errors.New(`missing "intent" (use null for an out-of-scope example)`)
	case string(raw.Intent) != "null":
		if err := json.Unmarshal(raw.Intent, &ex.Intent); err != nil {
			return nlu.Example{}, nil, errors.New(`"intent" must be a string or null`)
		}
	}
	if len(raw.Entities) == 0 {
		return ex, nil, nil
	}
	runes := []rune(text)
	ex.Entities = make([]nlu.Span, 0, len(raw.Entities))
	for i, s := range raw.Entities {
		switch {
		case s.Start == nil || s.End == nil:
			return nlu.Example{}, nil, fmt.Errorf(`entity %d: missing "start" or "end"`, i)
		case s.Entity == "":
			return nlu.Example{}, nil, fmt.Errorf(`entity %d: missing "entity"`, i)
		case *s.Start < 0 || *s.Start >= *s.End || *s.End > len(runes):
			err := fmt.Errorf("entity %d (%s): span [%d,%d) is not inside the text of %d runes",
				i, s.Entity, *s.Start, *s.End, len(runes))
			if !lenient {
				return nlu.Example{}, nil, err
			}
			bad = append(bad, err)
			continue
		}
		if s.Value != nil {
			if got := string(runes[*s.Start:*s.End]); got != *s.Value {
				err := fmt.Errorf("entity %d (%s): value %q does not match the text %q at [%d,%d)",
					i, s.Entity, *s.Value, got, *s.Start, *s.End)
				if !lenient {
					return nlu.Example{}, nil, err
				}
				bad = append(bad, err)
				continue
			}
		}
		ex.Entities = append(ex.Entities, nlu.Span{Start: *s.Start, End: *s.End, Entity: s.Entity, Group: s.Group})
	}
	return ex, bad, nil
}

// WriteJSONL writes examples in the format ReadJSONL reads, one per line:
// intent "" becomes null, and each span carries the value it covers.
//
// Returns an EINVALID *sabia.Error, before writing anything, when an example
// has an empty text, invalid UTF-8 or a span outside its text. Errors of w are wrapped.
func WriteJSONL(w io.Writer, examples []nlu.Example) error {
	lines := make([]jsonlExample, len(examples))
	for i, ex := range examples {
		if !utf8.ValidString(ex.Text) {
			return sabia.Errorf(sabia.EINVALID, "example %d: text is not valid UTF-8", i)
		}
		if strings.TrimSpace(ex.Text) == "" {
			return sabia.Errorf(sabia.EINVALID, "example %d: empty text", i)
		}
		text := ex.Text
		line := jsonlExample{Text: &text, Intent: json.RawMessage("null")}
		if ex.Intent != "" {
			b, err := json.Marshal(ex.Intent)
			if err != nil {
				return fmt.Errorf("encoding intent of example %d: %w", i, err)
			}
			line.Intent = b
		}
		runes := []rune(ex.Text)
		for _, s := range ex.Entities {
			if s.Start < 0 || s.Start >= s.End || s.End > len(runes) {
				return sabia.Errorf(sabia.EINVALID, "example %d: entity %q: span [%d,%d) is not inside the text of %d runes",
					i, s.Entity, s.Start, s.End, len(runes))
			}
			start, end, value := s.Start, s.End, string(runes[s.Start:s.End])
			line.Entities = append(line.Entities, jsonlSpan{Start: &start, End: &end, Entity: s.Entity, Value: &value, Group: s.Group})
		}
		lines[i] = line
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false) // keep "<", ">" and "&" readable in sentences
	for i := range lines {
		if err := enc.Encode(&lines[i]); err != nil {
			return fmt.Errorf("writing example %d: %w", i, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing examples: %w", err)
	}
	return nil
}
