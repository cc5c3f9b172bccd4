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

// TestOpenAPIMultipartUpload checks that the document upload is described
// as a multipart/form-data body whose "file" is binary.
func TestOpenAPIMultipartUpload(t *testing.T) {
	s := New(Config{AdminToken: "x", Version: "test"}, nil, nil)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/openapi.json", nil))
	var doc struct {
		Paths map[string]map[string]struct {
			RequestBody struct {
				Content map[string]struct {
					Schema struct {
						Ref string `json:"$ref"`
					} `json:"schema"`
				} `json:"content"`
			} `json:"requestBody"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
				Required   []string                   `json:"required"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	op := doc.Paths["/v1/repositories/{uuid}/documents/upload"]["post"]
	mp, ok := op.RequestBody.Content["multipart/form-data"]
	if !ok || len(op.RequestBody.Content) != 1 {
		t.Fatalf("upload request body content types: %v", op.RequestBody.Content)
	}
	schema := doc.Components.Schemas[strings.TrimPrefix(mp.Schema.Ref, "#/components/schemas/")]
	if file := string(schema.Properties["file"]); !strings.Contains(file, `"format":"binary"`) {
		t.Errorf("file part schema = %s", file)
	}
	if strings.Join(schema.Required, ",") != "file" {
		t.Errorf("required = %v, want only file", schema.Required)
	}
	for _, f := range []string{"title", "language", "source"} {
		if _, ok := schema.Properties[f]; !ok {
			t.Errorf("field %q is not documented", f)
		}
	}
}
