package nlu

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// builtinNow is Wednesday 18 November 2026, 10:00 in Brasília.
var builtinNow = time.Date(2026, 11, 18, 10, 0, 0, 0, time.FixedZone("BRT", -3*3600))

// found is an entity reduced to what the tables compare: "entity value →
// canonical".
func found(es []Entity) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Entity + " " + e.Value + " → " + e.Canonical
	}
	return out
}

// checkEntities asserts the invariants every extractor keeps.
func checkEntities(t *testing.T, text string, es []Entity, source string) {
	t.Helper()
	runes := []rune(text)
	for i, e := range es {
		if e.Start < 0 || e.End > len(runes) || e.Start >= e.End {
			t.Fatalf("%q: span [%d,%d) out of %d runes", text, e.Start, e.End, len(runes))
		}
		if e.Value != string(runes[e.Start:e.End]) {
			t.Fatalf("%q: value %q != runes[%d:%d] %q", text, e.Value, e.Start, e.End, string(runes[e.Start:e.End]))
		}
		if !(e.Confidence > 0 && e.Confidence <= 1) {
			t.Fatalf("%q: confidence %v", text, e.Confidence)
		}
		if e.Source != source {
			t.Fatalf("%q: source %q, want %q", text, e.Source, source)
		}
		if i > 0 && es[i-1].End > e.Start {
			t.Fatalf("%q: %v overlaps %v", text, es[i-1], e)
		}
	}
}

