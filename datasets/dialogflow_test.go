package datasets

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
	"reflect"
	"strings"
	"testing"

	sabia "github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

// zipOf builds a ZIP of name, content pairs, deflated, in order.
func zipOf(t testing.TB, files ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(files); i += 2 {
		w, err := zw.Create(files[i])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, files[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rawZipOf builds a ZIP holding one file whose header says what h says,
// whatever its content (the way to write a lying header), and an
// agent.json unless that is the file.
func rawZipOf(t testing.TB, h zip.FileHeader, content []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	if h.Name != "agent.json" {
		agent, _ := zw.Create("agent.json")
		io.WriteString(agent, `{"language": "pt-br"}`)
	}
	data := content
	if h.Method == zip.Deflate {
		var c bytes.Buffer
		fw, _ := flate.NewWriter(&c, flate.BestCompression)
		fw.Write(content)
		fw.Close()
		data = c.Bytes()
	}
	h.CompressedSize64 = uint64(len(data))
	w, err := zw.CreateRaw(&h)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A hand-made agent with what real exports hold: a folder around it, other
// languages, a fallback intent with negative examples, system entities,
// @sys.ignore, templates, and entity definitions to skip.
var pizzariaAgent = []string{
	"Pizzaria/agent.json", `{"description": "", "language": "pt-br", "supportedLanguages": ["es"], "displayName": "Pizzaria"}`,
	"Pizzaria/package.json", `{"version": "1.0.0"}`,
	"Pizzaria/entities/sabor.json", `{"name": "sabor", "isEnum": false}`,
	"Pizzaria/entities/sabor_entries_pt-br.json", `[{"value": "calabresa", "synonyms": ["calabresa", "calab"]}]`,
	"Pizzaria/intents/pedir_pizza.json", `{"id": "1", "name": "pedir_pizza", "fallbackIntent": false, "responses": []}`,
	"Pizzaria/intents/pedir_pizza_usersays_pt-br.json", "\ufeff" + `[
		{"id": "a", "data": [{"text": "qro uma de ", "userDefined": false}, {"text": "calabresa", "alias": "sabor", "meta": "@sabor", "userDefined": true}, {"text": " pra ", "userDefined": false}, {"text": "amanhã", "meta": "@sys.date", "userDefined": false}], "isTemplate": false, "count": 0, "updated": 1712345678},
		{"data": [{"text": "vc tem ", "userDefined": false}, {"text": "borda", "alias": "x", "meta": "@sys.ignore", "userDefined": true}, {"text": " recheada?", "userDefined": false}], "isTemplate": false},
		{"data": [{"text": "quero @sabor:sabor", "userDefined": false}], "isTemplate": true}
	]`,
	"Pizzaria/intents/pedir_pizza_usersays_es.json", `[{"data": [{"text": "quiero una pizza", "userDefined": false}], "isTemplate": false}]`,
	"Pizzaria/intents/Default Fallback Intent.json", `{"name": "Default Fallback Intent", "fallbackIntent": true}`,
	"Pizzaria/intents/Default Fallback Intent_usersays_pt-br.json", `[{"data": [{"text": "pq o céu é azul?"}]}]`,
	"Pizzaria/intents/horario.json", `{"name": "horário de funcionamento"}`,
	"Pizzaria/intents/horario_usersays_pt-br.json", `[{"data": [{"text": "vcs abrem ", "userDefined": false}, {"text": "domingo", "alias": "dia", "meta": "@sys.date", "userDefined": true}, {"text": "? 🍕"}]}]`,
	"Pizzaria/intents/Piadas.json", `{"name": "Piadas", "fallbackIntent": true}`,
	"Pizzaria/intents/Piadas_usersays_pt-br.json", `[{"data": [{"text": "me conta uma piada kkk"}]}]`,
	"Pizzaria/intents/sem_frases.json", `{"name": "sem_frases"}`,
}

func TestReadDialogflowZIP(t *testing.T) {
	for _, c := range []struct {
		name  string
		files []string
		want  []nlu.Example
	}{
		{
			name:  "agent in a folder",
			files: pizzariaAgent,
			want: []nlu.Example{
				fx("qro uma de calabresa pra amanhã", "pedir_pizza", "sabor=calabresa", "date=amanhã"),
				fx("vc tem borda recheada?", "pedir_pizza"),
				fx("pq o céu é azul?", ""),
				fx("me conta uma piada kkk", ""),
				fx("vcs abrem domingo? 🍕", "horário de funcionamento", "dia=domingo"),
			},
		},
		{
			name: "spanish agent at the top",
			files: []string{
				"agent.json", `{"language": "es"}`,
				"intents/envio.json", `{"name": "envío"}`,
				"intents/envio_usersays_pt-br.json", `[{"data": [{"text": "qto custa o frete?"}]}]`,
				"intents/envio_usersays_es.json", `[{"data": [{"text": "¿cuánto cuesta el envío a "}, {"text": "Bogotá", "alias": "ciudad", "meta": "@sys.geo-city"}, {"text": "?"}]}]`,
			},
			want: []nlu.Example{fx("¿cuánto cuesta el envío a Bogotá?", "envío", "ciudad=Bogotá")},
		},
		{
			name:  "no intents",
			files: []string{"agent.json", `{"language": "pt-br"}`},
		},
		{
			name: "intent name from the file when the JSON has none",
			files: []string{
				"agent.json", `{"language": "PT-BR"}`,
				"intents/saudacao.json", `{}`,
				"intents/saudacao_usersays_pt-br.json", `[{"data": [{"text": "oi, td bem?"}]}]`,
			},
			want: []nlu.Example{fx("oi, td bem?", "saudacao")},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ReadDialogflowZIP(bytes.NewReader(zipOf(t, c.files...)))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 && len(c.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("ReadDialogflowZIP =\n%#v\nwant\n%#v", got, c.want)
			}
		})
	}
}

func TestReadDialogflowZIPErrors(t *testing.T) {
	agent := func(files ...string) []byte {
		return zipOf(t, append([]string{"agent.json", `{"language": "pt-br"}`, "intents/a.json", `{"name": "a"}`}, files...)...)
	}
	says := func(phrases string) []byte { return agent("intents/a_usersays_pt-br.json", phrases) }
	huge := bytes.Repeat([]byte(" "), 1<<20)
	var many []string
	for i := range maxZipFiles + 1 {
		many = append(many, fmt.Sprintf("f%d", i), "")
	}
	badCRC := agent()
	if i := bytes.Index(badCRC, []byte("PK\x01\x02")); i > 0 {
		badCRC[i+16]++ // the central directory's CRC-32 of agent.json
	}
	for _, c := range []struct {
		name       string
		in         []byte
		code, want string
	}{
		{"empty", nil, sabia.EINVALID, "not a Dialogflow agent ZIP"},
		{"not a ZIP", []byte(`{"language": "pt-br"}`), sabia.EINVALID, "not a Dialogflow agent ZIP"},
		{"truncated ZIP", agent()[:40], sabia.EINVALID, "not a Dialogflow agent ZIP"},
		{"no agent.json", zipOf(t, "intents/a.json", `{}`), sabia.EINVALID, "no agent.json"},
		{"two agents", zipOf(t, "a/agent.json", `{"language": "es"}`, "b/agent.json", `{"language": "es"}`), sabia.EINVALID, "two agent.json"},
		{"agent.json malformed", zipOf(t, "agent.json", `{"language": `), sabia.EINVALID, "agent.json: malformed JSON"},
		{"no language", zipOf(t, "agent.json", `{"displayName": "x"}`), sabia.EINVALID, `agent.json: no "language"`},
		{"language a number", zipOf(t, "agent.json", `{"language": 1}`), sabia.EINVALID, "agent.json"},
		{"usersays without intent", agent("intents/b_usersays_pt-br.json", `[]`), sabia.EINVALID, "intents/b_usersays_pt-br.json: no intent file intents/b.json"},
		{"intent file malformed", zipOf(t, "agent.json", `{"language": "pt-br"}`, "intents/a.json", `{"name": 3}`, "intents/a_usersays_pt-br.json", `[]`), sabia.EINVALID, "intents/a.json"},
		{"usersays an object", says(`{"data": []}`), sabia.EINVALID, "intents/a_usersays_pt-br.json"},
		{"usersays malformed", says(`[{"data": [}]`), sabia.EINVALID, "intents/a_usersays_pt-br.json: malformed JSON"},
		{"chunk without text", says(`[{"data": [{"text": "oi"}]}, {"data": [{"alias": "e", "meta": "@e"}]}]`), sabia.EINVALID, `intents/a_usersays_pt-br.json: phrase 1: chunk 0: missing "text"`},
		{"empty phrase", says(`[{"data": []}]`), sabia.EINVALID, "phrase 0: empty"},
		{"blank phrase", says(`[{"data": [{"text": "  "}]}]`), sabia.EINVALID, "phrase 0: empty"},
		{"meta naming nothing", says(`[{"data": [{"text": "oi "}, {"text": "vc", "meta": "@sys."}]}]`), sabia.EINVALID, "phrase 0: chunk 1: meta"},
		{"text too long", says(`[{"data": [{"text": "` + strings.Repeat("a", maxText) + `"}, {"text": "b"}]}]`), sabia.ETOOLARGE, "phrase 0"},
		{"bad checksum", badCRC, sabia.EINVALID, "checksum"},
		{"too many files", zipOf(t, many...), sabia.ETOOLARGE, "more than 10000"},
		{"declared too large", rawZipOf(t, zip.FileHeader{Name: "intents/a.json", Method: zip.Store, UncompressedSize64: maxZipBytes}, []byte("{}")), sabia.ETOOLARGE, "unpacks to more than 64 MiB"},
		{"zip bomb", rawZipOf(t, zip.FileHeader{Name: "agent.json", Method: zip.Deflate, UncompressedSize64: 21, CRC32: crc32.ChecksumIEEE(huge)}, huge), sabia.ETOOLARGE, "unpacks to more than its declared 21 bytes"},
		{"shorter than declared", rawZipOf(t, zip.FileHeader{Name: "agent.json", Method: zip.Store, UncompressedSize64: 100}, []byte(`{"language": "pt-br"}`)), sabia.EINVALID, "declares 100"},
		{"unknown method", rawZipOf(t, zip.FileHeader{Name: "agent.json", Method: 99, UncompressedSize64: 2}, []byte("{}")), sabia.EINVALID, "compression method 99"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadDialogflowZIP(bytes.NewReader(c.in))
			if code := sabia.ErrorCode(err); code != c.code {
				t.Fatalf("error = %v, want code %s", err, c.code)
			}
			if !strings.Contains(sabia.ErrorMessage(err), c.want) {
				t.Errorf("message %q does not say %q", sabia.ErrorMessage(err), c.want)
			}
		})
	}
}

func TestReadDialogflowZIPTooLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 64 MiB")
	}
	_, err := ReadDialogflowZIP(io.LimitReader(zeros{}, maxZipBytes+1))
	if sabia.ErrorCode(err) != sabia.ETOOLARGE || !strings.Contains(sabia.ErrorMessage(err), "larger than 64 MiB") {
		t.Errorf("error = %v, want ETOOLARGE", err)
	}
}

