package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/weni-ai/sabia/content"
)

const (
	testKey        = "sk-test-123"
	testChatModel  = "llama3.1:8b"
	testEmbedModel = "nomic-embed-text"
)

// wireMessage, wireChat and wireEmbed are the request bodies as the fake
// server reads them off the wire, independent of go-openai's types.
type wireMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type wireChat struct {
	Model       string        `json:"model"`
	Messages    []wireMessage `json:"messages"`
	MaxTokens   int           `json:"max_tokens"`
	Temperature *float64      `json:"temperature"`
	Stream      bool          `json:"stream"`
}

type wireEmbed struct {
	Model          string   `json:"model"`
	Input          []string `json:"input"`
	Dimensions     int      `json:"dimensions"`
	EncodingFormat string   `json:"encoding_format"`
}

// fakeServer is a small OpenAI-compatible server. Its knobs are set before
// the first request; what it received is kept under mu.
type fakeServer struct {
	t   *testing.T
	srv *httptest.Server

	// reply is the assistant message of every chat completion.
	reply string
	// status, when set, is answered with body instead of a result.
	status int
	body   string
	// emptyChoices answers chat completions with no choices.
	emptyChoices bool
	// reverse lists embeddings last input first, so only their index tells
	// which is which.
	reverse bool
	// longInput gets a vector one number longer than the others.
	longInput string
	// ignoreDimensions answers with the model's own length whatever the
	// request asks.
	ignoreDimensions bool
	// hang makes every handler wait until the client goes away or the test
	// ends.
	hang bool
	// done is closed when the test ends, before the server closes.
	done chan struct{}

	mu     sync.Mutex
	auth   []string
	chats  []wireChat
	embeds []wireEmbed
}

func newFakeServer(t *testing.T) *fakeServer {
	t.Helper()
	f := &fakeServer{
		t:     t,
		reply: "  Atendemos de segunda a sexta, das 8h às 18h.\n",
		done:  make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", f.chat)
	mux.HandleFunc("POST /v1/embeddings", f.embeddings)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		close(f.done)
		f.srv.Close()
	})
	return f
}

// baseURL is what Config.BaseURL should be for this server.
func (f *fakeServer) baseURL() string { return f.srv.URL + "/v1" }

