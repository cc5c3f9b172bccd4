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

func TestReadLUISJSON(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     []nlu.Example
	}{
		{
			name: "schema 7.0 with nested children, roles and None",
			in: `{"luis_schema_version": "7.0.0", "versionId": "0.2", "name": "Pizzaria", "culture": "pt-br",
				"intents": [{"name": "None", "features": []}, {"name": "pedir_pizza", "features": []}],
				"entities": [{"name": "pedido", "children": [{"name": "sabor"}], "roles": [], "features": []}],
				"utterances": [
					{"text": "qro uma pizza de calabresa", "intent": "pedir_pizza", "entities": [
						{"entity": "pedido", "startPos": 4, "endPos": 25, "children": [
							{"entity": "sabor", "startPos": 17, "endPos": 25, "children": []}]}]},
					{"text": "de São Paulo pra Recife", "intent": "passagem", "entities": [
						{"entity": "cidade", "startPos": 17, "endPos": 22, "role": "destino", "children": []},
						{"entity": "cidade", "startPos": 3, "endPos": 11, "role": "origem", "children": []}]},
					{"text": "pq vc não responde???", "intent": "None", "entities": []}
				],
				"patterns": [{"pattern": "quero {sabor}", "intent": "pedir_pizza"}], "settings": []}`,
			want: []nlu.Example{
				fx("qro uma pizza de calabresa", "pedir_pizza", "pedido=uma pizza de calabresa"),
				fx("de São Paulo pra Recife", "passagem", "cidade|origem=São Paulo", "cidade|destino=Recife"),
				fx("pq vc não responde???", ""),
			},
		},
		{
			name: "schema 3.2 without entities key",
			in: `{"luis_schema_version": "3.2.0", "culture": "es-es", "utterances": [
				{"text": "¿cuánto cuesta el envío a Bogotá?", "intent": "frete", "entities": [{"entity": "ciudad", "startPos": 26, "endPos": 31}]},
				{"text": "hola, buenos días", "intent": "saludo"}]}`,
			want: []nlu.Example{
				fx("¿cuánto cuesta el envío a Bogotá?", "frete", "ciudad=Bogotá"),
				fx("hola, buenos días", "saludo"),
			},
		},
		{
			// Accented letters are one UTF-16 code unit, as they are one rune.
			name: "accents",
			in: `{"luis_schema_version": "7.0.0", "utterances": [
				{"text": "ação de graças: quero o cartão açaí", "intent": "comprar", "entities": [{"entity": "produto", "startPos": 24, "endPos": 34}]}]}`,
			want: []nlu.Example{fx("ação de graças: quero o cartão açaí", "comprar", "produto=cartão açaí")},
		},
		{
			// An emoji is two UTF-16 code units: "Recife" starts at unit 12,
			// rune 11, and a label over the emoji covers units 5 and 6.
			name: "emoji counts two",
			in: `{"luis_schema_version": "7.0.0", "utterances": [
				{"text": "bora 🚌 pra Recife", "intent": "passagem", "entities": [
					{"entity": "cidade", "startPos": 12, "endPos": 17},
					{"entity": "transporte", "startPos": 5, "endPos": 6}]}]}`,
			want: []nlu.Example{fx("bora 🚌 pra Recife", "passagem", "transporte=🚌", "cidade=Recife")},
		},
		{
			name: "no utterances, byte-order mark",
			in:   "\ufeff" + `{"luis_schema_version": "6.0.0", "utterances": []}`,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ReadLUISJSON(strings.NewReader(c.in))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 && len(c.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("ReadLUISJSON =\n%#v\nwant\n%#v", got, c.want)
			}
		})
	}
}

