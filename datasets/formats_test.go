package datasets

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	sabia "github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

// fx builds an example; each tag is "entity=value" or "entity|group=value",
// value being the first occurrence of that text in text.
func fx(text, intent string, tags ...string) nlu.Example {
	e := nlu.Example{Text: text, Intent: intent}
	for _, tg := range tags {
		name, value, _ := strings.Cut(tg, "=")
		entity, group, _ := strings.Cut(name, "|")
		i := strings.Index(text, value)
		if i < 0 {
			panic(fmt.Sprintf("%q not in %q", value, text))
		}
		start := utf8.RuneCountInString(text[:i])
		e.Entities = append(e.Entities, nlu.Span{Start: start, End: start + utf8.RuneCountInString(value), Entity: entity, Group: group})
	}
	return e
}

// formatExamples is the fixed list the golden files hold: sentences as
// users type them in Brazil and in Spanish-speaking countries, grouped by
// intent (as ReadRasaYAML returns them) and with spans in text order.
var formatExamples = []nlu.Example{
	fx("quero uma pizza de calabresa", "pedir_pizza", "sabor=calabresa"),
	fx("vc tem pizza de açaí? 🍕", "pedir_pizza", "sabor=açaí"),
	fx("me vê 2 [combos] da promoção pf", "pedir_pizza", "quantidade=2"),
	fx("quero ir de São Paulo pra Recife amanhã", "comprar_passagem", "cidade|origem=São Paulo", "cidade|destino=Recife"),
	fx("pq meu pedido (nº 4521) não chegou???", "status_pedido", "pedido=4521"),
	fx(`ele disse "tá a caminho" faz 2h 😡`, "status_pedido"),
	fx("¿Cuánto cuesta el envío a Bogotá?", "frete", "ciudad=Bogotá"),
	fx(`[a](b) não é anotação, nem \[isto]`, "ajuda"),
	fx("hoje tem jogo do mengão?", ""),
	fx("¿me cuentas un chiste? jajaja", ""),
}

func TestFormats(t *testing.T) {
	if len(Formats) != 6 {
		t.Fatalf("Formats = %v", Formats)
	}
	want := map[string]string{"jsonl": "application/x-ndjson", "rasa": "application/yaml", "csv": "text/csv", "bothub": "application/json",
		"luis": "application/json", "dialogflow": "application/zip", "xlsx": ""}
	for f, ct := range want {
		if got := ContentType(f); got != ct {
			t.Errorf("ContentType(%q) = %q, want %q", f, got, ct)
		}
	}
	ext := map[string]string{"jsonl": "jsonl", "rasa": "yml", "csv": "csv", "bothub": "json", "luis": "json", "dialogflow": "zip", "xlsx": ""}
	for f, e := range ext {
		if got := FileExtension(f); got != e {
			t.Errorf("FileExtension(%q) = %q, want %q", f, got, e)
		}
	}
	for _, f := range []string{"", "yaml", "JSONL", "xlsx", "LUIS", "zip"} {
		_, err := Decode(f, strings.NewReader(""))
		if sabia.ErrorCode(err) != sabia.EINVALID || !strings.Contains(sabia.ErrorMessage(err), "jsonl, rasa, csv, bothub, luis, dialogflow") {
			t.Errorf("Decode(%q) error = %v, want EINVALID naming the formats", f, err)
		}
		if err := Encode(f, &bytes.Buffer{}, "", formatExamples); sabia.ErrorCode(err) != sabia.EINVALID {
			t.Errorf("Encode(%q) error = %v, want EINVALID", f, err)
		}
	}
}

// goldenFiles names the golden file of each format in testdata/formats. The
// Dialogflow ZIP's golden file is the listing of its files (zipListing), so
// that it reads in a diff and does not hang on the compressor's bytes.
var goldenFiles = map[string]string{"jsonl": "examples.jsonl", "rasa": "examples.yml", "csv": "examples.csv", "bothub": "examples.json",
	"luis": "examples.luis.json", "dialogflow": "examples.dialogflow.txt"}

// zipListing renders a ZIP as text: each file's name on a "== name ==" line,
// then its content.
func zipListing(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&out, "== %s ==\n%s", f.Name, data)
	}
	return out.String()
}

// lossless returns what format gives back of examples written and read
// again, for examples it can hold: Rasa strips the ends of a text, and
// Dialogflow has no entity groups, as documented.
func lossless(format string, examples []nlu.Example) []nlu.Example {
	out := slices.Clone(examples)
	for i, e := range out {
		switch format {
		case "rasa":
			if len(e.Entities) == 0 {
				out[i].Text = strings.Trim(e.Text, rasaStrip)
			}
		case "dialogflow":
			out[i].Entities = slices.Clone(e.Entities)
			for j := range out[i].Entities {
				out[i].Entities[j].Group = ""
			}
		}
	}
	return out
}

