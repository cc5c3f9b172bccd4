package main

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
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
