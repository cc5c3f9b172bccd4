package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata truth files")

const adminSecret = "test-admin-token"

// server is a real sabia server on a loopback port.
type server struct {
	t    *testing.T
	base string
	stop func()
}

func startServer(t *testing.T, dataDir string) *server {
	t.Helper()
	return startServerWith(t, serveConfig{DataDir: dataDir})
}

// startServerWith starts serve with cfg on a free loopback port, the test
// admin token and a small model cache.
func startServerWith(t *testing.T, cfg serveConfig) *server {
	t.Helper()
	cfg.Addr, cfg.AdminToken, cfg.CacheBytes, cfg.LogFormat = "127.0.0.1:0", adminSecret, 1<<28, "text"
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, cfg, ready)
	}()
	select {
	case addr := <-ready:
		s := &server{t: t, base: "http://" + addr}
		stopped := false
		s.stop = func() {
			if stopped {
				return
			}
			stopped = true
			cancel()
			if err := <-done; err != nil {
				t.Errorf("server stopped with %v", err)
			}
		}
		t.Cleanup(s.stop)
		return s
	case err := <-done:
		cancel()
		t.Fatalf("server did not start: %v", err)
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatal("server did not start in 20 s")
	}
	return nil
}

// do sends a request and decodes a JSON answer into out (when not nil).
func (s *server) do(method, path, token, contentType string, body []byte, out any) int {
	s.t.Helper()
	req, err := http.NewRequest(method, s.base+path, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			s.t.Fatalf("%s %s: decoding %q: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode
}

func (s *server) json(method, path, token string, in, out any) int {
	s.t.Helper()
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			s.t.Fatal(err)
		}
	}
	return s.do(method, path, token, "application/json", body, out)
}

type example struct {
	Text     string `json:"text"`
	Language string `json:"language,omitempty"`
	Intent   string `json:"intent"`
	Entities []span `json:"entities,omitempty"`
}

type span struct {
	Start  int    `json:"start"`
	End    int    `json:"end"`
	Entity string `json:"entity"`
	Group  string `json:"group,omitempty"`
}

// storeExamples are a small Brazilian store's bot, written as customers type.
var storeExamples = []example{
	{Text: "quero a segunda via do boleto", Intent: "billing"},
	{Text: "me manda o boleto atualizado pfv", Intent: "billing"},
	{Text: "2 via da fatura", Intent: "billing"},
	{Text: "preciso pagar minha conta, cadê o código de barras?", Intent: "billing"},
	{Text: "o boleto venceu, como pago?", Intent: "billing"},
	{Text: "qual o valor da minha fatura deste mês", Intent: "billing"},
	{Text: "quero cancelar meu plano", Intent: "cancel"},
	{Text: "cancela minha assinatura por favor", Intent: "cancel"},
	{Text: "não quero mais o serviço", Intent: "cancel"},
	{Text: "como faço pra cancelar", Intent: "cancel"},
	{Text: "desejo encerrar o contrato", Intent: "cancel"},
	{Text: "vcs podem cancelar minha linha?", Intent: "cancel"},
	{Text: "onde está meu pedido?", Intent: "tracking"},
	{Text: "meu pedido ainda não chegou", Intent: "tracking"},
	{Text: "qual o status da entrega", Intent: "tracking"},
	{Text: "quero rastrear minha encomenda", Intent: "tracking"},
	{Text: "o entregador já saiu?", Intent: "tracking"},
	{Text: "quando chega minha compra", Intent: "tracking"},
	{Text: "quero comprar o Cartão Gold", Intent: "buy", Entities: []span{{Start: 16, End: 27, Entity: "product"}}},
	{Text: "tem o plano Família disponível?", Intent: "buy", Entities: []span{{Start: 6, End: 19, Entity: "product"}}},
	{Text: "quero assinar o plano Turbo", Intent: "buy", Entities: []span{{Start: 16, End: 27, Entity: "product"}}},
	{Text: "como contrato o Cartão Platinum", Intent: "buy", Entities: []span{{Start: 16, End: 31, Entity: "product"}}},
	{Text: "queria o plano Básico", Intent: "buy", Entities: []span{{Start: 9, End: 21, Entity: "product"}}},
	{Text: "me vende o Cartão Gold", Intent: "buy", Entities: []span{{Start: 11, End: 22, Entity: "product"}}},
}

