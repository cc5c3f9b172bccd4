package datasets

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	sabia "github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

// maxExamples is the most examples a reader accepts from one file; it
// matches the largest import the repository takes, so a bigger file fails
// while being read rather than after being held in memory whole.
const maxExamples = 100_000

// maxText is the longest text, in bytes, a reader accepts: the longest line
// ReadJSONL takes, so that every format admits the same examples.
const maxText = maxJSONLLine

// Formats names the file formats Decode and Encode know, in the order a user
// is offered them: "jsonl" (ReadJSONL), "rasa" (ReadRasaYAML), "csv"
// (ReadCSV), "bothub" (ReadBothubJSON), "luis" (ReadLUISJSON, a Microsoft
// LUIS app) and "dialogflow" (ReadDialogflowZIP, a Google Dialogflow ES
// agent ZIP). Callers must not modify it.
var Formats = []string{"jsonl", "rasa", "csv", "bothub", "luis", "dialogflow"}

// Decode reads examples in the named format (one of Formats).
//
// Returns an EINVALID *sabia.Error naming the known formats for an unknown
// one, and otherwise the errors of the format's reader: EINVALID naming the
// line or example (or file and phrase) for malformed input, ETOOLARGE for
// more than 100,000 examples or a text over 1 MiB, and for "dialogflow" a
// ZIP over its bounds (see ReadDialogflowZIP). Errors of r are wrapped.
func Decode(format string, r io.Reader) ([]nlu.Example, error) {
	exs, _, err := DecodeTranslated(format, r)
	return exs, err
}

// DecodeTranslated is Decode that also returns the translations of each
// example, index for index, for the formats that hold them ("bothub", see
// ReadBothubTranslated); nil for the others.
func DecodeTranslated(format string, r io.Reader) ([]nlu.Example, [][]Translation, error) {
	if format == "bothub" {
		exs, trs, _, err := ReadBothubTranslated(r)
		return exs, trs, err
	}
	exs, err := decode(format, r)
	return exs, nil, err
}

func decode(format string, r io.Reader) ([]nlu.Example, error) {
	switch format {
	case "jsonl":
		exs, err := ReadJSONL(r)
		if err != nil {
			return nil, err
		}
		if len(exs) > maxExamples {
			return nil, tooManyExamples()
		}
		return exs, nil
	case "rasa":
		return ReadRasaYAML(r)
	case "csv":
		return ReadCSV(r)
	case "bothub":
		exs, _, err := ReadBothubJSON(r)
		return exs, err
	case "luis":
		return ReadLUISJSON(r)
	case "dialogflow":
		return ReadDialogflowZIP(r)
	}
	return nil, unknownFormat(format)
}

// Encode writes examples in the named format (one of Formats). language is
// written by the formats that hold one ("bothub", where "" writes none;
// "luis" and "dialogflow", where "" writes Brazilian Portuguese) and ignored
// by the others.
//
// Returns an EINVALID *sabia.Error naming the known formats for an unknown
// one, and otherwise the errors of the format's writer (EINVALID, before
// writing anything, for an example the format cannot hold). Errors of w are
// wrapped.
func Encode(format string, w io.Writer, language string, examples []nlu.Example) error {
	return EncodeTranslated(format, w, language, examples, nil)
}

// EncodeTranslated is Encode that also writes the translations of each
// example (translations[i] are those of examples[i]) in the formats that
// hold them ("bothub", see WriteBothubTranslated); the others ignore them,
// since a translation is exported as an example of its own language.
func EncodeTranslated(format string, w io.Writer, language string, examples []nlu.Example, translations [][]Translation) error {
	switch format {
	case "jsonl":
		return WriteJSONL(w, examples)
	case "rasa":
		return WriteRasaYAML(w, examples)
	case "csv":
		return WriteCSV(w, examples)
	case "bothub":
		return WriteBothubTranslated(w, language, examples, translations)
	case "luis":
		return WriteLUISJSON(w, language, examples)
	case "dialogflow":
		return WriteDialogflowZIP(w, language, examples)
	}
	return unknownFormat(format)
}

// ContentType returns the media type of a file in the named format, "" for
// an unknown format.
func ContentType(format string) string {
	switch format {
	case "jsonl":
		return "application/x-ndjson"
	case "rasa":
		return "application/yaml"
	case "csv":
		return "text/csv"
	case "bothub", "luis":
		return "application/json"
	case "dialogflow":
		return "application/zip"
	}
	return ""
}

// FileExtension returns the usual file extension (without the dot) of the
// named format, "" for an unknown format.
func FileExtension(format string) string {
	switch format {
	case "jsonl":
		return "jsonl"
	case "rasa":
		return "yml"
	case "csv":
		return "csv"
	case "bothub", "luis":
		return "json"
	case "dialogflow":
		return "zip"
	}
	return ""
}

func unknownFormat(format string) error {
	return sabia.Errorf(sabia.EINVALID, "unknown format %q: one of %s", format, strings.Join(Formats, ", "))
}

func tooManyExamples() error {
	return sabia.Errorf(sabia.ETOOLARGE, "more than %d examples in one file", maxExamples)
}

// errTextTooLong marks a text over maxText, so that a reader can answer
// ETOOLARGE rather than EINVALID.
var errTextTooLong = fmt.Errorf("text longer than %d bytes", maxText)

// readError builds a reader's error about one example or line: ETOOLARGE
// when err is errTextTooLong, EINVALID otherwise; where names the place
// ("line 3", "example 7").
func readError(where string, err error) error {
	if errors.Is(err, errTextTooLong) {
		return sabia.Errorf(sabia.ETOOLARGE, "%s: %v", where, err)
	}
	return sabia.Errorf(sabia.EINVALID, "%s: %v", where, err)
}

