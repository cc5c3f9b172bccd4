package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/content"
	"github.com/weni-ai/sabia/content/contenttest"
	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/repository/postgres"
	"github.com/weni-ai/sabia/repository/storetest"
)

// latestSchema is the number of the last migration.
const latestSchema = 6

// The tests run against a real server, named by SABIA_TEST_POSTGRES_DSN
// through a role that may create databases (and the vector extension).
// Every store gets a database of its own, created for it and dropped after
// it, so tests run in parallel without sharing anything.
const (
	envDSN     = "SABIA_TEST_POSTGRES_DSN"
	envRequire = "SABIA_REQUIRE_POSTGRES"
)

// adminDSN returns the DSN of the test server. Without one the test is
// skipped, or fails when SABIA_REQUIRE_POSTGRES=1 (as in CI, so that a
// missing server cannot pass for a green run).
func adminDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(envDSN)
	if dsn != "" {
		return dsn
	}
	const how = envDSN + " is not set: to run the PostgreSQL tests, start a server with " +
		"`bash scripts/postgres-test-server.sh` (as root) and run " +
		envDSN + "=<the DSN it prints last> go test ./repository/postgres/"
	if os.Getenv(envRequire) == "1" {
		t.Fatal(envRequire + "=1 but " + how)
	}
	t.Skip(how)
	return ""
}

// admin is one pool on the server's DSN, shared by the tests to create and
// drop their databases.
var admin struct {
	once sync.Once
	db   *sql.DB
	err  error
}

func adminDB(t testing.TB) *sql.DB {
	t.Helper()
	dsn := adminDSN(t)
	admin.once.Do(func() {
		admin.db, admin.err = sql.Open("pgx", dsn)
		if admin.err == nil {
			admin.err = admin.db.Ping()
		}
	})
	if admin.err != nil {
		t.Fatalf("connecting to %s: %v", envDSN, admin.err)
	}
	return admin.db
}

// withDatabase returns dsn naming database name instead of its own; dsn is
// a URL or a key=value string.
func withDatabase(t testing.TB, dsn, name string) string {
	t.Helper()
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatalf("parsing %s: %v", envDSN, err)
		}
		u.Path = "/" + name
		return u.String()
	}
	return dsn + " dbname=" + name // the last setting wins
}

// newDatabase creates an empty database, dropped when t ends, and returns
// its DSN.
func newDatabase(t testing.TB) string {
	t.Helper()
	dsn, err := createDatabase(t, "")
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}

// createDatabase creates an empty database with options appended to CREATE
// DATABASE, arranges for t to drop it at the end, and returns its DSN.
func createDatabase(t testing.TB, options string) (string, error) {
	t.Helper()
	db := adminDB(t)
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	name := "sabia_test_" + hex.EncodeToString(b)
	if _, err := db.Exec(`CREATE DATABASE ` + name + options); err != nil {
		return "", fmt.Errorf("creating database %s: %w", name, err)
	}
	t.Cleanup(func() {
		// FORCE ends the connections a failed test may have left.
		if _, err := db.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			t.Errorf("dropping database %s: %v", name, err)
		}
	})
	return withDatabase(t, adminDSN(t), name), nil
}