type repoResp struct {
	UUID      string   `json:"uuid"`
	Language  string   `json:"language"`
	Languages []string `json:"languages"`
	Threshold float64  `json:"threshold"`
}

type jobResp struct {
	ID       string  `json:"id"`
	Status   string  `json:"status"`
	Progress float64 `json:"progress"`
	Error    string  `json:"error"`
	ModelID  int64   `json:"model_id"`
}

type errResp struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

type bothubResp struct {
	Intent struct {
		Name       string  `json:"name"`
		Confidence float64 `json:"confidence"`
	} `json:"intent"`
	IntentRanking []struct {
		Name       string  `json:"name"`
		Confidence float64 `json:"confidence"`
	} `json:"intent_ranking"`
	LabelsList   []string `json:"labels_list"`
	EntitiesList []string `json:"entities_list"`
	GroupList    []string `json:"group_list"`
	Entities     map[string][]struct {
		Entity     string  `json:"entity"`
		Value      string  `json:"value"`
		Start      int     `json:"start"`
		End        int     `json:"end"`
		Confidence float64 `json:"confidence"`
	} `json:"entities"`
	Text              string `json:"text"`
	Language          string `json:"language"`
	RepositoryVersion int64  `json:"repository_version"`
	UpdateID          int64  `json:"update_id"`
}

// trainedStore creates a pt-BR repository named name with storeExamples,
// trains it and returns its UUID, failing the test on any error.
func (s *server) trainedStore(name string) string {
	s.t.Helper()
	var repo repoResp
	if st := s.json("POST", "/v1/repositories", adminSecret, map[string]any{"name": name, "language": "pt-BR"}, &repo); st != http.StatusCreated {
		s.t.Fatalf("create repository: %d", st)
	}
	if st := s.json("POST", "/v1/repositories/"+repo.UUID+"/examples", adminSecret, storeExamples, nil); st != http.StatusCreated {
		s.t.Fatalf("examples: %d", st)
	}
	if j := s.trainAndWait(repo.UUID); j.Status != "succeeded" {
		s.t.Fatalf("job %+v", j)
	}
	return repo.UUID
}

// trainAndWait starts training and polls the job until it ends.
func (s *server) trainAndWait(uuid string) jobResp {
	s.t.Helper()
	return s.trainWith(uuid, map[string]any{})
}

