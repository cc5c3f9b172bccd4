package nlu

import (
	"math"
	"slices"
	"testing"
)

func TestStem(t *testing.T) {
	cases := []struct{ lang, in, want string }{
		{"pt-BR", "cancelamento", "cancel"},
		{"pt-BR", "cancelar", "cancel"},
		{"pt-BR", "cancelado", "cancel"},
		{"pt-BR", "pagamentos", "pag"},
		{"pt-BR", "rapidamente", "rapida"},
		{"pt-BR", "sim", "sim"}, // too short to stem
		{"es", "reservaciones", "reserv"},
		{"es", "reservar", "reserv"},
		{"es", "cancelación", "cancelación"}, // stems apply to folded words only
		{"es", "cancelacion", "cancel"},
		{"en", "booking", "book"},
		{"en", "transfers", "transf"}, // light: "-ers" goes too
		{"en", "cancelled", "cancell"},
		{"en", "bus", "bus"},
		{"de", "buchungen", "buchungen"}, // no stemmer: unchanged
	}
	for _, c := range cases {
		if got := stem(c.lang, c.in); got != c.want {
			t.Errorf("stem(%s, %q) = %q, want %q", c.lang, c.in, got, c.want)
		}
	}
}

func TestFeatureHashes(t *testing.T) {
	words, chars := featureHashes("pt-BR", Tokenize("vc cancela?"), nil, nil)
	// words: 2 unigrams, 2 bigrams (with the start marker), 2 stems
	// ("voce" → "voc", "cancela" → "cancel"), 1 end marker, and the
	// lexicon's synonym groups of both words, each counted synonymRepeat times
	// ("cancela" is in "cancelar").
	syn := synonymGroups("pt-BR", "voce")
	syn = append(syn, synonymGroups("pt-BR", "cancela")...)
	if !slices.Contains(syn, "cancelar") {
		t.Errorf("synonym groups of voce, cancela = %v, want cancelar among them", syn)
	}
	if want := 7 + synonymRepeat*len(syn); len(words) != want {
		t.Errorf("%d word features, want %d", len(words), want)
	}
	// chars: n-grams of " voce cancela " (14 runes), n = 2..5.
	if want := 13 + 12 + 11 + 10; len(chars) != want {
		t.Errorf("%d char features, want %d", len(chars), want)
	}
	// The abbreviation expands: "vc" and "você" give the same features.
	w2, c2 := featureHashes("pt-BR", Tokenize("Você cancela"), nil, nil)
	if !equalU64(words, w2) || !equalU64(chars, c2) {
		t.Error(`"vc cancela?" and "Você cancela" featurise differently`)
	}
	if w, c := featureHashes("pt-BR", Tokenize("?!"), nil, nil); len(w)+len(c) != 0 {
		t.Errorf("punctuation only: %d features", len(w)+len(c))
	}
}

func equalU64(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFeaturizerVector(t *testing.T) {
	texts := [][]Token{Tokenize("quero cancelar"), Tokenize("ver saldo"), Tokenize("cancelar saldo")}
	f := buildFeaturizer("pt-BR", texts, 1)
	for _, tc := range []struct {
		text string
		nz   bool
	}{{"quero cancelar o plano", true}, {"zzz", false}, {"", false}} {
		v := f.vector(Tokenize(tc.text))
		var sq float64
		for i, x := range v.val {
			sq += float64(x) * float64(x)
			if i > 0 && v.idx[i] <= v.idx[i-1] {
				t.Errorf("%q: indices not strictly increasing", tc.text)
			}
		}
		if tc.nz && math.Abs(sq-1) > 1e-5 {
			t.Errorf("%q: squared norm %v, want 1", tc.text, sq)
		}
		if !tc.nz && len(v.idx) != 0 && math.Abs(sq-1) > 1e-5 {
			t.Errorf("%q: %d features with squared norm %v", tc.text, len(v.idx), sq)
		}
	}
	// minDF drops features seen in one text only.
	if g := buildFeaturizer("pt-BR", texts, 2); len(g.idf) >= len(f.idf) || len(g.idf) == 0 {
		t.Errorf("minDF 2 kept %d of %d features", len(g.idf), len(f.idf))
	}
}

func TestQuantize(t *testing.T) {
	w := []float32{0.5, -1, 0.25, 0, 0, 0, 2, 1, -2}
	q, s := quantize(w, 3)
	for f := 0; f < 3; f++ {
		for c := 0; c < 3; c++ {
			got := float32(q[f*3+c]) * s[f]
			if d := math.Abs(float64(got - w[f*3+c])); d > float64(s[f])/2+1e-7 {
				t.Errorf("weight %d,%d: %v after quantisation, want %v", f, c, got, w[f*3+c])
			}
		}
	}
	if s[1] != 0 {
		t.Errorf("zero row scale %v", s[1])
	}
}

func TestFitTemperature(t *testing.T) {
	// Right class ahead by 1 in 90% of the examples: the fitted temperature
	// makes the average confidence of the winner close to 0.9.
	var s []float64
	var label []int
	for i := 0; i < 100; i++ {
		s = append(s, 1, 0, 0)
		if i%10 == 0 {
			label = append(label, 1)
		} else {
			label = append(label, 0)
		}
	}
	temp := fitTemperature(s, label, 3)
	p := math.Exp(temp) / (math.Exp(temp) + 2)
	if math.Abs(p-0.9) > 0.02 {
		t.Errorf("temperature %.3f gives confidence %.3f, want about 0.9", temp, p)
	}
}
