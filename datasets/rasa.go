package datasets

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	sabia "github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

// RasaOutOfScopeIntent is the intent under which WriteRasaYAML writes
// out-of-scope examples (Intent ""), and which ReadRasaYAML reads back as
// Intent "": Rasa has no example without an intent, and Rasa projects
// conventionally name this one "out_of_scope", as Sabiá's repositories do
// (repository.OutOfScopeIntent).
const RasaOutOfScopeIntent = "out_of_scope"

// rasaVersion is the training data format version WriteRasaYAML declares.
const rasaVersion = "3.1"

// ReadRasaYAML reads the examples of a Rasa NLU training data file (format
// version 3.x):
//
//	version: "3.1"
//	nlu:
//	- intent: pedir_pizza
//	  examples: |
//	    - quero uma pizza de [calabresa](sabor)
//	    - de [São Paulo]{"entity": "cidade", "group": "origem"} pra [Recife]{"entity": "cidade", "group": "destino"}
//
// Entities are annotated inline as [value](entity), [value](entity:synonym),
// [value]{"entity": "e", "group": "g", "role": "r", "value": "v"} or a list of
// such objects in brackets, [value][{"entity": "a"}, {"entity": "b"}], for
// several entities on the same words; a synonym, a role and a "value" are
// not kept. Outside annotations the text is taken as written, so brackets and
// parentheses that do not form an annotation stay text. Where they would, a
// backslash escapes them: \[ and \] read as [ and ], \\ as \ (Rasa itself has
// no escape and would keep the backslash). As in Rasa, each example is
// stripped of leading and trailing spaces, and an intent's examples may also
// be a list of {text, metadata} mappings; metadata is ignored.
//
// Top-level keys other than "nlu" (version, responses, domain keys) and the
// synonym, regex and lookup items of "nlu" are ignored; other keys of an
// intent item are rejected, and so is a file without "nlu". The intent
// RasaOutOfScopeIntent is read as Intent "" (out of scope). Examples come back
// grouped by intent, intents in the order they first appear, each example's
// spans in text order with rune offsets.
//
// Returns an EINVALID *sabia.Error naming the line for malformed YAML, a
// missing "nlu" key or a malformed example or annotation, and ETOOLARGE for
// more than 100,000 examples or a text over 1 MiB. Errors of r are wrapped.
func ReadRasaYAML(r io.Reader) ([]nlu.Example, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading YAML: %w", err)
	}
	root, err := decodeYAML(data)
	if err != nil {
		return nil, err
	}
	top := root
	if top.Kind == yaml.DocumentNode && len(top.Content) == 1 {
		top = top.Content[0]
	}
	if top.Kind != yaml.MappingNode {
		return nil, sabia.Errorf(sabia.EINVALID, `line %d: no "nlu" key: the file is not a YAML mapping`, top.Line)
	}
	var items *yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		if k := top.Content[i]; k.Kind == yaml.ScalarNode && k.Value == "nlu" {
			if items != nil {
				return nil, sabia.Errorf(sabia.EINVALID, `line %d: a second "nlu" key`, k.Line)
			}
			items = top.Content[i+1]
		}
	}
	if items == nil {
		return nil, sabia.Errorf(sabia.EINVALID, `no "nlu" key: not a Rasa NLU training data file`)
	}
	rd := rasaReader{index: map[string]int{}}
	if err := rd.readItems(items); err != nil {
		return nil, err
	}
	out := make([]nlu.Example, 0, rd.n)
	for _, g := range rd.groups {
		out = append(out, g...)
	}
	return out, nil
}