func TestExtractBuiltins(t *testing.T) {
	tests := []struct {
		lang, text string
		want       []string
	}{
		// e-mail
		{"pt_br", "meu email é Maria.Silva@Exemplo.com.br ok?", []string{"email Maria.Silva@Exemplo.com.br → maria.silva@exemplo.com.br"}},
		// phones
		{"pt_br", "meu cel é (11) 98765-4321", []string{"phone (11) 98765-4321 → +5511987654321"}},
		{"pt_br", "liga no 11987654321 pfv", []string{"phone 11987654321 → +5511987654321"}},
		{"pt_br", "whats +55 11 98765 4321", []string{"phone +55 11 98765 4321 → +5511987654321"}},
		{"pt_br", "fixo 11 3333-4444", []string{"phone 11 3333-4444 → +551133334444"}},
		{"pt_br", "tel 98765-4321", []string{"phone 98765-4321 → 987654321"}},
		{"es", "mi número es +54 9 11 2345-6789", []string{"phone +54 9 11 2345-6789 → +5491123456789"}},
		{"en", "call me at +1 (555) 123-4567", []string{"phone +1 (555) 123-4567 → +15551234567"}},
		{"es", "llámame al 11 98765-4321", []string{"phone 11 98765-4321 → 11987654321"}},
		// CPF and CNPJ
		{"pt_br", "meu cpf é 529.982.247-25", []string{"cpf 529.982.247-25 → 52998224725"}},
		{"pt_br", "cpf 52998224725", []string{"cpf 52998224725 → 52998224725"}},
		{"pt_br", "cpf: 11987654374", []string{"cpf 11987654374 → 11987654374"}},
		{"pt_br", "meu celular 11987654374", []string{"phone 11987654374 → +5511987654374"}},
		{"pt_br", "cpf 529.982.247-26", nil},
		{"pt_br", "cnpj 11.222.333/0001-81", []string{"cnpj 11.222.333/0001-81 → 11222333000181"}},
		{"pt_br", "o cnpj da loja é 11222333000181.", []string{"cnpj 11222333000181 → 11222333000181"}},
		// CEP
		{"pt_br", "cep 01310-100", []string{"cep 01310-100 → 01310-100"}},
		{"pt_br", "moro no 01310-100", []string{"cep 01310-100 → 01310-100"}},
		{"pt_br", "meu CEP é 01310100", []string{"cep 01310100 → 01310-100"}},
		{"pt_br", "pedido 01310100", []string{"number 01310100 → 1310100"}},
		// money
		{"pt_br", "custa R$ 50,00", []string{"money R$ 50,00 → 50.00"}},
		{"pt_br", "paguei R$1.234,56 ontem", []string{"money R$1.234,56 → 1234.56", "date ontem → 2026-11-17"}},
		{"pt_br", "te passo 50 reais", []string{"money 50 reais → 50.00"}},
		{"pt_br", "cinquenta reais e vinte centavos", []string{"money cinquenta reais e vinte centavos → 50.20"}},
		{"pt_br", "uns 2 mil reais", []string{"money 2 mil reais → 2000.00"}},
		{"pt_br", "50 centavos", []string{"money 50 centavos → 0.50"}},
		{"en", "it was $20", []string{"money $20 → 20.00"}},
		{"en", "about $1,500.50 total", []string{"money $1,500.50 → 1500.50"}},
		{"es", "son 20 dólares", []string{"money 20 dólares → 20.00"}},
		{"es", "100 pesos nomas", []string{"money 100 pesos → 100.00"}},
		{"es", "cuesta US$ 15", []string{"money US$ 15 → 15.00"}},
		// numbers
		{"pt_br", "quero 2 pizzas", []string{"number 2 → 2"}},
		{"pt_br", "quero dois", []string{"number dois → 2"}},
		{"pt_br", "são vinte e cinco", []string{"number vinte e cinco → 25"}},
		{"pt_br", "tres pessoas", []string{"number tres → 3"}},
		{"pt_br", "mais 1,5 kg", []string{"number 1,5 → 1.5"}},
		{"es", "somos cinco", []string{"number cinco → 5"}},
		{"es", "treinta y dos años", []string{"number treinta y dos → 32"}},
		{"es", "veintitrés", []string{"number veintitrés → 23"}},
		{"en", "five guys", []string{"number five → 5"}},
		{"en", "twenty-five", []string{"number twenty-five → 25"}},
		{"en", "1,000 people", []string{"number 1,000 → 1000"}},
		// dates
		{"pt_br", "hoje", []string{"date hoje → 2026-11-18"}},
		{"pt_br", "pode ser amanhã?", []string{"date amanhã → 2026-11-19"}},
		{"pt_br", "vc entrega amanha?", []string{"date amanha → 2026-11-19"}},
		{"pt_br", "hj nao, depois de amanhã", []string{"date hj → 2026-11-18", "date depois de amanhã → 2026-11-20"}},
		{"pt_br", "foi ontem", []string{"date ontem → 2026-11-17"}},
		{"pt_br", "marca pro dia 5", []string{"date dia 5 → 2026-12-05"}},
		{"pt_br", "dia 20 tá bom", []string{"date dia 20 → 2026-11-20"}},
		{"pt_br", "5 de março", []string{"date 5 de março → 2027-03-05"}},
		{"pt_br", "nasci em 5 de marco de 1990", []string{"date 5 de marco de 1990 → 1990-03-05"}},
		{"pt_br", "dia 1º de dezembro", []string{"date dia 1º de dezembro → 2026-12-01"}},
		{"pt_br", "entrega 20/11", []string{"date 20/11 → 2026-11-20"}},
		{"pt_br", "venceu 10/11", []string{"date 10/11 → 2027-11-10"}},
		{"pt_br", "em 20/11/2026", []string{"date 20/11/2026 → 2026-11-20"}},
		{"pt_br", "até 31/12/26", []string{"date 31/12/26 → 2026-12-31"}},
		{"pt_br", "segunda-feira", []string{"date segunda-feira → 2026-11-23"}},
		{"pt_br", "na sexta", []string{"date sexta → 2026-11-20"}},
		{"pt_br", "quarta que vem", []string{"date quarta que vem → 2026-11-25"}},
		{"pt_br", "sábado de manhã", []string{"date sábado → 2026-11-21"}},
		{"pt_br", "quero a segunda via do boleto", nil},
		{"es", "mañana", []string{"date mañana → 2026-11-19"}},
		{"es", "pasado mañana por la mañana", []string{"date pasado mañana → 2026-11-20"}},
		{"es", "para mañana en la mañana", []string{"date mañana → 2026-11-19"}},
		{"es", "el lunes", []string{"date lunes → 2026-11-23"}},
		{"es", "el 5 de marzo", []string{"date el 5 de marzo → 2027-03-05"}},
		{"es", "el 25", []string{"date el 25 → 2026-11-25"}},
		{"es", "ayer", []string{"date ayer → 2026-11-17"}},
		{"en", "tomorrow", []string{"date tomorrow → 2026-11-19"}},
		{"en", "today or the day after tomorrow", []string{"date today → 2026-11-18", "date day after tomorrow → 2026-11-20"}},
		{"en", "on march 5th", []string{"date march 5th → 2027-03-05"}},
		{"en", "next friday", []string{"date next friday → 2026-11-20"}},
		{"en", "11/20", []string{"date 11/20 → 2026-11-20"}},
		{"en", "2026-12-24", []string{"date 2026-12-24 → 2026-12-24"}},
		{"pt_br", "pra segunda as 10h", []string{"date segunda → 2026-11-23"}},
		{"es", "el martes 3 de diciembre", []string{"date martes 3 de diciembre → 2026-12-03"}},
		{"pt_br", "segunda feira, 08/12", []string{"date segunda feira, 08/12 → 2026-12-08"}},
		{"es", "son $1.500 pesos", []string{"money $1.500 pesos → 1500.00"}},
		{"en", "my number is (555) 123-4567", []string{"phone (555) 123-4567 → 5551234567"}},
		{"pt_br", "o protocolo é 2024112012345", []string{"number 2024112012345 → 2024112012345"}},
		{"pt_br", "rua augusta 1500 ap 32 cep 01305-100", []string{"number 1500 → 1500", "number 32 → 32", "cep 01305-100 → 01305-100"}},
		// unknown language: every language's words
		{"xx", "amanhã ou mañana, tomorrow", []string{"date amanhã → 2026-11-19", "date mañana → 2026-11-19", "date tomorrow → 2026-11-19"}},
		// several at once, no overlaps
		{"pt_br", "Oi, meu CPF é 529.982.247-25, cel (21) 99876-5432, quero 2 pizzas pra amanhã, total R$ 89,90",
			[]string{"cpf 529.982.247-25 → 52998224725", "phone (21) 99876-5432 → +5521998765432", "number 2 → 2",
				"date amanhã → 2026-11-19", "money R$ 89,90 → 89.90"}},
		{"pt_br", "", nil},
		{"pt_br", "oi tudo bem?", nil},
	}
	for _, tt := range tests {
		got := ExtractBuiltins(tt.text, Tokenize(tt.text), tt.lang, builtinNow)
		checkEntities(t, tt.text, got, SourceBuiltin)
		if g, w := strings.Join(found(got), "; "), strings.Join(tt.want, "; "); g != w {
			t.Errorf("%s %q:\n got  %s\n want %s", tt.lang, tt.text, g, w)
		}
	}
}

