package main

import (
	"net/http"
	"testing"
	"time"
)

// TestBatchParse: a batch answers each text as the single parse does, in
// order, writes no interaction log, and refuses empty, oversized and bad
// batches naming the bad text.
func TestBatchParse(t *testing.T) {
	s := startServer(t, t.TempDir())
	base := "/v1/repositories/" + s.trainedStore("Telefonia")
	type answer struct {
		Intent struct {
			Name       string  `json:"name"`
			Confidence float64 `json:"confidence"`
		} `json:"intent"`
		Text string `json:"text"`
	}
	texts := []string{"qro cancelar minha linha", "cadê a encomenda??", "manda o boleto pfv", "quero o Cartão Gold"}
	// written waits until the interaction logs written reach n and returns
	// how many there are (the writer flushes in batches, in order).
	written := func(n int64) int64 {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			var health struct {
				Counters map[string]int64 `json:"counters"`
			}
			s.json("GET", "/healthz", "", nil, &health)
			if got := health.Counters["logs_written"]; got >= n || time.Now().After(deadline) {
				return got
			}
		}
	}
	singles := make([]answer, len(texts))
	for i, text := range texts {
		if st := s.json("POST", base+"/parse", adminSecret, map[string]any{"text": text}, &singles[i]); st != http.StatusOK {
			t.Fatalf("parse %q: %d", text, st)
		}
	}
	written(int64(len(texts)))
	var batch struct {
		Results []answer `json:"results"`
	}
	if st := s.json("POST", base+"/parse/batch", adminSecret, map[string]any{"texts": texts}, &batch); st != http.StatusOK || len(batch.Results) != len(texts) {
		t.Fatalf("batch: %d, %d results", st, len(batch.Results))
	}
	for i := range texts {
		if got := batch.Results[i]; got != singles[i] {
			t.Errorf("result %d = %+v, single parse %+v", i, got, singles[i])
		}
	}
	if batch.Results[0].Intent.Name != "cancel" || batch.Results[1].Intent.Name != "tracking" {
		t.Errorf("results %+v", batch.Results)
	}
	// One more single parse after the batch: once it is written, any log of
	// the batch would have been written before it.
	s.json("POST", base+"/parse", adminSecret, map[string]any{"text": "oi"}, nil)
	if n := written(int64(len(texts)) + 1); n != int64(len(texts))+1 {
		t.Errorf("%d interaction logs written, want %d: the batch must write none", n, len(texts)+1)
	}

	var e errResp
	if st := s.json("POST", base+"/parse/batch", adminSecret, map[string]any{"texts": []string{}}, &e); st != http.StatusBadRequest || e.Error.Code != "invalid" {
		t.Errorf("empty batch: %d %+v", st, e)
	}
	if st := s.json("POST", base+"/parse/batch", adminSecret, map[string]any{"texts": make([]string, 1001)}, &e); st != http.StatusRequestEntityTooLarge || e.Error.Code != "too_large" {
		t.Errorf("1001 texts: %d %+v", st, e)
	}
	if st := s.json("POST", base+"/parse/batch", adminSecret, map[string]any{"texts": []string{"oi", "   "}}, &e); st != http.StatusBadRequest || e.Error.Message[:6] != "text 1" {
		t.Errorf("a blank text: %d %+v", st, e)
	}
}