// client returns a Client on the fake server with both models set.
func (f *fakeServer) client(t *testing.T, maxBatch int) *Client {
	t.Helper()
	c, err := New(Config{
		BaseURL:        f.baseURL(),
		APIKey:         testKey,
		ChatModel:      testChatModel,
		EmbeddingModel: testEmbedModel,
		MaxBatch:       maxBatch,
		Timeout:        10 * time.Second,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// answerError writes an OpenAI-style error body.
func answerError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"message":%q,"type":"invalid_request_error","param":null,"code":null}}`, msg)
}

// common handles what every endpoint does first; it returns false when it
// has answered.
func (f *fakeServer) common(w http.ResponseWriter, r *http.Request) bool {
	f.mu.Lock()
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.mu.Unlock()
	if f.hang {
		// The server notices a closed connection only once the body is read.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-f.done:
		}
		return false
	}
	if f.status != 0 {
		w.WriteHeader(f.status)
		_, _ = w.Write([]byte(f.body))
		return false
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		answerError(w, http.StatusUnsupportedMediaType, "content type "+ct)
		return false
	}
	return true
}

func (f *fakeServer) chat(w http.ResponseWriter, r *http.Request) {
	if !f.common(w, r) {
		return
	}
	var req wireChat
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		answerError(w, http.StatusBadRequest, "bad json: "+err.Error())
		return
	}
	f.mu.Lock()
	f.chats = append(f.chats, req)
	f.mu.Unlock()
	if req.Model != testChatModel {
		answerError(w, http.StatusNotFound, "model "+req.Model+" not found")
		return
	}
	if len(req.Messages) == 0 {
		answerError(w, http.StatusBadRequest, "no messages")
		return
	}
	for _, m := range req.Messages {
		if m.Role != "system" && m.Role != "user" {
			answerError(w, http.StatusBadRequest, "unexpected role "+m.Role)
			return
		}
	}
	if last := req.Messages[len(req.Messages)-1]; last.Role != "user" {
		answerError(w, http.StatusBadRequest, "last message is not the user's")
		return
	}

	choices := []map[string]any{{
		"index":         0,
		"message":       map[string]any{"role": "assistant", "content": f.reply},
		"finish_reason": "stop",
	}}
	if f.emptyChoices {
		choices = []map[string]any{}
	}
	writeJSON(w, map[string]any{
		"id":      "chatcmpl-1",
		"object":  "chat.completion",
		"created": 1700000000,
		"model":   req.Model,
		"choices": choices,
		"usage":   map[string]int{"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
	})
}

// fakeVector is the fake model's embedding of s: a few numbers from its
// length in runes and bytes and its first byte, dims long.
func fakeVector(s string, dims int) []float32 {
	v := make([]float32, dims)
	first := float32(0)
	if s != "" {
		first = float32(s[0])
	}
	for i := range v {
		switch i % 3 {
		case 0:
			v[i] = float32(len([]rune(s))) + float32(i)
		case 1:
			v[i] = first
		default:
			v[i] = float32(len(s)) / 2
		}
	}
	return v
}

// modelDims is the fake model's own vector length.
const modelDims = 4

func (f *fakeServer) embeddings(w http.ResponseWriter, r *http.Request) {
	if !f.common(w, r) {
		return
	}
	var req wireEmbed
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		answerError(w, http.StatusBadRequest, "bad json (input must be a list of strings): "+err.Error())
		return
	}
	f.mu.Lock()
	f.embeds = append(f.embeds, req)
	f.mu.Unlock()
	if req.Model != testEmbedModel {
		answerError(w, http.StatusNotFound, "model "+req.Model+" not found")
		return
	}
	if len(req.Input) == 0 {
		answerError(w, http.StatusBadRequest, "empty input")
		return
	}
	if req.EncodingFormat != "" && req.EncodingFormat != "float" {
		answerError(w, http.StatusBadRequest, "encoding format "+req.EncodingFormat)
		return
	}
	dims := modelDims
	if req.Dimensions > 0 && !f.ignoreDimensions {
		dims = req.Dimensions
	}
	data := make([]map[string]any, 0, len(req.Input))
	for i, in := range req.Input {
		v := fakeVector(in, dims)
		if in == f.longInput {
			v = append(v, 1)
		}
		data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": v})
	}
	if f.reverse {
		slices.Reverse(data)
	}
	writeJSON(w, map[string]any{
		"object": "list",
		"data":   data,
		"model":  req.Model,
		"usage":  map[string]int{"prompt_tokens": 3, "total_tokens": 3},
	})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeServer) chatRequests() []wireChat {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.chats)
}

func (f *fakeServer) embedRequests() []wireEmbed {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.embeds)
}

func (f *fakeServer) requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.auth)
}

var questions = []string{
	"Qual é o horário de atendimento?",
	"¿Cuál es el horario de atención?",
	"Vocês abrem aos sábados?",
	"Como faço para trocar um produto com defeito?",
	"¿Dónde está la tienda más cercana?",
}

func TestCompleteReturnsReply(t *testing.T) {
	f := newFakeServer(t)
	c := f.client(t, 0)

	got, err := c.Complete(context.Background(), content.Completion{
		System:      "Você é o assistente da loja. Responda em português.",
		User:        "Qual é o horário de atendimento?",
		MaxTokens:   256,
		Temperature: 0.2,
	})
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if want := "Atendemos de segunda a sexta, das 8h às 18h."; got != want {
		t.Errorf("reply = %q, want %q", got, want)
	}

	reqs := f.chatRequests()
	if len(reqs) != 1 {
		t.Fatalf("server got %d chat requests, want 1", len(reqs))
	}
	req := reqs[0]
	if req.Model != testChatModel {
		t.Errorf("model = %q, want %q", req.Model, testChatModel)
	}
	wantMsgs := []wireMessage{
		{Role: "system", Content: "Você é o assistente da loja. Responda em português."},
		{Role: "user", Content: "Qual é o horário de atendimento?"},
	}
	if !slices.Equal(req.Messages, wantMsgs) {
		t.Errorf("messages = %+v, want %+v", req.Messages, wantMsgs)
	}
	if req.MaxTokens != 256 {
		t.Errorf("max_tokens = %d, want 256", req.MaxTokens)
	}
	if req.Temperature == nil || *req.Temperature < 0.199 || *req.Temperature > 0.201 {
		t.Errorf("temperature = %v, want 0.2", req.Temperature)
	}
	if req.Stream {
		t.Error("stream = true, want false")
	}
	f.mu.Lock()
	auth := f.auth[0]
	f.mu.Unlock()
	if a := auth; a != "Bearer "+testKey {
		t.Errorf("Authorization = %q, want bearer key", a)
	}
}

func TestCompleteWithoutSystem(t *testing.T) {
	f := newFakeServer(t)
	c := f.client(t, 0)

	if _, err := c.Complete(context.Background(), content.Completion{User: "¿Cuál es el horario de atención?"}); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	msgs := f.chatRequests()[0].Messages
	want := []wireMessage{{Role: "user", Content: "¿Cuál es el horario de atención?"}}
	if !slices.Equal(msgs, want) {
		t.Errorf("messages = %+v, want %+v", msgs, want)
	}
}

func TestCompleteHTTPError(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
	}{
		{"500 plain text", http.StatusInternalServerError, "internal error"},
		{"500 openai json", http.StatusInternalServerError, `{"error":{"message":"the server had an error","type":"server_error"}}`},
		{"401 openai json", http.StatusUnauthorized, `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}`},
		{"401 empty", http.StatusUnauthorized, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeServer(t)
			f.status, f.body = tt.status, tt.body
			c := f.client(t, 0)

			got, err := c.Complete(context.Background(), content.Completion{User: "Qual é o horário de atendimento?"})
			if err == nil {
				t.Fatalf("Complete = %q, nil; want an error", got)
			}
			if got != "" {
				t.Errorf("reply = %q with error, want empty", got)
			}
			if !strings.HasPrefix(err.Error(), "openai chat completion: ") {
				t.Errorf("error %q lacks context", err)
			}
			if code := statusOf(err); code != tt.status {
				t.Errorf("status in error = %d, want %d (%v)", code, tt.status, err)
			}
		})
	}
}

// statusOf digs the HTTP status out of a go-openai error.
func statusOf(err error) int {
	var apiErr *goopenai.APIError
	if errors.As(err, &apiErr) {
		return apiErr.HTTPStatusCode
	}
	var reqErr *goopenai.RequestError
	if errors.As(err, &reqErr) {
		return reqErr.HTTPStatusCode
	}
	return 0
}

func TestCompleteEmptyChoices(t *testing.T) {
	f := newFakeServer(t)
	f.emptyChoices = true
	c := f.client(t, 0)

	got, err := c.Complete(context.Background(), content.Completion{User: "Qual é o horário de atendimento?"})
	if err == nil {
		t.Fatalf("Complete = %q, nil; want an error", got)
	}
	if !strings.Contains(err.Error(), "no choices") {
		t.Errorf("error = %v, want one about no choices", err)
	}
}

func TestCompleteUnknownModel(t *testing.T) {
	f := newFakeServer(t)
	c, err := New(Config{BaseURL: f.baseURL(), ChatModel: "no-such-model"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Complete(context.Background(), content.Completion{User: "Olá"}); statusOf(err) != http.StatusNotFound {
		t.Errorf("err = %v, want a 404 from the server", err)
	}
}

func TestCompleteWithoutChatModel(t *testing.T) {
	f := newFakeServer(t)
	c, err := New(Config{BaseURL: f.baseURL(), EmbeddingModel: testEmbedModel})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Complete(context.Background(), content.Completion{User: "Olá"})
	if err == nil || !strings.Contains(err.Error(), "ChatModel") {
		t.Errorf("err = %v, want one naming ChatModel", err)
	}
	if n := f.requests(); n != 0 {
		t.Errorf("server got %d requests, want 0", n)
	}
}

func TestEmbedPassagesInInputOrder(t *testing.T) {
	f := newFakeServer(t)
	f.reverse = true
	c := f.client(t, 0)

	vecs, err := c.EmbedPassages(context.Background(), questions)
	if err != nil {
		t.Fatalf("EmbedPassages: %v", err)
	}
	if len(vecs) != len(questions) {
		t.Fatalf("got %d vectors, want %d", len(vecs), len(questions))
	}
	for i, q := range questions {
		if want := fakeVector(q, modelDims); !slices.Equal(vecs[i], want) {
			t.Errorf("vector %d (%q) = %v, want %v", i, q, vecs[i], want)
		}
	}

	reqs := f.embedRequests()
	if len(reqs) != 1 {
		t.Fatalf("server got %d embedding requests, want 1", len(reqs))
	}
	if reqs[0].Model != testEmbedModel {
		t.Errorf("model = %q, want %q", reqs[0].Model, testEmbedModel)
	}
	if !slices.Equal(reqs[0].Input, questions) {
		t.Errorf("input = %q, want %q", reqs[0].Input, questions)
	}
	if reqs[0].Dimensions != 0 {
		t.Errorf("dimensions = %d, want it left out", reqs[0].Dimensions)
	}
}

func TestEmbedPassagesBatches(t *testing.T) {
	f := newFakeServer(t)
	f.reverse = true
	c := f.client(t, 2)

	vecs, err := c.EmbedPassages(context.Background(), questions)
	if err != nil {
		t.Fatalf("EmbedPassages: %v", err)
	}
	for i, q := range questions {
		if want := fakeVector(q, modelDims); !slices.Equal(vecs[i], want) {
			t.Errorf("vector %d (%q) = %v, want %v", i, q, vecs[i], want)
		}
	}

	reqs := f.embedRequests()
	if len(reqs) != 3 {
		t.Fatalf("server got %d embedding requests, want 3", len(reqs))
	}
	wantBatches := [][]string{questions[0:2], questions[2:4], questions[4:5]}
	for i, want := range wantBatches {
		if !slices.Equal(reqs[i].Input, want) {
			t.Errorf("batch %d = %q, want %q", i, reqs[i].Input, want)
		}
	}
}

func TestEmbedPassagesDefaultBatch(t *testing.T) {
	f := newFakeServer(t)
	c := f.client(t, 0)

	inputs := make([]string, DefaultMaxBatch+1)
	for i := range inputs {
		inputs[i] = fmt.Sprintf("Pergunta nº %d: qual é o preço?", i)
	}
	vecs, err := c.EmbedPassages(context.Background(), inputs)
	if err != nil {
		t.Fatalf("EmbedPassages: %v", err)
	}
	if len(vecs) != len(inputs) {
		t.Fatalf("got %d vectors, want %d", len(vecs), len(inputs))
	}
	reqs := f.embedRequests()
	if len(reqs) != 2 || len(reqs[0].Input) != DefaultMaxBatch || len(reqs[1].Input) != 1 {
		t.Errorf("batch sizes wrong: %d requests", len(reqs))
	}
}

func TestEmbedPassagesMismatchedLengths(t *testing.T) {
	for _, maxBatch := range []int{0, 1} { // within one response, across batches
		t.Run(fmt.Sprintf("MaxBatch=%d", maxBatch), func(t *testing.T) {
			f := newFakeServer(t)
			f.longInput = questions[2]
			c := f.client(t, maxBatch)

			vecs, err := c.EmbedPassages(context.Background(), questions)
			if err == nil {
				t.Fatalf("EmbedPassages = %d vectors, nil; want an error", len(vecs))
			}
			if !strings.Contains(err.Error(), "dimensions") {
				t.Errorf("error = %v, want one about dimensions", err)
			}
		})
	}
}

func TestEmbedBadResponses(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"too few", `{"object":"list","data":[{"object":"embedding","index":0,"embedding":[1,2]}]}`},
		{"index out of range", `{"object":"list","data":[{"index":0,"embedding":[1,2]},{"index":5,"embedding":[1,2]}]}`},
		{"duplicate index", `{"object":"list","data":[{"index":1,"embedding":[1,2]},{"index":1,"embedding":[1,2]}]}`},
		{"empty vector", `{"object":"list","data":[{"index":0,"embedding":[]},{"index":1,"embedding":[]}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			c, err := New(Config{BaseURL: srv.URL + "/v1", EmbeddingModel: testEmbedModel})
			if err != nil {
				t.Fatal(err)
			}
			if vecs, err := c.EmbedPassages(context.Background(), questions[:2]); err == nil {
				t.Errorf("EmbedPassages = %v, nil; want an error", vecs)
			}
		})
	}
}

