package main

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/weni-ai/sabia/datasets"
	"github.com/weni-ai/sabia/nlu"
)

// raw sends a request with a raw body and returns the status, the
// Content-Type and the body.
func (s *server) raw(method, path, token string, body []byte) (int, string, []byte) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.base+path, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

const rasaFile = `version: "3.1"
nlu:
- intent: segunda_via
  examples: |
    - quero a 2ª via do [boleto](documento)
    - me manda a [fatura](documento) de novo pfv
    - preciso do [boleto](documento) atualizado
- intent: cancelar
  examples: |
    - quero cancelar meu [plano](produto)
    - cancela tudo, n quero mais
    - como faço pra cancelar a [assinatura](produto)?
- intent: falar_com_atendente
  examples: |
    - quero falar com um humano
    - me passa pra um atendente
    - atendimento humano pfv
`

type importResp struct {
	Imported        int    `json:"imported"`
	SkippedExisting int    `json:"skipped_existing"`
	SkippedRepeated int    `json:"skipped_repeated"`
	Intents         int    `json:"intents"`
	Language        string `json:"language"`
}

// TestImportExportOverHTTP imports files in several formats, exports them
// back, moves a repository's examples to another through a file, and
// checks the errors.
func TestImportExportOverHTTP(t *testing.T) {
	s := startServer(t, t.TempDir())
	var a, b repoResp
	if st := s.json("POST", "/v1/repositories", adminSecret, map[string]any{"name": "Loja do Zé", "language": "pt_br", "languages": []string{"es"}}, &a); st != http.StatusCreated {
		t.Fatalf("create: %d", st)
	}
	if st := s.json("POST", "/v1/repositories", adminSecret, map[string]any{"name": "Cópia", "language": "pt_br"}, &b); st != http.StatusCreated {
		t.Fatalf("create: %d", st)
	}
	base := "/v1/repositories/" + a.UUID

	var res importResp
	if st := s.do("POST", base+"/import?format=rasa", adminSecret, "application/yaml", []byte(rasaFile), &res); st != http.StatusOK || res.Imported != 9 || res.Intents != 3 || res.Language != "pt_br" {
		t.Fatalf("import rasa: %d %+v", st, res)
	}
	// Excel in Brazil writes ';' and a byte-order mark.
	csvFile := "\ufefftext;intent\nhola, buenos días;saludo\nquiero hablar con una persona;hablar_con_agente\n¿qué tiempo hace hoy?;\n"
	if st := s.do("POST", base+"/import?format=csv&language=es", adminSecret, "text/csv", []byte(csvFile), &res); st != http.StatusOK || res.Imported != 3 || res.Language != "es" {
		t.Fatalf("import csv: %d %+v", st, res)
	}
	// The same file again: nothing new.
	if st := s.do("POST", base+"/import?format=rasa", adminSecret, "", []byte(rasaFile), &res); st != http.StatusOK || res.Imported != 0 || res.SkippedExisting != 9 {
		t.Fatalf("import again: %d %+v", st, res)
	}

	st, ctype, body := s.raw("GET", base+"/export?format=rasa", adminSecret, nil)
	if st != http.StatusOK || !strings.Contains(ctype, "yaml") || !strings.Contains(string(body), "[boleto](documento)") || !strings.Contains(string(body), "intent: falar_com_atendente") {
		t.Fatalf("export rasa: %d %s\n%s", st, ctype, body)
	}
	st, _, body = s.raw("GET", base+"/export?format=csv&language=es", adminSecret, nil)
	if st != http.StatusOK || !strings.Contains(string(body), "quiero hablar con una persona") {
		t.Fatalf("export csv: %d\n%s", st, body)
	}
	st, ctype, body = s.raw("GET", base+"/export?format=bothub&language=es", adminSecret, nil)
	if st != http.StatusOK || ctype != "application/json" || !strings.Contains(string(body), `"language": "es"`) || !strings.Contains(string(body), "hola, buenos días") {
		t.Fatalf("export bothub: %d %s\n%s", st, ctype, body)
	}
	// Through a JSONL file to the other repository and back out, unchanged.
	st, _, file := s.raw("GET", base+"/export?format=jsonl", adminSecret, nil)
	if st != http.StatusOK || bytes.Count(file, []byte("\n")) != 9 {
		t.Fatalf("export jsonl: %d\n%s", st, file)
	}
	if st := s.do("POST", "/v1/repositories/"+b.UUID+"/import?format=jsonl", adminSecret, "", file, &res); st != http.StatusOK || res.Imported != 9 {
		t.Fatalf("import into the copy: %d %+v", st, res)
	}
	if st, _, again := s.raw("GET", "/v1/repositories/"+b.UUID+"/export?format=jsonl", adminSecret, nil); st != http.StatusOK || !bytes.Equal(again, file) {
		t.Errorf("the copy exports differently:\n%s\n---\n%s", again, file)
	}

	// Errors: clear, and nothing stored.
	var tok struct {
		Secret string `json:"secret"`
	}
	if st := s.json("POST", base+"/tokens", adminSecret, map[string]string{"role": "user", "name": "flows"}, &tok); st != http.StatusCreated {
		t.Fatalf("token: %d", st)
	}
	for _, c := range []struct {
		path, token, body string
		status            int
		code              string
	}{
		{base + "/import", adminSecret, rasaFile, http.StatusBadRequest, "invalid"},
		{base + "/import?format=xlsx", adminSecret, rasaFile, http.StatusBadRequest, "invalid"},
		{base + "/import?format=rasa", adminSecret, "nlu: [", http.StatusBadRequest, "invalid"},
		{base + "/import?format=jsonl", adminSecret, `{"text": "oi", "intent": "x", "entities": [{"start": 0, "end": 9, "entity": "e"}]}`, http.StatusBadRequest, "invalid"},
		{base + "/import?format=rasa&language=en", adminSecret, rasaFile, http.StatusBadRequest, "invalid"},
		{base + "/import?format=rasa", tok.Secret, rasaFile, http.StatusForbidden, "forbidden"},
		{base + "/export?format=pdf", adminSecret, "", http.StatusBadRequest, "invalid"},
	} {
		method := "POST"
		if strings.Contains(c.path, "/export") {
			method = "GET"
		}
		var e errResp
		if st := s.do(method, c.path, c.token, "", []byte(c.body), &e); st != c.status || e.Error.Code != c.code || e.Error.Message == "" {
			t.Errorf("%s %s: %d %+v, want %d %s", method, c.path, st, e, c.status, c.code)
		}
	}
	if st, _, again := s.raw("GET", base+"/export?format=jsonl", adminSecret, nil); st != http.StatusOK || !bytes.Equal(again, file) {
		t.Errorf("failed imports changed the examples")
	}
}

