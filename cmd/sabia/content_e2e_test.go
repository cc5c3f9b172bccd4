package main

import (
	"encoding/json"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeOpenAI is a local OpenAI-compatible server: chat completions answer
// a canned sentence citing [1] when the question (the prompt's first line)
// asks about payment and the sources mention Pix, NO_ANSWER otherwise;
// embeddings are hashed bags of words.
type fakeOpenAI struct {
	mu      sync.Mutex
	prompts []string
	embeds  int
}

func (f *fakeOpenAI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model    string `json:"model"`
		Messages []struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"messages"`
		Input []string `json:"input"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/v1/chat/completions":
		if req.Model != "fake-chat" || len(req.Messages) != 2 || req.Messages[0].Role != "system" || req.Messages[1].Role != "user" {
			http.Error(w, `{"error":{"message":"bad request"}}`, http.StatusBadRequest)
			return
		}
		user := req.Messages[1].Content
		f.mu.Lock()
		f.prompts = append(f.prompts, user)
		f.mu.Unlock()
		question, _, _ := strings.Cut(user, "\n")
		reply := "NO_ANSWER"
		switch {
		case strings.HasPrefix(user, "Classes:"):
			// Zero-shot: the class whose description shares a word with the message.
			_, msg, _ := strings.Cut(user, "\nMessage: ")
			reply = `{"class": "none", "confidence": 0.9}`
			if strings.Contains(msg, "humano") {
				reply = `{"class": "atendimento_humano", "confidence": 0.92}`
			}
		case strings.Contains(user, "Pix") && strings.Contains(strings.ToLower(question), "pagamento"):
			reply = "Aceitamos Pix, boleto e cartão em até 10 vezes [1]."
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"id": "c1", "object": "chat.completion", "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop", "message": map[string]string{"role": "assistant", "content": reply}}}})
	case "/v1/embeddings":
		f.mu.Lock()
		f.embeds++
		f.mu.Unlock()
		data := make([]any, len(req.Input))
		for i, in := range req.Input {
			v := make([]float32, 32)
			for _, w := range strings.Fields(strings.ToLower(in)) {
				h := fnv.New32a()
				_, _ = h.Write([]byte(w))
				v[h.Sum32()%32]++
			}
			v[0] += 0.001 // never the zero vector
			data[i] = map[string]any{"object": "embedding", "index": i, "embedding": v}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"object": "list", "model": req.Model, "data": data})
	default:
		http.NotFound(w, r)
	}
}

const faqText = `P: Quais formas de pagamento vocês aceitam?
R: Aceitamos Pix, boleto bancário e cartões de crédito em até 10 vezes sem juros.

P: Qual o prazo de entrega?
R: Para capitais, de 2 a 5 dias úteis; para o interior, de 5 a 10 dias úteis.`

type answerResp struct {
	Answered bool   `json:"answered"`
	Answer   string `json:"answer"`
	Mode     string `json:"mode"`
	Reason   string `json:"reason"`
	Sources  []struct {
		DocumentID int64  `json:"document_id"`
		Title      string `json:"title"`
		Start, End int
		Text       string `json:"text"`
	} `json:"sources"`
}

