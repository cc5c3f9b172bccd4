package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/content"
	"github.com/weni-ai/sabia/content/contenttest"
	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/repository/sqlite"
)

// createRepository returns a function that creates a repository with its
// default version in s, failing t if it cannot.
func createRepository(t *testing.T, s *sqlite.Store) func(uuid string) {
	return func(uuid string) {
		t.Helper()
		now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		r := repository.Repository{
			UUID: uuid, Name: "Conteúdo " + uuid, Language: nlu.LangPortugueseBR, Languages: []string{nlu.LangPortugueseBR},
			Threshold: repository.DefaultThreshold, LogRetentionDays: repository.DefaultLogRetentionDays,
			CreatedAt: now, UpdatedAt: now,
		}
		v := repository.Version{Name: repository.DefaultVersionName, IsDefault: true, CreatedAt: now}
		if err := s.CreateRepository(context.Background(), &r, &v); err != nil {
			t.Fatalf("CreateRepository(%q): %v", uuid, err)
		}
	}
}

func TestContentConformance(t *testing.T) {
	contenttest.Run(t, func(t *testing.T) (content.Store, func(string)) {
		s := open(t, filepath.Join(t.TempDir(), "sabia.db"))
		return s, createRepository(t, s)
	})
}

// TestContentConformanceOneConnection runs the suite on a pool of one
// connection, as TestConformanceOneConnection does for repository.Store.
func TestContentConformanceOneConnection(t *testing.T) {
	contenttest.Run(t, func(t *testing.T) (content.Store, func(string)) {
		s := open(t, filepath.Join(t.TempDir(), "sabia.db"))
		s.DB().SetMaxOpenConns(1)
		return s, createRepository(t, s)
	})
}

// countRows returns the number of rows of a table.
func countRows(t *testing.T, db *sql.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDeleteRepositoryDeletesContent checks that deleting a repository
// takes its documents and their chunks with it, and only them.
func TestDeleteRepositoryDeletesContent(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "sabia.db"))
	create := createRepository(t, s)
	docs := map[string]int64{}
	for _, repo := range []string{"r1", "r2"} {
		create(repo)
		for i := range 2 {
			d := content.Document{RepositoryUUID: repo, Title: fmt.Sprintf("%s-%d", repo, i), Text: "Olá, mundo.", Chars: 11,
				CreatedAt: time.Now()}
			chunks := []content.Chunk{
				{Ordinal: 0, Start: 0, End: 4, Text: "Olá,", Embedder: "e", Vector: []float32{1, 2}},
				{Ordinal: 1, Start: 5, End: 11, Text: "mundo.", Embedder: "e", Vector: []float32{3, 4}},
			}
			if err := s.CreateDocument(ctx, &d, chunks); err != nil {
				t.Fatal(err)
			}
			docs[repo] = d.ID
		}
	}
	if n := countRows(t, s.DB(), "content_chunks"); n != 8 {
		t.Fatalf("%d chunks, want 8", n)
	}

	if err := s.DeleteRepository(ctx, "r1"); err != nil {
		t.Fatal(err)
	}

	if _, err := s.FindDocument(ctx, "r1", docs["r1"]); sabia.ErrorCode(err) != sabia.ENOTFOUND {
		t.Fatalf("FindDocument after DeleteRepository: %v, want %s", err, sabia.ENOTFOUND)
	}
	if list, total, err := s.ListDocuments(ctx, "r1", 0, 10); err != nil || total != 0 || len(list) != 0 {
		t.Fatalf("ListDocuments(r1) = %d of %d, %v; want none", len(list), total, err)
	}
	// Count the tables themselves: ListChunks joins the documents and would
	// not show orphaned chunks.
	if n := countRows(t, s.DB(), "content_documents"); n != 2 {
		t.Fatalf("%d documents left, want r2's 2", n)
	}
	if n := countRows(t, s.DB(), "content_chunks"); n != 4 {
		t.Fatalf("%d chunks left, want r2's 4", n)
	}
	if cs, err := s.ListChunks(ctx, "r2"); err != nil || len(cs) != 4 {
		t.Fatalf("ListChunks(r2) = %d chunks, %v; want 4", len(cs), err)
	}
	if _, err := s.FindDocument(ctx, "r2", docs["r2"]); err != nil {
		t.Fatalf("r2's document: %v", err)
	}
}

// TestMigrateAddsContent opens a database left at migration 3, with a
// repository in it, and checks that the upgrade adds the content tables
// and keeps the repository usable with them.
func TestMigrateAddsContent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sabia.db")
	db, err := sql.Open("sqlite", path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{`CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL) STRICT`}
	for i, f := range []string{"0001_init.sql", "0002_tests_evaluations_logs.sql", "0003_pattern_entities.sql"} {
		body, err := os.ReadFile(filepath.Join("migrations", f))
		if err != nil {
			t.Fatal(err)
		}
		stmts = append(stmts, string(body), fmt.Sprintf(`INSERT INTO schema_version VALUES (%d, '2025-01-01T00:00:00.000000000Z')`, i+1))
	}
	stmts = append(stmts,
		`INSERT INTO repositories (uuid, name, name_folded, language, languages, threshold, created_at, updated_at)
VALUES ('r1', 'Clínica', 'clinica', 'pt_br', '["pt_br"]', 0.3, '2025-01-01T00:00:00.000000000Z', '2025-01-01T00:00:00.000000000Z')`,
		`INSERT INTO versions (repository_uuid, name, is_default, created_at) VALUES ('r1', 'master', 1, '2025-01-01T00:00:00.000000000Z')`)
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s := open(t, path)
	if v, err := s.SchemaVersion(ctx); err != nil || v != latestSchema {
		t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, latestSchema)
	}
	d := content.Document{RepositoryUUID: "r1", Title: "Horários", Text: "Abrimos às 8h.", Chars: 14, CreatedAt: time.Now()}
	chunks := []content.Chunk{{Ordinal: 0, Start: 0, End: 14, Text: d.Text, Embedder: "e", Vector: []float32{0.5}}}
	if err := s.CreateDocument(ctx, &d, chunks); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindDocument(ctx, "r1", d.ID)
	if err != nil || got.Text != d.Text || got.Chunks != 1 {
		t.Fatalf("FindDocument = %+v, %v; want the document with 1 chunk", got, err)
	}
}
