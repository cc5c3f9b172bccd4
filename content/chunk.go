package content

import (
	"unicode"
)

// Chunking sizes, in runes. A passage about the size of an FAQ answer or a
// short section keeps retrieval precise; larger ones dilute BM25 and the
// vectors with unrelated sentences, smaller ones cut answers in half.
const (
	chunkTargetRunes  = 700  // a passage closes once it reaches this size
	chunkMaxRunes     = 1200 // no passage is longer; longer sentences are cut at spaces
	chunkOverlapRunes = 200  // the previous passage's last sentence is repeated when shorter than this
)

// Span is a passage of a text: rune offsets [Start, End).
type Span struct {
	Start, End int
}

// Split cuts text into passages of about chunkTargetRunes: sentences and
// lines are never split unless longer than chunkMaxRunes, a blank line
// (paragraph) always closes a passage that has reached half the target, and
// each passage but the first starts with the previous one's last sentence
// when that is short, so that an answer straddling two passages is whole in
// one of them. Spans are rune offsets into text, trimmed of surrounding
// space; blank text has no passage.
func Split(text string) []Span {
	rs := []rune(text)
	sents := sentences(rs)
	var out []Span
	i := 0
	for i < len(sents) {
		start := sents[i].Start
		end := sents[i].End
		j := i + 1
		for j < len(sents) && end-start < chunkTargetRunes {
			if sents[j].End-start > chunkMaxRunes {
				break
			}
			if paragraphBreak(rs, end, sents[j].Start) && end-start >= chunkTargetRunes/2 {
				break
			}
			end = sents[j].End
			j++
		}
		out = append(out, Span{start, end})
		if j >= len(sents) {
			break
		}
		// Overlap: start the next passage with this one's last sentence when
		// it is short and not the whole passage.
		last := sents[j-1]
		if j-1 > i && last.End-last.Start <= chunkOverlapRunes {
			i = j - 1
		} else {
			i = j
		}
	}
	return out
}

// paragraphBreak reports whether rs[from:to] holds a blank line.
func paragraphBreak(rs []rune, from, to int) bool {
	nl := 0
	for _, r := range rs[from:to] {
		if r == '\n' {
			nl++
			if nl >= 2 {
				return true
			}
		} else if !unicode.IsSpace(r) {
			nl = 0
		}
	}
	return false
}

// sentences splits rs into trimmed sentence spans: a sentence ends after
// '.', '!', '?', '…' or ';' followed by space, and at every line break (FAQ
// lines, lists). Sentences longer than chunkMaxRunes are cut at the last
// space before the limit (or at the limit).
func sentences(rs []rune) []Span {
	var out []Span
	emit := func(s, e int) {
		for s < e && unicode.IsSpace(rs[s]) {
			s++
		}
		for e > s && unicode.IsSpace(rs[e-1]) {
			e--
		}
		for e-s > chunkMaxRunes {
			cut := s + chunkMaxRunes
			for k := cut; k > s+chunkMaxRunes/2; k-- {
				if unicode.IsSpace(rs[k]) {
					cut = k
					break
				}
			}
			out = append(out, Span{s, trimEnd(rs, s, cut)})
			s = cut
			for s < e && unicode.IsSpace(rs[s]) {
				s++
			}
		}
		if e > s {
			out = append(out, Span{s, e})
		}
	}
	start := 0
	for i, r := range rs {
		switch {
		case r == '\n':
			emit(start, i)
			start = i + 1
		case r == '.' || r == '!' || r == '?' || r == '…' || r == ';':
			if i+1 < len(rs) && unicode.IsSpace(rs[i+1]) {
				emit(start, i+1)
				start = i + 1
			}
		}
	}
	emit(start, len(rs))
	return out
}

func trimEnd(rs []rune, s, e int) int {
	for e > s && unicode.IsSpace(rs[e-1]) {
		e--
	}
	return e
}