// zeros reads as an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestWriteDialogflowZIP(t *testing.T) {
	in := []nlu.Example{
		fx("qro 2 pizzas de calabresa pra amanhã", "pedir_pizza", "quantidade=2", "sabor=calabresa", "sys.date=amanhã"),
		fx("pq meu pedido não chegou? 😡", "status/pedido"),
		fx("e a de açaí, tem?", "pedir_pizza", "sabor=açaí"),
		fx("¿me cuentas un chiste?", ""),
		fx("reclamação", "x_usersays_pt-br"),
		fx("oi", "Saudação"),
		fx("olá", "saudação"),
	}
	for _, c := range []struct{ language, lang string }{{"pt_br", "pt-br"}, {"pt-BR", "pt-br"}, {"es", "es"}, {"en", "en"}, {"", "pt-br"}} {
		var buf bytes.Buffer
		if err := WriteDialogflowZIP(&buf, c.language, in); err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
		}
		want := []string{
			"agent.json", "package.json",
			"intents/pedir_pizza.json", "intents/pedir_pizza_usersays_" + c.lang + ".json",
			"intents/status_pedido.json", "intents/status_pedido_usersays_" + c.lang + ".json",
			"intents/Default Fallback Intent.json", "intents/Default Fallback Intent_usersays_" + c.lang + ".json",
			"intents/x_usersays-pt-br.json", "intents/x_usersays-pt-br_usersays_" + c.lang + ".json",
			"intents/Saudação.json", "intents/Saudação_usersays_" + c.lang + ".json",
			"intents/saudação_2.json", "intents/saudação_2_usersays_" + c.lang + ".json",
			"entities/quantidade.json", "entities/quantidade_entries_" + c.lang + ".json",
			"entities/sabor.json", "entities/sabor_entries_" + c.lang + ".json",
		}
		if !reflect.DeepEqual(names, want) {
			t.Errorf("language %q: files\n%q\nwant\n%q", c.language, names, want)
		}
		back, err := ReadDialogflowZIP(&buf)
		if err != nil {
			t.Fatal(err)
		}
		// Read back grouped by intent.
		wantBack := []nlu.Example{in[0], in[2], in[1], in[3], in[4], in[5], in[6]}
		if !reflect.DeepEqual(back, wantBack) {
			t.Errorf("language %q: read back\n%#v\nwant\n%#v", c.language, back, wantBack)
		}
	}
	var buf bytes.Buffer
	if err := WriteDialogflowZIP(&buf, "pt_br", in[:3]); err != nil {
		t.Fatal(err)
	}
	listing := zipListing(t, buf.Bytes())
	for _, want := range []string{
		`"text": "calabresa",
        "alias": "sabor",
        "meta": "@sabor",
        "userDefined": true`,
		`"dataType": "@sabor"`,
		`"value": "calabresa",
    "synonyms": [
      "calabresa"
    ]`,
		`"value": "açaí"`,
		"😡",
	} {
		if !strings.Contains(listing, want) {
			t.Errorf("ZIP lacks %s:\n%s", want, listing)
		}
	}
	if strings.Contains(listing, "entities/sys.date") {
		t.Errorf("a system entity got an entity file:\n%s", listing)
	}
}

