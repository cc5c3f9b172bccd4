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

func TestReadBothubJSON(t *testing.T) {
	for _, c := range []struct {
		name, in, lang string
		want           []nlu.Example
	}{
		{
			name: "export with language and translations",
			in: `{"language": "pt_br", "translations": {"en": [{"text": "hi"}]}, "examples": [
				{"text": "quero uma pizza de calabresa", "intent": "pedir_pizza",
				 "entities": [{"start": 19, "end": 28, "entity": "sabor", "value": "calabresa"}]},
				{"text": "vc tem de açaí? 😋", "intent": "pedir_pizza", "entities": [{"start": 10, "end": 14, "entity": "sabor"}]},
				{"text": "de SP pra [Recife]", "intent": "passagem", "entities": [
					{"start": 3, "end": 5, "entity": "cidade", "value": "SP", "group": "origem"},
					{"start": 11, "end": 17, "entity": "cidade", "value": "Recife", "group": "destino"}]},
				{"text": "pq ninguém responde???", "intent": ""},
				{"text": "qual teu signo", "intent": null, "entities": []}
			], "version": 3}`,
			lang: "pt_br",
			want: []nlu.Example{
				fx("quero uma pizza de calabresa", "pedir_pizza", "sabor=calabresa"),
				{Text: "vc tem de açaí? 😋", Intent: "pedir_pizza", Entities: []nlu.Span{{Start: 10, End: 14, Entity: "sabor"}}},
				fx("de SP pra [Recife]", "passagem", "cidade|origem=SP", "cidade|destino=Recife"),
				fx("pq ninguém responde???", ""),
				fx("qual teu signo", ""),
			},
		},
		{
			name: "bare array, spanish",
			in:   `[{"text": "¿Cuánto cuesta el envío a Bogotá?", "intent": "frete", "entities": [{"start": 26, "end": 32, "entity": "ciudad", "value": "Bogotá"}]}]`,
			want: []nlu.Example{fx("¿Cuánto cuesta el envío a Bogotá?", "frete", "ciudad=Bogotá")},
		},
		{
			name: "language null, no examples",
			in:   `{"examples": [], "language": null}`,
		},
		{
			name: "escapes and quotes",
			in:   `{"language": "es", "examples": [{"text": "dijo \"hola\" \u00e9 <b>&", "intent": "a"}]}`,
			lang: "es",
			want: []nlu.Example{fx(`dijo "hola" é <b>&`, "a")},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, lang, err := ReadBothubJSON(strings.NewReader(c.in))
			if err != nil {
				t.Fatal(err)
			}
			if lang != c.lang {
				t.Errorf("language = %q, want %q", lang, c.lang)
			}
			if len(got) == 0 && len(c.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("ReadBothubJSON =\n%#v\nwant\n%#v", got, c.want)
			}
		})
	}
}