// trainWith starts training with the request req, which must start one
// job, and polls the job until it ends.
func (s *server) trainWith(uuid string, req map[string]any) jobResp {
	s.t.Helper()
	var tr struct {
		Jobs []jobResp `json:"jobs"`
	}
	if st := s.json("POST", "/v1/repositories/"+uuid+"/train", adminSecret, req, &tr); st != http.StatusAccepted || len(tr.Jobs) != 1 {
		s.t.Fatalf("train: status %d, jobs %+v", st, tr.Jobs)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		var j jobResp
		if st := s.json("GET", "/v1/jobs/"+tr.Jobs[0].ID, adminSecret, nil, &j); st != http.StatusOK {
			s.t.Fatalf("job: status %d", st)
		}
		if j.Progress < 0 || j.Progress > 1 {
			s.t.Fatalf("job progress %v outside [0,1]", j.Progress)
		}
		if j.Status == "succeeded" || j.Status == "failed" {
			return j
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("job still %s after 60 s", j.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestEndToEnd(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, dir)

	var repo repoResp
	if st := s.json("POST", "/v1/repositories", adminSecret, map[string]any{"name": "Loja do Zé", "language": "pt-BR", "languages": []string{"pt_br", "es"}}, &repo); st != http.StatusCreated {
		t.Fatalf("create repository: %d", st)
	}
	if repo.Language != "pt_br" || len(repo.Languages) != 2 {
		t.Fatalf("repository languages = %q %q", repo.Language, repo.Languages)
	}
	var created struct {
		Count int `json:"count"`
	}
	if st := s.json("POST", "/v1/repositories/"+repo.UUID+"/examples", adminSecret, storeExamples, &created); st != http.StatusCreated || created.Count != len(storeExamples) {
		t.Fatalf("bulk examples: status %d count %d", st, created.Count)
	}
	// Parsing before training is a clear 400, not a crash.
	var tok struct {
		Secret string `json:"secret"`
		Role   string `json:"role"`
	}
	if st := s.json("POST", "/v1/repositories/"+repo.UUID+"/tokens", adminSecret, map[string]string{"role": "user", "name": "flows"}, &tok); st != http.StatusCreated || tok.Secret == "" {
		t.Fatalf("token: %d %+v", st, tok)
	}
	var e errResp
	if st := s.json("POST", "/v2/parse/", tok.Secret, map[string]string{"text": "oi", "language": "pt_br"}, &e); st != http.StatusBadRequest || e.Error.Code != "unavailable" {
		t.Fatalf("parse before training: %d %+v", st, e)
	}

	j := s.trainAndWait(repo.UUID)
	if j.Status != "succeeded" || j.ModelID == 0 {
		t.Fatalf("job = %+v", j)
	}

	// Bothub v2 JSON, with and without the trailing slash, any spelling of the language.
	for _, path := range []string{"/v2/parse/", "/v2/parse"} {
		var p bothubResp
		if st := s.json("POST", path, tok.Secret, map[string]any{"text": "quero a 2ª via do boleto", "language": "pt", "repository_version": nil}, &p); st != http.StatusOK {
			t.Fatalf("%s: %d", path, st)
		}
		if p.Intent.Name != "billing" || p.Language != "pt_br" || p.Text != "quero a 2ª via do boleto" || p.UpdateID != j.ModelID || p.RepositoryVersion == 0 {
			t.Fatalf("%s answer = %+v", path, p)
		}
		checkRanking(t, p)
	}
	// Bothub form, as RapidPro sends it.
	form := url.Values{"text": {"Quero comprar o CARTÃO GOLD"}, "language": {"pt-BR"}}
	var p bothubResp
	if st := s.do("POST", "/parse", tok.Secret, "application/x-www-form-urlencoded", []byte(form.Encode()), &p); st != http.StatusOK {
		t.Fatalf("/parse: %d", st)
	}
	if p.Intent.Name != "buy" {
		t.Fatalf("/parse intent = %+v", p.Intent)
	}
	checkRanking(t, p)
	other := p.Entities["other"]
	if len(other) != 1 || other[0].Entity != "product" || other[0].Value != "CARTÃO GOLD" || other[0].Start != 16 || other[0].End != 27 {
		t.Fatalf("/parse entities = %+v", p.Entities)
	}
	if strings.Join(p.EntitiesList, ",") != "product" || strings.Join(p.LabelsList, ",") != "other" || len(p.GroupList) != 0 {
		t.Fatalf("lists = %q %q %q", p.EntitiesList, p.LabelsList, p.GroupList)
	}
	for _, tc := range []struct{ text, want string }{
		{"cadê meu pedido???", "tracking"},
		{"qro cancelar o plano", "cancel"},
		{"nao quero mais, cancela", "cancel"},
	} {
		var p bothubResp
		s.do("POST", "/parse", tok.Secret, "", []byte(url.Values{"text": {tc.text}, "language": {"por"}}.Encode()), &p)
		if p.Intent.Name != tc.want {
			t.Errorf("%q → %+v, want %s", tc.text, p.Intent, tc.want)
		}
	}

	// Native parse: out of scope for a text the bot was never taught.
	var np struct {
		Intent struct {
			Name       string  `json:"name"`
			Confidence float64 `json:"confidence"`
		} `json:"intent"`
		OutOfScope bool    `json:"out_of_scope"`
		Threshold  float64 `json:"threshold"`
		ModelID    int64   `json:"model_id"`
		DurationUS int64   `json:"duration_us"`
	}
	if st := s.json("POST", "/v1/repositories/"+repo.UUID+"/parse", tok.Secret, map[string]string{"text": "qual a capital da austrália"}, &np); st != http.StatusOK {
		t.Fatalf("native parse: %d", st)
	}
	if !np.OutOfScope || np.Intent.Confidence >= np.Threshold || np.ModelID != j.ModelID {
		t.Errorf("unrelated text: %+v, want out of scope", np)
	}
	if st := s.json("POST", "/v1/repositories/"+repo.UUID+"/parse", tok.Secret, map[string]string{"text": "meu boleto venceu, manda a segunda via"}, &np); st != http.StatusOK || np.OutOfScope || np.Intent.Name != "billing" {
		t.Errorf("in-scope text: %d %+v", st, np)
	}

	// Pattern entities the user declares apply at once, without training.
	pats := map[string]any{"pattern_entities": []map[string]any{
		{"name": "protocolo", "regex": `PRT-\d{6}`},
		{"name": "cor", "group": "produto", "values": []map[string]any{{"value": "azul", "synonyms": []string{"azulzinho", "blue"}}}},
	}}
	if st := s.json("PATCH", "/v1/repositories/"+repo.UUID, adminSecret, pats, nil); st != http.StatusOK {
		t.Fatalf("patch pattern entities: %d", st)
	}
	var pp bothubResp
	s.json("POST", "/v2/parse/", tok.Secret, map[string]any{"text": "meu protocolo é PRT-123456, quero o AZULZINHO"}, &pp)
	if got := pp.Entities["other"]; len(got) != 1 || got[0].Entity != "protocolo" || got[0].Value != "PRT-123456" || got[0].Start != 16 {
		t.Errorf("regex entity = %+v", pp.Entities)
	}
	if got := pp.Entities["produto"]; len(got) != 1 || got[0].Entity != "cor" || got[0].Value != "AZULZINHO" {
		t.Errorf("list entity = %+v", pp.Entities)
	}
	if strings.Join(pp.GroupList, ",") != "produto" {
		t.Errorf("group_list = %q", pp.GroupList)
	}
	var e2 errResp
	bad := map[string]any{"pattern_entities": []map[string]any{{"name": "x", "regex": "("}}}
	if st := s.json("PATCH", "/v1/repositories/"+repo.UUID, adminSecret, bad, &e2); st != http.StatusBadRequest || !strings.Contains(e2.Error.Message, "x") {
		t.Errorf("bad regex: %d %+v", st, e2)
	}

	// /info/ lists the intents for flows.
	var info struct {
		Intents []string `json:"intents"`
	}
	if st := s.json("GET", "/info/", tok.Secret, nil, &info); st != http.StatusOK || strings.Join(info.Intents, ",") != "billing,buy,cancel,tracking" {
		t.Fatalf("/info/: %d %q", st, info.Intents)
	}

	// A new example changes the data: retraining replaces the model while
	// parse keeps answering.
	s.json("POST", "/v1/repositories/"+repo.UUID+"/examples", adminSecret, example{Text: "boleto vencido, gera outro", Intent: "billing"}, nil)
	j2 := s.trainAndWait(repo.UUID)
	if j2.ModelID <= j.ModelID {
		t.Fatalf("second model %d not newer than %d", j2.ModelID, j.ModelID)
	}
	s.json("POST", "/v2/parse/", tok.Secret, map[string]any{"text": "segunda via"}, &p)
	if p.UpdateID != j2.ModelID {
		t.Fatalf("parse uses model %d, want %d", p.UpdateID, j2.ModelID)
	}

	// A restart loses nothing acknowledged: examples, tokens, the model.
	s.stop()
	s2 := startServer(t, dir)
	var page struct {
		Total int `json:"total"`
	}
	s2.json("GET", "/v1/repositories/"+repo.UUID+"/examples?language=pt_br", adminSecret, nil, &page)
	if page.Total != len(storeExamples)+1 {
		t.Fatalf("after restart: %d examples, want %d", page.Total, len(storeExamples)+1)
	}
	var p2 bothubResp
	if st := s2.json("POST", "/v2/parse/", tok.Secret, map[string]any{"text": "onde tá minha encomenda", "language": "pt_br"}, &p2); st != http.StatusOK || p2.Intent.Name != "tracking" || p2.UpdateID != j2.ModelID {
		t.Fatalf("after restart: %d %+v", st, p2.Intent)
	}
}

func checkRanking(t *testing.T, p bothubResp) {
	t.Helper()
	var sum float64
	for i, r := range p.IntentRanking {
		sum += r.Confidence
		if i > 0 && r.Confidence > p.IntentRanking[i-1].Confidence {
			t.Fatalf("ranking not sorted: %+v", p.IntentRanking)
		}
	}
	if math.Abs(sum-1) > 1e-6 {
		t.Fatalf("ranking sums to %v", sum)
	}
	if len(p.IntentRanking) == 0 || p.IntentRanking[0].Name != p.Intent.Name || p.IntentRanking[0].Confidence != p.Intent.Confidence {
		t.Fatalf("intent %+v is not the top of %+v", p.Intent, p.IntentRanking)
	}
}

// httpCase is one request of a truth file and the answer it must get.
type httpCase struct {
	Label    string          `json:"label"`
	Method   string          `json:"method"`
	Path     string          `json:"path"`
	Auth     string          `json:"auth,omitempty"` // admin, user, none, bad
	Type     string          `json:"content_type,omitempty"`
	Body     json.RawMessage `json:"body,omitempty"`
	RawBody  string          `json:"raw_body,omitempty"`
	Status   int             `json:"status"`
	Response json.RawMessage `json:"response,omitempty"`
}

// TestHTTPErrors runs testdata/errors.json: bad input must get a clear JSON
// error with the right status and must not change what is stored. Run with
// -update to rewrite the expected answers.
func TestHTTPErrors(t *testing.T) {
	s := startServer(t, t.TempDir())
	var repo repoResp
	s.json("POST", "/v1/repositories", adminSecret, map[string]any{"name": "Erros", "language": "pt_br", "languages": []string{"es"}}, &repo)
	s.json("POST", "/v1/repositories/"+repo.UUID+"/examples", adminSecret, storeExamples, nil)
	var tok struct {
		Secret string `json:"secret"`
	}
	s.json("POST", "/v1/repositories/"+repo.UUID+"/tokens", adminSecret, map[string]string{"role": "user"}, &tok)
	if j := s.trainAndWait(repo.UUID); j.Status != "succeeded" {
		t.Fatalf("training failed: %+v", j)
	}

	path := filepath.Join("testdata", "errors.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cases []httpCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("a", 5<<20)
	for i, c := range cases {
		p := strings.ReplaceAll(c.Path, "{uuid}", repo.UUID)
		var body []byte
		switch {
		case c.RawBody == "{big}":
			body = []byte(`{"text": "` + big + `"}`)
		case c.RawBody == "{invalid-utf8}":
			body = []byte("{\"text\": \"quero \xff\xfe boleto\", \"intent\": \"billing\"}")
		case c.RawBody != "":
			body = []byte(c.RawBody)
		case len(c.Body) > 0:
			body = c.Body
		}
		token := map[string]string{"admin": adminSecret, "user": tok.Secret, "bad": "sabia_nope", "none": ""}[c.Auth]
		if c.Auth == "" {
			token = adminSecret
		}
		var got json.RawMessage
		st := s.do(c.Method, p, token, c.Type, body, &got)
		got = normalise(t, got, repo.UUID)
		if *update {
			cases[i].Status, cases[i].Response = st, got
			continue
		}
		if st != c.Status || !sameJSON(t, got, c.Response) {
			t.Errorf("%s: %s %s → %d %s, want %d %s", c.Label, c.Method, c.Path, st, got, c.Status, c.Response)
		}
		if st >= 400 {
			var e errResp
			if err := json.Unmarshal(got, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
				t.Errorf("%s: error body %s lacks code or message", c.Label, got)
			}
		}
	}
	if *update {
		out, _ := json.MarshalIndent(cases, "", "  ")
		if err := os.WriteFile(path, append(out, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Nothing bad got in: the examples are exactly the ones added.
	var page struct {
		Total int `json:"total"`
	}
	s.json("GET", "/v1/repositories/"+repo.UUID+"/examples", adminSecret, nil, &page)
	if page.Total != len(storeExamples) {
		t.Fatalf("after bad requests: %d examples, want %d", page.Total, len(storeExamples))
	}
}

func normalise(t *testing.T, raw json.RawMessage, uuid string) json.RawMessage {
	if len(raw) == 0 {
		return nil
	}
	return json.RawMessage(strings.ReplaceAll(string(raw), uuid, "{uuid}"))
}

func sameJSON(t *testing.T, a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("decoding %s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

func TestBuiltinDetectors(t *testing.T) {
	s := startServer(t, t.TempDir())
	var repo repoResp
	s.json("POST", "/v1/repositories", adminSecret, map[string]any{"name": "Loja", "language": "pt_br", "languages": []string{"es"}}, &repo)
	s.json("POST", "/v1/repositories/"+repo.UUID+"/examples", adminSecret, storeExamples, nil)
	var tok struct {
		Secret string `json:"secret"`
	}
	s.json("POST", "/v1/repositories/"+repo.UUID+"/tokens", adminSecret, map[string]string{"role": "user"}, &tok)
	if j := s.trainAndWait(repo.UUID); j.Status != "succeeded" {
		t.Fatalf("training: %+v", j)
	}
	parse := func(text string) bothubResp {
		t.Helper()
		var p bothubResp
		if st := s.json("POST", "/v2/parse/", tok.Secret, map[string]string{"text": text, "language": "pt_br"}, &p); st != http.StatusOK {
			t.Fatalf("parse %q: %d", text, st)
		}
		checkRanking(t, p)
		return p
	}
	// Off by default: the repository's own intents only.
	if p := parse("quero falar com um atendente"); p.Intent.Name == "human_handoff" || len(p.IntentRanking) != 4 {
		t.Fatalf("built-ins off: %+v", p.IntentRanking)
	}
	on := true
	if st := s.json("PATCH", "/v1/repositories/"+repo.UUID, adminSecret, map[string]any{"builtin_intents": on}, nil); st != http.StatusOK {
		t.Fatalf("patch: %d", st)
	}
	for _, tc := range []struct{ text, want string }{
		{"quero falar com um atendente", "human_handoff"},
		{"ATENDENTE!!!", "human_handoff"},
		{"vc é robô? quero falar com gente de verdade", "human_handoff"},
		{"me tira dessa lista, não quero mais receber mensagens", "opt_out"},
		{"SAIR", "opt_out"},
		{"quero a segunda via do boleto", "billing"},
		{"quero cancelar meu plano", "cancel"},
	} {
		p := parse(tc.text)
		if p.Intent.Name != tc.want {
			t.Errorf("%q → %s (%.2f), want %s", tc.text, p.Intent.Name, p.Intent.Confidence, tc.want)
		}
		if len(p.IntentRanking) != 6 {
			t.Errorf("%q: ranking has %d intents, want 6", tc.text, len(p.IntentRanking))
		}
	}
	var info struct {
		Intents []string `json:"intents"`
	}
	s.json("GET", "/info/", tok.Secret, nil, &info)
	if strings.Join(info.Intents, ",") != "billing,buy,cancel,human_handoff,opt_out,tracking" {
		t.Errorf("/info/ intents = %q", info.Intents)
	}

	// /v1/detect with a repository token or the admin token; language detected when absent.
	type detectResp struct {
		Detections []struct {
			Name       string  `json:"name"`
			Detected   bool    `json:"detected"`
			Confidence float64 `json:"confidence"`
		} `json:"detections"`
		Language string `json:"language"`
	}
	for _, tc := range []struct {
		token, text, lang string
		wantLang          string
		handoff, optOut   bool
	}{
		{tok.Secret, "quiero hablar con un asesor, por favor", "", "es", true, false},
		{adminSecret, "quero falar com um humano", "pt-BR", "pt_br", true, false},
		{adminSecret, "a atendente da loja foi ótima", "", "pt_br", false, false},
		{tok.Secret, "please stop texting me", "en", "en", false, true},
		{tok.Secret, "no me manden más mensajes", "", "es", false, true},
	} {
		var d detectResp
		if st := s.json("POST", "/v1/detect", tc.token, map[string]string{"text": tc.text, "language": tc.lang}, &d); st != http.StatusOK {
			t.Fatalf("detect %q: %d", tc.text, st)
		}
		if d.Language != tc.wantLang || len(d.Detections) != 2 || d.Detections[0].Name != "human_handoff" || d.Detections[1].Name != "opt_out" {
			t.Fatalf("detect %q = %+v", tc.text, d)
		}
		if d.Detections[0].Detected != tc.handoff || d.Detections[1].Detected != tc.optOut {
			t.Errorf("detect %q = %+v, want handoff %v opt-out %v", tc.text, d.Detections, tc.handoff, tc.optOut)
		}
	}
	var e errResp
	if st := s.json("POST", "/v1/detect", tok.Secret, map[string]any{"text": "oi", "detectors": []string{"nope"}}, &e); st != http.StatusBadRequest || e.Error.Code != "invalid" {
		t.Errorf("unknown detector: %d %+v", st, e)
	}
	if st := s.json("POST", "/v1/detect", "", map[string]any{"text": "oi"}, &e); st != http.StatusUnauthorized {
		t.Errorf("detect without a token: %d", st)
	}
}

// TestOwnIntentTakesPrecedence: a repository that teaches its own
// human_handoff keeps it; the built-in does not appear twice.
func TestOwnIntentTakesPrecedence(t *testing.T) {
	s := startServer(t, t.TempDir())
	var repo repoResp
	s.json("POST", "/v1/repositories", adminSecret, map[string]any{"name": "SAC", "language": "pt_br", "builtin_intents": true}, &repo)
	own := append([]example{}, storeExamples...)
	own = append(own, example{Text: "quero falar com o gerente da minha agência", Intent: "human_handoff"},
		example{Text: "me passa pro gerente", Intent: "human_handoff"}, example{Text: "chama o gerente aí", Intent: "human_handoff"})
	s.json("POST", "/v1/repositories/"+repo.UUID+"/examples", adminSecret, own, nil)
	if j := s.trainAndWait(repo.UUID); j.Status != "succeeded" {
		t.Fatalf("training: %+v", j)
	}
	var p struct {
		Intent        struct{ Name string }   `json:"intent"`
		IntentRanking []struct{ Name string } `json:"intent_ranking"`
	}
	s.json("POST", "/v1/repositories/"+repo.UUID+"/parse", adminSecret, map[string]string{"text": "quero falar com o gerente"}, &p)
	seen := map[string]int{}
	for _, r := range p.IntentRanking {
		seen[r.Name]++
	}
	if p.Intent.Name != "human_handoff" || seen["human_handoff"] != 1 || seen["opt_out"] != 1 || len(p.IntentRanking) != 6 {
		t.Fatalf("parse = %+v", p)
	}
}

// TestOutOfScopeExamples: examples under the reserved intent out_of_scope
// teach "none of these": texts like them come out of scope, the intent is
// never answered nor listed, and in-scope texts keep their intent.
func TestOutOfScopeExamples(t *testing.T) {
	s := startServer(t, t.TempDir())
	var repo repoResp
	s.json("POST", "/v1/repositories", adminSecret, map[string]any{"name": "Loja", "language": "pt_br"}, &repo)
	base := "/v1/repositories/" + repo.UUID
	exs := append([]example{}, storeExamples...)
	for _, txt := range []string{"qual a capital da frança", "quem ganhou o jogo ontem", "me conta uma piada", "vai chover amanhã?",
		"qual a previsão do tempo", "quem é o presidente do brasil", "me recomenda um filme", "quanto é 2 mais 2"} {
		exs = append(exs, example{Text: txt, Intent: "out_of_scope"})
	}
	if st := s.json("POST", base+"/examples", adminSecret, exs, nil); st != http.StatusCreated {
		t.Fatalf("examples: %d", st)
	}
	if j := s.trainAndWait(repo.UUID); j.Status != "succeeded" {
		t.Fatalf("train: %+v", j)
	}
	type native struct {
		Intent struct {
			Name       string  `json:"name"`
			Confidence float64 `json:"confidence"`
		} `json:"intent"`
		OutOfScope    bool `json:"out_of_scope"`
		IntentRanking []struct {
			Name string `json:"name"`
		} `json:"intent_ranking"`
	}
	for _, tc := range []struct {
		text string
		oos  bool
		want string
	}{
		{"qual a capital da itália?", true, ""},
		{"quem ganhou o jogo do flamengo", true, ""},
		{"quero a segunda via do boleto", false, "billing"},
		{"cadê meu pedido?", false, "tracking"},
	} {
		var p native
		if st := s.json("POST", base+"/parse", adminSecret, map[string]string{"text": tc.text}, &p); st != http.StatusOK {
			t.Fatalf("parse %q: %d", tc.text, st)
		}
		if p.OutOfScope != tc.oos || (!tc.oos && p.Intent.Name != tc.want) {
			t.Errorf("%q → %+v, want out of scope %v intent %q", tc.text, p, tc.oos, tc.want)
		}
		for _, r := range p.IntentRanking {
			if r.Name == "out_of_scope" {
				t.Errorf("%q: the reserved intent is in the ranking", tc.text)
			}
		}
	}
	var tok struct {
		Secret string `json:"secret"`
	}
	s.json("POST", base+"/tokens", adminSecret, map[string]string{"role": "user"}, &tok)
	var info struct {
		Intents []string `json:"intents"`
	}
	s.json("GET", "/info/", tok.Secret, nil, &info)
	if strings.Join(info.Intents, ",") != "billing,buy,cancel,tracking" {
		t.Errorf("/info/ intents = %q", info.Intents)
	}
}