// decodeYAML parses exactly one YAML document. A panic of the YAML parser
// becomes an EINVALID error: no input may crash a server.
func decodeYAML(data []byte) (doc *yaml.Node, err error) {
	defer func() {
		if p := recover(); p != nil {
			doc, err = nil, sabia.Errorf(sabia.EINVALID, "malformed YAML: %v", p)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var n yaml.Node
	if err := dec.Decode(&n); err != nil {
		if err == io.EOF {
			return nil, sabia.Errorf(sabia.EINVALID, `empty file: no "nlu" key`)
		}
		return nil, sabia.Errorf(sabia.EINVALID, "malformed YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		return nil, sabia.Errorf(sabia.EINVALID, "line %d: a second YAML document; a training data file has one", extra.Line)
	case err != io.EOF:
		return nil, sabia.Errorf(sabia.EINVALID, "malformed YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return &n, nil
}

// rasaReader gathers the examples of the nlu items, grouped by intent.
type rasaReader struct {
	index  map[string]int // intent → position in groups
	groups [][]nlu.Example
	n      int
}

func (rd *rasaReader) readItems(items *yaml.Node) error {
	switch {
	case items.Kind == yaml.ScalarNode && items.ShortTag() == "!!null":
		return nil
	case items.Kind == yaml.AliasNode:
		return sabia.Errorf(sabia.EINVALID, "line %d: YAML aliases are not supported in training data", items.Line)
	case items.Kind != yaml.SequenceNode:
		return sabia.Errorf(sabia.EINVALID, `line %d: "nlu" must be a list of intents`, items.Line)
	}
	for i, item := range items.Content {
		if err := rd.readItem(i, item); err != nil {
			return err
		}
	}
	return nil
}

// readItem reads one element of the nlu list: an intent with its examples,
// or a synonym, regex or lookup item, which is skipped.
func (rd *rasaReader) readItem(i int, item *yaml.Node) error {
	bad := func(n *yaml.Node, format string, args ...any) error {
		return sabia.Errorf(sabia.EINVALID, "line %d: nlu item %d: %s", n.Line, i, fmt.Sprintf(format, args...))
	}
	if item.Kind != yaml.MappingNode {
		return bad(item, "not a mapping")
	}
	keys := map[string]*yaml.Node{}
	for j := 0; j+1 < len(item.Content); j += 2 {
		k := item.Content[j]
		if k.Kind != yaml.ScalarNode {
			return bad(k, "a key is not a string")
		}
		if _, dup := keys[k.Value]; dup {
			return bad(k, "key %q twice", k.Value)
		}
		keys[k.Value] = item.Content[j+1]
	}
	intentNode, ok := keys["intent"]
	if !ok {
		for _, k := range []string{"synonym", "regex", "lookup"} {
			if _, ok := keys[k]; ok {
				return nil
			}
		}
		return bad(item, "has none of intent, synonym, regex or lookup")
	}
	for j := 0; j < len(item.Content); j += 2 {
		switch k := item.Content[j]; k.Value {
		case "intent", "examples", "metadata":
		default:
			return bad(k, "unknown key %q in an intent (want intent, examples, metadata)", k.Value)
		}
	}
	if intentNode.Kind != yaml.ScalarNode || intentNode.ShortTag() == "!!null" || intentNode.Value == "" {
		return bad(intentNode, "the intent name must be a non-empty string")
	}
	intent := intentNode.Value
	if intent == RasaOutOfScopeIntent {
		intent = ""
	}
	examples, ok := keys["examples"]
	if !ok {
		return bad(item, "intent %q has no examples", intentNode.Value)
	}
	switch {
	case examples.Kind == yaml.ScalarNode && examples.ShortTag() != "!!null":
		// A block of "- text" lines; in a literal or folded block the
		// content starts on the line after the "|" or ">".
		first, step := examples.Line, 0
		if examples.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			first, step = examples.Line+1, 1
		}
		for j, line := range splitLines(examples.Value) {
			if strings.TrimSpace(line) == "" {
				continue
			}
			where := fmt.Sprintf("line %d: intent %q", first+j*step, intentNode.Value)
			body, ok := strings.CutPrefix(line, "-")
			if !ok {
				return sabia.Errorf(sabia.EINVALID, `%s: an example must start with "- ", got %q`, where, clip(line))
			}
			if err := rd.add(where, intent, body); err != nil {
				return err
			}
		}
	case examples.Kind == yaml.SequenceNode:
		for _, ex := range examples.Content {
			text, err := listExampleText(ex)
			if err != nil {
				return bad(ex, "intent %q: %v", intentNode.Value, err)
			}
			if err := rd.add(fmt.Sprintf("line %d: intent %q", ex.Line, intentNode.Value), intent, text.Value); err != nil {
				return err
			}
		}
	case examples.Kind == yaml.AliasNode:
		return bad(examples, "YAML aliases are not supported in training data")
	default:
		return bad(examples, `intent %q: "examples" must be a block of "- text" lines or a list of {text: ...}`, intentNode.Value)
	}
	return nil
}

// listExampleText returns the text node of an example given as a
// {text, metadata} mapping.
func listExampleText(ex *yaml.Node) (*yaml.Node, error) {
	if ex.Kind != yaml.MappingNode {
		return nil, errors.New("an example in a list must be a mapping with a \"text\" key")
	}
	var text *yaml.Node
	for j := 0; j+1 < len(ex.Content); j += 2 {
		k, v := ex.Content[j], ex.Content[j+1]
		switch {
		case k.Kind == yaml.ScalarNode && k.Value == "text":
			if text != nil {
				return nil, errors.New(`key "text" twice`)
			}
			text = v
		case k.Kind == yaml.ScalarNode && k.Value == "metadata":
		default:
			return nil, fmt.Errorf("unknown key %q in an example (want text, metadata)", k.Value)
		}
	}
	if text == nil || text.Kind != yaml.ScalarNode || text.ShortTag() == "!!null" {
		return nil, errors.New(`an example needs a "text" string`)
	}
	return text, nil
}

// add parses one example as Rasa writes it and files it under its intent.
func (rd *rasaReader) add(where, intent, raw string) error {
	if rd.n == maxExamples {
		return tooManyExamples()
	}
	text, spans, err := parseRasaExample(strings.Trim(raw, rasaStrip))
	if err == nil {
		err = checkReadText(text)
	}
	if err != nil {
		return readError(where, err)
	}
	g, ok := rd.index[intent]
	if !ok {
		g = len(rd.groups)
		rd.index[intent] = g
		rd.groups = append(rd.groups, nil)
	}
	rd.groups[g] = append(rd.groups[g], nlu.Example{Text: text, Intent: intent, Entities: spans})
	rd.n++
	return nil
}

// rasaStrip are the characters Rasa strips from both ends of an example.
const rasaStrip = " \r\n"

// splitLines splits s at the line boundaries Python's str.splitlines knows,
// which is how Rasa splits a block of examples.
func splitLines(s string) []string {
	var lines []string
	start := 0
	for i, r := range s {
		switch r {
		case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
		default:
			continue
		}
		if r == '\n' && i > 0 && s[i-1] == '\r' {
			start = i + 1
			continue
		}
		lines = append(lines, s[start:i])
		start = i + utf8.RuneLen(r)
	}
	if start < len(s) {
		lines = append(lines, s[start:])
	}
	return lines
}

// clip shortens s for an error message.
func clip(s string) string {
	const max = 60 // runes; enough to recognise a line
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}

// rasaEscapable are the runes a backslash escapes in an example.
func rasaEscapable(r rune) bool { return r == '[' || r == ']' || r == '\\' }

// parseRasaExample turns an example line with inline annotations into its
// text and spans.
func parseRasaExample(line string) (string, []nlu.Span, error) {
	if !strings.ContainsAny(line, `[\`) {
		return line, nil, nil
	}
	s := []rune(line)
	out := make([]rune, 0, len(s))
	var spans []nlu.Span
	var sc *rasaScan
	for i := 0; i < len(s); {
		c := s[i]
		if c == '\\' && i+1 < len(s) && rasaEscapable(s[i+1]) {
			out = append(out, s[i+1])
			i += 2
			continue
		}
		if c == '[' {
			if sc == nil {
				sc = newRasaScan(s)
			}
			value, ents, next, err := sc.annotationAt(i)
			if err != nil {
				return "", nil, err
			}
			if next > 0 {
				start := len(out)
				out = append(out, value...)
				for _, e := range ents {
					e.Start, e.End = start, len(out)
					spans = append(spans, e)
				}
				i = next
				continue
			}
		}
		out = append(out, c)
		i++
	}
	return string(out), spans, nil
}

// rasaScan holds, for every position of an example, where the closing
// characters an annotation needs next occur, so that finding annotations is
// linear in the length of the example whatever its brackets.
type rasaScan struct {
	s []rune
	// valueEnd[k] is the first unescaped ']' at or after k when reading an
	// annotated value from k; -1 when there is none.
	valueEnd []int32
	// Next ')', next ':' or ')', next '}' and next ']' at or after k; -1 when none.
	rParen, colonOrRParen, rBrace, rBracket []int32
}

func newRasaScan(s []rune) *rasaScan {
	n := len(s)
	sc := &rasaScan{
		s:        s,
		valueEnd: make([]int32, n+1), rParen: make([]int32, n+1), colonOrRParen: make([]int32, n+1),
		rBrace: make([]int32, n+1), rBracket: make([]int32, n+1),
	}
	sc.valueEnd[n], sc.rParen[n], sc.colonOrRParen[n], sc.rBrace[n], sc.rBracket[n] = -1, -1, -1, -1, -1
	for k := n - 1; k >= 0; k-- {
		next := func(a []int32, is bool) {
			if is {
				a[k] = int32(k)
			} else {
				a[k] = a[k+1]
			}
		}
		c := s[k]
		next(sc.rParen, c == ')')
		next(sc.colonOrRParen, c == ')' || c == ':')
		next(sc.rBrace, c == '}')
		next(sc.rBracket, c == ']')
		switch {
		case c == ']':
			sc.valueEnd[k] = int32(k)
		case c == '\\' && k+1 < n && rasaEscapable(s[k+1]):
			sc.valueEnd[k] = sc.valueEnd[k+2] // the escaped character cannot close
		default:
			sc.valueEnd[k] = sc.valueEnd[k+1]
		}
	}
	return sc
}

// annotationAt reads the annotation that starts with the '[' at i: its value
// (unescaped), its entities (without offsets) and the position after it.
// next is 0 when the bracket starts no annotation; err is set when it starts
// one whose entity object is malformed.
func (sc *rasaScan) annotationAt(i int) (value []rune, ents []nlu.Span, next int, err error) {
	s := sc.s
	n := len(s)
	ve := int(sc.valueEnd[i+1])
	if ve <= i+1 || ve+1 >= n {
		return nil, nil, 0, nil // no closing bracket, an empty value, or nothing after it
	}
	k := ve + 1 // the character that says which kind of annotation this is
	switch s[k] {
	case '(':
		e := int(sc.colonOrRParen[k+1])
		if e <= k+1 {
			return nil, nil, 0, nil
		}
		next = e + 1
		if s[e] == ':' { // [value](entity:synonym)
			p := int(sc.rParen[e+1])
			if p <= e+1 {
				return nil, nil, 0, nil
			}
			next = p + 1
		}
		ents = []nlu.Span{{Entity: string(s[k+1 : e])}}
	case '{':
		b := int(sc.rBrace[k+1])
		if b <= k+1 {
			return nil, nil, 0, nil
		}
		var d rasaEntityDict
		if err := decodeAnnotation(string(s[k:b+1]), &d); err != nil {
			return nil, nil, 0, err
		}
		e, err := d.span()
		if err != nil {
			return nil, nil, 0, fmt.Errorf("annotation %q: %v", clip(string(s[i:b+1])), err)
		}
		ents, next = []nlu.Span{e}, b+1
	case '[':
		b := int(sc.rBracket[k+1])
		if b <= k+1 {
			return nil, nil, 0, nil
		}
		var ds []rasaEntityDict
		if err := decodeAnnotation(string(s[k:b+1]), &ds); err != nil {
			return nil, nil, 0, err
		}
		if len(ds) == 0 {
			return nil, nil, 0, fmt.Errorf("annotation %q: an empty list of entities", clip(string(s[i:b+1])))
		}
		for _, d := range ds {
			e, err := d.span()
			if err != nil {
				return nil, nil, 0, fmt.Errorf("annotation %q: %v", clip(string(s[i:b+1])), err)
			}
			ents = append(ents, e)
		}
		next = b + 1
	default:
		return nil, nil, 0, nil
	}
	value = make([]rune, 0, ve-i-1)
	for j := i + 1; j < ve; j++ {
		if s[j] == '\\' && j+1 < ve && rasaEscapable(s[j+1]) {
			j++
		}
		value = append(value, s[j])
	}
	return value, ents, next, nil
}

// rasaEntityDict is the JSON object of an annotation.
type rasaEntityDict struct {
	Entity *string         `json:"entity"`
	Group  *string         `json:"group"`
	Role   *string         `json:"role"`
	Value  json.RawMessage `json:"value"`
}

func (d rasaEntityDict) span() (nlu.Span, error) {
	if d.Entity == nil || *d.Entity == "" {
		return nlu.Span{}, errors.New(`missing "entity"`)
	}
	s := nlu.Span{Entity: *d.Entity}
	if d.Group != nil {
		s.Group = *d.Group
	}
	return s, nil
}

// decodeAnnotation decodes the JSON of an annotation, rejecting unknown keys.
func decodeAnnotation(src string, v any) error {
	dec := json.NewDecoder(strings.NewReader(src))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("annotation %q: %v", clip(src), err)
	}
	if dec.More() {
		return fmt.Errorf("annotation %q: unexpected data after the JSON", clip(src))
	}
	return nil
}

// WriteRasaYAML writes examples as a Rasa NLU training data file (version
// "3.1") that ReadRasaYAML and Rasa read: one intent item per intent, in the
// order intents first appear, out-of-scope examples under
// RasaOutOfScopeIntent. Entities are written [value](entity), or
// [value]{"entity": "e", "group": "g"} when the span has a group or the name
// holds ':' or ')', and spans on the same words as a list of such objects.
// An intent's examples are a "|" block of "- text" lines, or, when one of
// them cannot sit on such a line (a line break, a control character), a
// list of {text: "..."} with quoted texts.
//
// Brackets that would read as an annotation are escaped with a backslash
// (see ReadRasaYAML), and a backslash before a bracket or backslash is
// doubled. Spaces and line breaks at either end of a text are dropped, as
// Rasa would drop them, unless an entity covers them; span offsets are moved
// accordingly. Examples come back from ReadRasaYAML grouped by intent and
// with spans in text order.
//
// Returns an EINVALID *sabia.Error, before writing anything, for an example
// with an empty text, invalid UTF-8, a span outside its text or without an
// entity name, spans that overlap without covering the same words (inline
// annotations cannot nest), or the intent RasaOutOfScopeIntent itself.
// Errors of w are wrapped.
func WriteRasaYAML(w io.Writer, examples []nlu.Example) error {
	type group struct {
		intent string
		lines  []string
		block  bool
	}
	var groups []*group
	index := map[string]*group{}
	for i, ex := range examples {
		if err := checkWritable(i, ex); err != nil {
			return err
		}
		if ex.Intent == RasaOutOfScopeIntent {
			return sabia.Errorf(sabia.EINVALID, "example %d: the intent name %q is reserved for out-of-scope examples", i, RasaOutOfScopeIntent)
		}
		line, err := rasaLine(ex)
		if err != nil {
			return sabia.Errorf(sabia.EINVALID, "example %d: %v", i, err)
		}
		g := index[ex.Intent]
		if g == nil {
			g = &group{intent: ex.Intent, block: true}
			index[ex.Intent] = g
			groups = append(groups, g)
		}
		g.lines = append(g.lines, line)
		g.block = g.block && blockSafe(line)
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "version: %s\n", yamlQuote(rasaVersion))
	if len(groups) == 0 {
		bw.WriteString("nlu: []\n")
	} else {
		bw.WriteString("nlu:\n")
	}
	for _, g := range groups {
		name := g.intent
		if name == "" {
			name = RasaOutOfScopeIntent
		}
		fmt.Fprintf(bw, "- intent: %s\n", yamlScalar(name))
		if g.block {
			bw.WriteString("  examples: |\n")
			for _, l := range g.lines {
				fmt.Fprintf(bw, "    - %s\n", l)
			}
			continue
		}
		bw.WriteString("  examples:\n")
		for _, l := range g.lines {
			fmt.Fprintf(bw, "  - text: %s\n", yamlQuote(l))
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing YAML: %w", err)
	}
	return nil
}

// rasaLine renders one example with inline annotations. ex must have passed
// checkWritable.
func rasaLine(ex nlu.Example) (string, error) {
	runes := []rune(ex.Text)
	spans := slices.Clone(ex.Entities)
	slices.SortStableFunc(spans, func(a, b nlu.Span) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End))
	})
	end := 0 // end of the last group of spans on the same words
	for i, s := range spans {
		if i > 0 && s.Start == spans[i-1].Start && s.End == spans[i-1].End {
			continue
		}
		if s.Start < end {
			p := spans[i-1]
			return "", fmt.Errorf("entities %q [%d,%d) and %q [%d,%d) overlap, which Rasa annotations cannot express",
				p.Entity, p.Start, p.End, s.Entity, s.Start, s.End)
		}
		end = s.End
	}

	// Drop what Rasa would strip, outside entities.
	lo, hi := 0, len(runes)
	first, last := hi, 0
	if len(spans) > 0 {
		first, last = spans[0].Start, end
	}
	for lo < first && strings.ContainsRune(rasaStrip, runes[lo]) {
		lo++
	}
	for hi > last && hi > lo && strings.ContainsRune(rasaStrip, runes[hi-1]) {
		hi--
	}
	runes = runes[lo:hi]
	for i := range spans {
		spans[i].Start -= lo
		spans[i].End -= lo
	}
	n := len(runes)

	isStart := make([]bool, n+1)
	for _, s := range spans {
		isStart[s.Start] = true
	}
	// closeAt[k], read from a position k outside entities, is where a value
	// opened by a literal '[' before k would end: the next literal ']' or
	// the next entity (whose own ']' closes it); n when neither comes.
	var closeAt []int32
	if slices.Contains(runes, '[') {
		closeAt = make([]int32, n+1)
		closeAt[n] = int32(n)
		for k := n - 1; k >= 0; k-- {
			if isStart[k] || runes[k] == ']' {
				closeAt[k] = int32(k)
			} else {
				closeAt[k] = closeAt[k+1]
			}
		}
	}
	// mayOpen says whether ReadRasaYAML could take the literal '[' at i for
	// the start of an annotation; it errs towards yes, as an escape is
	// always read back right.
	mayOpen := func(i int) bool {
		k := int(closeAt[i+1])
		switch {
		case k >= n:
			return false
		case isStart[k]:
			return true
		case k == i+1: // "[]" is no annotation
			return false
		case k+1 >= n:
			return false
		case isStart[k+1]:
			return true
		}
		c := runes[k+1]
		return c == '(' || c == '{' || c == '['
	}

	var b strings.Builder
	b.Grow(len(ex.Text) + 16*len(spans))
	for k, si := 0, 0; k < n; {
		if si < len(spans) && spans[si].Start == k {
			sj := si + 1
			for sj < len(spans) && spans[sj].Start == k && spans[sj].End == spans[si].End {
				sj++
			}
			writeRasaAnnotation(&b, runes[k:spans[si].End], spans[si:sj])
			k, si = spans[si].End, sj
			continue
		}
		switch c := runes[k]; {
		case c == '[' && mayOpen(k):
			b.WriteByte('\\')
		case c == '\\' && k+1 < n && (isStart[k+1] || rasaEscapable(runes[k+1])):
			b.WriteByte('\\')
		}
		b.WriteRune(runes[k])
		k++
	}
	return b.String(), nil
}

// writeRasaAnnotation writes [value] and the entities of spans, which all
// cover value.
func writeRasaAnnotation(b *strings.Builder, value []rune, spans []nlu.Span) {
	b.WriteByte('[')
	for j, r := range value {
		switch {
		case r == ']':
			b.WriteByte('\\')
		case r == '\\' && (j+1 == len(value) || rasaEscapable(value[j+1])):
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte(']')
	if len(spans) == 1 {
		s := spans[0]
		if s.Group == "" && !strings.ContainsAny(s.Entity, ":)") {
			b.WriteString("(" + s.Entity + ")")
			return
		}
		writeEntityDict(b, s)
		return
	}
	b.WriteByte('[')
	for j, s := range spans {
		if j > 0 {
			b.WriteString(", ")
		}
		writeEntityDict(b, s)
	}
	b.WriteByte(']')
}

// writeEntityDict writes {"entity": "e", "group": "g"}; '}' and ']' in names
// are escaped so that Rasa, which reads up to the first of them, finds the
// object's end.
func writeEntityDict(b *strings.Builder, s nlu.Span) {
	b.WriteString(`{"entity": ` + annotationString(s.Entity))
	if s.Group != "" {
		b.WriteString(`, "group": ` + annotationString(s.Group))
	}
	b.WriteByte('}')
}

func annotationString(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	q := strings.TrimSuffix(buf.String(), "\n")
	return strings.NewReplacer("}", `\u007d`, "]", `\u005d`).Replace(q)
}

// blockSafe says whether a rendered example can be a line of a YAML literal
// block: printable characters only, no line break, nothing YAML or Rasa
// would strip at its ends.
func blockSafe(line string) bool {
	if line == "" || strings.ContainsAny(line[:1], rasaStrip) || strings.ContainsAny(line[len(line)-1:], rasaStrip) {
		return false
	}
	for _, r := range line {
		if !yamlPrintable(r) || r == '\n' || r == '\r' || r == 0x85 || r == 0x2028 || r == 0x2029 || r == 0xFEFF {
			return false
		}
	}
	return true
}

// yamlPrintable reports whether YAML allows r unescaped (tab included).
func yamlPrintable(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r < 0x20 || r == 0x7F:
		return false
	case r < 0x7F || r == 0x85:
		return true
	case r < 0xA0:
		return false
	case r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD && r != 0xFEFF, r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

// yamlScalar writes a name plain when YAML and Rasa read it back as the same
// string, quoted otherwise.
func yamlScalar(s string) string {
	plain := s != ""
	for i, r := range s {
		if !(r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || i > 0 && (r == '-' || r == '.' || '0' <= r && r <= '9')) {
			plain = false
			break
		}
	}
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no", "true", "false", "on", "off", "null":
		plain = false
	}
	if plain {
		return s
	}
	return yamlQuote(s)
}

// yamlQuote writes s as a YAML double-quoted scalar, escaping what YAML does
// not allow raw and line breaks.
func yamlQuote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case 0x85:
			b.WriteString(`\N`)
		case 0x2028:
			b.WriteString(`\L`)
		case 0x2029:
			b.WriteString(`\P`)
		default:
			switch {
			case yamlPrintable(r):
				b.WriteRune(r)
			case r < 0x100:
				fmt.Fprintf(&b, `\x%02X`, r)
			case r < 0x10000:
				fmt.Fprintf(&b, `\u%04X`, r)
			default:
				fmt.Fprintf(&b, `\U%08X`, r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
