package main

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

// TestLogClustersEndToEnd: parses the bot cannot answer, in two themes,
// come back from /logs/clusters as two clusters of the right sizes; what it
// answered confidently does not.
func TestLogClustersEndToEnd(t *testing.T) {
	s := startServer(t, t.TempDir())
	base := "/v1/repositories/" + s.trainedStore("Loja")
	var tok struct {
		Secret string `json:"secret"`
	}
	s.json("POST", base+"/tokens", adminSecret, map[string]string{"role": "user"}, &tok)

	pix := []string{"vcs aceitam pix?", "aceita pix", "pix é aceito?", "aceitam pix??"}
	hours := []string{"que horas vcs abrem?", "abrem que horas amanhã", "a loja abre q horas no domingo"}
	known := "quero a segunda via do boleto"
	for _, txt := range append(append(slices.Clone(pix), hours...), known) {
		var p struct {
			OutOfScope bool `json:"out_of_scope"`
		}
		if st := s.json("POST", base+"/parse", tok.Secret, map[string]string{"text": txt}, &p); st != http.StatusOK {
			t.Fatalf("parse %q: %d", txt, st)
		}
		if p.OutOfScope != (txt != known) {
			t.Fatalf("%q: out_of_scope %v; the test needs the themes unknown and the billing text known", txt, p.OutOfScope)
		}
	}
	var logs struct {
		Total int `json:"total"`
	}
	for deadline := time.Now().Add(10 * time.Second); logs.Total < 8 && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		s.json("GET", base+"/logs", tok.Secret, nil, &logs)
	}
	if logs.Total != 8 {
		t.Fatalf("%d logs written, want 8", logs.Total)
	}

	type cluster struct {
		Size     int      `json:"size"`
		Keywords []string `json:"keywords"`
		Examples []struct {
			LogID int64  `json:"log_id"`
			Text  string `json:"text"`
		} `json:"examples"`
		LogIDs        []int64 `json:"log_ids"`
		ClosestIntent *struct {
			Name       string  `json:"name"`
			Similarity float64 `json:"similarity"`
		} `json:"closest_intent"`
	}
	var got struct {
		Clusters       []cluster `json:"clusters"`
		LogsConsidered int       `json:"logs_considered"`
	}
	if st := s.json("GET", base+"/logs/clusters", tok.Secret, nil, &got); st != http.StatusOK {
		t.Fatalf("clusters: %d", st)
	}
	if got.LogsConsidered != 7 || len(got.Clusters) != 2 {
		t.Fatalf("clusters = %+v, want 7 logs in 2 clusters", got)
	}
	for i, want := range [][]string{pix, hours} {
		c := got.Clusters[i]
		var texts []string
		for _, e := range c.Examples {
			texts = append(texts, e.Text)
			if !slices.Contains(c.LogIDs, e.LogID) {
				t.Errorf("example %+v: log not in the cluster's %v", e, c.LogIDs)
			}
		}
		slices.Sort(texts)
		if c.Size != len(want) || len(c.LogIDs) != len(want) || !slices.Equal(texts, slices.Sorted(slices.Values(want))) {
			t.Errorf("cluster %d = %+v, want %q", i, c, want)
		}
	}
	if !slices.Contains(got.Clusters[0].Keywords, "pix") || !slices.Contains(got.Clusters[1].Keywords, "horas") {
		t.Errorf("keywords %q and %q", got.Clusters[0].Keywords, got.Clusters[1].Keywords)
	}

	var e errResp
	for _, q := range []string{"?min_size=-1", "?max_confidence=2", "?language=xx", "?from=ontem"} {
		if st := s.json("GET", base+"/logs/clusters"+q, tok.Secret, nil, &e); st != http.StatusBadRequest || e.Error.Code != "invalid" {
			t.Errorf("%s: %d %+v, want 400 invalid", q, st, e)
		}
	}
	if st := s.json("GET", base+"/logs/clusters?min_size=4", tok.Secret, nil, &got); st != http.StatusOK || len(got.Clusters) != 1 {
		t.Errorf("min_size=4: %d %+v", st, got)
	}
}
