package nlu

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// maxPatternRegex bounds a user's regex. Go's regexp runs in linear time, but
// a huge expression still costs memory and compile time on every model load.
const maxPatternRegex = 1000 // bytes

// ErrInvalidPattern is returned (wrapped, with the entity's name) by
// CompilePatterns for a definition it cannot use.
var ErrInvalidPattern = errors.New("invalid pattern entity")

// ListValue is one canonical value of a list entity and the other ways users
// write it. The value itself always matches; synonyms may span several
// words ("são paulo", "sampa").
type ListValue struct {
	Value    string   `json:"value"`
	Synonyms []string `json:"synonyms,omitempty"`
}

// PatternEntity is an entity a user declares instead of teaching by
// example: a regular expression (Go RE2 syntax, matched on the original
// text), a list of values with synonyms, or both.
type PatternEntity struct {
	Name   string      `json:"name"`
	Group  string      `json:"group,omitempty"`
	Regex  string      `json:"regex,omitempty"`
	Values []ListValue `json:"values,omitempty"`
}

// Patterns finds the entities of a set of PatternEntity definitions. It is
// safe for concurrent use. A nil *Patterns finds nothing.
type Patterns struct {
	defs    []PatternEntity
	regexes []patternRegex
	trie    []patternNode // trie[0] is the root; edges are folded tokens
	values  []patternValue
}

type patternRegex struct {
	def int
	re  *regexp.Regexp
}

type patternNode struct {
	next  map[string]int32
	value int32 // index into values, -1 when no phrase ends here
}

type patternValue struct {
	def       int
	canonical string
}

// CompilePatterns checks and compiles definitions. It returns (nil, nil)
// when defs is empty. An error wrapping ErrInvalidPattern names the first
// bad definition: no name, neither regex nor values, a regex longer than
// 1000 bytes or one that does not compile.
func CompilePatterns(defs []PatternEntity) (*Patterns, error) {
	if len(defs) == 0 {
		return nil, nil
	}
	p := &Patterns{defs: defs, trie: []patternNode{{value: -1}}}
	for i, def := range defs {
		if strings.TrimSpace(def.Name) == "" {
			return nil, fmt.Errorf("%w: definition %d has no name", ErrInvalidPattern, i)
		}
		if def.Regex == "" && len(def.Values) == 0 {
			return nil, fmt.Errorf("%w: entity %q has neither a regex nor values", ErrInvalidPattern, def.Name)
		}
		if def.Regex != "" {
			if len(def.Regex) > maxPatternRegex {
				return nil, fmt.Errorf("%w: entity %q: regex longer than %d bytes", ErrInvalidPattern, def.Name, maxPatternRegex)
			}
			re, err := regexp.Compile(def.Regex)
			if err != nil {
				return nil, fmt.Errorf("%w: entity %q: %v", ErrInvalidPattern, def.Name, err)
			}
			p.regexes = append(p.regexes, patternRegex{def: i, re: re})
		}
		for _, v := range def.Values {
			if strings.TrimSpace(v.Value) == "" {
				return nil, fmt.Errorf("%w: entity %q has an empty list value", ErrInvalidPattern, def.Name)
			}
			p.addPhrase(v.Value, i, v.Value)
			for _, syn := range v.Synonyms {
				p.addPhrase(syn, i, v.Value)
			}
		}
	}
	return p, nil
}

// addPhrase adds the folded tokens of phrase to the trie. When two values
// share a phrase, the first one declared keeps it.
func (p *Patterns) addPhrase(phrase string, def int, canonical string) {
	toks := Tokenize(phrase)
	if len(toks) == 0 {
		return
	}
	n := int32(0)
	for _, tk := range toks {
		key := Fold(tk.Text)
		next, ok := p.trie[n].next[key]
		if !ok {
			next = int32(len(p.trie))
			p.trie = append(p.trie, patternNode{value: -1})
			if p.trie[n].next == nil {
				p.trie[n].next = make(map[string]int32)
			}
			p.trie[n].next[key] = next
		}
		n = next
	}
	if p.trie[n].value < 0 {
		p.trie[n].value = int32(len(p.values))
		p.values = append(p.values, patternValue{def: def, canonical: canonical})
	}
}

