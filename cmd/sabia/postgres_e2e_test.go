package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// postgresDSN returns the DSN of a fresh, empty database on the server of
// SABIA_TEST_POSTGRES_DSN, dropped when the test ends. Without that
// variable the test is skipped, unless SABIA_REQUIRE_POSTGRES=1 (CI), when
// it fails.
func postgresDSN(t *testing.T) string {
	t.Helper()
	admin := os.Getenv("SABIA_TEST_POSTGRES_DSN")
	if admin == "" {
		if os.Getenv("SABIA_REQUIRE_POSTGRES") == "1" {
			t.Fatal("SABIA_REQUIRE_POSTGRES=1 but SABIA_TEST_POSTGRES_DSN is not set")
		}
		t.Skip("set SABIA_TEST_POSTGRES_DSN (scripts/postgres-test-server.sh prints one) to run the PostgreSQL tests")
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "sabia_e2e_" + hex.EncodeToString(b[:])
	if _, err := db.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer db.Close()
		_, _ = db.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// TestEndToEndPostgres runs the core loop on PostgreSQL: a repository with
// examples, a training job on River's PostgreSQL queue, parsing, a content
// answer, and everything still there after a restart.
func TestEndToEndPostgres(t *testing.T) {
	dsn := postgresDSN(t)
	s := startServerWith(t, serveConfig{DataDir: t.TempDir(), PostgresDSN: dsn})
	var repo repoResp
	if st := s.json("POST", "/v1/repositories", adminSecret, map[string]any{"name": "Loja do Zé", "language": "pt-BR"}, &repo); st != http.StatusCreated {
		t.Fatalf("create repository: %d", st)
	}
	var created struct {
		Count int `json:"count"`
	}
	if st := s.json("POST", "/v1/repositories/"+repo.UUID+"/examples", adminSecret, storeExamples, &created); st != http.StatusCreated || created.Count != len(storeExamples) {
		t.Fatalf("examples: %d %d", st, created.Count)
	}
	if j := s.trainAndWait(repo.UUID); j.Status != "succeeded" {
		t.Fatalf("job %+v", j)
	}
	type parsed struct {
		Intent struct {
			Name       string  `json:"name"`
			Confidence float64 `json:"confidence"`
		} `json:"intent"`
	}
	parse := func(s *server) parsed {
		var p parsed
		if st := s.json("POST", "/v1/repositories/"+repo.UUID+"/parse", adminSecret, map[string]any{"text": "quero a 2ª via do boleto", "language": "pt_br"}, &p); st != http.StatusOK {
			t.Fatalf("parse: %d", st)
		}
		return p
	}
	first := parse(s)
	if first.Intent.Name == "" {
		t.Fatalf("parse: %+v", first)
	}
	doc := map[string]string{"title": "FAQ", "text": "P: Vocês aceitam Pix?\nR: Sim, aceitamos Pix e cartão em até 10 vezes.", "language": "pt_br"}
	if st := s.json("POST", "/v1/repositories/"+repo.UUID+"/documents", adminSecret, doc, nil); st != http.StatusCreated {
		t.Fatalf("document: %d", st)
	}
	var a answerResp
	if st := s.json("POST", "/v1/repositories/"+repo.UUID+"/answer", adminSecret, map[string]string{"question": "aceitam pix?"}, &a); st != http.StatusOK || !a.Answered {
		t.Fatalf("answer: %d %+v", st, a)
	}

	// A second process on the same database sees everything.
	s.stop()
	s2 := startServerWith(t, serveConfig{DataDir: t.TempDir(), PostgresDSN: dsn})
	if again := parse(s2); again.Intent.Name != first.Intent.Name || again.Intent.Confidence != first.Intent.Confidence {
		t.Errorf("after restart: %+v, before %+v", again, first)
	}
	if st := s2.json("POST", "/v1/repositories/"+repo.UUID+"/answer", adminSecret, map[string]string{"question": "aceitam pix?"}, &a); st != http.StatusOK || !a.Answered {
		t.Fatalf("answer after restart: %d %+v", st, a)
	}
}

// TestPostgresServersHearEachOther runs two servers on one database, as a
// deployment behind a load balancer does: what one changes (a new model,
// settings, documents, a revoked token, a default version switch, a deleted
// repository) reaches what the other holds in memory, through PostgreSQL's
// NOTIFY, without restarts.
func TestPostgresServersHearEachOther(t *testing.T) {
	dsn := postgresDSN(t)
	a := startServerWith(t, serveConfig{DataDir: t.TempDir(), PostgresDSN: dsn})
	b := startServerWith(t, serveConfig{DataDir: t.TempDir(), PostgresDSN: dsn})
	var repo repoResp
	if st := a.json("POST", "/v1/repositories", adminSecret, map[string]any{"name": "Loja da Ana", "language": "pt-BR"}, &repo); st != http.StatusCreated {
		t.Fatalf("create repository: %d", st)
	}
	base := "/v1/repositories/" + repo.UUID
	var firstSet []example
	for _, ex := range storeExamples {
		if ex.Intent != "cancel" {
			firstSet = append(firstSet, ex)
		}
	}
	if st := a.json("POST", base+"/examples", adminSecret, firstSet, nil); st != http.StatusCreated {
		t.Fatalf("examples: %d", st)
	}
	if j := a.trainAndWait(repo.UUID); j.Status != "succeeded" {
		t.Fatalf("job %+v", j)
	}
	type parsed struct {
		Intent struct {
			Name string `json:"name"`
		} `json:"intent"`
		Threshold float64 `json:"threshold"`
	}
	parse := func(s *server, text, secret string) (parsed, int) {
		var p parsed
		st := s.json("POST", base+"/parse", secret, map[string]any{"text": text, "language": "pt_br"}, &p)
		return p, st
	}
	// eventually polls until ok holds: the change travels asynchronously.
	eventually := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); !ok(); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("server B never saw: %s", what)
			}
		}
	}
	const cancelText = "quero cancelar o meu plano agora"
	if p, st := parse(b, cancelText, adminSecret); st != http.StatusOK || p.Intent.Name == "cancel" {
		t.Fatalf("B before: %d %+v", st, p) // B now holds the first model
	}

	// A new model trained by A.
	var cancels []example
	for _, ex := range storeExamples {
		if ex.Intent == "cancel" {
			cancels = append(cancels, ex)
		}
	}
	if st := a.json("POST", base+"/examples", adminSecret, cancels, nil); st != http.StatusCreated {
		t.Fatalf("cancel examples: %d", st)
	}
	if j := a.trainAndWait(repo.UUID); j.Status != "succeeded" {
		t.Fatalf("job %+v", j)
	}
	eventually("the new model", func() bool { p, _ := parse(b, cancelText, adminSecret); return p.Intent.Name == "cancel" })

	// Settings changed on A.
	if st := a.json("PATCH", base, adminSecret, map[string]any{"threshold": 0.77}, nil); st != http.StatusOK {
		t.Fatalf("patch: %d", st)
	}
	eventually("the new threshold", func() bool { p, _ := parse(b, cancelText, adminSecret); return p.Threshold == 0.77 })

	// A document added on A, after B built its content index.
	search := func(s *server) int {
		var hits struct {
			Sources []any `json:"sources"`
		}
		if st := s.json("POST", base+"/search", adminSecret, map[string]string{"question": "vocês aceitam pix?", "language": "pt_br"}, &hits); st != http.StatusOK {
			t.Fatalf("search: %d", st)
		}
		return len(hits.Sources)
	}
	if n := search(b); n != 0 {
		t.Fatalf("B found %d passages before any document", n)
	}
	doc := map[string]string{"title": "Pagamentos", "text": "Aceitamos Pix, boleto e cartão de crédito em até 10 vezes sem juros.", "language": "pt_br"}
	if st := a.json("POST", base+"/documents", adminSecret, doc, nil); st != http.StatusCreated {
		t.Fatalf("document: %d", st)
	}
	eventually("the new document", func() bool { return search(b) > 0 })

	// A token revoked on A, after B cached it.
	var tok struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	}
	if st := a.json("POST", base+"/tokens", adminSecret, map[string]string{"name": "fluxo", "role": "user"}, &tok); st != http.StatusCreated {
		t.Fatalf("token: %d", st)
	}
	if _, st := parse(b, "oi", tok.Secret); st != http.StatusOK {
		t.Fatalf("B with the token: %d", st)
	}
	if st := a.json("DELETE", base+"/tokens/"+tok.ID, adminSecret, nil, nil); st != http.StatusNoContent {
		t.Fatalf("revoke: %d", st)
	}
	eventually("the revocation", func() bool { _, st := parse(b, "oi", tok.Secret); return st == http.StatusUnauthorized })

	// A default switch made on A: B's parses without a version follow it.
	var versions []versionResp
	if st := a.json("GET", base+"/versions", adminSecret, nil, &versions); st != http.StatusOK || len(versions) != 1 {
		t.Fatalf("versions: %d %+v", st, versions)
	}
	var clone versionResp
	if st := a.json("POST", base+"/versions", adminSecret, map[string]any{"name": "trocas", "from_version_id": versions[0].ID}, &clone); st != http.StatusCreated {
		t.Fatalf("create version: %d", st)
	}
	exchanges := make([]map[string]any, len(exchangeExamples))
	for i, e := range exchangeExamples {
		exchanges[i] = map[string]any{"text": e.Text, "intent": e.Intent, "version_id": clone.ID}
	}
	if st := a.json("POST", base+"/examples", adminSecret, exchanges, nil); st != http.StatusCreated {
		t.Fatalf("examples of the clone: %d", st)
	}
	if j := a.trainVersion(repo.UUID, clone.ID, "pt_br"); j.Status != "succeeded" {
		t.Fatalf("training the clone: %+v", j)
	}
	if p, st := parse(b, exchangeText, adminSecret); st != http.StatusOK || p.Intent.Name == "troca" {
		t.Fatalf("B before the switch: %d %+v", st, p) // B holds master as the default
	}
	if st := a.json("PATCH", fmt.Sprintf("%s/versions/%d", base, clone.ID), adminSecret, map[string]any{"is_default": true}, nil); st != http.StatusOK {
		t.Fatalf("switch default: %d", st)
	}
	eventually("the new default version", func() bool { p, _ := parse(b, exchangeText, adminSecret); return p.Intent.Name == "troca" })

	// The repository deleted on A.
	if st := a.json("DELETE", base, adminSecret, nil, nil); st != http.StatusNoContent {
		t.Fatalf("delete: %d", st)
	}
	eventually("the deletion", func() bool { _, st := parse(b, cancelText, adminSecret); return st == http.StatusNotFound })
}