// open opens a store on dsn, closed when t ends (before its database is
// dropped: cleanups run last first).
func open(t testing.TB, dsn string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newStore returns a store on a fresh database.
func newStore(t testing.TB) *postgres.Store {
	t.Helper()
	return open(t, newDatabase(t))
}

func TestConformance(t *testing.T) {
	adminDSN(t)
	storetest.Run(t, func(t *testing.T) repository.Store { return newStore(t) })
}

// TestConformanceOneConnection runs the suite on a pool of one connection:
// no Store method may need a second connection while it holds one.
func TestConformanceOneConnection(t *testing.T) {
	adminDSN(t)
	storetest.Run(t, func(t *testing.T) repository.Store {
		s := newStore(t)
		s.DB().SetMaxOpenConns(1)
		return s
	})
}

// createRepository returns a function that creates a repository with its
// default version in s, failing t if it cannot.
func createRepository(t testing.TB, s *postgres.Store) func(uuid string) {
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
	adminDSN(t)
	contenttest.Run(t, func(t *testing.T) (content.Store, func(string)) {
		s := newStore(t)
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

// migrationsApplied returns the versions recorded in schema_migrations
// with the time each was applied.
func migrationsApplied(t *testing.T, db *sql.DB) map[int]time.Time {
	t.Helper()
	rows, err := db.Query(`SELECT version, applied_at FROM schema_migrations`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int]time.Time{}
	for rows.Next() {
		var v int
		var at time.Time
		if err := rows.Scan(&v, &at); err != nil {
			t.Fatal(err)
		}
		out[v] = at
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestOpenTwice opens a database twice: the second Open applies nothing and
// keeps the data.
func TestOpenTwice(t *testing.T) {
	ctx := context.Background()
	dsn := newDatabase(t)
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	first := migrationsApplied(t, s.DB())
	if len(first) != latestSchema {
		t.Fatalf("%d migrations recorded, want %d: %v", len(first), latestSchema, first)
	}
	svc := repository.NewService(s, nil)
	r, err := svc.CreateRepository(ctx, repository.RepositoryInput{Name: "Banco", Language: "pt-BR"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := open(t, dsn)
	if v, err := s2.SchemaVersion(ctx); err != nil || v != latestSchema {
		t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, latestSchema)
	}
	second := migrationsApplied(t, s2.DB())
	if len(second) != len(first) {
		t.Fatalf("migrations after reopening = %v, want %v", second, first)
	}
	for v, at := range first {
		if !second[v].Equal(at) {
			t.Fatalf("migration %d applied again at %v (first at %v)", v, second[v], at)
		}
	}
	if _, err := s2.FindRepository(ctx, r.UUID); err != nil {
		t.Fatalf("repository lost on reopening: %v", err)
	}
}

// TestOpenConcurrently opens a fresh database from several goroutines at
// once, as processes starting together would: the advisory lock makes them
// apply each migration once between them.
func TestOpenConcurrently(t *testing.T) {
	dsn := newDatabase(t)
	const n = 4
	stores := make([]*postgres.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = postgres.Open(context.Background(), dsn) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	if got := migrationsApplied(t, stores[0].DB()); len(got) != latestSchema {
		t.Fatalf("%d migrations recorded, want %d", len(got), latestSchema)
	}
}

func TestOpenBadDSN(t *testing.T) {
	dsn := withDatabase(t, adminDSN(t), "sabia_test_missing_database")
	if s, err := postgres.Open(context.Background(), dsn); err == nil {
		s.Close()
		t.Fatal("Open of a missing database succeeded, want an error")
	}
}

// TestDeleteRepositoryDeletesContent checks that deleting a repository
// takes its documents and their chunks with it, and only them.
func TestDeleteRepositoryDeletesContent(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	create := createRepository(t, s)
	docs := map[string]int64{}
	for _, repo := range []string{"r1", "r2"} {
		create(repo)
		for i := range 2 {
			d := content.Document{RepositoryUUID: repo, Title: fmt.Sprintf("%s-%d", repo, i), Text: "Olá, mundo.", Chars: 11,
				CreatedAt: time.Now()}
			chunks := []content.Chunk{
				{Ordinal: 0, Start: 0, End: 4, Text: "Olá,", Embedder: "e", Vector: []float32{1, 2}},
				{Ordinal: 1, Start: 5, End: 11, Text: "mundo.", Embedder: "e", Vector: []float32{3, 4, 5}},
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

// TestVectorColumn checks how chunks are stored: pgvector vectors of any
// length in one column, NULL for none.
func TestVectorColumn(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	createRepository(t, s)("r1")
	d := content.Document{RepositoryUUID: "r1", Title: "t", Text: "um dois três", Chars: 12, CreatedAt: time.Now()}
	chunks := []content.Chunk{
		{Ordinal: 0, Start: 0, End: 2, Text: "um", Embedder: "a", Vector: []float32{0.5, -1}},
		{Ordinal: 1, Start: 3, End: 7, Text: "dois", Embedder: "b", Vector: []float32{1, 2, 3, 4}},
		{Ordinal: 2, Start: 8, End: 12, Text: "três", Embedder: "c", Vector: []float32{}},
		{Ordinal: 3, Start: 8, End: 12, Text: "três"},
	}
	if err := s.CreateDocument(ctx, &d, chunks); err != nil {
		t.Fatal(err)
	}
	rows, err := s.DB().Query(`SELECT pg_typeof(vector)::text, vector_dims(vector), vector IS NULL
FROM content_chunks ORDER BY ordinal`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var typ string
		var dims sql.NullInt64
		var null bool
		if err := rows.Scan(&typ, &dims, &null); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %d %v", typ, dims.Int64, null))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{"vector 2 false", "vector 4 false", "vector 0 true", "vector 0 true"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("stored vectors = %v, want %v", got, want)
	}
}

// TestTextOrderIsCodePoints runs on a database whose collation is a
// natural-language one (ICU's en-US, where case and accents hardly count)
// and checks that listings sorted by text still come in SQLite's order, by
// code point. It is skipped when the server cannot create such a database.
func TestTextOrderIsCodePoints(t *testing.T) {
	ctx := context.Background()
	dsn, err := createDatabase(t, ` TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`)
	if err != nil {
		t.Skipf("no database with an ICU collation: %v", err)
	}
	s := open(t, dsn)
	var natural bool
	if err := s.DB().QueryRow(`SELECT 'a' < 'B'`).Scan(&natural); err != nil {
		t.Fatal(err)
	}
	if !natural {
		t.Fatal("the database sorts 'B' before 'a': its collation is not en-US")
	}

	createRepository(t, s)("r1")
	v, err := s.DefaultVersion(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	labels := []string{"b", "B", "_b", "á", "a", "Z"} // code-point order: B Z _b a b á
	var batch []*repository.Example
	for i, l := range labels {
		batch = append(batch, &repository.Example{RepositoryUUID: "r1", VersionID: v.ID, Language: "pt_br",
			Text: fmt.Sprintf("frase %d", i), Intent: l, Entities: []nlu.Span{{Start: 0, End: 5, Entity: l, Group: l}},
			CreatedAt: time.Now(), UpdatedAt: time.Now()})
	}
	if err := s.CreateExamples(ctx, batch); err != nil {
		t.Fatal(err)
	}
	want := "[B Z _b a b á]"
	intents, err := s.ListIntents(ctx, v.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, in := range intents {
		names = append(names, in.Name)
	}
	if fmt.Sprint(names) != want {
		t.Fatalf("intents = %v, want %s", names, want)
	}
	entities, err := s.ListEntities(ctx, v.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	names = nil
	for _, e := range entities {
		names = append(names, e.Entity)
	}
	if fmt.Sprint(names) != want {
		t.Fatalf("entities = %v, want %s", names, want)
	}

	for i, id := range labels { // one time for all: the UUID breaks the tie
		r := repository.Repository{UUID: "u" + id, Name: fmt.Sprint(i), Language: "pt_br", Languages: []string{"pt_br"},
			CreatedAt: time.Unix(0, 0), UpdatedAt: time.Unix(0, 0)}
		if err := s.CreateRepository(ctx, &r, &repository.Version{Name: "master", IsDefault: true, CreatedAt: r.CreatedAt}); err != nil {
			t.Fatal(err)
		}
	}
	repos, _, err := s.ListRepositories(ctx, repository.RepositoryFilter{Offset: 1}) // r1 is newest
	if err != nil {
		t.Fatal(err)
	}
	names = nil
	for _, r := range repos {
		names = append(names, strings.TrimPrefix(r.UUID, "u"))
	}
	if fmt.Sprint(names) != want {
		t.Fatalf("repositories = %v, want %s", names, want)
	}
}
