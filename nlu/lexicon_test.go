package nlu

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseLexicon(t *testing.T) {
	lex := parseLexicon(`# compras
comprar, compro, COMPREI, adquirir
bonito, Lindo, belo,  , lindíssimo
# a word in two senses
conta, fatura
conta, cálculo
só
fim de semana, fds
lindo, lindoooo
`)
	cases := []struct {
		word string
		want []string
	}{
		{"comprar", []string{"comprar"}},
		{"comprei", []string{"comprar"}},       // normalised: case folded
		{"lindo", []string{"bonito", "lindo"}}, // in two groups
		{"belo", []string{"bonito"}},
		{"lindissimo", []string{"bonito"}},
		{"conta", []string{"conta"}}, // two groups keyed "conta": one key
		{"fatura", []string{"conta"}},
		{"calculo", []string{"conta"}},
		{"so", nil},  // a one-word line is no group
		{"fds", nil}, // the other entry has a space: skipped, one word left
		{"vender", nil},
	}
	for _, c := range cases {
		if got := lex[c.word]; !slices.Equal(got, c.want) {
			t.Errorf("lexicon[%q] = %v, want %v", c.word, got, c.want)
		}
	}
	for w, g := range lex {
		if strings.ContainsAny(w, " ,") || len(g) == 0 {
			t.Errorf("bad entry %q → %v", w, g)
		}
	}
}

func FuzzParseLexicon(f *testing.F) {
	f.Add("a, b\n# c\nd,e,,f\n")
	f.Add("ção, CAO\n\n,,,\n")
	f.Fuzz(func(t *testing.T, s string) {
		lex := parseLexicon(s)
		for w, g := range lex {
			if len(g) == 0 {
				t.Fatalf("%q: no groups", w)
			}
			for _, k := range g {
				// A group's key is one of its words.
				if !slices.Contains(lex[k], k) {
					t.Fatalf("%q: key %q is not in its own group", w, k)
				}
			}
		}
	})
}

// TestLexiconSynonyms checks the shipped lexicons on words users type.
func TestLexiconSynonyms(t *testing.T) {
	cases := []struct{ lang, a, b string }{
		{"en", "gorgeous", "beautiful"},
		{"en", "purchase", "buy"},
		{"es", "precioso", "bonito"},
		{"es", "carro", "coche"},
		{"pt-BR", "lindo", "bonito"},
		{"pt-BR", "grana", "dinheiro"},
	}
	for _, c := range cases {
		a, b := synonymGroups(c.lang, normalizeToken(c.a, KindWord)), synonymGroups(c.lang, normalizeToken(c.b, KindWord))
		shared := false
		for _, g := range a {
			shared = shared || slices.Contains(b, g)
		}
		if !shared {
			t.Errorf("%s: %q %v and %q %v share no group", c.lang, c.a, a, c.b, b)
		}
		if lexiconFingerprint(c.lang) == 0 {
			t.Errorf("%s: no lexicon fingerprint", c.lang)
		}
	}
	if g := synonymGroups("de", "schön"); g != nil {
		t.Errorf("German has no lexicon, got %v", g)
	}
}

// TestLexiconGeneralises: an intent shown "beautiful", "pretty" and
// "stunning" recognises "gorgeous", a word its examples never contain (the
// test fails with the English lexicon emptied).
func TestLexiconGeneralises(t *testing.T) {
	exs := []Example{
		{Text: "that is beautiful", Intent: "compliment"},
		{Text: "this is so pretty", Intent: "compliment"},
		{Text: "you look stunning", Intent: "compliment"},
		{Text: "that is stupid", Intent: "insult"},
		{Text: "this is so dumb", Intent: "insult"},
		{Text: "you look silly", Intent: "insult"},
		{Text: "hello there", Intent: "greeting"},
		{Text: "good morning", Intent: "greeting"},
	}
	m, err := Train(t.Context(), "en", exs, DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]string{"that is gorgeous": "compliment", "you look lovely": "compliment", "that is idiotic": "insult", "you look foolish": "insult"} {
		p := m.Classify(text, PredictOptions{Threshold: 1e-9})
		if p.Intent != want {
			t.Errorf("%q → %q (%v), want %q", text, p.Intent, p.Ranking, want)
		}
	}
}

// TestDecodeRejectsStaleModels: a model of another format version or
// trained with another lexicon is refused with ErrStaleModel.
func TestDecodeRejectsStaleModels(t *testing.T) {
	m := clfTrainToy(t, "es", toyES)
	b, _ := m.MarshalBinary()
	body := b[:len(b)-4]
	lexAt := len(modelMagic) + 4 + 1 + len("es") // version, then lang as varint length and bytes
	for name, mutate := range map[string]func([]byte){
		"format version": func(x []byte) { x[len(modelMagic)]++ },
		"lexicon":        func(x []byte) { x[lexAt] ^= 0x01 },
	} {
		x := append([]byte(nil), body...)
		mutate(x)
		if _, err := Decode(clfAppendCRC(x)); !errors.Is(err, ErrStaleModel) {
			t.Errorf("%s changed: err %v, want ErrStaleModel", name, err)
		}
	}
	if _, err := Decode(b); err != nil {
		t.Fatal(err)
	}
}