func TestEmbedHTTPError(t *testing.T) {
	for _, status := range []int{http.StatusInternalServerError, http.StatusUnauthorized} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			f := newFakeServer(t)
			f.status, f.body = status, `{"error":{"message":"nope","type":"server_error"}}`
			c := f.client(t, 0)

			vecs, err := c.EmbedPassages(context.Background(), questions)
			if err == nil {
				t.Fatalf("EmbedPassages = %v, nil; want an error", vecs)
			}
			if vecs != nil {
				t.Errorf("vectors = %v with error, want nil", vecs)
			}
			if !strings.HasPrefix(err.Error(), "openai embeddings: ") || statusOf(err) != status {
				t.Errorf("error = %v, want context and status %d", err, status)
			}
			if _, err := c.EmbedQuery(context.Background(), questions[0]); err == nil {
				t.Error("EmbedQuery: want an error")
			}
		})
	}
}

func TestEmbedQuery(t *testing.T) {
	f := newFakeServer(t)
	c := f.client(t, 0)

	v, err := c.EmbedQuery(context.Background(), "Qual é o horário de atendimento?")
	if err != nil {
		t.Fatalf("EmbedQuery: %v", err)
	}
	if want := fakeVector("Qual é o horário de atendimento?", modelDims); !slices.Equal(v, want) {
		t.Errorf("vector = %v, want %v", v, want)
	}
	if reqs := f.embedRequests(); len(reqs) != 1 || !slices.Equal(reqs[0].Input, []string{"Qual é o horário de atendimento?"}) {
		t.Errorf("requests = %+v", reqs)
	}
}