func TestExtractBuiltinsConfidence(t *testing.T) {
	tests := []struct {
		lang, text, value string
		certain           bool
	}{
		{"pt_br", "cep 01310-100", "01310-100", true},
		{"pt_br", "cep 01310100", "01310100", false},
		{"pt_br", "meu cpf é 529.982.247-25", "529.982.247-25", true},
		{"pt_br", "quero um lanche", "um", false},
		{"pt_br", "quero 1 lanche", "1", true},
		{"pt_br", "segunda-feira", "segunda-feira", true},
		{"pt_br", "segunda", "segunda", false},
		{"pt_br", "liga 11987654321", "11987654321", false},
		{"pt_br", "liga (11) 98765-4321", "(11) 98765-4321", true},
	}
	for _, tt := range tests {
		got := ExtractBuiltins(tt.text, Tokenize(tt.text), tt.lang, builtinNow)
		if len(got) != 1 || got[0].Value != tt.value {
			t.Errorf("%q: got %v", tt.text, found(got))
			continue
		}
		if certain := got[0].Confidence == 1; certain != tt.certain {
			t.Errorf("%q: confidence %v, want certain=%v", tt.text, got[0].Confidence, tt.certain)
		}
	}
}

func TestValidCheckDigits(t *testing.T) {
	for d, want := range map[string]bool{"52998224725": true, "52998224724": false, "11111111111": false, "12345678909": true} {
		if got := validCPF(d); got != want {
			t.Errorf("validCPF(%s) = %v", d, got)
		}
	}
	for d, want := range map[string]bool{"11222333000181": true, "11222333000180": false, "00000000000000": false} {
		if got := validCNPJ(d); got != want {
			t.Errorf("validCNPJ(%s) = %v", d, got)
		}
	}
}

func TestParseAmount(t *testing.T) {
	for in, want := range map[string]string{
		"50": "50", "50,00": "50", "1.500": "1500", "1,500": "1500", "1.234,56": "1234.56", "1,234.56": "1234.56",
		"3.14": "3.14", "0,500": "0.5", "1.000.000": "1000000", "007": "7", "12,5": "12.5",
		"1.234.5": "", "1..2": "", "12345,678": "", ",5": "",
	} {
		d, ok := parseAmount(in)
		got := d.String()
		if !ok {
			got = ""
		}
		if got != want {
			t.Errorf("parseAmount(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExtractBuiltinsLeapDay(t *testing.T) {
	text := "29/02"
	got := ExtractBuiltins(text, Tokenize(text), "pt_br", builtinNow)
	if g := fmt.Sprint(found(got)); g != "[date 29/02 → 2028-02-29]" {
		t.Errorf("got %s", g)
	}
}

func FuzzExtractBuiltins(f *testing.F) {
	for _, s := range []string{
		"meu cpf é 529.982.247-25 e o cel (11) 98765-4321",
		"R$ 1.234,56 dia 5 de março", "cinquenta reais e vinte centavos", "el 5 de marzo pasado mañana",
		"cep 01310100 +55 11 98765 4321 a@b.co 29/02/2027 31/04", "\xff\xfe 12/13/2026 $ $ R$ reais",
		"vinte e", "dia", "next", "segunda -", "1º", "mil reais", "+1 (", "",
	} {
		f.Add(s, "pt_br")
		f.Add(s, "xx")
	}
	f.Fuzz(func(t *testing.T, text, lang string) {
		got := ExtractBuiltins(text, Tokenize(text), lang, builtinNow)
		checkEntities(t, text, got, SourceBuiltin)
	})
}

func BenchmarkExtractBuiltins(b *testing.B) {
	texts := []string{
		"Oi, meu CPF é 529.982.247-25, cel (21) 99876-5432, quero 2 pizzas pra amanhã, total R$ 89,90",
		"oi tudo bem? queria saber o horário de funcionamento de vcs no sábado",
		"quero agendar uma consulta para segunda-feira de manhã se possível",
	}
	toks := make([][]Token, len(texts))
	for i, s := range texts {
		toks[i] = Tokenize(s)
	}
	for i := 0; b.Loop(); i++ {
		k := i % len(texts)
		ExtractBuiltins(texts[k], toks[k], "pt_br", builtinNow)
	}
}
