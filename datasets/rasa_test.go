package datasets

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	sabia "github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

func TestReadRasaYAML(t *testing.T) {
	for _, c := range []struct {
		name string
		in   string
		want []nlu.Example
	}{
		{
			name: "annotations in every form",
			in: `version: "3.1"
nlu:
- intent: pedir_pizza
  examples: |
    - quero uma pizza de [calabresa](sabor)
    - vc tem de [quatro queijos](sabor:4queijos)? 🍕
    - manda [2]{"entity": "quantidade", "role": "pizzas", "value": 2} pra [Niterói]{"entity": "cidade", "group": "entrega"}
    - [marguerita][{"entity": "sabor"}, {"entity": "produto", "group": "g1"}] sem cebola pf
`,
			want: []nlu.Example{
				fx("quero uma pizza de calabresa", "pedir_pizza", "sabor=calabresa"),
				fx("vc tem de quatro queijos? 🍕", "pedir_pizza", "sabor=quatro queijos"),
				fx("manda 2 pra Niterói", "pedir_pizza", "quantidade=2", "cidade|entrega=Niterói"),
				fx("marguerita sem cebola pf", "pedir_pizza", "sabor=marguerita", "produto|g1=marguerita"),
			},
		},
		{
			name: "offsets in runes after emoji and accents",
			in:   "nlu:\n- intent: saudacao\n  examples: |\n    - 👋🏽 oi, aqui é a [Conceição](nome)\n",
			want: []nlu.Example{{Text: "👋🏽 oi, aqui é a Conceição", Intent: "saudacao",
				Entities: []nlu.Span{{Start: 16, End: 25, Entity: "nome"}}}},
		},
		{
			name: "other keys and items ignored",
			in: `version: "3.1"
intents:
- saudacao
responses:
  utter_oi:
  - text: "Oi! [não](é) exemplo"
nlu:
- synonym: São Paulo
  examples: |
    - sp
    - sampa
- regex: cep
  examples: |
    - \d{5}-\d{3}
- lookup: cidade
  examples: |
    - Recife
- intent: saudacao
  metadata:
    fonte: whatsapp
  examples: |
    - oii tudo bem?
rules: []
stories: []
`,
			want: []nlu.Example{fx("oii tudo bem?", "saudacao")},
		},
		{
			name: "out of scope and grouping by intent",
			in: `nlu:
- intent: out_of_scope
  examples: |
    - qual time vc torce?
- intent: despedida
  examples: |
    - flw
- intent: out_of_scope
  examples: |
    - me conta uma piada kkk
- intent: despedida
  examples: |
    - tchau, obg!
`,
			want: []nlu.Example{
				fx("qual time vc torce?", ""),
				fx("me conta uma piada kkk", ""),
				fx("flw", "despedida"),
				fx("tchau, obg!", "despedida"),
			},
		},
		{
			name: "examples as a list with metadata",
			in: `nlu:
- intent: reclamacao
  examples:
  - text: |
      pq [ninguém](pessoa) me responde???
    metadata:
      sentiment: negativo
  - text: "linha 1\nlinha 2"
  - text: '  ''aspas''  '
`,
			want: []nlu.Example{
				fx("pq ninguém me responde???", "reclamacao", "pessoa=ninguém"),
				fx("linha 1\nlinha 2", "reclamacao"),
				fx("'aspas'", "reclamacao"),
			},
		},
		{
			name: "brackets and parentheses that are no annotation",
			in: `nlu:
- intent: status
  examples: |
    - meu pedido [urgente] não chegou (de novo)
    - [] vazio, [x] (y), [a]() e [b](c:)
    - preço [R$ 10](sem fechar e [a]{sem fim
    - \[escapado](nao) e barra \\ dupla, \ sozinha e \x
    - :) [ok] :(
`,
			want: []nlu.Example{
				fx("meu pedido [urgente] não chegou (de novo)", "status"),
				fx("[] vazio, [x] (y), [a]() e [b](c:)", "status"),
				fx("preço [R$ 10](sem fechar e [a]{sem fim", "status"),
				fx(`[escapado](nao) e barra \ dupla, \ sozinha e \x`, "status"),
				fx(":) [ok] :(", "status"),
			},
		},
		{
			name: "escapes inside a value",
			in:   "nlu:\n- intent: a\n  examples: |\n    - o [item \\] 2](produto) e [c:\\\\](pasta)\n",
			want: []nlu.Example{fx(`o item ] 2 e c:\`, "a", "produto=item ] 2", `pasta=c:\`)},
		},
		{
			name: "spanish, CRLF, byte-order mark, spaces stripped",
			in:   "\ufeffnlu:\r\n- intent: envio\r\n  examples: |\r\n    -   ¿Cuánto tarda el envío a [Bogotá](ciudad)?  \r\n\r\n    -¿hacen envíos a [Cancún]{\"entity\": \"ciudad\"}?\r\n",
			want: []nlu.Example{
				fx("¿Cuánto tarda el envío a Bogotá?", "envio", "ciudad=Bogotá"),
				fx("¿hacen envíos a Cancún?", "envio", "ciudad=Cancún"),
			},
		},
		{
			name: "no examples",
			in:   "version: \"3.1\"\nnlu: []\n",
		},
		{
			name: "nlu null",
			in:   "nlu:\n",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ReadRasaYAML(strings.NewReader(c.in))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 && len(c.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("ReadRasaYAML =\n%#v\nwant\n%#v", got, c.want)
			}
		})
	}
}

func TestReadRasaYAMLErrors(t *testing.T) {
	const head = "nlu:\n- intent: a\n  examples: |\n    - oi\n"
	for _, c := range []struct {
		name, in, code, where string
	}{
		{"bad YAML", head + "  - [\n", sabia.EINVALID, "line"},
		{"tab indentation", "nlu:\n\t- intent: a\n", sabia.EINVALID, "line 2"},
		{"empty file", "", sabia.EINVALID, `"nlu"`},
		{"comments only", "# nada\n", sabia.EINVALID, `"nlu"`},
		{"missing nlu key", "version: \"3.1\"\nresponses:\n  utter_oi:\n  - text: oi\n", sabia.EINVALID, `no "nlu" key`},
		{"not a mapping", "- intent: a\n", sabia.EINVALID, `"nlu"`},
		{"nlu not a list", "nlu: oi\n", sabia.EINVALID, "line 1"},
		{"nlu twice", head + "nlu: []\n", sabia.EINVALID, "line 5"},
		{"two documents", head + "---\nnlu: []\n", sabia.EINVALID, "document"},
		{"item not a mapping", head + "- oi\n", sabia.EINVALID, "line 5"},
		{"item of no known kind", head + "- exemplo: oi\n", sabia.EINVALID, "line 5"},
		{"unknown key in intent", head + "- intent: b\n  exemplos: |\n    - oi\n", sabia.EINVALID, "line 6"},
		{"key twice", head + "- intent: b\n  intent: c\n  examples: |\n    - oi\n", sabia.EINVALID, "line 6"},
		{"intent without examples", head + "- intent: b\n", sabia.EINVALID, "line 5"},
		{"empty intent name", head + "- intent: \"\"\n  examples: |\n    - oi\n", sabia.EINVALID, "line 5"},
		{"null intent", head + "- intent:\n  examples: |\n    - oi\n", sabia.EINVALID, "line 5"},
		{"intent a list", head + "- intent: [a]\n  examples: |\n    - oi\n", sabia.EINVALID, "line 5"},
		{"examples a mapping", head + "- intent: b\n  examples: {a: b}\n", sabia.EINVALID, "line 6"},
		{"line without dash", head + "    tchau\n", sabia.EINVALID, "line 5"},
		{"empty example", head + "    -\n", sabia.EINVALID, "line 5"},
		{"blank example", head + "    - \t\n", sabia.EINVALID, "line 5"},
		{"bad annotation JSON", head + "    - de [SP]{\"entity\": } pra RJ\n", sabia.EINVALID, "line 5"},
		{"unknown annotation key", head + "    - de [SP]{\"entity\": \"cidade\", \"grupo\": \"origem\"}\n", sabia.EINVALID, "line 5"},
		{"annotation without entity", head + "    - de [SP]{\"group\": \"origem\"}\n", sabia.EINVALID, "line 5"},
		{"annotation group not a string", head + "    - de [SP]{\"entity\": \"c\", \"group\": 1}\n", sabia.EINVALID, "line 5"},
		{"empty entity list", head + "    - de [SP][ ]\n", sabia.EINVALID, "line 5"},
		{"entity list of numbers", head + "    - de [SP][1, 2]\n", sabia.EINVALID, "line 5"},
		{"list example unknown key", "nlu:\n- intent: a\n  examples:\n  - text: oi\n    texto: oi\n", sabia.EINVALID, "line 4"},
		{"list example without text", "nlu:\n- intent: a\n  examples:\n  - metadata: {}\n", sabia.EINVALID, "line 4"},
		{"list example a string", "nlu:\n- intent: a\n  examples:\n  - oi\n", sabia.EINVALID, "line 4"},
		{"alias", "x: &e |\n  - oi\nnlu:\n- intent: a\n  examples: *e\n", sabia.EINVALID, "alias"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadRasaYAML(strings.NewReader(c.in))
			if code := sabia.ErrorCode(err); code != c.code {
				t.Fatalf("error = %v, want code %s", err, c.code)
			}
			if !strings.Contains(sabia.ErrorMessage(err), c.where) {
				t.Errorf("message %q does not say %q", sabia.ErrorMessage(err), c.where)
			}
		})
	}
}

func TestWriteRasaYAML(t *testing.T) {
	for _, c := range []struct {
		name string
		ex   nlu.Example
		line string // the example's line in the examples block
	}{
		{"plain", fx("oi, tudo bem?", "a"), "- oi, tudo bem?"},
		{"entity", fx("quero pizza de calabresa", "a", "sabor=calabresa"), "- quero pizza de [calabresa](sabor)"},
		{"group", fx("de São Paulo pra Recife", "a", "cidade|origem=São Paulo", "cidade|destino=Recife"),
			`- de [São Paulo]{"entity": "cidade", "group": "origem"} pra [Recife]{"entity": "cidade", "group": "destino"}`},
		{"name with a colon", fx("hora 10h", "a", "hora:inicio=10h"), `- hora [10h]{"entity": "hora:inicio"}`},
		{"same words twice", fx("quero a grande", "a", "tamanho=grande", "produto|g=grande"),
			`- quero a [grande][{"entity": "tamanho"}, {"entity": "produto", "group": "g"}]`},
		{"spans given out of order", fx("de SP pra RJ", "a", "c=RJ", "c=SP"), "- de [SP](c) pra [RJ](c)"},
		{"brackets left as they are", fx("meu pedido [urgente] (de novo) [x] y", "a"), "- meu pedido [urgente] (de novo) [x] y"},
		{"what would read as an annotation", fx("[a](b) [c]{d} [e][f]", "a"), `- \[a](b) \[c]{d} \[e][f]`},
		{"bracket before an entity", fx("[ver Maria", "a", "nome=Maria"), `- \[ver [Maria](nome)`},
		{"backslashes", fx(`a\b \[ c\\ fim\`, "a"), `- a\b \\[ c\\\ fim\`},
		{"escapes in a value", fx(`o item ] 2\ ok`, "a", `p=item ] 2\`), `- o [item \] 2\\](p) ok`},
		{"spaces at the ends dropped", fx("  oi  ", "a"), "- oi"},
		{"spaces kept inside an entity", fx(" oi ", "a", "e= oi "), "- [ oi ](e)"},
		{"emoji and quotes", fx(`ele disse "já é" 😂👍🏽`, "a"), `- ele disse "já é" 😂👍🏽`},
		{"comment sign", fx("# 1 em vendas", "a"), "- # 1 em vendas"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteRasaYAML(&buf, []nlu.Example{c.ex}); err != nil {
				t.Fatal(err)
			}
			want := "version: \"3.1\"\nnlu:\n- intent: a\n  examples: |\n    " + c.line + "\n"
			if buf.String() != want {
				t.Errorf("wrote\n%s\nwant\n%s", buf.String(), want)
			}
			back, err := ReadRasaYAML(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if len(back) != 1 {
				t.Fatalf("read back %d examples", len(back))
			}
			if got, want := back[0].Text, strings.Trim(c.ex.Text, " "); got != want && c.name != "spaces kept inside an entity" {
				t.Errorf("text read back %q, want %q", got, want)
			}
		})
	}
}

func TestWriteRasaYAMLQuoting(t *testing.T) {
	in := []nlu.Example{
		fx("sim", "yes"),
		fx("ok", "ação"),
		fx("linha\nquebrada", "123"),
		fx("ok", "- lista"),
	}
	var buf bytes.Buffer
	if err := WriteRasaYAML(&buf, in); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`- intent: "yes"`, `- intent: "ação"`, `- intent: "123"`, `- text: "linha\nquebrada"`, `- intent: "- lista"`} {
		if !strings.Contains(buf.String(), want+"\n") {
			t.Errorf("output lacks %s:\n%s", want, buf.String())
		}
	}
	back, err := ReadRasaYAML(&buf)
	if err != nil || !reflect.DeepEqual(back, in) {
		t.Errorf("read back %#v, %v", back, err)
	}
}

func TestWriteRasaYAMLInvalid(t *testing.T) {
	for _, c := range []struct {
		name string
		ex   nlu.Example
	}{
		{"nested spans", fx("São Paulo", "a", "cidade=São Paulo", "nome=Paulo")},
		{"crossing spans", nlu.Example{Text: "abc", Intent: "a", Entities: []nlu.Span{{Start: 0, End: 2, Entity: "x"}, {Start: 1, End: 3, Entity: "y"}}}},
		{"reserved intent", fx("oi", RasaOutOfScopeIntent)},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteRasaYAML(&buf, []nlu.Example{fx("ok", "a"), c.ex})
			if sabia.ErrorCode(err) != sabia.EINVALID || !strings.Contains(sabia.ErrorMessage(err), "example 1") {
				t.Errorf("error = %v, want EINVALID naming example 1", err)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %q before failing", buf.String())
			}
		})
	}
}

func FuzzReadRasaYAML(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "formats", "examples.yml")); err == nil {
		f.Add(b)
	}
	f.Add([]byte("nlu:\n- intent: a\n  examples: |\n    - [x](y) \\[z](w) [a]{\"entity\": \"b\", \"group\": \"c\"} [d][{\"entity\": \"e\"}]\n"))
	f.Add([]byte("nlu:\n- intent: out_of_scope\n  examples:\n  - text: \"  a\\nb [c](d)\"\n    metadata: {}\n- synonym: x\n"))
	f.Add([]byte("nlu:\n- intent: a\n  examples: |\n    - [[a]](b)\\\\] [] [x]( [y](z:) \\ fim\\\n"))
	f.Add([]byte("\ufeffversion: '3.1'\r\nnlu:\r\n- intent: \"yes\"\r\n  examples: \"- a\\r- b\\u2028- c\"\r\n"))
	f.Add([]byte("x: &a [1]\nnlu: *a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		exs, err := ReadRasaYAML(bytes.NewReader(data))
		if err != nil {
			checkFuzzError(t, err)
			return
		}
		checkReadBack(t, exs,
			func(b *bytes.Buffer, e []nlu.Example) error { return WriteRasaYAML(b, e) },
			func(b *bytes.Buffer) ([]nlu.Example, error) { return ReadRasaYAML(b) })
	})
}