// TestFormatsGolden checks the written output of formatExamples in every
// format against testdata/formats; run
// go test ./datasets -run TestFormatsGolden -update to rewrite them.
func TestFormatsGolden(t *testing.T) {
	for _, f := range Formats {
		t.Run(f, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Encode(f, &buf, "", formatExamples); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "formats", goldenFiles[f])
			got, file := buf.String(), buf.Bytes()
			if f == "dialogflow" {
				got = zipListing(t, file)
			}
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v; run go test ./datasets -run TestFormatsGolden -update", err)
			}
			if got != string(want) {
				t.Errorf("Encode(%s) differs from %s (rerun with -update if the change is meant):\n%s", f, path, got)
			}
			if f != "dialogflow" {
				file = want // the listing cannot be decoded; the ZIP it lists can
			}
			back, err := Decode(f, bytes.NewReader(file))
			if err != nil {
				t.Fatal(err)
			}
			if wantBack := lossless(f, formatExamples); !reflect.DeepEqual(back, wantBack) {
				t.Errorf("Decode(%s) of the golden file =\n%#v\nwant\n%#v", f, back, wantBack)
			}
		})
	}
}

func TestFormatsRoundTrip(t *testing.T) {
	tricky := []nlu.Example{
		fx("  espaços nas pontas são do texto  ", "a"),
		fx("tab\tno meio e no fim\t", "a"),
		fx("quebra\nde linha", "a", "e=linha"),
		fx("barra \\ sozinha, barra no fim \\", "a"),
		fx(`"aspas" 'simples' e “curvas” — ok`, "a"),
		fx("colchetes [soltos e ]fechados[", "a", "e=soltos"),
		fx("[[duplo]](x) {chave}", "a", "e=duplo"),
		fx("emoji 👍🏽 e ZWJ 👩‍💻 com acento ção", "a", "emoji|g=👩‍💻"),
		fx("entidade com : e )", "a", "x:y)=entidade", "a}b]|g]}=com"),
		fx("controle \x01 e \u2028 e \u0085 e \ufeff", "a"),
		fx("mesmas palavras, duas entidades", "a", "e1=mesmas", "e2|g=mesmas"),
		fx("intent com espaço", " intent esquisita: sim "),
	}
	for _, f := range Formats {
		for _, set := range [][]nlu.Example{formatExamples, tricky} {
			if f == "luis" || f == "dialogflow" {
				// Neither can label the same words twice (TestWriteLUISJSONInvalid,
				// TestWriteDialogflowZIPInvalid).
				set = slices.DeleteFunc(slices.Clone(set), func(e nlu.Example) bool {
					return sortSpans(slices.Clone(e.Entities)) != nil
				})
			}
			var buf bytes.Buffer
			if err := Encode(f, &buf, "", set); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			back, err := Decode(f, &buf)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			set = lossless(f, set)
			if !reflect.DeepEqual(back, set) {
				for i := range min(len(back), len(set)) {
					if !reflect.DeepEqual(back[i], set[i]) {
						t.Errorf("%s: example %d came back as %#v, want %#v", f, i, back[i], set[i])
					}
				}
				if len(back) != len(set) {
					t.Errorf("%s: %d examples came back, want %d", f, len(back), len(set))
				}
			}
		}
	}
}

func TestFormatsEmpty(t *testing.T) {
	for _, f := range Formats {
		var buf bytes.Buffer
		if err := Encode(f, &buf, "", nil); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if f == "csv" && buf.String() != "text,intent\n" {
			t.Errorf("csv of nothing = %q", buf.String())
		}
		back, err := Decode(f, &buf)
		if err != nil || len(back) != 0 {
			t.Errorf("%s: round trip of no examples = %v, %v", f, back, err)
		}
	}
}

func TestFormatsWriteInvalid(t *testing.T) {
	for _, bad := range []nlu.Example{
		{Text: "oi", Entities: []nlu.Span{{Start: 0, End: 3, Entity: "e"}}},
		{Text: "oi", Entities: []nlu.Span{{Start: 1, End: 1, Entity: "e"}}},
		{Text: "oi", Entities: []nlu.Span{{Start: -1, End: 1, Entity: "e"}}},
		{Text: "oi", Entities: []nlu.Span{{Start: 0, End: 1}}},
		{Text: "bad \xff utf-8", Intent: "a"},
		{Text: "ok", Intent: "bad \xff"},
		{Text: "ok", Entities: []nlu.Span{{Start: 0, End: 1, Entity: "e", Group: "\xff"}}},
		{Text: " \n\t"},
	} {
		for _, f := range []string{"rasa", "csv", "bothub", "luis", "dialogflow"} {
			var buf bytes.Buffer
			err := Encode(f, &buf, "", []nlu.Example{{Text: "fine", Intent: "a"}, bad})
			if sabia.ErrorCode(err) != sabia.EINVALID || !strings.Contains(sabia.ErrorMessage(err), "example 1") {
				t.Errorf("Encode(%s, %#v) error = %v, want EINVALID naming example 1", f, bad, err)
			}
			if buf.Len() != 0 {
				t.Errorf("Encode(%s, %#v) wrote %q before failing", f, bad, buf.String())
			}
		}
	}
}

func TestFormatsTooManyExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads 100,001 examples per format")
	}
	many := make([]nlu.Example, maxExamples+1)
	for i := range many {
		many[i] = nlu.Example{Text: fmt.Sprintf("frase %d", i), Intent: "a"}
	}
	for _, f := range Formats {
		var buf bytes.Buffer
		if err := Encode(f, &buf, "", many); err != nil {
			t.Fatal(err)
		}
		if _, err := Decode(f, &buf); sabia.ErrorCode(err) != sabia.ETOOLARGE {
			t.Errorf("%s: Decode of %d examples error = %v, want %s", f, len(many), err, sabia.ETOOLARGE)
		}
		buf.Reset()
		if err := Encode(f, &buf, "", many[:maxExamples]); err != nil {
			t.Fatal(err)
		}
		if got, err := Decode(f, &buf); err != nil || len(got) != maxExamples {
			t.Errorf("%s: Decode of %d examples = %d, %v", f, maxExamples, len(got), err)
		}
	}
}

func TestFormatsTextTooLong(t *testing.T) {
	long := strings.Repeat("a", maxText) + "é"
	for _, f := range []string{"rasa", "csv", "bothub", "luis", "dialogflow"} {
		var buf bytes.Buffer
		if err := Encode(f, &buf, "", []nlu.Example{{Text: "oi", Intent: "a"}, {Text: long, Intent: "a"}}); err != nil {
			t.Fatal(err)
		}
		_, err := Decode(f, &buf)
		if sabia.ErrorCode(err) != sabia.ETOOLARGE {
			t.Errorf("%s: a text of %d bytes: error = %v, want %s", f, len(long), err, sabia.ETOOLARGE)
		}
	}
}

func TestFormatsReaderError(t *testing.T) {
	boom := errors.New("boom")
	good := map[string]string{
		"jsonl":  `{"text": "oi", "intent": null}` + "\n",
		"rasa":   "nlu:\n- intent: a\n  examples: |\n    - oi\n",
		"csv":    "text,intent\noi,a\n",
		"bothub": `{"examples": [{"text": "oi", "intent": "a"}`,
		"luis":   `{"luis_schema_version": "7.0.0", "utterances": [{"text": "oi", "intent": "a"}`,
		// The start of a ZIP: its reader must read it whole first.
		"dialogflow": "PK\x03\x04",
	}
	for _, f := range Formats {
		_, err := Decode(f, &failingReader{data: good[f], err: boom})
		if !errors.Is(err, boom) {
			t.Errorf("%s: error = %v, want it to wrap %v", f, err, boom)
		}
		if sabia.ErrorCode(err) != sabia.EINTERNAL {
			t.Errorf("%s: a failing reader gave code %s, want no *sabia.Error", f, sabia.ErrorCode(err))
		}
	}
}

// failingWriter fails every write.
type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

func TestFormatsWriterError(t *testing.T) {
	boom := errors.New("boom")
	for _, f := range Formats {
		if err := Encode(f, failingWriter{boom}, "", formatExamples); !errors.Is(err, boom) {
			t.Errorf("%s: error = %v, want it to wrap %v", f, err, boom)
		}
	}
}

// checkReadBack asserts what a fuzzer's reader accepted: spans inside their
// text, and written then read back identically. write and read are one
// format's codec.
func checkReadBack(t *testing.T, exs []nlu.Example, write func(*bytes.Buffer, []nlu.Example) error, read func(*bytes.Buffer) ([]nlu.Example, error)) {
	t.Helper()
	for _, e := range exs {
		n := utf8.RuneCountInString(e.Text)
		if !utf8.ValidString(e.Text) || strings.TrimSpace(e.Text) == "" {
			t.Fatalf("accepted text %q", e.Text)
		}
		for _, s := range e.Entities {
			if s.Start < 0 || s.Start >= s.End || s.End > n || s.Entity == "" {
				t.Fatalf("accepted span %+v in %q", s, e.Text)
			}
		}
	}
	var buf bytes.Buffer
	if err := write(&buf, exs); err != nil {
		t.Fatalf("writing what was read: %v", err)
	}
	written := buf.String()
	back, err := read(&buf)
	if err != nil {
		t.Fatalf("reading what was written: %v\n%s", err, written)
	}
	if len(exs) == 0 && len(back) == 0 {
		return
	}
	if !reflect.DeepEqual(back, exs) {
		t.Fatalf("read back\n%#v\nwant\n%#v\nfrom\n%s", back, exs, written)
	}
}

// checkFuzzError asserts that reading bytes failed with a domain error.
func checkFuzzError(t *testing.T, err error) {
	t.Helper()
	if c := sabia.ErrorCode(err); c != sabia.EINVALID && c != sabia.ETOOLARGE {
		t.Fatalf("reading bytes gave %v (code %s), want EINVALID or ETOOLARGE", err, c)
	}
}
