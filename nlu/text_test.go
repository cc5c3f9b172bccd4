package nlu

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTokenize(t *testing.T) {
	type tok struct {
		text, norm string
		kind       TokenKind
	}
	cases := []struct {
		in   string
		want []tok
	}{
		{"Quero a 2ª VIA do boleto!!!", []tok{{"Quero", "quero", KindWord}, {"a", "a", KindWord}, {"2ª", "2a", KindWord}, {"VIA", "via", KindWord},
			{"do", "do", KindWord}, {"boleto", "boleto", KindWord}, {"!", "!", KindPunct}, {"!", "!", KindPunct}, {"!", "!", KindPunct}}},
		{"simmmm nãooo", []tok{{"simmmm", "sim", KindWord}, {"nãooo", "nao", KindWord}}},
		{"meu cpf é 123.456.789-09", []tok{{"meu", "meu", KindWord}, {"cpf", "cpf", KindWord}, {"é", "e", KindWord}, {"123.456.789-09", "<num11>", KindNumber}}},
		{"dia 20/11 às 10:30", []tok{{"dia", "dia", KindWord}, {"20/11", "<num>", KindNumber}, {"às", "as", KindWord}, {"10:30", "<num>", KindNumber}}},
		{"manda pra maria.silva@exemplo.com.br pfv", []tok{{"manda", "manda", KindWord}, {"pra", "pra", KindWord},
			{"maria.silva@exemplo.com.br", "<email>", KindEmail}, {"pfv", "pfv", KindWord}}},
		{"veja https://sabia.dev/x?y=1, ok", []tok{{"veja", "veja", KindWord}, {"https://sabia.dev/x?y=1", "<url>", KindURL}, {",", ",", KindPunct}, {"ok", "ok", KindWord}}},
		{"oi 😀👍", []tok{{"oi", "oi", KindWord}, {"😀", "😀", KindSymbol}, {"👍", "👍", KindSymbol}}},
		{"d'água", []tok{{"d'água", "d'agua", KindWord}}},
		{"carro", []tok{{"carro", "carro", KindWord}}},
		{"   ", nil},
	}
	for _, c := range cases {
		got := Tokenize(c.in)
		if len(got) != len(c.want) {
			t.Errorf("Tokenize(%q) = %d tokens %+v, want %d", c.in, len(got), got, len(c.want))
			continue
		}
		runes := []rune(c.in)
		for i, w := range c.want {
			g := got[i]
			if g.Text != w.text || g.Norm != w.norm || g.Kind != w.kind || string(runes[g.Start:g.End]) != g.Text {
				t.Errorf("Tokenize(%q)[%d] = %+v, want %+v", c.in, i, g, w)
			}
		}
	}
}

func TestFoldAndExpand(t *testing.T) {
	for in, want := range map[string]string{"Não": "nao", "AÇÃO": "acao", "você": "voce", "Pingüino": "pinguino", "ÑANDÚ": "nandu", "": ""} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
	cases := []struct{ lang, in, want string }{
		{"pt_br", "vc", "voce"}, {"pt-BR", "pq", "porque"}, {"por", "q", "que"}, {"pt_br", "to", "estou"},
		{"en", "to", "to"}, {"en", "u", "you"}, {"es", "xq", "porque"}, {"es", "q", "que"}, {"es", "vc", "vc"},
		{"fr", "vc", "vc"}, {"klingon", "q", "q"},
	}
	for _, c := range cases {
		if got := Expand(c.lang, c.in); got != c.want {
			t.Errorf("Expand(%q, %q) = %q, want %q", c.lang, c.in, got, c.want)
		}
	}
}

func TestParseLanguage(t *testing.T) {
	for in, want := range map[string]string{"pt": "pt_br", "pt-BR": "pt_br", "PT_BR": "pt_br", "por": "pt_br", " pt_br ": "pt_br",
		"es": "es", "es-MX": "es", "spa": "es", "en": "en", "en-US": "en", "eng": "en", "español": "es"} {
		if got, ok := ParseLanguage(in); !ok || got != want {
			t.Errorf("ParseLanguage(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "xx", "klingon", "pt-XX"} {
		if got, ok := ParseLanguage(bad); ok {
			t.Errorf("ParseLanguage(%q) = %q, want unknown", bad, got)
		}
	}
}

// checkTokens checks the invariants every tokenisation keeps: offsets inside
// the text, increasing and not overlapping, Text the runes they cover.
func checkTokens(t *testing.T, s string, toks []Token) {
	t.Helper()
	runes := []rune(s)
	last := 0
	for i, tk := range toks {
		if tk.Start < last || tk.End <= tk.Start || tk.End > len(runes) {
			t.Fatalf("%q: token %d %+v has bad offsets (previous end %d, %d runes)", s, i, tk, last, len(runes))
		}
		if string(runes[tk.Start:tk.End]) != tk.Text {
			t.Fatalf("%q: token %d text %q, runes %q", s, i, tk.Text, string(runes[tk.Start:tk.End]))
		}
		if tk.Norm == "" {
			t.Fatalf("%q: token %d %+v has an empty norm", s, i, tk)
		}
		last = tk.End
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"Quero a 2ª VIA do boleto!!!", "meu cpf é 123.456.789-09", "maria.silva@x.com", "www.sabia.dev", "a.a.a.a.a@", "😀\u200d👍", "\xff\xfe", "12,50 reais", "ñ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		toks := Tokenize(s)
		if utf8.ValidString(s) {
			checkTokens(t, s, toks)
		}
		for _, tk := range toks {
			if tk.Kind == KindWord && strings.ContainsAny(tk.Norm, " \t\n") {
				t.Fatalf("word norm %q has white space", tk.Norm)
			}
		}
	})
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"Não", "AÇÃO", "ÑANDÚ", "\xff", "ǅ", "SIMMMM", "Oiii", "aaa", "ab"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := Fold(s)
		if Fold(once) != once {
			t.Fatalf("Fold is not idempotent on %q: %q then %q", s, once, Fold(once))
		}
		if got, want := squeeze(once), squeezeRunes(once); got != want {
			t.Fatalf("squeeze(%q) = %q, its rune loop alone gives %q", once, got, want)
		}
		if got, want := once, foldFull(s); got != want {
			t.Fatalf("Fold(%q) = %q, the full NFKD path gives %q", s, got, want)
		}
	})
}

func TestLanguageID(t *testing.T) {
	id := TrainLanguageID(map[string][]string{
		"pt_br": {"quero falar com um atendente", "não quero mais receber mensagens", "qual o valor da fatura", "você pode me ajudar"},
		"es":    {"quiero hablar con un asesor", "no quiero recibir más mensajes", "cuál es el valor de la factura", "usted puede ayudarme"},
		"en":    {"i want to talk to an agent", "i do not want more messages", "what is the amount of the bill", "can you help me"},
	})
	for text, want := range map[string]string{"quero um atendente agora": "pt_br", "quiero un asesor ahora": "es", "talk to an agent now": "en"} {
		if got, p := id.Detect(text); got != want || p <= 0.34 || p > 1 {
			t.Errorf("Detect(%q) = %s %.2f, want %s", text, got, p, want)
		}
	}
	if got, p := (&LanguageID{}).Detect("oi"); got != "" || p != 0 {
		t.Errorf("empty identifier: %q %v", got, p)
	}
}
