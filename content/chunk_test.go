package content

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func spanTexts(text string, spans []Span) []string {
	rs := []rune(text)
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = string(rs[s.Start:s.End])
	}
	return out
}

func TestSplitSmall(t *testing.T) {
	for _, c := range []struct {
		name, text string
		want       []string
	}{
		{"empty", "", nil},
		{"blank", " \n\t\n ", nil},
		{"one sentence", "  Atendemos de segunda a sábado.  ", []string{"Atendemos de segunda a sábado."}},
		{"short document is one passage", "Horário: 8h às 18h.\nEndereço: Rua das Flores, 10.\n\nTroca em até 7 dias!",
			[]string{"Horário: 8h às 18h.\nEndereço: Rua das Flores, 10.\n\nTroca em até 7 dias!"}},
		{"decimal point is not a sentence end", "O frete custa R$ 12.50 para SP.", []string{"O frete custa R$ 12.50 para SP."}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := spanTexts(c.text, Split(c.text))
			if strings.Join(got, "|") != strings.Join(c.want, "|") || len(got) != len(c.want) {
				t.Errorf("Split = %q, want %q", got, c.want)
			}
		})
	}
}

func TestSplitLong(t *testing.T) {
	var b strings.Builder
	for i := range 60 {
		b.WriteString("Pergunta número ")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString(": como faço para trocar um produto com defeito? ")
		if i%10 == 9 {
			b.WriteString("\n\n")
		}
	}
	text := b.String()
	spans := Split(text)
	if len(spans) < 3 {
		t.Fatalf("%d passages for %d runes", len(spans), utf8.RuneCountInString(text))
	}
	checkSpans(t, text, spans)
	for i := 1; i < len(spans); i++ {
		if spans[i].Start > spans[i-1].End {
			// A gap may only hold space.
			gap := string([]rune(text)[spans[i-1].End:spans[i].Start])
			if strings.TrimSpace(gap) != "" {
				t.Errorf("text lost between passages %d and %d: %q", i-1, i, gap)
			}
		}
		if spans[i].Start < spans[i-1].End && spans[i].Start < spans[i-1].Start {
			t.Errorf("passage %d starts before passage %d", i, i-1)
		}
	}
	// Overlap: some passage starts inside the previous one.
	overlap := false
	for i := 1; i < len(spans); i++ {
		if spans[i].Start < spans[i-1].End {
			overlap = true
		}
	}
	if !overlap {
		t.Error("no passage repeats the previous one's last sentence")
	}
}

func TestSplitHugeSentence(t *testing.T) {
	text := strings.Repeat("palavra ", 1000) + strings.Repeat("ç", 3000)
	spans := Split(text)
	checkSpans(t, text, spans)
	covered := 0
	for _, s := range spans {
		covered += s.End - s.Start
	}
	if covered < utf8.RuneCountInString(strings.ReplaceAll(text, " ", ""))/2 {
		t.Errorf("covered %d runes", covered)
	}
}

// checkSpans asserts the invariants of Split: valid, trimmed, bounded,
// increasing spans.
func checkSpans(t *testing.T, text string, spans []Span) {
	t.Helper()
	rs := []rune(text)
	for i, s := range spans {
		if s.Start < 0 || s.End > len(rs) || s.Start >= s.End {
			t.Fatalf("span %d %+v out of [0,%d]", i, s, len(rs))
		}
		if s.End-s.Start > chunkMaxRunes {
			t.Errorf("span %d has %d runes, more than %d", i, s.End-s.Start, chunkMaxRunes)
		}
		if unicode.IsSpace(rs[s.Start]) || unicode.IsSpace(rs[s.End-1]) {
			t.Errorf("span %d not trimmed", i)
		}
		if i > 0 && s.Start <= spans[i-1].Start {
			t.Errorf("span %d does not advance", i)
		}
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("Olá! Tudo bem?\n\nSim.")
	f.Add(strings.Repeat("a", 2500))
	f.Add("\xff\xfe. \n\n…; ")
	f.Fuzz(func(t *testing.T, text string) {
		spans := Split(text)
		checkSpans(t, text, spans)
		if strings.TrimSpace(text) != "" && len(spans) == 0 {
			t.Fatal("non-blank text with no passage")
		}
	})
}