// Extract returns the pattern entities in text; toks must be
// Tokenize(text). List values match whole tokens, ignoring case and
// accents, the longest phrase first, with the list value as Canonical.
// Regexes match the original text; when a regex has capture groups the
// first group, if it matched, is the entity. Overlaps are dropped, longer
// matches winning.
func (p *Patterns) Extract(text string, toks []Token) []Entity {
	if p == nil {
		return nil
	}
	var runes []rune
	var found []Entity
	if len(p.values) > 0 && len(toks) > 0 {
		folded := make([]string, len(toks))
		for i, tk := range toks {
			folded[i] = Fold(tk.Text)
		}
		for i := 0; i < len(toks); {
			n, best, bestEnd := int32(0), int32(-1), i
			for j := i; j < len(toks); j++ {
				next, ok := p.trie[n].next[folded[j]]
				if !ok {
					break
				}
				n = next
				if v := p.trie[n].value; v >= 0 {
					best, bestEnd = v, j+1
				}
			}
			if best < 0 {
				i++
				continue
			}
			if runes == nil {
				runes = []rune(text)
			}
			v := p.values[best]
			def := p.defs[v.def]
			start, end := clampSpan(toks[i].Start, toks[bestEnd-1].End, len(runes))
			if start < end {
				found = append(found, Entity{Entity: def.Name, Group: def.Group, Value: string(runes[start:end]),
					Start: start, End: end, Confidence: 1, Source: SourcePattern, Canonical: v.canonical})
			}
			i = bestEnd
		}
	}
	for _, pr := range p.regexes {
		locs := pr.re.FindAllStringSubmatchIndex(text, -1)
		if len(locs) == 0 {
			continue
		}
		if runes == nil {
			runes = []rune(text)
		}
		def := p.defs[pr.def]
		for _, loc := range locs {
			bs, be := loc[0], loc[1]
			if len(loc) >= 4 && loc[2] >= 0 {
				bs, be = loc[2], loc[3]
			}
			if bs >= be {
				continue
			}
			start := utf8.RuneCountInString(text[:bs])
			end := start + utf8.RuneCountInString(text[bs:be])
			start, end = clampSpan(start, end, len(runes))
			if start < end {
				found = append(found, Entity{Entity: def.Name, Group: def.Group, Value: string(runes[start:end]),
					Start: start, End: end, Confidence: 1, Source: SourcePattern})
			}
		}
	}
	return MergeEntities(found)
}

// clampSpan keeps [start, end) inside [0, n].
func clampSpan(start, end, n int) (int, int) {
	return max(0, min(start, n)), max(0, min(end, n))
}

// encodePatternDefs writes pattern definitions; decodePatternDefs reads
// them back.
func encodePatternDefs(e *encoder, defs []PatternEntity) {
	e.int(len(defs))
	for _, def := range defs {
		e.str(def.Name)
		e.str(def.Group)
		e.str(def.Regex)
		e.int(len(def.Values))
		for _, v := range def.Values {
			e.str(v.Value)
			e.strs(v.Synonyms)
		}
	}
}

func decodePatternDefs(d *decoder) []PatternEntity {
	n := d.length(4) // a definition takes at least four bytes
	if n == 0 {
		return nil
	}
	defs := make([]PatternEntity, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		def := PatternEntity{Name: d.str(), Group: d.str(), Regex: d.str()}
		nv := d.length(2)
		for j := 0; j < nv && d.err == nil; j++ {
			v := ListValue{Value: d.str()}
			if syn := d.strs(); len(syn) > 0 {
				v.Synonyms = syn
			}
			def.Values = append(def.Values, v)
		}
		defs = append(defs, def)
	}
	if d.err != nil {
		return nil
	}
	return defs
}

// encode writes the definitions; decodePatterns recompiles them.
func (p *Patterns) encode(e *encoder) {
	var defs []PatternEntity
	if p != nil {
		defs = p.defs
	}
	encodePatternDefs(e, defs)
}

// decodePatterns reads what encode wrote. Definitions that no longer
// compile mark the decoder as failed.
func decodePatterns(d *decoder) *Patterns {
	defs := decodePatternDefs(d)
	if d.err != nil {
		return nil
	}
	p, err := CompilePatterns(defs)
	if err != nil {
		d.fail("pattern entities")
		return nil
	}
	return p
}
