package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// waitJob polls a job until it ends.
func (s *server) waitJob(id string) jobResp {
	s.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var j jobResp
		if st := s.json("GET", "/v1/jobs/"+id, adminSecret, nil, &j); st != http.StatusOK {
			s.t.Fatalf("job %s: status %d", id, st)
		}
		if j.Status == "succeeded" || j.Status == "failed" {
			return j
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("job %s still %s", id, j.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type evalSummary struct {
	ID      int64  `json:"id"`
	Mode    string `json:"mode"`
	Folds   int    `json:"folds"`
	ModelID int64  `json:"model_id"`
	Summary struct {
		N          int     `json:"n"`
		Accuracy   float64 `json:"accuracy"`
		MacroF1    float64 `json:"macro_f1"`
		WeightedF1 float64 `json:"weighted_f1"`
	} `json:"summary"`
	Report struct {
		PerIntent map[string]struct {
			Precision, Recall, F1 float64
			Support               int
		} `json:"per_intent"`
		Confusion map[string]map[string]int `json:"confusion"`
	} `json:"report"`
}

func TestEvaluationQualityAndLogs(t *testing.T) {
	s := startServer(t, t.TempDir())
	var repo repoResp
	s.json("POST", "/v1/repositories", adminSecret, map[string]any{"name": "Avaliação", "language": "pt_br"}, &repo)
	base := "/v1/repositories/" + repo.UUID

	// Status on crafted data: one intent with a single example blocks
	// training; the same sentence under two intents is a warning.
	crafted := []example{
		{Text: "quero a segunda via do boleto", Intent: "billing"},
		{Text: "me manda o boleto", Intent: "billing"},
		{Text: "oi", Intent: "greet"},
		{Text: "Me manda o boleto!", Intent: "cancel"},
		{Text: "quero cancelar", Intent: "cancel"},
	}
	s.json("POST", base+"/examples", adminSecret, crafted, nil)
	type issue struct {
		Code    string   `json:"code"`
		Message string   `json:"message"`
		Intents []string `json:"intents"`
	}
	var st struct {
		Language     string  `json:"language"`
		Ready        bool    `json:"ready"`
		Requirements []issue `json:"requirements"`
		Warnings     []issue `json:"warnings"`
		Quality      struct {
			Score      float64 `json:"score"`
			Components []struct {
				Name       string  `json:"name"`
				Score      float64 `json:"score"`
				Suggestion string  `json:"suggestion"`
			} `json:"components"`
		} `json:"quality"`
	}
	if code := s.json("GET", base+"/languages/pt-BR/status", adminSecret, nil, &st); code != http.StatusOK {
		t.Fatalf("status: %d", code)
	}
	codes := func(is []issue) string {
		var c []string
		for _, i := range is {
			c = append(c, i.Code)
		}
		return strings.Join(c, ",")
	}
	if st.Ready || !strings.Contains(codes(st.Requirements), "intent_too_few_examples") || !strings.Contains(codes(st.Warnings), "duplicate_across_intents") {
		t.Fatalf("status = ready %v, requirements %s, warnings %s", st.Ready, codes(st.Requirements), codes(st.Warnings))
	}
	if st.Quality.Score < 0 || st.Quality.Score > 100 || len(st.Quality.Components) == 0 {
		t.Fatalf("quality = %+v", st.Quality)
	}
	var e errResp
	if code := s.json("POST", base+"/train", adminSecret, map[string]any{}, &e); code != http.StatusUnprocessableEntity || !strings.Contains(e.Error.Message, "greet") {
		t.Fatalf("training blocked data: %d %+v", code, e)
	}

	// Fix the data: a real store bot, and test sentences.
	var page struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	s.json("GET", base+"/examples?limit=100", adminSecret, nil, &page)
	for _, it := range page.Items {
		s.json("DELETE", fmt.Sprintf("%s/examples/%d", base, it.ID), adminSecret, nil, nil)
	}
	s.json("POST", base+"/examples", adminSecret, storeExamples, nil)
	if j := s.trainAndWait(repo.UUID); j.Status != "succeeded" {
		t.Fatalf("train: %+v", j)
	}
	tests := []example{
		{Text: "manda a segunda via da fatura", Intent: "billing"},
		{Text: "boleto atrasado, como pago?", Intent: "billing"},
		{Text: "quero cancelar a assinatura", Intent: "cancel"},
		{Text: "cancelamento do plano pfv", Intent: "cancel"},
		{Text: "cadê minha encomenda?", Intent: "tracking"},
		{Text: "rastrear pedido", Intent: "tracking"},
		{Text: "quero comprar o plano Turbo", Intent: "buy", Entities: []span{{Start: 16, End: 27, Entity: "product"}}},
		{Text: "qual o preço do boleto do plano Família", Intent: "buy"},
	}
	var created struct {
		Count int `json:"count"`
	}
	if code := s.json("POST", base+"/test-sentences", adminSecret, tests, &created); code != http.StatusCreated || created.Count != len(tests) {
		t.Fatalf("test sentences: %d %d", code, created.Count)
	}
	if code := s.json("POST", base+"/test-sentences", adminSecret, tests[0], &e); code != http.StatusConflict {
		t.Fatalf("duplicate test sentence: %d", code)
	}

	// Both evaluation modes run as jobs and are stored.
	ids := map[string]int64{}
	for _, mode := range []string{"test_set", "cross_validation"} {
		var j jobResp
		if code := s.json("POST", base+"/evaluate", adminSecret, map[string]any{"language": "pt_br", "mode": mode, "folds": 3}, &j); code != http.StatusAccepted {
			t.Fatalf("evaluate %s: %d", mode, code)
		}
		if j = s.waitJob(j.ID); j.Status != "succeeded" {
			t.Fatalf("evaluate %s: %+v", mode, j)
		}
	}
	var list struct {
		Items []evalSummary `json:"items"`
		Total int           `json:"total"`
	}
	s.json("GET", base+"/evaluations", adminSecret, nil, &list)
	if list.Total != 2 {
		t.Fatalf("%d evaluations stored", list.Total)
	}
	for _, ev := range list.Items {
		ids[ev.Mode] = ev.ID
		var d evalSummary
		if code := s.json("GET", fmt.Sprintf("%s/evaluations/%d", base, ev.ID), adminSecret, nil, &d); code != http.StatusOK {
			t.Fatalf("evaluation %d: %d", ev.ID, code)
		}
		wantN := len(tests)
		if d.Mode == "cross_validation" {
			wantN = len(storeExamples)
			if d.Folds != 3 || d.ModelID != 0 {
				t.Errorf("cross-validation folds %d model %d", d.Folds, d.ModelID)
			}
		} else if d.ModelID == 0 {
			t.Error("test-set evaluation names no model")
		}
		if d.Summary.N != wantN || d.Summary.Accuracy <= 0.5 || d.Summary.Accuracy > 1 || len(d.Report.PerIntent) != 4 || len(d.Report.Confusion) == 0 {
			t.Errorf("%s evaluation = %+v", d.Mode, d)
		}
		for name, m := range d.Report.PerIntent {
			if m.Support == 0 || m.F1 < 0 || m.F1 > 1 {
				t.Errorf("%s: intent %s metrics %+v", d.Mode, name, m)
			}
		}
	}
	var results struct {
		Items []struct {
			Text      string  `json:"text"`
			Expected  string  `json:"expected"`
			Predicted string  `json:"predicted"`
			Success   bool    `json:"success"`
			Conf      float64 `json:"confidence"`
		} `json:"items"`
		Total int `json:"total"`
	}
	s.json("GET", fmt.Sprintf("%s/evaluations/%d/results?limit=3", base, ids["test_set"]), adminSecret, nil, &results)
	if results.Total != len(tests) || len(results.Items) != 3 || results.Items[0].Text != tests[0].Text {
		t.Fatalf("results page = %+v", results)
	}
	s.json("GET", fmt.Sprintf("%s/evaluations/%d/results?status=error", base, ids["test_set"]), adminSecret, nil, &results)
	for _, r := range results.Items {
		if r.Success || r.Expected == r.Predicted {
			t.Errorf("status=error returned %+v", r)
		}
	}

	// Pictures: valid SVG documents.
	for _, pic := range []string{"confusion.svg", "confidence.svg"} {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s%s/evaluations/%d/%s", s.base, base, ids["test_set"], pic), nil)
		req.Header.Set("Authorization", "Bearer "+adminSecret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/svg+xml" {
			t.Fatalf("%s: %d %s", pic, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		dec := xml.NewDecoder(strings.NewReader(string(body)))
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s is not well-formed: %v", pic, err)
			}
		}
		if !strings.HasPrefix(string(body), "<svg ") {
			t.Fatalf("%s does not start with <svg", pic)
		}
	}

	// Compare: before/after a data change.
	var cmp struct {
		Fixed  []any `json:"fixed"`
		Broken []any `json:"broken"`
	}
	if code := s.json("GET", fmt.Sprintf("%s/evaluations/compare?before=%d&after=%d", base, ids["test_set"], ids["test_set"]), adminSecret, nil, &cmp); code != http.StatusOK || len(cmp.Fixed) != 0 || len(cmp.Broken) != 0 {
		t.Fatalf("compare with itself: %d %+v", code, cmp)
	}

	// debug_parse: exact word contributions; "boleto" carries billing.
	var dbg struct {
		Intent struct {
			Name string `json:"name"`
		} `json:"intent"`
		Words map[string][]struct {
			Intent    string  `json:"intent"`
			Relevance float64 `json:"relevance"`
		} `json:"words"`
		Tokens []struct {
			Word      string `json:"word"`
			Start     int    `json:"start"`
			End       int    `json:"end"`
			Relevance []struct {
				Intent    string  `json:"intent"`
				Relevance float64 `json:"relevance"`
			} `json:"relevance"`
		} `json:"tokens"`
		Bias    map[string]float64 `json:"bias"`
		Margins map[string]float64 `json:"margins"`
		Text    string             `json:"text"`
	}
	if code := s.json("POST", base+"/debug_parse", adminSecret, map[string]any{"text": "quero a segunda via do boleto", "top": 3}, &dbg); code != http.StatusOK {
		t.Fatalf("debug_parse: %d", code)
	}
	if dbg.Intent.Name != "billing" || len(dbg.Tokens) != 6 || dbg.Tokens[5].Word != "boleto" || dbg.Tokens[5].Start != 23 || len(dbg.Words["boleto"]) != 3 {
		t.Fatalf("debug_parse = %+v", dbg)
	}
	best, bestRel := "", -1e9
	sum := dbg.Bias["billing"]
	for _, tk := range dbg.Tokens {
		for _, r := range tk.Relevance {
			if r.Intent == "billing" {
				sum += r.Relevance
				if r.Relevance > bestRel {
					best, bestRel = tk.Word, r.Relevance
				}
			}
		}
	}
	if best != "boleto" && best != "via" && best != "segunda" {
		t.Errorf("most relevant word for billing is %q", best)
	}
	if d := sum - dbg.Margins["billing"]; d > 1e-3 || d < -1e-3 {
		t.Errorf("bias + relevances = %v, margin %v", sum, dbg.Margins["billing"])
	}
	var wd struct {
		Language string                        `json:"language"`
		Words    map[string]map[string]float64 `json:"words"`
	}
	if code := s.json("POST", base+"/words_distribution", adminSecret, map[string]any{"language": "pt"}, &wd); code != http.StatusOK {
		t.Fatalf("words_distribution: %d", code)
	}
	if wd.Language != "pt_br" || wd.Words["billing"]["boleto"] != 1 || wd.Words["cancel"]["cancelar"] <= 0 {
		t.Fatalf("words_distribution = %v", wd)
	}
	var shareSum float64
	for _, words := range wd.Words {
		shareSum += words["quero"]
	}
	if shareSum < 0.999 || shareSum > 1.001 {
		t.Errorf("shares of \"quero\" sum to %v", shareSum)
	}

	// Logs: every parse is logged, asynchronously; one can become an example.
	var tok struct {
		Secret string `json:"secret"`
	}
	s.json("POST", base+"/tokens", adminSecret, map[string]string{"role": "user"}, &tok)
	texts := []string{"meu boleto sumiu", "quero cancelar tudo", "oi tudo bem"}
	for _, txt := range texts {
		s.json("POST", "/v2/parse/", tok.Secret, map[string]string{"text": txt}, nil)
	}
	s.do("POST", "/parse", tok.Secret, "application/x-www-form-urlencoded", []byte("text=rastreio+do+pedido&language=pt"), nil)
	type logResp struct {
		ID         int64   `json:"id"`
		Text       string  `json:"text"`
		Intent     string  `json:"intent"`
		Confidence float64 `json:"confidence"`
		Route      string  `json:"route"`
		TokenID    string  `json:"token_id"`
	}
	var logs struct {
		Items []logResp `json:"items"`
		Total int       `json:"total"`
	}
	deadline := time.Now().Add(10 * time.Second)
	for logs.Total < 4 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		s.json("GET", base+"/logs", adminSecret, nil, &logs)
	}
	if logs.Total != 4 || logs.Items[0].Text != "rastreio do pedido" || logs.Items[0].Route != "parse" || logs.Items[0].TokenID == "" {
		t.Fatalf("logs = %+v", logs)
	}
	s.json("GET", base+"/logs?q=BOLETO", adminSecret, nil, &logs)
	if logs.Total != 1 || logs.Items[0].Text != "meu boleto sumiu" {
		t.Fatalf("logs q=BOLETO = %+v", logs)
	}
	if code := s.json("GET", base+"/logs?min_confidence=abc", adminSecret, nil, &e); code != http.StatusBadRequest {
		t.Fatalf("bad min_confidence: %d", code)
	}
	var ex struct {
		Text   string `json:"text"`
		Intent string `json:"intent"`
	}
	if code := s.json("POST", fmt.Sprintf("%s/logs/%d/example", base, logs.Items[0].ID), adminSecret, map[string]string{"intent": "billing"}, &ex); code != http.StatusCreated || ex.Text != "meu boleto sumiu" || ex.Intent != "billing" {
		t.Fatalf("log to example: %d %+v", code, ex)
	}
	if code := s.json("POST", fmt.Sprintf("%s/logs/%d/test-sentence", base, logs.Items[0].ID), adminSecret, map[string]string{}, &ex); code != http.StatusCreated || ex.Text != "meu boleto sumiu" {
		t.Fatalf("log to test sentence: %d %+v", code, ex)
	}
	if code := s.json("POST", fmt.Sprintf("%s/logs/%d/example", base, logs.Items[0].ID), adminSecret, map[string]string{"intent": "billing"}, &e); code != http.StatusConflict {
		t.Fatalf("adding the same log twice: %d", code)
	}
	var health struct {
		Counters map[string]int64 `json:"counters"`
	}
	s.json("GET", "/healthz", "", nil, &health)
	if health.Counters["logs_written"] < 4 || health.Counters["logs_dropped"] != 0 {
		t.Fatalf("healthz counters = %+v", health.Counters)
	}
}
