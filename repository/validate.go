package repository

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

// cleanLabel trims an intent, entity or group name and checks it. Names keep
// the case they are given ("Saudacao" and "saudacao" are two intents) and may
// contain letters of any script, digits, "_", "-" and "." — no spaces, since
// names appear in flow expressions and URL paths. what is "intent", "entity"
// or "group"; the message does not include any example prefix.
func cleanLabel(what, s string) (string, *sabia.Error) {
	if !utf8.ValidString(s) {
		return "", sabia.Errorf(sabia.EINVALID, "%s is not valid UTF-8", what)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", sabia.Errorf(sabia.EINVALID, "%s is required", what)
	}
	if n := utf8.RuneCountInString(s); n > MaxLabelRunes {
		return "", sabia.Errorf(sabia.EINVALID, "%s %q has %d characters, more than %d", what, s, n, MaxLabelRunes)
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) && r != '_' && r != '-' && r != '.' {
			return "", sabia.Errorf(sabia.EINVALID, "%s %q may contain only letters, digits, \"_\", \"-\" and \".\"", what, s)
		}
	}
	return s, nil
}

// cleanText checks a free text field (name, description) and trims it.
func cleanText(what, s string, required bool, max int) (string, *sabia.Error) {
	if !utf8.ValidString(s) {
		return "", sabia.Errorf(sabia.EINVALID, "%s is not valid UTF-8", what)
	}
	if strings.ContainsRune(s, 0) {
		return "", sabia.Errorf(sabia.EINVALID, "%s contains a NUL character", what)
	}
	s = strings.TrimSpace(s)
	if required && s == "" {
		return "", sabia.Errorf(sabia.EINVALID, "%s is required", what)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", sabia.Errorf(sabia.EINVALID, "%s has %d characters, more than %d", what, n, max)
	}
	return s, nil
}

// parseLanguage returns the canonical code of lang or EINVALID.
func parseLanguage(lang string) (string, *sabia.Error) {
	l, ok := nlu.ParseLanguage(lang)
	if !ok {
		return "", sabia.Errorf(sabia.EINVALID, "unknown language %q", lang)
	}
	return l, nil
}

// repoLanguage parses lang and checks it is one of r's languages; "" means
// the main language.
func repoLanguage(r Repository, lang string) (string, *sabia.Error) {
	if strings.TrimSpace(lang) == "" {
		return r.Language, nil
	}
	l, err := parseLanguage(lang)
	if err != nil {
		return "", err
	}
	if !r.HasLanguage(l) {
		return "", sabia.Errorf(sabia.EINVALID, "language %q is not one of the repository's languages (%s)", l, strings.Join(r.Languages, ", "))
	}
	return l, nil
}

// languages returns the canonical main language and the full list: main
// first, the others sorted, without repeats.
func languages(main string, others []string) (string, []string, *sabia.Error) {
	if strings.TrimSpace(main) == "" {
		return "", nil, sabia.Errorf(sabia.EINVALID, "language is required")
	}
	m, err := parseLanguage(main)
	if err != nil {
		return "", nil, err
	}
	var rest []string
	for _, o := range others {
		l, err := parseLanguage(o)
		if err != nil {
			return "", nil, err
		}
		if l != m && !slices.Contains(rest, l) {
			rest = append(rest, l)
		}
	}
	slices.Sort(rest)
	return m, append([]string{m}, rest...), nil
}

// cleanExample validates the text, intent and spans of an example for
// repository r and returns the cleaned text, intent, language and spans
// (trimmed text, spans shifted and shrunk to it, sorted by Start).
func cleanExample(r Repository, text, lang, intent string, spans []nlu.Span) (Example, *sabia.Error) {
	var e Example
	if !utf8.ValidString(text) {
		return e, sabia.Errorf(sabia.EINVALID, "text is not valid UTF-8")
	}
	if strings.ContainsRune(text, 0) {
		return e, sabia.Errorf(sabia.EINVALID, "text contains a NUL character")
	}
	trimmed := strings.TrimSpace(text)
	if trimmed == "" {
		return e, sabia.Errorf(sabia.EINVALID, "text is required")
	}
	n := utf8.RuneCountInString(trimmed)
	if n > MaxTextRunes {
		return e, sabia.Errorf(sabia.ETOOLARGE, "text has %d characters, more than %d", n, MaxTextRunes)
	}
	l, err := repoLanguage(r, lang)
	if err != nil {
		return e, err
	}
	in, err := cleanLabel("intent", intent)
	if err != nil {
		return e, err
	}
	out, err := cleanSpans(text, spans)
	if err != nil {
		return e, err
	}
	return Example{Text: trimmed, Language: l, Intent: in, Entities: out}, nil
}

