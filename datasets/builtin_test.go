package datasets

import (
	"bytes"
	"errors"
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"unicode"

	sabia "github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

var builtinLangs = []string{nlu.LangPortugueseBR, nlu.LangSpanish, nlu.LangEnglish}

// readBuiltinFile reads one embedded file by name.
func readBuiltinFile(t *testing.T, name string) []nlu.Example {
	t.Helper()
	b, err := builtinFS.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	exs, err := ReadJSONL(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return exs
}

func TestBuiltinFilesParse(t *testing.T) {
	names, err := fs.Glob(builtinFS, "builtin/*.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != (1+len(EvalSets))*len(builtinLangs) {
		t.Fatalf("embedded files = %v, want training and every evaluation set for %v", names, builtinLangs)
	}
	for _, name := range names {
		for i, ex := range readBuiltinFile(t, name) {
			switch ex.Intent {
			case IntentHumanHandoff, IntentOptOut, "":
			default:
				t.Errorf("%s: example %d %q: unknown intent %q", name, i, ex.Text, ex.Intent)
			}
			if ex.Text != strings.TrimSpace(ex.Text) {
				t.Errorf("%s: example %d %q: surrounding spaces", name, i, ex.Text)
			}
			if len(ex.Entities) != 0 {
				t.Errorf("%s: example %d %q: detector data carry no entities", name, i, ex.Text)
			}
		}
	}
}

func TestBuiltinNoDuplicates(t *testing.T) {
	names, _ := fs.Glob(builtinFS, "builtin/*.jsonl")
	for _, name := range names {
		seen := map[string]string{}
		for _, ex := range readBuiltinFile(t, name) {
			k := strings.ToLower(strings.TrimSpace(ex.Text))
			if prev, ok := seen[k]; ok {
				t.Errorf("%s: %q duplicates %q", name, ex.Text, prev)
			}
			seen[k] = ex.Text
		}
	}
}

// overlapKey folds case and accents and drops punctuation around words, so
// that "Atendente!" and "atendente" are the same sentence.
func overlapKey(s string) string {
	fields := strings.Fields(nlu.Fold(s))
	out := fields[:0]
	for _, f := range fields {
		f = strings.TrimFunc(f, unicode.IsPunct)
		if f != "" {
			out = append(out, f)
		}
	}
	return strings.Join(out, " ")
}

func TestBuiltinTrainingAndEvalDisjoint(t *testing.T) {
	for _, lang := range builtinLangs {
		train, err := DetectorTraining(lang)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]string{}
		for _, ex := range train {
			seen[overlapKey(ex.Text)] = ex.Text
		}
		for _, name := range EvalSets {
			eval, err := DetectorEvalSet(name, lang)
			if err != nil {
				t.Fatal(err)
			}
			for _, ex := range eval {
				if prev, ok := seen[overlapKey(ex.Text)]; ok {
					t.Errorf("%s: %s %q is training %q", lang, name, ex.Text, prev)
				}
			}
		}
	}
}

func TestBuiltinCounts(t *testing.T) {
	// Minimums per label; "" counts the negatives.
	minTraining := map[string]int{IntentHumanHandoff: 250, IntentOptOut: 200, "": 400}
	// The held-out set lost the sentences that happened to be in the
	// training data too (60 to 100 a language), and keeps about 500 a language.
	minEval := map[string]int{IntentHumanHandoff: 100, IntentOptOut: 100, "": 240}
	for _, lang := range builtinLangs {
		for _, name := range append([]string{"training"}, EvalSets...) {
			min := minEval
			load := func(lang string) ([]nlu.Example, error) { return DetectorEvalSet(name, lang) }
			if name == "training" {
				load, min = DetectorTraining, minTraining
			}
			exs, err := load(lang)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, ex := range exs {
				got[ex.Intent]++
			}
			for intent, want := range min {
				if got[intent] < want {
					t.Errorf("%s %s: %d examples of %q, want at least %d", lang, name, got[intent], intent, want)
				}
			}
			t.Logf("%s %s: human_handoff %d, opt_out %d, negatives %d",
				lang, name, got[IntentHumanHandoff], got[IntentOptOut], got[""])
		}
	}
}

func TestDetectorLanguages(t *testing.T) {
	for _, lang := range []string{"pt-BR", "PT", "es_MX", "en-GB"} {
		if _, err := DetectorTraining(lang); err != nil {
			t.Errorf("DetectorTraining(%q): %v", lang, err)
		}
		if _, err := DetectorEvalSet(EvalSetBlind7, lang); err != nil {
			t.Errorf("DetectorEvalSet(blind7, %q): %v", lang, err)
		}
	}
	for _, lang := range []string{"", "fr", "pt_pt", "klingon", "../detectors"} {
		if _, err := DetectorTraining(lang); sabia.ErrorCode(err) != sabia.ENOTFOUND {
			t.Errorf("DetectorTraining(%q) error = %v, want %s", lang, err, sabia.ENOTFOUND)
		}
		if _, err := DetectorEvalSet(EvalSetBlind7, lang); sabia.ErrorCode(err) != sabia.ENOTFOUND {
			t.Errorf("DetectorEvalSet(blind7, %q) error = %v, want %s", lang, err, sabia.ENOTFOUND)
		}
	}
	if _, err := DetectorEvalSet("training", "pt_br"); sabia.ErrorCode(err) != sabia.EINVALID {
		t.Errorf("DetectorEvalSet(training) error = %v, want %s", err, sabia.EINVALID)
	}
}

func TestReadJSONL(t *testing.T) {
	in := "\ufeff" + `{"text": "não quero pizza", "intent": "order", "entities": [{"start": 10, "end": 15, "entity": "food", "value": "pizza"}]}` + "\n" +
		"\n   \n" +
		`{"text": "oi 👋 João", "intent": null, "entities": [{"start": 5, "end": 9, "entity": "name", "value": "João", "group": "p1"}]}` + "\r\n" +
		`{"text": "tchau", "intent": "", "entities": []}` + "\n" +
		`{"text": "a <b> & c", "intent": "x", "entities": [{"start": 2, "end": 5, "entity": "tag"}]}`
	got, err := ReadJSONL(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []nlu.Example{
		{Text: "não quero pizza", Intent: "order", Entities: []nlu.Span{{Start: 10, End: 15, Entity: "food"}}},
		{Text: "oi 👋 João", Entities: []nlu.Span{{Start: 5, End: 9, Entity: "name", Group: "p1"}}},
		{Text: "tchau"},
		{Text: "a <b> & c", Intent: "x", Entities: []nlu.Span{{Start: 2, End: 5, Entity: "tag"}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReadJSONL =\n%#v\nwant\n%#v", got, want)
	}
	if got, err := ReadJSONL(strings.NewReader("\n\n")); err != nil || len(got) != 0 {
		t.Errorf("blank input = %v, %v; want nothing", got, err)
	}
}

func TestReadJSONLErrors(t *testing.T) {
	ok := `{"text": "ok", "intent": null}` + "\n"
	for _, c := range []struct {
		name, line, code string
	}{
		{"syntax", `{"text": "oi", "intent": null`, sabia.EINVALID},
		{"not an object", `["oi"]`, sabia.EINVALID},
		{"null line", `null`, sabia.EINVALID},
		{"missing text", `{"intent": "a"}`, sabia.EINVALID},
		{"empty text", `{"text": "  ", "intent": "a"}`, sabia.EINVALID},
		{"text not a string", `{"text": 3, "intent": "a"}`, sabia.EINVALID},
		{"missing intent", `{"text": "oi"}`, sabia.EINVALID},
		{"intent a number", `{"text": "oi", "intent": 7}`, sabia.EINVALID},
		{"unknown key", `{"text": "oi", "intnet": "a", "intent": "a"}`, sabia.EINVALID},
		{"two objects", `{"text": "oi", "intent": "a"} {"text": "b", "intent": "a"}`, sabia.EINVALID},
		{"span missing end", `{"text": "oi", "intent": "a", "entities": [{"start": 0, "entity": "e"}]}`, sabia.EINVALID},
		{"span missing entity", `{"text": "oi", "intent": "a", "entities": [{"start": 0, "end": 1}]}`, sabia.EINVALID},
		{"span empty", `{"text": "oi", "intent": "a", "entities": [{"start": 1, "end": 1, "entity": "e"}]}`, sabia.EINVALID},
		{"span reversed", `{"text": "oi", "intent": "a", "entities": [{"start": 2, "end": 1, "entity": "e"}]}`, sabia.EINVALID},
		{"span negative", `{"text": "oi", "intent": "a", "entities": [{"start": -1, "end": 1, "entity": "e"}]}`, sabia.EINVALID},
		{"span past the end in runes", `{"text": "ção", "intent": "a", "entities": [{"start": 0, "end": 4, "entity": "e", "value": "ção"}]}`, sabia.EINVALID},
		{"value mismatch", `{"text": "não quero", "intent": "a", "entities": [{"start": 0, "end": 3, "entity": "e", "value": "nã"}]}`, sabia.EINVALID},
		{"byte offsets", `{"text": "não quero", "intent": "a", "entities": [{"start": 5, "end": 10, "entity": "e", "value": "quero"}]}`, sabia.EINVALID},
		{"line too long", `{"text": "` + strings.Repeat("a", maxJSONLLine) + `", "intent": "a"}`, sabia.ETOOLARGE},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadJSONL(strings.NewReader(ok + "\n" + c.line + "\n" + ok))
			if code := sabia.ErrorCode(err); code != c.code {
				t.Fatalf("error = %v, want code %s", err, c.code)
			}
			if !strings.Contains(sabia.ErrorMessage(err), "line 3") {
				t.Errorf("message %q does not name line 3", sabia.ErrorMessage(err))
			}
		})
	}
}

func TestReadJSONLReaderError(t *testing.T) {
	boom := errors.New("boom")
	_, err := ReadJSONL(&failingReader{data: `{"text": "oi", "intent": null}` + "\n", err: boom})
	if !errors.Is(err, boom) {
		t.Errorf("error = %v, want it to wrap %v", err, boom)
	}
}

// failingReader returns data, then err.
type failingReader struct {
	data string
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestWriteJSONLRoundTrip(t *testing.T) {
	in := []nlu.Example{
		{Text: "quero falar com um atendente", Intent: IntentHumanHandoff},
		{Text: "ME TIRA DA LISTA 🛑", Intent: IntentOptOut},
		{Text: "segunda via do boleto, CPF 123.456.789-09", Intent: "billing",
			Entities: []nlu.Span{{Start: 27, End: 41, Entity: "cpf"}}},
		{Text: "voo de São Paulo pra Recife", Intent: "flight", Entities: []nlu.Span{
			{Start: 7, End: 16, Entity: "city", Group: "from"},
			{Start: 21, End: 27, Entity: "city", Group: "to"},
		}},
		{Text: `aspas "duplas", barra \ e <tags> & mais`},
		{Text: "linha\nquebrada\tcom tab"},
	}
	var buf bytes.Buffer
	if err := WriteJSONL(&buf, in); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\n"); n != len(in) {
		t.Errorf("wrote %d lines, want %d:\n%s", n, len(in), buf.String())
	}
	if !strings.Contains(buf.String(), `"value":"São Paulo"`) || !strings.Contains(buf.String(), `"intent":null`) {
		t.Errorf("output lacks values or null intents:\n%s", buf.String())
	}
	out, err := ReadJSONL(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out, in) {
		t.Errorf("round trip =\n%#v\nwant\n%#v", out, in)
	}

	for _, lang := range builtinLangs {
		train, _ := DetectorTraining(lang)
		buf.Reset()
		if err := WriteJSONL(&buf, train); err != nil {
			t.Fatal(err)
		}
		back, err := ReadJSONL(&buf)
		if err != nil || !reflect.DeepEqual(back, train) {
			t.Errorf("%s: round trip of the training data changed it (err %v)", lang, err)
		}
	}
}

func TestWriteJSONLInvalid(t *testing.T) {
	for _, ex := range []nlu.Example{
		{Text: "oi", Entities: []nlu.Span{{Start: 0, End: 3, Entity: "e"}}},
		{Text: "oi", Entities: []nlu.Span{{Start: 1, End: 1, Entity: "e"}}},
		{Text: "bad \xff utf-8"},
		{Text: " \n"},
	} {
		var buf bytes.Buffer
		err := WriteJSONL(&buf, []nlu.Example{{Text: "fine"}, ex})
		if sabia.ErrorCode(err) != sabia.EINVALID {
			t.Errorf("WriteJSONL(%q) error = %v, want %s", ex.Text, err, sabia.EINVALID)
		}
		if buf.Len() != 0 {
			t.Errorf("WriteJSONL(%q) wrote %q before failing", ex.Text, buf.String())
		}
	}
}

func FuzzReadJSONL(f *testing.F) {
	f.Add([]byte(`{"text": "não quero pizza", "intent": "order", "entities": [{"start": 10, "end": 15, "entity": "food", "value": "pizza"}]}`))
	f.Add([]byte(`{"text": "oi", "intent": null}` + "\n\n" + `{"text": "x", "intent": "a", "entities": []}`))
	f.Add([]byte(`{"text": "🙂👍🏽", "intent": null, "entities": [{"start": 1, "end": 3, "entity": "e", "group": "g"}]}`))
	f.Add([]byte(`{"text": "\ud800", "intent": "a"}`))
	f.Add([]byte("\ufeff{\"text\":\"a\",\"intent\":null}\r\n"))
	f.Add([]byte(`{"text": "a", "intent": null, "entities": [{"start": 9223372036854775807, "end": -9223372036854775808, "entity": "e"}]}`))
	f.Add([]byte("{\"text\": \"a\xffb\", \"intent\": null}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		exs, err := ReadJSONL(bytes.NewReader(data))
		if err != nil {
			if sabia.ErrorCode(err) == sabia.EINTERNAL {
				t.Fatalf("reading bytes gave an internal error: %v", err)
			}
			return
		}
		for _, ex := range exs {
			n := len([]rune(ex.Text))
			for _, s := range ex.Entities {
				if s.Start < 0 || s.Start >= s.End || s.End > n {
					t.Fatalf("accepted span [%d,%d) in %q", s.Start, s.End, ex.Text)
				}
			}
		}
		var buf bytes.Buffer
		if err := WriteJSONL(&buf, exs); err != nil {
			t.Fatalf("WriteJSONL of what ReadJSONL accepted: %v", err)
		}
		back, err := ReadJSONL(&buf)
		if err != nil {
			t.Fatalf("reading what WriteJSONL wrote: %v", err)
		}
		if !reflect.DeepEqual(back, exs) {
			t.Fatalf("round trip changed\n%#v\ninto\n%#v", exs, back)
		}
	})
}

func TestReadJSONLDroppingBadSpans(t *testing.T) {
	in := `{"text": "El martes configurar una alarma", "intent": "alarm/set_alarm", "entities": [{"start": -2, "end": 9, "entity": "datetime", "value": ""}, {"start": 3, "end": 9, "entity": "datetime", "value": "martes"}]}
{"text": "quero o boleto", "intent": "billing", "entities": [{"start": 8, "end": 14, "entity": "doc", "value": "BOLETO"}]}
`
	if _, err := ReadJSONL(strings.NewReader(in)); err == nil {
		t.Fatal("strict reader accepted a bad span")
	}
	exs, dropped, err := ReadJSONLDroppingBadSpans(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(exs) != 2 || len(exs[0].Entities) != 1 || exs[0].Entities[0].Start != 3 || len(exs[1].Entities) != 0 {
		t.Fatalf("examples = %+v", exs)
	}
	if len(dropped) != 2 || !strings.HasPrefix(dropped[0], "line 1:") || !strings.HasPrefix(dropped[1], "line 2:") {
		t.Fatalf("dropped = %q", dropped)
	}
}
