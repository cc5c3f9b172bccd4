package datasets

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	sabia "github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

// maxCSVRecord is the longest CSV record ReadCSV accepts, in bytes: a text
// of maxText whose every character is a doubled quote, so that the CSV of
// any example ReadJSONL takes fits.
const maxCSVRecord = 2*maxText + 64<<10

// ReadCSV reads examples from CSV with a header naming the columns "text",
// "intent" and, optionally, "entities", in any order and any letter case:
//
//	text,intent,entities
//	quero uma pizza de calabresa,pedir_pizza,"[{""start"": 19, ""end"": 28, ""entity"": ""sabor"", ""value"": ""calabresa""}]"
//	vc é um robô?,,
//
// An empty intent marks an out-of-scope example. "entities" holds the
// entities array of the JSONL format (rune offsets, end exclusive; "value"
// and "group" optional); an empty cell means none. The separator is ';'
// instead of ',' when the header uses it, as Excel writes in Brazil. A UTF-8
// byte-order mark at the start is skipped. As encoding/csv does, a line
// break written "\r\n" inside a quoted text reads as "\n".
//
// Returns an EINVALID *sabia.Error naming the line for a missing or unknown
// column, a malformed record or span, and ETOOLARGE for more than 100,000
// examples, a text over 1 MiB or a record over 2 MiB and 64 KiB. Errors of r
// are wrapped.
func ReadCSV(r io.Reader) ([]nlu.Example, error) {
	rec := &errRecorder{r: r}
	br := bufio.NewReaderSize(rec, 64<<10)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\ufeff")) {
		_, _ = br.Discard(3)
	}
	guard := &recordGuard{r: br}
	cr := csv.NewReader(guard)
	cr.Comma = csvSeparator(br)
	cr.ReuseRecord = true
	lastLine := 0 // where the last record read ended
	fail := func(err error) error {
		var pe *csv.ParseError
		switch {
		case guard.tripped || errors.Is(err, errRecordTooLarge):
			return sabia.Errorf(sabia.ETOOLARGE, "line %d: a record longer than %d bytes", lastLine+1, maxCSVRecord)
		case rec.err != nil:
			return fmt.Errorf("reading CSV: %w", rec.err)
		case err == io.EOF:
			return sabia.Errorf(sabia.EINVALID, "malformed CSV: unexpected end")
		case errors.As(err, &pe):
			return sabia.Errorf(sabia.EINVALID, "line %d: %v", pe.Line, pe.Err)
		}
		return sabia.Errorf(sabia.EINVALID, "malformed CSV: %v", err)
	}

	header, err := cr.Read()
	if err == nil {
		lastLine, _ = cr.FieldPos(len(header) - 1)
	}
	if err == io.EOF && rec.err != nil {
		err = rec.err // a reader error seen while looking at the header
	}
	if err == io.EOF {
		return nil, sabia.Errorf(sabia.EINVALID, `empty file: the header "text,intent" is missing`)
	}
	if err != nil {
		return nil, fail(err)
	}
	cols := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		switch name {
		case "text", "intent", "entities":
		default:
			return nil, sabia.Errorf(sabia.EINVALID, "line 1: unknown column %q (the columns are text, intent and, optionally, entities)", clip(h))
		}
		if _, dup := cols[name]; dup {
			return nil, sabia.Errorf(sabia.EINVALID, "line 1: column %q twice", name)
		}
		cols[name] = i
	}
	for _, name := range []string{"text", "intent"} {
		if _, ok := cols[name]; !ok {
			return nil, sabia.Errorf(sabia.EINVALID, "line 1: no %q column in the header %q", name, clip(strings.Join(header, string(cr.Comma))))
		}
	}
	ei, hasEntities := cols["entities"]

	var out []nlu.Example
	for {
		guard.start = cr.InputOffset()
		row, err := cr.Read()
		if err == io.EOF && rec.err == nil {
			return out, nil
		}
		if err != nil {
			return nil, fail(err)
		}
		line, _ := cr.FieldPos(0)
		lastLine, _ = cr.FieldPos(len(row) - 1)
		if cr.InputOffset()-guard.start > maxCSVRecord {
			return nil, sabia.Errorf(sabia.ETOOLARGE, "line %d: a record longer than %d bytes", line, maxCSVRecord)
		}
		if len(out) == maxExamples {
			return nil, tooManyExamples()
		}
		entities := ""
		if hasEntities {
			entities = row[ei]
		}
		ex, err := csvExample(row[cols["text"]], row[cols["intent"]], entities)
		if err != nil {
			return nil, readError(fmt.Sprintf("line %d", line), err)
		}
		out = append(out, ex)
	}
}

