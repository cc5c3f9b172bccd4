package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"testing"

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
