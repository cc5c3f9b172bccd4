package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"slices"
	"testing"
	"time"
)

// BenchmarkParseLogging measures the latency of POST /v2/parse/ on a real
// server on loopback at a steady 1,000 requests per second, with interaction
// logging on and off. Each iteration is one request; run it with a fixed
// count so both sides send the same load, for example
//
//	go test -run '^$' -bench BenchmarkParseLogging -benchtime 5000x ./cmd/sabia/
//
// It reports the median and 99th percentile latency seen by the client.
func BenchmarkParseLogging(b *testing.B) {
	for _, mode := range []struct {
		name string
		off  bool
	}{{"logging=on", false}, {"logging=off", true}} {
		b.Run(mode.name, func(b *testing.B) {
			t := &testing.T{}
			dir := b.TempDir()
			ctx, cancel := context.WithCancel(context.Background())
			ready := make(chan string, 1)
			done := make(chan error, 1)
			go func() {
				done <- serve(ctx, serveConfig{Addr: "127.0.0.1:0", DataDir: dir, AdminToken: adminSecret, CacheBytes: 1 << 28,
					NoInteractionLogs: mode.off, logger: slog.New(slog.DiscardHandler)}, ready)
			}()
			addr := <-ready
			defer func() { cancel(); <-done }()
			s := &server{t: t, base: "http://" + addr}
			var repo repoResp
			s.json("POST", "/v1/repositories", adminSecret, map[string]any{"name": "bench", "language": "pt_br"}, &repo)
			s.json("POST", "/v1/repositories/"+repo.UUID+"/examples", adminSecret, storeExamples, nil)
			var tok struct {
				Secret string `json:"secret"`
			}
			s.json("POST", "/v1/repositories/"+repo.UUID+"/tokens", adminSecret, map[string]string{"role": "user"}, &tok)
			if j := s.trainAndWait(repo.UUID); j.Status != "succeeded" {
				b.Fatalf("training: %+v", j)
			}
			texts := [][]byte{[]byte(`{"text":"quero a segunda via do boleto"}`), []byte(`{"text":"cadê meu pedido?"}`), []byte(`{"text":"quero comprar o Cartão Gold"}`)}
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			send := func(body []byte) time.Duration {
				req, _ := http.NewRequest("POST", s.base+"/v2/parse/", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+tok.Secret)
				req.Header.Set("Content-Type", "application/json")
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				var buf [4096]byte
				for {
					if _, err := resp.Body.Read(buf[:]); err != nil {
						break
					}
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
				}
				return time.Since(t0)
			}
			for i := 0; i < 200; i++ { // warm up connections and caches
				send(texts[i%len(texts)])
			}
			lat := make([]time.Duration, b.N)
			results := make(chan struct{}, 256)
			tick := time.NewTicker(time.Millisecond) // 1,000 requests per second
			defer tick.Stop()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				<-tick.C
				go func(i int) {
					lat[i] = send(texts[i%len(texts)])
					results <- struct{}{}
				}(i)
			}
			for i := 0; i < b.N; i++ {
				<-results
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}