// csvExample checks and converts the cells of one record.
func csvExample(text, intent, entities string) (nlu.Example, error) {
	text, intent = dropCRBeforeLF(text), dropCRBeforeLF(intent)
	if err := checkReadText(text); err != nil {
		return nlu.Example{}, err
	}
	if !utf8.ValidString(intent) {
		return nlu.Example{}, errors.New("intent is not valid UTF-8")
	}
	ex := nlu.Example{Text: text, Intent: intent}
	if strings.TrimSpace(entities) == "" {
		return ex, nil
	}
	dec := json.NewDecoder(strings.NewReader(entities))
	dec.DisallowUnknownFields()
	var raw []jsonlSpan
	if err := dec.Decode(&raw); err != nil {
		return nlu.Example{}, fmt.Errorf("entities: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nlu.Example{}, errors.New("entities: unexpected data after the JSON array")
	}
	spans, err := spansOf(text, raw)
	if err != nil {
		return nlu.Example{}, err
	}
	ex.Entities = spans
	return ex, nil
}

// dropCRBeforeLF removes the carriage returns that end up before a line
// feed, so that what ReadCSV returns is what it reads back after WriteCSV
// (encoding/csv turns "\r\n" into "\n" but leaves a lone "\r").
func dropCRBeforeLF(s string) string {
	if !strings.Contains(s, "\r\n") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\r' {
			j := i
			for j < len(s) && s[j] == '\r' {
				j++
			}
			if j < len(s) && s[j] == '\n' {
				i = j - 1
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// csvSeparator looks at the header line: ';' when it has more semicolons
// than commas, ',' otherwise.
func csvSeparator(br *bufio.Reader) rune {
	b, _ := br.Peek(br.Size())
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	if bytes.Count(b, []byte(";")) > bytes.Count(b, []byte(",")) {
		return ';'
	}
	return ','
}

// errRecordTooLarge stops encoding/csv from buffering a record without end.
var errRecordTooLarge = errors.New("record too large")

// recordGuard fails a read that would take the record being read past
// maxCSVRecord (plus what encoding/csv reads ahead), bounding memory.
type recordGuard struct {
	r     io.Reader
	read  int64 // bytes handed to encoding/csv so far
	start int64 // offset of the record being read
	// tripped is set once the guard failed a read: encoding/csv may report
	// that as a quote left open rather than pass the error on.
	tripped bool
}

func (g *recordGuard) Read(p []byte) (int, error) {
	if g.read-g.start > maxCSVRecord+64<<10 {
		g.tripped = true
		return 0, errRecordTooLarge
	}
	n, err := g.r.Read(p)
	g.read += int64(n)
	return n, err
}

// WriteCSV writes examples as CSV that ReadCSV reads: the header
// "text,intent", plus "entities" when an example has entities, then one
// record per example, intent empty for an out-of-scope example and entities
// as a JSON array with the value each span covers. The separator is ',' and
// records end with "\n".
//
// Returns an EINVALID *sabia.Error, before writing anything, for an example
// with an empty text, invalid UTF-8, or a span outside its text or without
// an entity name. Errors of w are wrapped.
func WriteCSV(w io.Writer, examples []nlu.Example) error {
	cells := make([]string, len(examples))
	withEntities := false
	for i, ex := range examples {
		if err := checkWritable(i, ex); err != nil {
			return err
		}
		if len(ex.Entities) == 0 {
			continue
		}
		withEntities = true
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(jsonSpans(ex)); err != nil {
			return fmt.Errorf("encoding the entities of example %d: %w", i, err)
		}
		cells[i] = strings.TrimSuffix(buf.String(), "\n")
	}
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	header := []string{"text", "intent"}
	if withEntities {
		header = append(header, "entities")
	}
	_ = cw.Write(header) // errors of bw come back from Flush and cw.Error
	for i, ex := range examples {
		row := []string{ex.Text, ex.Intent}
		if withEntities {
			row = append(row, cells[i])
		}
		_ = cw.Write(row)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("writing CSV: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing CSV: %w", err)
	}
	return nil
}
