package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
)

// TestOpenAPIListsEveryRoute walks the chi router and checks that every
// route it serves is in /openapi.json with its method, and nothing else is.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	s := New(Config{AdminToken: "x", Version: "test"}, nil, nil)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/openapi.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi = %q", doc.OpenAPI)
	}
	served := map[string]bool{}
	err := chi.Walk(s.router.(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		route = strings.TrimSuffix(route, "/*")
		served[method+" "+route] = true
		if _, ok := doc.Paths[route][strings.ToLower(method)]; !ok {
			t.Errorf("%s %s is served but not documented", method, route)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	documented := 0
	for p, ops := range doc.Paths {
		for m := range ops {
			documented++
			if !served[strings.ToUpper(m)+" "+p] {
				t.Errorf("%s %s is documented but not served", m, p)
			}
		}
	}
	for _, must := range []string{"POST /v2/parse/", "POST /parse", "GET /info/", "POST /v1/repositories/{uuid}/train", "GET /v1/jobs/{id}", "GET /healthz", "GET /readyz"} {
		if !served[must] {
			t.Errorf("%s is not served", must)
		}
	}
	if documented < 30 {
		t.Errorf("only %d operations documented", documented)
	}
}
