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

// translatedExamples and their translations are what
// testdata/formats/translations.json holds: a pt_br bot translated into es
// and en, as Bothub exports it.
var (
	translatedExamples = []nlu.Example{
		{Text: "qro a 2ª via do boleto", Intent: "segunda_via", Entities: []nlu.Span{{Start: 16, End: 22, Entity: "documento"}}},
		{Text: "cancela meu plano pfv", Intent: "cancelar"},
		{Text: "oi, td bem?", Intent: "saudacao"},
	}
	exampleTranslations = [][]Translation{
		{
			{Language: "es", Text: "quiero la segunda vía de mi factura", Entities: []nlu.Span{{Start: 28, End: 35, Entity: "documento"}}},
			{Language: "en", Text: "I want a copy of my bill", Entities: []nlu.Span{{Start: 20, End: 24, Entity: "documento"}}},
		},
		{{Language: "es", Text: "cancela mi plan porfa"}},
	}
)

// go test ./datasets -run TestBothubTranslationsGolden -update rewrites the
// golden file.
func TestBothubTranslationsGolden(t *testing.T) {
	path := filepath.Join("testdata", "formats", "translations.json")
	var buf bytes.Buffer
	if err := EncodeTranslated("bothub", &buf, "pt_br", translatedExamples, exampleTranslations); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; run go test ./datasets -run TestBothubTranslationsGolden -update", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("EncodeTranslated(bothub) differs from %s (rerun with -update if the change is meant):\n%s", path, buf.Bytes())
	}
	exs, trs, err := DecodeTranslated("bothub", bytes.NewReader(want))
	if err != nil {
		t.Fatal(err)
	}
	wantTrs := append(append([][]Translation{}, exampleTranslations...), nil)
	if !reflect.DeepEqual(exs, translatedExamples) || !reflect.DeepEqual(trs, wantTrs) {
		t.Errorf("DecodeTranslated of the golden file =\n%#v\n%#v", exs, trs)
	}
	// Decode drops them; the other formats write none.
	if plain, err := Decode("bothub", bytes.NewReader(want)); err != nil || !reflect.DeepEqual(plain, translatedExamples) {
		t.Errorf("Decode = %#v, %v", plain, err)
	}
	for _, f := range []string{"jsonl", "rasa", "csv"} {
		var a, b bytes.Buffer
		if err := EncodeTranslated(f, &a, "pt_br", translatedExamples, exampleTranslations); err != nil {
			t.Fatal(err)
		}
		if err := Encode(f, &b, "pt_br", translatedExamples); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) || strings.Contains(a.String(), "factura") {
			t.Errorf("%s wrote translations:\n%s", f, a.String())
		}
		if _, trs, err := DecodeTranslated(f, &a); err != nil || trs != nil {
			t.Errorf("DecodeTranslated(%s) translations = %v, %v", f, trs, err)
		}
	}
}

func TestReadBothubTranslationsErrors(t *testing.T) {
	cases := []struct {
		name, in, code, msg string
	}{
		{"no language", `[{"text": "oi", "intent": "a", "translations": [{"text": "hola"}]}]`, sabia.EINVALID, `example 0: translation 0: missing "language"`},
		{"no text", `[{"text": "oi", "intent": "a", "translations": [{"language": "es"}]}]`, sabia.EINVALID, `example 0: translation 0: missing "text"`},
		{"blank text", `[{"text": "oi", "intent": "a", "translations": [{"language": "es", "text": " "}]}]`, sabia.EINVALID, `example 0: translation 0: empty "text"`},
		{"span outside", `[{"text": "oi", "intent": "a", "translations": [{"language": "es", "text": "hola", "entities": [{"start": 2, "end": 9, "entity": "x"}]}]}]`,
			sabia.EINVALID, "example 0: translation 0: entity 0 (x): span [2,9) is not inside the text of 4 runes"},
		{"value differs", `[{"text": "oi", "intent": "a", "translations": [{"language": "es", "text": "hola", "entities": [{"start": 0, "end": 4, "entity": "x", "value": "olá"}]}]}]`,
			sabia.EINVALID, `value "olá" does not match`},
		{"unknown key", `[{"text": "oi", "intent": "a", "translations": [{"language": "es", "text": "hola", "intent": "b"}]}]`, sabia.EINVALID, "example 0"},
		{"not an array", `[{"text": "oi", "intent": "a", "translations": {"es": "hola"}}]`, sabia.EINVALID, "example 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, _, err := ReadBothubTranslated(strings.NewReader(c.in))
			if sabia.ErrorCode(err) != c.code || !strings.Contains(sabia.ErrorMessage(err), c.msg) {
				t.Errorf("err = %v, want %s containing %q", err, c.code, c.msg)
			}
		})
	}
	var buf bytes.Buffer
	err := WriteBothubTranslated(&buf, "pt_br", translatedExamples, [][]Translation{{{Text: "hola"}}})
	if sabia.ErrorCode(err) != sabia.EINVALID || buf.Len() != 0 {
		t.Errorf("writing a translation without a language: %v, wrote %q", err, buf.String())
	}
}

func FuzzReadBothubTranslated(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "formats", "translations.json")); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`[{"text": "oi 👋", "intent": "a", "translations": [{"language": "es", "text": "hola 👋", "entities": [{"start": 5, "end": 6, "entity": "e", "value": "👋"}]}, {"language": "\u00e9", "text": "x"}]}]`))
	f.Add([]byte(`{"examples": [{"text": "a", "intent": null, "translations": []}, {"text": "b", "intent": "", "translations": null}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		exs, trs, lang, err := ReadBothubTranslated(bytes.NewReader(data))
		if err != nil {
			checkFuzzError(t, err)
			return
		}
		if len(trs) != len(exs) {
			t.Fatalf("%d examples, %d translation lists", len(exs), len(trs))
		}
		var buf bytes.Buffer
		if err := WriteBothubTranslated(&buf, lang, exs, trs); err != nil {
			t.Fatalf("writing what was read: %v", err)
		}
		exs2, trs2, lang2, err := ReadBothubTranslated(bytes.NewReader(buf.Bytes()))
		if err != nil || lang2 != lang || !reflect.DeepEqual(exs2, exs) || !reflect.DeepEqual(trs2, trs) {
			t.Fatalf("read back %#v %#v %q (%v), want %#v %#v %q", exs2, trs2, lang2, err, exs, trs, lang)
		}
	})
}