func TestWriteDialogflowZIPInvalid(t *testing.T) {
	for _, c := range []struct {
		name, language string
		ex             nlu.Example
		where          string
	}{
		{"unknown language", "klingon", fx("oi", "a"), "unknown language"},
		{"fallback intent", "", fx("oi", DialogflowFallbackIntent), `example 1: the intent name "Default Fallback Intent" is reserved`},
		{"overlap", "", nlu.Example{Text: "quero pizza", Intent: "a", Entities: []nlu.Span{{Start: 0, End: 5, Entity: "a"}, {Start: 4, End: 11, Entity: "b"}}}, "example 1: entities"},
		{"same words twice", "", fx("mesmas palavras", "a", "e1=mesmas", "e2=mesmas"), "example 1: entities"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteDialogflowZIP(&buf, c.language, []nlu.Example{fx("fine", "a"), c.ex})
			if sabia.ErrorCode(err) != sabia.EINVALID || !strings.Contains(sabia.ErrorMessage(err), c.where) {
				t.Errorf("error = %v, want EINVALID saying %q", err, c.where)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes before failing", buf.Len())
			}
		})
	}
}

// checkDialogflowRead asserts what the fuzzers' reader accepted: spans
// sorted and apart, no group, and written then read back identically.
func checkDialogflowRead(t *testing.T, exs []nlu.Example) {
	t.Helper()
	for _, e := range exs {
		for i, s := range e.Entities {
			if s.Group != "" || i > 0 && s.Start < e.Entities[i-1].End {
				t.Fatalf("spans %+v", e.Entities)
			}
		}
	}
	checkReadBack(t, exs,
		func(b *bytes.Buffer, e []nlu.Example) error { return WriteDialogflowZIP(b, "", e) },
		func(b *bytes.Buffer) ([]nlu.Example, error) { return ReadDialogflowZIP(b) })
}