// TestContentAnswersOverHTTP runs content answers end to end: the real
// server, the real go-openai client against a local OpenAI-compatible
// server, the SQLite store.
func TestContentAnswersOverHTTP(t *testing.T) {
	fake := &fakeOpenAI{}
	llm := httptest.NewServer(fake)
	defer llm.Close()
	s := startServerWith(t, serveConfig{DataDir: t.TempDir(), LLMBaseURL: llm.URL + "/v1", LLMModel: "fake-chat", EmbeddingModel: "fake-embed"})

	var repo repoResp
	if st := s.json("POST", "/v1/repositories", adminSecret, map[string]any{"name": "Loja", "language": "pt_br"}, &repo); st != http.StatusCreated {
		t.Fatalf("create repository: %d", st)
	}
	base := "/v1/repositories/" + repo.UUID
	tokens := s.roleTokens(base, "user", "contributor")
	doc := map[string]string{"title": "FAQ da loja", "text": faqText, "source": "https://loja.example/faq", "language": "pt-BR"}
	var e errResp
	if st := s.json("POST", base+"/documents", tokens["user"], doc, &e); st != http.StatusForbidden || e.Error.Code != "forbidden" {
		t.Fatalf("user adds a document: %d %+v", st, e)
	}
	var d struct {
		ID     int64  `json:"id"`
		Chunks int    `json:"chunks"`
		Text   string `json:"text"`
	}
	if st := s.json("POST", base+"/documents", tokens["contributor"], doc, &d); st != http.StatusCreated || d.ID == 0 || d.Chunks == 0 || d.Text != "" {
		t.Fatalf("add document: %d %+v", st, d)
	}
	if fake.embeds == 0 {
		t.Error("the embedding endpoint was not called")
	}
	var got struct {
		Text  string `json:"text"`
		Title string `json:"title"`
	}
	if st := s.json("GET", base+"/documents/"+strconv.FormatInt(d.ID, 10), tokens["user"], nil, &got); st != http.StatusOK || got.Text != faqText {
		t.Fatalf("get document: %d %q", st, got.Title)
	}
	var page struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
		Total int `json:"total"`
	}
	if st := s.json("GET", base+"/documents", tokens["user"], nil, &page); st != http.StatusOK || page.Total != 1 || page.Items[0].ID != d.ID {
		t.Fatalf("list documents: %d %+v", st, page)
	}

	var a answerResp
	if st := s.json("POST", base+"/answer", tokens["user"], map[string]string{"question": "quais as formas de pagamento?"}, &a); st != http.StatusOK {
		t.Fatalf("answer: %d", st)
	}
	if !a.Answered || a.Mode != "llm" || !strings.Contains(a.Answer, "Pix") || len(a.Sources) != 1 || a.Sources[0].DocumentID != d.ID {
		t.Fatalf("answer: %+v", a)
	}
	if src := a.Sources[0]; string([]rune(faqText)[src.Start:src.End]) != src.Text {
		t.Errorf("source offsets %d-%d do not give its text", src.Start, src.End)
	}
	if n := len(fake.prompts); n != 1 || !strings.Contains(fake.prompts[0], "quais as formas de pagamento?") {
		t.Fatalf("LLM prompts: %q", fake.prompts)
	}
	// The documents do not hold it: no passage is relevant, the LLM is not asked.
	if st := s.json("POST", base+"/answer", tokens["user"], map[string]string{"question": "vocês têm estacionamento gratuito?"}, &a); st != http.StatusOK || a.Answered || a.Reason != "no_relevant_content" {
		t.Fatalf("unanswerable: %d %+v", st, a)
	}
	if len(fake.prompts) != 1 {
		t.Errorf("the LLM was asked about a question no passage holds")
	}
	// A relevant passage that the LLM finds does not answer: not_in_sources.
	if st := s.json("POST", base+"/answer", tokens["user"], map[string]string{"question": "qual o prazo de entrega nas capitais?"}, &a); st != http.StatusOK || a.Answered || a.Reason != "not_in_sources" {
		t.Fatalf("LLM says no: %d %+v", st, a)
	}
	var sr struct {
		Sources []struct {
			Relevant bool `json:"relevant"`
		} `json:"sources"`
	}
	if st := s.json("POST", base+"/search", tokens["user"], map[string]any{"question": "prazo de entrega", "top_k": 2}, &sr); st != http.StatusOK || len(sr.Sources) == 0 || !sr.Sources[0].Relevant {
		t.Fatalf("search: %d %+v", st, sr)
	}

	// Bad input: clear errors, nothing stored.
	for _, c := range []struct {
		path, token string
		body        any
		status      int
		code        string
	}{
		{base + "/answer", tokens["user"], map[string]string{"question": "  "}, http.StatusBadRequest, "invalid"},
		{base + "/answer", tokens["user"], map[string]any{"question": "x", "top_k": 21}, http.StatusBadRequest, "invalid"},
		{base + "/answer", tokens["user"], map[string]string{"pergunta": "x"}, http.StatusBadRequest, "invalid"},
		{base + "/documents", tokens["contributor"], map[string]string{"title": "grande", "text": strings.Repeat("palavra ", 70000)}, http.StatusRequestEntityTooLarge, "too_large"},
		{base + "/documents", tokens["contributor"], map[string]string{"title": "", "text": "x"}, http.StatusBadRequest, "invalid"},
	} {
		var e errResp
		if st := s.json("POST", c.path, c.token, c.body, &e); st != c.status || e.Error.Code != c.code || e.Error.Message == "" {
			t.Errorf("%s %v: %d %+v, want %d %s", c.path, c.body, st, e, c.status, c.code)
		}
	}
	if st := s.json("GET", base+"/documents", tokens["user"], nil, &page); st != http.StatusOK || page.Total != 1 {
		t.Fatalf("after bad input: %d documents", page.Total)
	}

	// Zero-shot through the same LLM.
	zs := map[string]any{"text": "quero falar com um humano", "classes": []map[string]string{
		{"name": "atendimento_humano", "description": "Pedir para falar com uma pessoa."},
		{"name": "segunda_via", "description": "Pedir a segunda via do boleto."},
	}}
	var z struct {
		Class      string  `json:"class"`
		Confidence float64 `json:"confidence"`
		Mode       string  `json:"mode"`
	}
	if st := s.json("POST", "/v1/zeroshot", tokens["user"], zs, &z); st != http.StatusOK || z.Class != "atendimento_humano" || z.Mode != "llm" || z.Confidence != 0.92 {
		t.Fatalf("zero-shot with the LLM: %d %+v", st, z)
	}
	zs["text"] = "bom dia"
	if st := s.json("POST", "/v1/zeroshot", tokens["user"], zs, &z); st != http.StatusOK || z.Class != "" {
		t.Fatalf("zero-shot, none: %d %+v", st, z)
	}

	// Deleting the document: answers stop using it at once.
	if st := s.json("DELETE", base+"/documents/"+strconv.FormatInt(d.ID, 10), tokens["contributor"], nil, nil); st != http.StatusNoContent {
		t.Fatalf("delete: %d", st)
	}
	if st := s.json("POST", base+"/answer", tokens["user"], map[string]string{"question": "quais as formas de pagamento?"}, &a); st != http.StatusOK || a.Answered {
		t.Fatalf("after delete: %d %+v", st, a)
	}
	if st := s.json("GET", base+"/documents/"+strconv.FormatInt(d.ID, 10), tokens["user"], nil, &e); st != http.StatusNotFound {
		t.Fatalf("deleted document: %d", st)
	}
}