func TestReadBothubJSONErrors(t *testing.T) {
	const ok = `{"text": "oi", "intent": "a"}`
	doc := func(bad string) string {
		return `{"language": "pt_br", "examples": [` + ok + ", " + ok + ", " + bad + "]}"
	}
	for _, c := range []struct {
		name, in, code, where string
	}{
		{"empty", "", sabia.EINVALID, "empty"},
		{"bad JSON", `{"examples": [` + ok + `,]}`, sabia.EINVALID, "example 1"},
		{"truncated", `{"examples": [` + ok, sabia.EINVALID, "end"},
		{"a string", `"oi"`, sabia.EINVALID, "object"},
		{"no examples", `{"language": "pt_br"}`, sabia.EINVALID, `"examples"`},
		{"examples an object", `{"examples": {}}`, sabia.EINVALID, `"examples"`},
		{"examples twice", `{"examples": [], "examples": []}`, sabia.EINVALID, `"examples"`},
		{"language a number", `{"language": 1, "examples": []}`, sabia.EINVALID, `"language"`},
		{"data after", `[]{}`, sabia.EINVALID, "after"},
		{"example not an object", doc(`"oi"`), sabia.EINVALID, "example 2"},
		{"unknown example key", doc(`{"text": "oi", "intnet": "a", "intent": "a"}`), sabia.EINVALID, "example 2"},
		{"unknown entity key", doc(`{"text": "oi", "intent": "a", "entities": [{"start": 0, "end": 1, "entity": "e", "label": "x"}]}`), sabia.EINVALID, "example 2"},
		{"missing text", doc(`{"intent": "a"}`), sabia.EINVALID, "example 2"},
		{"empty text", doc(`{"text": " ", "intent": "a"}`), sabia.EINVALID, "example 2"},
		{"missing intent", doc(`{"text": "oi"}`), sabia.EINVALID, "example 2"},
		{"intent a number", doc(`{"text": "oi", "intent": 7}`), sabia.EINVALID, "example 2"},
		{"span outside", doc(`{"text": "ção", "intent": "a", "entities": [{"start": 0, "end": 4, "entity": "e"}]}`), sabia.EINVALID, "example 2"},
		{"span reversed", doc(`{"text": "oi", "intent": "a", "entities": [{"start": 1, "end": 0, "entity": "e"}]}`), sabia.EINVALID, "example 2"},
		{"span without end", doc(`{"text": "oi", "intent": "a", "entities": [{"start": 0, "entity": "e"}]}`), sabia.EINVALID, "example 2"},
		{"span offsets in bytes", doc(`{"text": "não quero", "intent": "a", "entities": [{"start": 5, "end": 10, "entity": "e", "value": "quero"}]}`), sabia.EINVALID, "example 2"},
		{"span not a number", doc(`{"text": "oi", "intent": "a", "entities": [{"start": "0", "end": 1, "entity": "e"}]}`), sabia.EINVALID, "example 2"},
		{"text too long", doc(`{"text": "` + strings.Repeat("a", maxText+1) + `", "intent": "a"}`), sabia.ETOOLARGE, "example 2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := ReadBothubJSON(strings.NewReader(c.in))
			if code := sabia.ErrorCode(err); code != c.code {
				t.Fatalf("error = %v, want code %s", err, c.code)
			}
			if !strings.Contains(sabia.ErrorMessage(err), c.where) {
				t.Errorf("message %q does not say %q", sabia.ErrorMessage(err), c.where)
			}
		})
	}
}

func TestWriteBothubJSON(t *testing.T) {
	in := []nlu.Example{fx("de SP pra Recife 🛫", "passagem", "cidade|origem=SP", "cidade=Recife"), fx("e aí", "")}
	var buf bytes.Buffer
	if err := WriteBothubJSON(&buf, "pt_br", in); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"language": "pt_br"`, `"value": "Recife"`, `"group": "origem"`, `"intent": ""`, `"entities": []`, "🛫"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("output lacks %s:\n%s", want, buf.String())
		}
	}
	back, lang, err := ReadBothubJSON(&buf)
	if err != nil || lang != "pt_br" || !reflect.DeepEqual(back, in) {
		t.Errorf("read back %#v, %q, %v", back, lang, err)
	}
	if err := WriteBothubJSON(&buf, "pt\xff", in); sabia.ErrorCode(err) != sabia.EINVALID {
		t.Errorf("bad language: error = %v", err)
	}
}

func FuzzReadBothubJSON(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "formats", "examples.json")); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"language": "es", "translations": [1, {"a": null}], "examples": [{"text": "hola 👋", "intent": null, "entities": [{"start": 5, "end": 6, "entity": "e", "group": "g", "value": "👋"}]}]}`))
	f.Add([]byte(`[{"text": "a\u0000b\ud800", "intent": "x"}]`))
	f.Add([]byte(`{"examples": [{"text": "a", "intent": "", "entities": [{"start": 0, "end": 9223372036854775807, "entity": "e"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		exs, lang, err := ReadBothubJSON(bytes.NewReader(data))
		if err != nil {
			checkFuzzError(t, err)
			return
		}
		var buf bytes.Buffer
		if err := WriteBothubJSON(&buf, lang, exs); err != nil {
			t.Fatalf("writing what was read: %v", err)
		}
		_, backLang, err := ReadBothubJSON(bytes.NewReader(buf.Bytes()))
		if err != nil || backLang != lang {
			t.Fatalf("language %q came back as %q (%v)", lang, backLang, err)
		}
		checkReadBack(t, exs,
			func(b *bytes.Buffer, e []nlu.Example) error { return WriteBothubJSON(b, lang, e) },
			func(b *bytes.Buffer) ([]nlu.Example, error) {
				e, _, err := ReadBothubJSON(b)
				return e, err
			})
	})
}