func FuzzReadDialogflowZIP(f *testing.F) {
	var golden bytes.Buffer
	if err := WriteDialogflowZIP(&golden, "es", formatExamples); err != nil {
		f.Fatal(err)
	}
	f.Add(golden.Bytes())
	f.Add(zipOf(f, pizzariaAgent...))
	f.Add(rawZipOf(f, zip.FileHeader{Name: "intents/a.json", Method: zip.Store, UncompressedSize64: 2}, []byte("{}")))
	f.Fuzz(func(t *testing.T, data []byte) {
		exs, err := ReadDialogflowZIP(bytes.NewReader(data))
		if err != nil {
			checkFuzzError(t, err)
			return
		}
		checkDialogflowRead(t, exs)
	})
}

// FuzzReadDialogflowUsersays fuzzes the training phrases inside a valid
// ZIP, where random ZIP bytes rarely reach.
func FuzzReadDialogflowUsersays(f *testing.F) {
	f.Add(`{"name": "pedir_pizza"}`, pizzariaAgent[11])
	f.Add(`{"name": "x", "fallbackIntent": true}`, `[{"data": [{"text": "a\u0000b\ud800"}, {"text": "👩‍💻", "alias": "", "meta": "@sys.any"}, {"text": "", "meta": "@e"}]}]`)
	f.Fuzz(func(t *testing.T, intent, usersays string) {
		data := zipOf(t, "agent.json", `{"language": "pt-br"}`, "intents/i.json", intent, "intents/i_usersays_pt-br.json", usersays)
		exs, err := ReadDialogflowZIP(bytes.NewReader(data))
		if err != nil {
			checkFuzzError(t, err)
			return
		}
		checkDialogflowRead(t, exs)
	})
}