// TestContentAnswersWithoutLLM: the default server (no endpoint configured)
// answers extractively from its documents.
func TestContentAnswersWithoutLLM(t *testing.T) {
	s := startServer(t, t.TempDir())
	var repo repoResp
	if st := s.json("POST", "/v1/repositories", adminSecret, map[string]any{"name": "Tienda", "language": "es"}, &repo); st != http.StatusCreated {
		t.Fatalf("create repository: %d", st)
	}
	base := "/v1/repositories/" + repo.UUID
	text := "Horario\nAbrimos de lunes a viernes de 9 a 18 horas. Los sábados, de 9 a 13.\n\nEnvíos\nEnviamos a todo el país en 3 a 5 días hábiles."
	if st := s.json("POST", base+"/documents", adminSecret, map[string]string{"title": "Info", "text": text, "language": "es"}, nil); st != http.StatusCreated {
		t.Fatalf("add document: %d", st)
	}
	var a answerResp
	if st := s.json("POST", base+"/answer", adminSecret, map[string]string{"question": "horario de los sábados?", "language": "es"}, &a); st != http.StatusOK {
		t.Fatalf("answer: %d", st)
	}
	if !a.Answered || a.Mode != "extractive" || !strings.Contains(a.Answer, "sábados") {
		t.Fatalf("%+v", a)
	}
	if st := s.json("POST", base+"/answer", adminSecret, map[string]string{"question": "¿aceptan criptomonedas?"}, &a); st != http.StatusOK || a.Answered {
		t.Fatalf("unanswerable: %d %+v", st, a)
	}
}

// TestZeroShotOverHTTP: /v1/zeroshot with the in-process model (any
// repository token may call it) and its errors.
func TestZeroShotOverHTTP(t *testing.T) {
	s := startServer(t, t.TempDir())
	req := map[string]any{"text": "quero falar com um atendente humano", "language": "pt_br", "classes": []map[string]any{
		{"name": "atendimento_humano", "description": "Pedir para falar com uma pessoa."},
		{"name": "segunda_via", "description": "Pedir a segunda via do boleto."},
		{"name": "horario", "description": "Perguntar o horário de funcionamento da loja."},
	}}
	var r struct {
		Class   string `json:"class"`
		Mode    string `json:"mode"`
		Ranking []struct {
			Name string `json:"name"`
		} `json:"ranking"`
	}
	if st := s.json("POST", "/v1/zeroshot", adminSecret, req, &r); st != http.StatusOK || r.Class != "atendimento_humano" || r.Mode != "model" || len(r.Ranking) != 3 {
		t.Fatalf("zeroshot: %d %+v", st, r)
	}
	var e errResp
	if st := s.json("POST", "/v1/zeroshot", adminSecret, map[string]any{"text": "oi", "classes": []map[string]string{{"name": "a"}}}, &e); st != http.StatusBadRequest || e.Error.Code != "invalid" {
		t.Fatalf("one class: %d %+v", st, e)
	}
	if st := s.json("POST", "/v1/zeroshot", "", req, &e); st != http.StatusUnauthorized {
		t.Fatalf("no token: %d", st)
	}
}