// cleanSpans checks spans against the untrimmed text (offsets are what the
// client computed), then moves them onto the trimmed text, shrinks them to
// exclude whitespace at their edges and checks they do not overlap.
func cleanSpans(text string, spans []nlu.Span) ([]nlu.Span, *sabia.Error) {
	rs := []rune(text)
	lead := len(rs) - utf8.RuneCountInString(strings.TrimLeftFunc(text, unicode.IsSpace))
	length := utf8.RuneCountInString(strings.TrimSpace(text))
	trimmed := rs[lead : lead+length]

	type span struct {
		nlu.Span
		orig nlu.Span
	}
	out := make([]span, 0, len(spans))
	for _, s := range spans {
		if s.Start < 0 {
			return nil, sabia.Errorf(sabia.EINVALID, "entity start %d is negative", s.Start)
		}
		if s.Start >= s.End {
			return nil, sabia.Errorf(sabia.EINVALID, "entity start %d is not before its end %d", s.Start, s.End)
		}
		if s.End > len(rs) {
			return nil, sabia.Errorf(sabia.EINVALID, "entity end %d is past the end of the text (%d characters)", s.End, len(rs))
		}
		ent, err := cleanLabel("entity", s.Entity)
		if err != nil {
			return nil, err
		}
		group := ""
		if strings.TrimSpace(s.Group) != "" {
			if group, err = cleanLabel("group", s.Group); err != nil {
				return nil, err
			}
		}
		start, end := max(s.Start-lead, 0), min(s.End-lead, length)
		for start < end && unicode.IsSpace(trimmed[start]) {
			start++
		}
		for end > start && unicode.IsSpace(trimmed[end-1]) {
			end--
		}
		if start >= end {
			return nil, sabia.Errorf(sabia.EINVALID, "entity %q (%d-%d) covers only spaces", ent, s.Start, s.End)
		}
		out = append(out, span{nlu.Span{Start: start, End: end, Entity: ent, Group: group}, s})
	}
	slices.SortStableFunc(out, func(a, b span) int { return a.Start - b.Start })
	res := make([]nlu.Span, len(out))
	for i, s := range out {
		if i > 0 && s.Start < out[i-1].End {
			p := out[i-1].orig
			return nil, sabia.Errorf(sabia.EINVALID, "entities %q (%d-%d) and %q (%d-%d) overlap",
				p.Entity, p.Start, p.End, s.orig.Entity, s.orig.Start, s.orig.End)
		}
		res[i] = s.Span
	}
	return res, nil
}

// Names of the two kinds of labelled sentences, as error messages say them.
const (
	whatExample      = "example"
	whatTestSentence = "test sentence"
)

// prefixed returns err with "what i: " ("example 3: ") before its message.
func prefixed(what string, i int, err *sabia.Error) *sabia.Error {
	return &sabia.Error{Code: err.Code, Message: fmt.Sprintf("%s %d: %s", what, i, err.Message), Err: err.Err}
}

// unprefixed returns err without the "what 0: " prefix a Store puts on
// errors about the first item of a batch, for callers that add one item.
func unprefixed(what string, err error) error {
	var e *sabia.Error
	if !errors.As(err, &e) {
		return err
	}
	m, ok := strings.CutPrefix(e.Message, what+" 0: ")
	if !ok {
		return err
	}
	return &sabia.Error{Code: e.Code, Message: m, Err: e.Err}
}