func TestReadLUISJSONErrors(t *testing.T) {
	const ok = `{"text": "oi", "intent": "saudacao"}`
	app := func(bad string) string {
		return `{"luis_schema_version": "7.0.0", "utterances": [` + ok + ", " + ok + ", " + bad + "]}"
	}
	for _, c := range []struct {
		name, in, code, where string
	}{
		{"empty", "", sabia.EINVALID, "empty"},
		{"an array", `[` + ok + `]`, sabia.EINVALID, "JSON object"},
		{"bad JSON", `{"luis_schema_version": "7.0.0", "utterances": [` + ok + `,]}`, sabia.EINVALID, "utterance 1"},
		{"truncated", `{"luis_schema_version": "7.0.0", "utterances": [` + ok, sabia.EINVALID, "end"},
		{"no version", `{"utterances": []}`, sabia.EINVALID, `"luis_schema_version"`},
		{"version 2", `{"luis_schema_version": "2.1.0", "utterances": []}`, sabia.EINVALID, `"2.1.0" is not supported`},
		{"version a number", `{"luis_schema_version": 7, "utterances": []}`, sabia.EINVALID, `"luis_schema_version"`},
		{"no utterances", `{"luis_schema_version": "7.0.0", "intents": []}`, sabia.EINVALID, `"utterances"`},
		{"utterances an object", `{"luis_schema_version": "7.0.0", "utterances": {}}`, sabia.EINVALID, `"utterances" must be an array`},
		{"utterances twice", `{"luis_schema_version": "7.0.0", "utterances": [], "utterances": []}`, sabia.EINVALID, "twice"},
		{"data after", `{"luis_schema_version": "7.0.0", "utterances": []} {}`, sabia.EINVALID, "after"},
		{"utterance not an object", app(`"oi"`), sabia.EINVALID, "utterance 2"},
		{"missing text", app(`{"intent": "a"}`), sabia.EINVALID, `utterance 2: missing "text"`},
		{"blank text", app(`{"text": "  ", "intent": "a"}`), sabia.EINVALID, "utterance 2: empty"},
		{"missing intent", app(`{"text": "vc tá aí?"}`), sabia.EINVALID, `utterance 2: missing "intent"`},
		{"empty intent", app(`{"text": "vc tá aí?", "intent": ""}`), sabia.EINVALID, `utterance 2: empty "intent"`},
		{"intent a number", app(`{"text": "vc tá aí?", "intent": 3}`), sabia.EINVALID, "utterance 2"},
		{"entity without name", app(`{"text": "oi", "intent": "a", "entities": [{"startPos": 0, "endPos": 1}]}`), sabia.EINVALID, `utterance 2: entity 0: missing "entity"`},
		{"entity without endPos", app(`{"text": "oi", "intent": "a", "entities": [{"entity": "e", "startPos": 0}]}`), sabia.EINVALID, `"endPos"`},
		// endPos is inclusive: the last valid one is the length minus one.
		{"endPos exclusive", app(`{"text": "pq não", "intent": "a", "entities": [{"entity": "e", "startPos": 3, "endPos": 6}]}`), sabia.EINVALID, "utterance 2: entity 0 (e): startPos 3 and endPos 6 (inclusive) are not inside the text of 6"},
		{"reversed", app(`{"text": "oi", "intent": "a", "entities": [{"entity": "e", "startPos": 1, "endPos": 0}]}`), sabia.EINVALID, "utterance 2"},
		{"negative", app(`{"text": "oi", "intent": "a", "entities": [{"entity": "e", "startPos": -1, "endPos": 0}]}`), sabia.EINVALID, "utterance 2"},
		// Counted in runes, the emoji would be 5..5; in UTF-16 units that
		// is half of it.
		{"emoji split", app(`{"text": "bora 🚌 pra Recife", "intent": "a", "entities": [{"entity": "t", "startPos": 5, "endPos": 5}]}`), sabia.EINVALID, "falls inside a character"},
		{"overlap", app(`{"text": "quero pizza de calabresa", "intent": "a", "entities": [{"entity": "a", "startPos": 6, "endPos": 13}, {"entity": "b", "startPos": 12, "endPos": 23}]}`), sabia.EINVALID, `utterance 2: entities "a" [6,14) and "b" [12,24) overlap`},
		{"same words twice", app(`{"text": "quero pizza", "intent": "a", "entities": [{"entity": "a", "startPos": 6, "endPos": 10}, {"entity": "b", "startPos": 6, "endPos": 10}]}`), sabia.EINVALID, "overlap"},
		{"position not a number", app(`{"text": "oi", "intent": "a", "entities": [{"entity": "e", "startPos": "0", "endPos": 1}]}`), sabia.EINVALID, "utterance 2"},
		{"text too long", app(`{"text": "` + strings.Repeat("a", maxText+1) + `", "intent": "a"}`), sabia.ETOOLARGE, "utterance 2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadLUISJSON(strings.NewReader(c.in))
			if code := sabia.ErrorCode(err); code != c.code {
				t.Fatalf("error = %v, want code %s", err, c.code)
			}
			if !strings.Contains(sabia.ErrorMessage(err), c.where) {
				t.Errorf("message %q does not say %q", sabia.ErrorMessage(err), c.where)
			}
		})
	}
}

