package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestMetrics: /metrics, scraped as Prometheus does, counts what the server
// did: requests by route pattern (never by UUID), classifications, a
// training job, the model in memory, content answers.
func TestMetrics(t *testing.T) {
	s := startServer(t, t.TempDir())
	uuid := s.trainedStore("Padaria")
	base := "/v1/repositories/" + uuid
	for _, text := range []string{"qro a 2ª via do boleto", "cancela meu plano pfv", "cadê meu pedido??"} {
		if st := s.json("POST", base+"/parse", adminSecret, map[string]any{"text": text}, nil); st != http.StatusOK {
			t.Fatalf("parse %q: %d", text, st)
		}
	}
	if st := s.json("POST", base+"/answer", adminSecret, map[string]any{"question": "vocês abrem domingo?"}, nil); st != http.StatusOK {
		t.Fatalf("answer: %d", st)
	}
	s.json("GET", "/v1/nada", adminSecret, nil, nil)

	resp, err := http.Get(s.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	body := string(raw)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`sabia_http_requests_total{code="200",method="POST",route="/v1/repositories/{uuid}/parse"} 3`,
		`sabia_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`sabia_parses_total{language="pt_br",out_of_scope="false"}`,
		`sabia_classify_duration_seconds_count 3`,
		`sabia_jobs_total{outcome="succeeded"} 1`,
		`sabia_job_duration_seconds_count 1`,
		`sabia_models_loaded 1`,
		`sabia_content_answers_total{answered="false",mode="none"} 1`,
		`go_goroutines `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(body, uuid) {
		t.Error("/metrics names a repository UUID: labels must stay bounded")
	}
	if t.Failed() {
		t.Log(body)
	}
}