// checkReadText checks a text a reader is about to accept: valid UTF-8, not
// blank and no longer than maxText.
func checkReadText(text string) error {
	switch {
	case len(text) > maxText:
		return errTextTooLong
	case !utf8.ValidString(text):
		return errors.New("text is not valid UTF-8")
	case strings.TrimSpace(text) == "":
		return errors.New(`empty "text"`)
	}
	return nil
}

// spansOf checks a JSON entities array against its text the way ReadJSONL
// does (rune offsets, 0 <= start < end <= runes, value equal to the runes it
// covers when given) and converts it.
func spansOf(text string, raw []jsonlSpan) ([]nlu.Span, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	runes := []rune(text)
	spans := make([]nlu.Span, 0, len(raw))
	for i, s := range raw {
		switch {
		case s.Start == nil || s.End == nil:
			return nil, fmt.Errorf(`entity %d: missing "start" or "end"`, i)
		case s.Entity == "":
			return nil, fmt.Errorf(`entity %d: missing "entity"`, i)
		case *s.Start < 0 || *s.Start >= *s.End || *s.End > len(runes):
			return nil, fmt.Errorf("entity %d (%s): span [%d,%d) is not inside the text of %d runes",
				i, s.Entity, *s.Start, *s.End, len(runes))
		}
		if s.Value != nil {
			if got := string(runes[*s.Start:*s.End]); got != *s.Value {
				return nil, fmt.Errorf("entity %d (%s): value %q does not match the text %q at [%d,%d)",
					i, s.Entity, *s.Value, got, *s.Start, *s.End)
			}
		}
		spans = append(spans, nlu.Span{Start: *s.Start, End: *s.End, Entity: s.Entity, Group: s.Group})
	}
	return spans, nil
}

// jsonSpans converts an example's spans to the JSON entities array, each
// with the value it covers. The example must have passed checkWritable.
func jsonSpans(ex nlu.Example) []jsonlSpan {
	if len(ex.Entities) == 0 {
		return nil
	}
	runes := []rune(ex.Text)
	out := make([]jsonlSpan, len(ex.Entities))
	for i, s := range ex.Entities {
		start, end, value := s.Start, s.End, string(runes[s.Start:s.End])
		out[i] = jsonlSpan{Start: &start, End: &end, Entity: s.Entity, Value: &value, Group: s.Group}
	}
	return out
}

// checkWritable checks what every writer needs of an example so that its
// reader gives it back: a text that is valid UTF-8 and not blank, names in
// valid UTF-8, and spans inside the text with an entity name.
func checkWritable(i int, ex nlu.Example) error {
	bad := func(format string, args ...any) error {
		return sabia.Errorf(sabia.EINVALID, "example %d: %s", i, fmt.Sprintf(format, args...))
	}
	switch {
	case !utf8.ValidString(ex.Text):
		return bad("text is not valid UTF-8")
	case strings.TrimSpace(ex.Text) == "":
		return bad("empty text")
	case !utf8.ValidString(ex.Intent):
		return bad("intent is not valid UTF-8")
	}
	n := utf8.RuneCountInString(ex.Text)
	for _, s := range ex.Entities {
		switch {
		case s.Entity == "":
			return bad("span [%d,%d) has no entity name", s.Start, s.End)
		case !utf8.ValidString(s.Entity) || !utf8.ValidString(s.Group):
			return bad("entity %q: name or group is not valid UTF-8", s.Entity)
		case s.Start < 0 || s.Start >= s.End || s.End > n:
			return bad("entity %q: span [%d,%d) is not inside the text of %d runes", s.Entity, s.Start, s.End, n)
		}
	}
	return nil
}

// jsonFailer returns how a streaming JSON reader reports a failure of dec,
// which reads from rec: the error of rec, wrapped, when it failed; else an
// EINVALID *sabia.Error naming where ("example 3") or, when where is "", the
// byte offset.
func jsonFailer(rec *errRecorder, dec *json.Decoder) func(where string, err error) error {
	return func(where string, err error) error {
		if rec.err != nil {
			return fmt.Errorf("reading JSON: %w", rec.err)
		}
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			err = errors.New("unexpected end of the JSON")
		}
		if where == "" {
			return sabia.Errorf(sabia.EINVALID, "malformed JSON near byte %d: %v", dec.InputOffset(), err)
		}
		return sabia.Errorf(sabia.EINVALID, "%s: %v", where, err)
	}
}

// readJSONExamples reads the elements of a JSON array of examples, whose '['
// dec has just read, and its closing ']': each decoded as a T and converted
// by convert, errors naming it as noun and index ("utterance 3"), at most
// maxExamples of them.
func readJSONExamples[T any](dec *json.Decoder, fail func(string, error) error, noun string, convert func(T) (nlu.Example, error)) ([]nlu.Example, error) {
	out := []nlu.Example{}
	for i := 0; dec.More(); i++ {
		if i == maxExamples {
			return nil, tooManyExamples()
		}
		where := fmt.Sprintf("%s %d", noun, i)
		var raw T
		if err := dec.Decode(&raw); err != nil {
			return nil, fail(where, err)
		}
		ex, err := convert(raw)
		if err != nil {
			return nil, readError(where, err)
		}
		out = append(out, ex)
	}
	if _, err := dec.Token(); err != nil {
		return nil, fail("", err)
	}
	return out, nil
}

// errRecorder remembers the first error of its reader other than io.EOF, so
// that a parser's failure can be told apart from a failing reader.
type errRecorder struct {
	r   io.Reader
	err error
}

func (e *errRecorder) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}
