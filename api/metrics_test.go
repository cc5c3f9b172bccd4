package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
)

// TestMetricsLabelsStayBounded: invented HTTP methods and unknown paths do
// not mint series; anyone can send them, before any authentication.
func TestMetricsLabelsStayBounded(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := newMetrics(reg)
	r := chi.NewRouter()
	r.Use(m.instrument)
	r.Get("/healthz", func(http.ResponseWriter, *http.Request) {})
	for i := range 500 {
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(fmt.Sprintf("X%d", i), "/healthz", nil))
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, fmt.Sprintf("/nada/%d", i), nil))
	}
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/healthz", nil))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "sabia_http_requests_total" {
			if n := len(mf.GetMetric()); n > 3 {
				t.Fatalf("%d series after 1,000 requests with invented methods and paths, want at most 3", n)
			}
			return
		}
	}
	t.Fatal("no sabia_http_requests_total")
}
