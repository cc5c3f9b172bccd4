package nlu

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

var testPatternDefs = []PatternEntity{
	{Name: "cidade", Values: []ListValue{
		{Value: "São Paulo", Synonyms: []string{"sampa", "SP", "são paulo capital"}},
		{Value: "Rio de Janeiro", Synonyms: []string{"rio", "RJ"}},
		{Value: "Belo Horizonte", Synonyms: []string{"bh", "beagá"}},
	}},
	{Name: "pedido", Regex: `(?i)pedido\s*(?:n[º°o.]?\s*)?(\d{4,8})`},
	{Name: "placa", Group: "veiculo", Regex: `\b[A-Z]{3}-?\d[A-Z0-9]\d{2}\b`},
	{Name: "tamanho", Values: []ListValue{{Value: "grande", Synonyms: []string{"gg", "big"}}, {Value: "pequeno", Synonyms: []string{"p", "pequena"}}}},
}

func TestPatternsExtract(t *testing.T) {
	p, err := CompilePatterns(testPatternDefs)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		text string
		want string
	}{
		{"quero ir de sao paulo pro RIO DE JANEIRO", "cidade sao paulo → São Paulo; cidade RIO DE JANEIRO → Rio de Janeiro"},
		{"vc entrega em SAMPA?", "cidade SAMPA → São Paulo"},
		{"moro em bh, beagá", "cidade bh → Belo Horizonte; cidade beagá → Belo Horizonte"},
		{"sao paulo capital", "cidade sao paulo capital → São Paulo"},
		{"o rio está cheio", "cidade rio → Rio de Janeiro"},
		{"riozinho", ""},
		{"meu pedido nº 123456 atrasou", "pedido 123456 → "},
		{"Ação: pedido 98765, placa ABC1D23", "pedido 98765 → ; placa ABC1D23 → "},
		{"uma pizza gg e uma pequena", "tamanho gg → grande; tamanho pequena → pequeno"},
		{"", ""},
	}
	for _, tt := range cases {
		got := p.Extract(tt.text, Tokenize(tt.text))
		checkEntities(t, tt.text, got, SourcePattern)
		if g := strings.Join(found(got), "; "); g != tt.want {
			t.Errorf("%q:\n got  %s\n want %s", tt.text, g, tt.want)
		}
	}
	got := p.Extract("placa ABC-1234", Tokenize("placa ABC-1234"))
	if len(got) != 1 || got[0].Group != "veiculo" || got[0].Start != 6 || got[0].End != 14 {
		t.Errorf("placa: %+v", got)
	}
}

func TestPatternsLongestWins(t *testing.T) {
	p, err := CompilePatterns([]PatternEntity{
		{Name: "produto", Values: []ListValue{{Value: "coca"}, {Value: "coca zero", Synonyms: []string{"coca sem açúcar"}}}},
		{Name: "codigo", Regex: `[a-z]+ \d+`},
	})
	if err != nil {
		t.Fatal(err)
	}
	text := "uma coca sem acucar e uma coca, codigo 42"
	got := p.Extract(text, Tokenize(text))
	if g := strings.Join(found(got), "; "); g != "produto coca sem acucar → coca zero; produto coca → coca; codigo codigo 42 → " {
		t.Errorf("got %s", g)
	}
	// A regex match longer than a list match replaces it.
	text = "coca 2"
	got = p.Extract(text, Tokenize(text))
	if g := strings.Join(found(got), "; "); g != "codigo coca 2 → " {
		t.Errorf("got %s", g)
	}
}

func TestCompilePatternsErrors(t *testing.T) {
	tests := []struct {
		def  PatternEntity
		want string
	}{
		{PatternEntity{Name: "bad", Regex: `(a`}, `"bad"`},
		{PatternEntity{Name: "long", Regex: strings.Repeat("a", maxPatternRegex+1)}, `"long"`},
		{PatternEntity{Name: " ", Regex: `a`}, "no name"},
		{PatternEntity{Name: "empty"}, `"empty"`},
		{PatternEntity{Name: "blank", Values: []ListValue{{Value: " "}}}, `"blank"`},
	}
	for _, tt := range tests {
		_, err := CompilePatterns([]PatternEntity{tt.def})
		if !errors.Is(err, ErrInvalidPattern) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: err %v, want ErrInvalidPattern mentioning %s", tt.def, err, tt.want)
		}
	}
	if p, err := CompilePatterns(nil); p != nil || err != nil {
		t.Errorf("no definitions: %v, %v", p, err)
	}
	var none *Patterns
	if got := none.Extract("x", Tokenize("x")); got != nil {
		t.Errorf("nil patterns found %v", got)
	}
}

func TestPatternsEncodeRoundTrip(t *testing.T) {
	p, err := CompilePatterns(testPatternDefs)
	if err != nil {
		t.Fatal(err)
	}
	e := &encoder{}
	p.encode(e)
	d := &decoder{buf: e.buf}
	back := decodePatterns(d)
	if d.err != nil || len(d.buf) != 0 {
		t.Fatalf("decode: %v, %d bytes left", d.err, len(d.buf))
	}
	if !reflect.DeepEqual(back.defs, testPatternDefs) {
		t.Fatalf("defs differ:\n%+v\n%+v", back.defs, testPatternDefs)
	}
	text := "pedido 1234 em sampa, placa ABC1D23"
	if a, b := p.Extract(text, Tokenize(text)), back.Extract(text, Tokenize(text)); !reflect.DeepEqual(a, b) {
		t.Errorf("%v != %v", a, b)
	}
	for n := 0; n < len(e.buf); n++ {
		d := &decoder{buf: e.buf[:n]}
		if decodePatterns(d) != nil || d.err == nil {
			t.Fatalf("truncated at %d: no error", n)
		}
	}
	// A nil *Patterns encodes as no definitions.
	var none *Patterns
	e = &encoder{}
	none.encode(e)
	d = &decoder{buf: e.buf}
	if decodePatterns(d) != nil || d.err != nil {
		t.Fatalf("nil round trip: %v", d.err)
	}
	// A definition that no longer compiles fails the decoder.
	e = &encoder{}
	encodePatternDefs(e, []PatternEntity{{Name: "x", Regex: "(("}})
	d = &decoder{buf: e.buf}
	if decodePatterns(d) != nil || !errors.Is(d.err, ErrCorruptModel) {
		t.Fatalf("bad regex decoded: %v", d.err)
	}
}

func FuzzPatternsExtract(f *testing.F) {
	p, err := CompilePatterns(testPatternDefs)
	if err != nil {
		f.Fatal(err)
	}
	f.Add("quero ir de sao paulo pro RIO DE JANEIRO, pedido 123456")
	f.Add("Ação \xff pedido 98765 placa ABC1D23 são")
	f.Fuzz(func(t *testing.T, text string) {
		checkEntities(t, text, p.Extract(text, Tokenize(text)), SourcePattern)
	})
}
