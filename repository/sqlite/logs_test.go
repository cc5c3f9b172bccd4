package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/repository/sqlite"
)

// TestMigrateFromSchema1 opens a database left at the first migration, with
// a repository in it, and checks that the upgrade keeps the repository,
// gives it the default log retention and makes the new tables usable.
func TestMigrateFromSchema1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sabia.db")
	init, err := os.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL) STRICT`,
		string(init),
		`INSERT INTO schema_version VALUES (1, '2025-01-01T00:00:00.000000000Z')`,
		`INSERT INTO repositories (uuid, name, name_folded, language, languages, threshold, created_at, updated_at)
VALUES ('r1', 'Clínica', 'clinica', 'pt_br', '["pt_br"]', 0.3, '2025-01-01T00:00:00.000000000Z', '2025-01-01T00:00:00.000000000Z')`,
		`INSERT INTO versions (repository_uuid, name, is_default, created_at) VALUES ('r1', 'master', 1, '2025-01-01T00:00:00.000000000Z')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s := open(t, path)
	v, err := s.SchemaVersion(ctx)
	if err != nil || v != latestSchema {
		t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, latestSchema)
	}
	r, err := s.FindRepository(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "Clínica" || r.LogRetentionDays != repository.DefaultLogRetentionDays {
		t.Fatalf("migrated repository = %+v, want its name and %d days of logs", r, repository.DefaultLogRetentionDays)
	}
	svc := repository.NewService(s, nil)
	ts, err := svc.AddTestSentences(ctx, "r1", []repository.TestSentenceInput{{Text: "quero marcar consulta", Intent: "agendar"}})
	if err != nil || ts[0].ID == 0 {
		t.Fatalf("AddTestSentences after migration = %+v, %v", ts, err)
	}
}

// TestDeleteLogsBeforeInChunks deletes more logs than one chunk holds.
func TestDeleteLogsBeforeInChunks(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "sabia.db"))
	repo, ver := benchRepo(t, s)
	old := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	n := sqlite.LogDeleteChunk + 7
	logs := make([]*repository.Log, 0, n)
	for i := range n + 3 {
		created := old.Add(time.Duration(i) * time.Second)
		if i >= n {
			created = old.AddDate(0, 1, 0) // recent: kept
		}
		logs = append(logs, &repository.Log{RepositoryUUID: repo, VersionID: ver, Language: "pt_br",
			Text: fmt.Sprintf("boleto %d", i), Route: repository.RouteNative, CreatedAt: created})
	}
	if err := s.InsertLogs(ctx, logs); err != nil {
		t.Fatal(err)
	}
	deleted, err := s.DeleteLogsBefore(ctx, repo, old.AddDate(0, 0, 7))
	if err != nil || deleted != int64(n) {
		t.Fatalf("DeleteLogsBefore = %d, %v; want %d", deleted, err, n)
	}
	if _, left, err := s.ListLogs(ctx, repository.LogFilter{RepositoryUUID: repo}); err != nil || left != 3 {
		t.Fatalf("%d logs left, %v; want 3", left, err)
	}
}

func benchRepo(tb testing.TB, s *sqlite.Store) (string, int64) {
	tb.Helper()
	ctx := context.Background()
	r, err := repository.NewService(s, nil).CreateRepository(ctx, repository.RepositoryInput{Name: "Banco", Language: "pt-BR"})
	if err != nil {
		tb.Fatal(err)
	}
	v, err := s.DefaultVersion(ctx, r.UUID)
	if err != nil {
		tb.Fatal(err)
	}
	return r.UUID, v.ID
}

// BenchmarkInsertLogs measures one batch of 500 logs as the server's
// background writer sends it: typical chat texts, a ranking of 10 intents
// and an entity each.
func BenchmarkInsertLogs(b *testing.B) {
	const batch = 500
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "sabia.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	repo, ver := benchRepo(b, s)
	texts := []string{
		"qro a 2a via do boleto q venceu ontem", "não consigo pagar pelo app, dá erro",
		"oi bom dia", "cadê meu pedido?? ja faz 10 dias", "quero falar com um atendente humano",
	}
	ranking := make([]nlu.Scored, 10)
	for i := range ranking {
		ranking[i] = nlu.Scored{Name: fmt.Sprintf("intencao_%d", i), Confidence: 0.1}
	}
	logs := make([]*repository.Log, batch)
	now := time.Now().UTC()
	for i := range logs {
		logs[i] = &repository.Log{
			RepositoryUUID: repo, VersionID: ver, Language: "pt_br", Text: texts[i%len(texts)],
			Intent: "intencao_0", Confidence: 0.82, Ranking: ranking,
			Entities: []nlu.Entity{{Entity: "documento", Value: "boleto", Start: 16, End: 22, Confidence: 0.97, Source: nlu.SourceModel}},
			ModelID:  1, TokenID: "0f8e7c2a-5d1b-4e3f-9a6b-1c2d3e4f5a6b", UserAgent: "weni-flows/2.3",
			Route: repository.RouteV2Parse, DurationUS: 850, CreatedAt: now,
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.InsertLogs(ctx, logs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*batch), "µs/log")
}