// dialogflowAgent builds a Dialogflow ES agent ZIP from name, content pairs.
func dialogflowAgent(t *testing.T, files ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(files); i += 2 {
		w, err := zw.Create(files[i])
		if err == nil {
			_, err = io.WriteString(w, files[i+1])
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// byText indexes examples by their text, for comparing sets whose order the
// store decides.
func byText(exs []nlu.Example) map[string]nlu.Example {
	m := make(map[string]nlu.Example, len(exs))
	for _, e := range exs {
		m[e.Text] = e
	}
	return m
}

// TestImportExportLUISAndDialogflowOverHTTP moves a Dialogflow agent and a
// LUIS app into a repository through the import route and takes them back
// out through the export route as downloads.
func TestImportExportLUISAndDialogflowOverHTTP(t *testing.T) {
	s := startServer(t, t.TempDir())
	var a, b repoResp
	if st := s.json("POST", "/v1/repositories", adminSecret, map[string]any{"name": "Pizzaria do Zé", "language": "pt_br", "languages": []string{"es"}}, &a); st != http.StatusCreated {
		t.Fatalf("create: %d", st)
	}
	if st := s.json("POST", "/v1/repositories", adminSecret, map[string]any{"name": "Cópia", "language": "pt_br"}, &b); st != http.StatusCreated {
		t.Fatalf("create: %d", st)
	}
	base := "/v1/repositories/" + a.UUID

	agent := dialogflowAgent(t,
		"agent.json", `{"displayName": "Pizzaria", "language": "pt-br", "supportedLanguages": ["es"]}`,
		"package.json", `{"version": "1.0.0"}`,
		"intents/pedir_pizza.json", `{"name": "pedir_pizza", "fallbackIntent": false}`,
		"intents/pedir_pizza_usersays_pt-br.json", `[
			{"data": [{"text": "qro uma pizza de ", "userDefined": false}, {"text": "calabresa", "alias": "sabor", "meta": "@sabor", "userDefined": true}], "isTemplate": false},
			{"data": [{"text": "vc tem de ", "userDefined": false}, {"text": "açaí", "alias": "sabor", "meta": "@sabor", "userDefined": true}, {"text": "? 🍕 pra ", "userDefined": false}, {"text": "amanhã", "meta": "@sys.date", "userDefined": false}], "isTemplate": false},
			{"data": [{"text": "me vê uma grande pfv"}], "isTemplate": false}]`,
		"intents/pedir_pizza_usersays_es.json", `[{"data": [{"text": "quiero una pizza"}]}]`,
		"intents/cancelar.json", `{"name": "cancelar"}`,
		"intents/cancelar_usersays_pt-br.json", `[{"data": [{"text": "cancela meu pedido pq demorou dmais"}]}, {"data": [{"text": "n quero mais, cancela"}]}]`,
		"intents/Default Fallback Intent.json", `{"name": "Default Fallback Intent", "fallbackIntent": true}`,
		"intents/Default Fallback Intent_usersays_pt-br.json", `[{"data": [{"text": "qm ganhou o jogo ontem?"}]}]`,
		"entities/sabor.json", `{"name": "sabor"}`,
	)
	var res importResp
	if st := s.do("POST", base+"/import?format=dialogflow", adminSecret, "application/zip", agent, &res); st != http.StatusOK || res.Imported != 6 || res.Language != "pt_br" {
		t.Fatalf("import dialogflow: %d %+v", st, res)
	}
	luis := `{"luis_schema_version": "7.0.0", "versionId": "0.1", "name": "Tienda", "culture": "es-mx",
		"intents": [{"name": "None"}, {"name": "envio"}, {"name": "saludo"}],
		"entities": [{"name": "ciudad", "roles": ["destino"], "children": []}],
		"utterances": [
			{"text": "¿cuánto cuesta el envío a Bogotá?", "intent": "envio", "entities": [{"entity": "ciudad", "startPos": 26, "endPos": 31, "role": "destino", "children": []}]},
			{"text": "📦 pa Medellín cuánto sale", "intent": "envio", "entities": [{"entity": "ciudad", "startPos": 6, "endPos": 13, "children": []}]},
			{"text": "hola, buenos días", "intent": "saludo", "entities": []},
			{"text": "qué onda, todo bien?", "intent": "saludo", "entities": []},
			{"text": "¿me cuentas un chiste?", "intent": "None", "entities": []}]}`
	if st := s.do("POST", base+"/import?format=luis&language=es", adminSecret, "application/json", []byte(luis), &res); st != http.StatusOK || res.Imported != 5 || res.Language != "es" {
		t.Fatalf("import luis: %d %+v", st, res)
	}

	download := func(path string) (string, string, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", s.base+path, nil)
		req.Header.Set("Authorization", "Bearer "+adminSecret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		return resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), body
	}

	ctype, disp, zipFile := download(base + "/export?format=dialogflow")
	if ctype != "application/zip" || disp != `attachment; filename="Pizzaria-do-Zé-pt_br.zip"` {
		t.Errorf("export dialogflow: %s, %s", ctype, disp)
	}
	got, err := datasets.ReadDialogflowZIP(bytes.NewReader(zipFile))
	if err != nil {
		t.Fatal(err)
	}
	want := []nlu.Example{
		{Text: "qro uma pizza de calabresa", Intent: "pedir_pizza", Entities: []nlu.Span{{Start: 17, End: 26, Entity: "sabor"}}},
		{Text: "vc tem de açaí? 🍕 pra amanhã", Intent: "pedir_pizza", Entities: []nlu.Span{{Start: 10, End: 14, Entity: "sabor"}, {Start: 22, End: 28, Entity: "date"}}},
		{Text: "me vê uma grande pfv", Intent: "pedir_pizza"},
		{Text: "cancela meu pedido pq demorou dmais", Intent: "cancelar"},
		{Text: "n quero mais, cancela", Intent: "cancelar"},
		{Text: "qm ganhou o jogo ontem?", Intent: ""},
	}
	if !reflect.DeepEqual(byText(got), byText(want)) {
		t.Errorf("the Dialogflow export holds\n%#v\nwant\n%#v", got, want)
	}

	ctype, disp, luisFile := download(base + "/export?format=luis&language=es")
	if ctype != "application/json" || disp != `attachment; filename="Pizzaria-do-Zé-es.json"` || !strings.Contains(string(luisFile), `"culture": "es-es"`) {
		t.Errorf("export luis: %s, %s\n%s", ctype, disp, luisFile)
	}
	got, err = datasets.ReadLUISJSON(bytes.NewReader(luisFile))
	if err != nil {
		t.Fatal(err)
	}
	want = []nlu.Example{
		{Text: "¿cuánto cuesta el envío a Bogotá?", Intent: "envio", Entities: []nlu.Span{{Start: 26, End: 32, Entity: "ciudad", Group: "destino"}}},
		{Text: "📦 pa Medellín cuánto sale", Intent: "envio", Entities: []nlu.Span{{Start: 5, End: 13, Entity: "ciudad"}}},
		{Text: "hola, buenos días", Intent: "saludo"},
		{Text: "qué onda, todo bien?", Intent: "saludo"},
		{Text: "¿me cuentas un chiste?", Intent: ""},
	}
	if !reflect.DeepEqual(byText(got), byText(want)) {
		t.Errorf("the LUIS export holds\n%#v\nwant\n%#v", got, want)
	}

	// The exported agent into the other repository and out again, unchanged.
	if st := s.do("POST", "/v1/repositories/"+b.UUID+"/import?format=dialogflow", adminSecret, "application/zip", zipFile, &res); st != http.StatusOK || res.Imported != 6 {
		t.Fatalf("import into the copy: %d %+v", st, res)
	}
	if _, _, again := download("/v1/repositories/" + b.UUID + "/export?format=dialogflow"); !bytes.Equal(again, zipFile) {
		t.Errorf("the copy exports a different ZIP")
	}

	for _, c := range []struct {
		query string
		body  []byte
		code  string
	}{
		{"format=dialogflow", []byte(luis), "invalid"},
		{"format=luis", agent, "invalid"},
		{"format=dialogflow", dialogflowAgent(t, "intents/a.json", "{}"), "invalid"},
		{"format=luis", []byte(`{"luis_schema_version": "7.0.0", "utterances": [{"text": "oi", "intent": "a", "entities": [{"entity": "e", "startPos": 0, "endPos": 2}]}]}`), "invalid"},
	} {
		var e errResp
		if st := s.do("POST", base+"/import?"+c.query, adminSecret, "", c.body, &e); st != http.StatusBadRequest || e.Error.Code != c.code || e.Error.Message == "" {
			t.Errorf("import %s: %d %+v", c.query, st, e)
		}
	}
}