func TestEmbedPassagesEmpty(t *testing.T) {
	f := newFakeServer(t)
	c := f.client(t, 0)

	vecs, err := c.EmbedPassages(context.Background(), nil)
	if err != nil || len(vecs) != 0 {
		t.Errorf("EmbedPassages(nil) = %v, %v; want none, nil", vecs, err)
	}
	if n := f.requests(); n != 0 {
		t.Errorf("server got %d requests, want 0", n)
	}
}

func TestEmbedWithoutEmbeddingModel(t *testing.T) {
	f := newFakeServer(t)
	c, err := New(Config{BaseURL: f.baseURL(), ChatModel: testChatModel})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.EmbedPassages(context.Background(), questions); err == nil || !strings.Contains(err.Error(), "EmbeddingModel") {
		t.Errorf("EmbedPassages err = %v, want one naming EmbeddingModel", err)
	}
	if _, err := c.EmbedQuery(context.Background(), questions[0]); err == nil || !strings.Contains(err.Error(), "EmbeddingModel") {
		t.Errorf("EmbedQuery err = %v, want one naming EmbeddingModel", err)
	}
	if n := f.requests(); n != 0 {
		t.Errorf("server got %d requests, want 0", n)
	}
}

func TestDimensions(t *testing.T) {
	f := newFakeServer(t)
	c, err := New(Config{BaseURL: f.baseURL(), EmbeddingModel: testEmbedModel, Dimensions: 6})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Name(), "openai:nomic-embed-text:6"; got != want {
		t.Errorf("Name = %q, want %q", got, want)
	}
	v, err := c.EmbedQuery(context.Background(), "¿Dónde está la tienda más cercana?")
	if err != nil {
		t.Fatalf("EmbedQuery: %v", err)
	}
	if len(v) != 6 {
		t.Errorf("got %d dimensions, want 6", len(v))
	}
	if d := f.embedRequests()[0].Dimensions; d != 6 {
		t.Errorf("request dimensions = %d, want 6", d)
	}

	g := newFakeServer(t)
	g.ignoreDimensions = true
	c, err = New(Config{BaseURL: g.baseURL(), EmbeddingModel: testEmbedModel, Dimensions: 6})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.EmbedQuery(context.Background(), "¿Dónde está la tienda más cercana?"); err == nil {
		t.Error("EmbedQuery with a server ignoring dimensions: want an error")
	}
}