func TestWriteLUISJSON(t *testing.T) {
	in := []nlu.Example{
		fx("bora 🚌 pra Recife", "passagem", "cidade|destino=Recife", "transporte=🚌"),
		fx("ação: quero o cartão açaí", "comprar", "produto=cartão açaí"),
		fx("e aí, td bem?", ""),
	}
	for _, c := range []struct{ language, culture string }{
		{"pt_br", "pt-br"}, {"pt-BR", "pt-br"}, {"es", "es-es"}, {"en", "en-us"}, {"", "pt-br"},
	} {
		var buf bytes.Buffer
		if err := WriteLUISJSON(&buf, c.language, in); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), `"culture": "`+c.culture+`"`) {
			t.Errorf("language %q: culture is not %q:\n%s", c.language, c.culture, buf.String())
		}
	}
	var buf bytes.Buffer
	if err := WriteLUISJSON(&buf, "es", in); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		`"luis_schema_version": "7.0.0"`, `"versionId": "0.1"`, `"name": "Sabiá"`, `"desc": "Exported from Sabiá"`,
		`"intent": "None"`, `"roles": [
        "destino"
      ]`,
		// The emoji is units 5 and 6; Recife starts at unit 12.
		`"startPos": 5,
          "endPos": 6,`,
		`"startPos": 12,
          "endPos": 17,`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	back, err := ReadLUISJSON(&buf)
	// Spans come back sorted.
	in[0].Entities[0], in[0].Entities[1] = in[0].Entities[1], in[0].Entities[0]
	if err != nil || !reflect.DeepEqual(back, in) {
		t.Errorf("read back\n%#v, %v\nwant\n%#v", back, err, in)
	}
}

func TestWriteLUISJSONInvalid(t *testing.T) {
	for _, c := range []struct {
		name, language string
		ex             nlu.Example
		where          string
	}{
		{"no culture", "ru", fx("oi", "a"), "culture"},
		{"unknown language", "klingon", fx("oi", "a"), "culture"},
		{"None intent", "", fx("oi", "None"), `example 1: the intent name "None" is reserved`},
		{"overlap", "", nlu.Example{Text: "quero pizza", Intent: "a", Entities: []nlu.Span{{Start: 0, End: 5, Entity: "a"}, {Start: 4, End: 11, Entity: "b"}}}, "example 1: entities"},
		{"same words twice", "", fx("mesmas palavras", "a", "e1=mesmas", "e2=mesmas"), "example 1: entities"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteLUISJSON(&buf, c.language, []nlu.Example{fx("fine", "a"), c.ex})
			if sabia.ErrorCode(err) != sabia.EINVALID || !strings.Contains(sabia.ErrorMessage(err), c.where) {
				t.Errorf("error = %v, want EINVALID saying %q", err, c.where)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %q before failing", buf.String())
			}
		})
	}
}

func FuzzReadLUISJSON(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "formats", "examples.luis.json")); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"luis_schema_version": "7.0.0", "utterances": [{"text": "bora 🚌 pra Recife", "intent": "None", "entities": [{"entity": "t", "startPos": 5, "endPos": 6, "role": "r", "children": [{"entity": "c", "startPos": 5, "endPos": 6}]}]}]}`))
	f.Add([]byte(`{"luis_schema_version": "3.2.0", "utterances": [{"text": "a\u0000b\ud800", "intent": "x", "entities": [{"entity": "e", "startPos": 0, "endPos": 9223372036854775807}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		exs, err := ReadLUISJSON(bytes.NewReader(data))
		if err != nil {
			checkFuzzError(t, err)
			return
		}
		for _, e := range exs {
			if e.Intent == LUISOutOfScopeIntent {
				t.Fatalf("read intent %q", e.Intent)
			}
			for i := 1; i < len(e.Entities); i++ {
				if e.Entities[i].Start < e.Entities[i-1].End {
					t.Fatalf("spans overlap or are unsorted: %+v", e.Entities)
				}
			}
		}
		checkReadBack(t, exs,
			func(b *bytes.Buffer, e []nlu.Example) error { return WriteLUISJSON(b, "", e) },
			func(b *bytes.Buffer) ([]nlu.Example, error) { return ReadLUISJSON(b) })
	})
}
