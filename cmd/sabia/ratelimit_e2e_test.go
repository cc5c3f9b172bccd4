package main

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
)

// TestRateLimit: with --rate-limit, a repository token gets its burst and
// then 429 rate_limited with Retry-After, while another token and the admin
// token are unaffected.
func TestRateLimit(t *testing.T) {
	// One request per 100 s: the bucket cannot refill during the test.
	s := startServerWith(t, serveConfig{DataDir: t.TempDir(), RateLimit: 0.01, RateBurst: 2})
	var repo repoResp
	if st := s.json("POST", "/v1/repositories", adminSecret, map[string]any{"name": "Farmácia", "language": "pt-BR"}, &repo); st != http.StatusCreated {
		t.Fatalf("create repository: %d", st)
	}
	base := "/v1/repositories/" + repo.UUID
	token := func(name string) string {
		var tok struct {
			Secret string `json:"secret"`
		}
		if st := s.json("POST", base+"/tokens", adminSecret, map[string]string{"name": name}, &tok); st != http.StatusCreated {
			t.Fatalf("token: %d", st)
		}
		return tok.Secret
	}
	flow, other := token("fluxo"), token("painel")
	for i := range 2 {
		if st := s.json("GET", base, flow, nil, nil); st != http.StatusOK {
			t.Fatalf("request %d within the burst: %d", i, st)
		}
	}
	req, _ := http.NewRequest("GET", s.base+base, nil)
	req.Header.Set("Authorization", "Bearer "+flow)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	retry, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	if resp.StatusCode != http.StatusTooManyRequests || body.Error.Code != "rate_limited" || retry < 1 || retry > 100 {
		t.Fatalf("past the burst: %d %q Retry-After %q", resp.StatusCode, body.Error.Code, resp.Header.Get("Retry-After"))
	}
	if st := s.json("GET", base, other, nil, nil); st != http.StatusOK {
		t.Errorf("another token: %d", st)
	}
	for range 5 {
		if st := s.json("GET", base, adminSecret, nil, nil); st != http.StatusOK {
			t.Fatalf("admin token: %d", st)
		}
	}
}