func TestName(t *testing.T) {
	c, err := New(Config{BaseURL: "http://localhost:11434/v1", EmbeddingModel: "nomic-embed-text"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Name(), "openai:nomic-embed-text"; got != want {
		t.Errorf("Name = %q, want %q", got, want)
	}
}

func TestContextCancelled(t *testing.T) {
	f := newFakeServer(t)
	c := f.client(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	if got, err := c.Complete(ctx, content.Completion{User: "Qual é o horário de atendimento?"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Complete = %q, %v; want context.Canceled", got, err)
	}
	if _, err := c.EmbedPassages(ctx, questions); !errors.Is(err, context.Canceled) {
		t.Errorf("EmbedPassages err = %v; want context.Canceled", err)
	}
	if _, err := c.EmbedQuery(ctx, questions[0]); !errors.Is(err, context.Canceled) {
		t.Errorf("EmbedQuery err = %v; want context.Canceled", err)
	}
}

func TestContextDeadlineWhileWaiting(t *testing.T) {
	f := newFakeServer(t)
	f.hang = true
	c := f.client(t, 0)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := c.Complete(ctx, content.Completion{User: "Olá"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Complete err = %v; want context.DeadlineExceeded", err)
	}
	if _, err := c.EmbedPassages(ctx, questions); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("EmbedPassages err = %v; want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("calls took %s after the deadline", d)
	}
}

func TestTimeout(t *testing.T) {
	f := newFakeServer(t)
	f.hang = true
	c, err := New(Config{BaseURL: f.baseURL(), ChatModel: testChatModel, Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.Complete(context.Background(), content.Completion{User: "Olá"}); err == nil {
		t.Errorf("Complete = %q, nil; want a timeout error", got)
	}
}

func TestNewValidation(t *testing.T) {
	ok := Config{BaseURL: "http://localhost:11434/v1", ChatModel: "llama3.1", EmbeddingModel: "nomic-embed-text"}
	tests := []struct {
		name    string
		edit    func(*Config)
		wantErr string // empty: valid
	}{
		{"valid", func(*Config) {}, ""},
		{"openai url", func(c *Config) { c.BaseURL = "https://api.openai.com/v1" }, ""},
		{"chat only", func(c *Config) { c.EmbeddingModel = "" }, ""},
		{"embeddings only", func(c *Config) { c.ChatModel = "" }, ""},
		{"missing BaseURL", func(c *Config) { c.BaseURL = "" }, "missing BaseURL"},
		{"blank BaseURL", func(c *Config) { c.BaseURL = "  " }, "missing BaseURL"},
		{"no scheme", func(c *Config) { c.BaseURL = "localhost:11434/v1" }, "BaseURL"},
		{"ftp", func(c *Config) { c.BaseURL = "ftp://example.com/v1" }, "not an http(s) URL"},
		{"no host", func(c *Config) { c.BaseURL = "http:///v1" }, "not an http(s) URL"},
		{"bad url", func(c *Config) { c.BaseURL = "http://[::1" }, "BaseURL"},
		{"no models", func(c *Config) { c.ChatModel, c.EmbeddingModel = "", "" }, "missing ChatModel and EmbeddingModel"},
		{"negative dimensions", func(c *Config) { c.Dimensions = -1 }, "Dimensions"},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }, "Timeout"},
		{"negative batch", func(c *Config) { c.MaxBatch = -2 }, "MaxBatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok
			tt.edit(&cfg)
			c, err := New(cfg)
			if tt.wantErr == "" {
				if err != nil || c == nil {
					t.Fatalf("New = %v, %v; want a client", c, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("New(%+v) = nil error, want %q", cfg, tt.wantErr)
			}
			if c != nil {
				t.Error("New returned a client with an error")
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestNewDefaults(t *testing.T) {
	c, err := New(Config{BaseURL: "http://localhost:11434/v1", EmbeddingModel: "nomic-embed-text"})
	if err != nil {
		t.Fatal(err)
	}
	if c.cfg.MaxBatch != DefaultMaxBatch || c.cfg.Timeout != DefaultTimeout {
		t.Errorf("defaults = MaxBatch %d, Timeout %s", c.cfg.MaxBatch, c.cfg.Timeout)
	}
}
