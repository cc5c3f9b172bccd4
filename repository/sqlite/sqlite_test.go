package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/repository/sqlite"
	"github.com/weni-ai/sabia/repository/storetest"
)

// latestSchema is the number of the last migration.
const latestSchema = 6

func open(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) repository.Store {
		return open(t, filepath.Join(t.TempDir(), "sabia.db"))
	})
}

// TestConformanceOneConnection runs the suite on a pool of one connection,
// as River's SQLite driver recommends for a shared pool: no Store method may
// need a second connection while it holds one.
func TestConformanceOneConnection(t *testing.T) {
	storetest.Run(t, func(t *testing.T) repository.Store {
		s := open(t, filepath.Join(t.TempDir(), "sabia.db"))
		s.DB().SetMaxOpenConns(1)
		return s
	})
}

func TestPragmas(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "sabia.db"))
	for pragma, want := range map[string]string{
		"journal_mode": "wal",
		"busy_timeout": "10000",
		"foreign_keys": "1",
		"synchronous":  "1", // NORMAL
	} {
		var got string
		if err := s.DB().QueryRow("PRAGMA " + pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
}

func TestReopenKeepsDataAndSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sabia.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	svc := repository.NewService(s, nil)
	r, err := svc.CreateRepository(ctx, repository.RepositoryInput{Name: "Banco", Language: "pt-BR"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := open(t, path) // migrations already applied: a no-op
	v, err := s2.SchemaVersion(ctx)
	if err != nil || v != latestSchema {
		t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, latestSchema)
	}
	if _, err := s2.FindRepository(ctx, r.UUID); err != nil {
		t.Fatalf("repository lost on reopen: %v", err)
	}
}

func TestOpenBadPath(t *testing.T) {
	for _, p := range []string{"", "a.db?mode=ro", filepath.Join(t.TempDir(), "missing-dir", "x.db")} {
		if s, err := sqlite.Open(context.Background(), p); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded, want an error", p)
		}
	}
}

// TestKilledProcessLosesNothing runs a child process that adds examples one
// call at a time and prints each acknowledged ID; the parent kills it with
// SIGKILL mid-stream and checks that every acknowledged example is there.
func TestKilledProcessLosesNothing(t *testing.T) {
	if path := os.Getenv("SABIA_SQLITE_CHILD"); path != "" {
		childWriter(path)
		return
	}
	path := filepath.Join(t.TempDir(), "sabia.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledProcessLosesNothing$")
	cmd.Env = append(os.Environ(), "SABIA_SQLITE_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []int64
	sc := bufio.NewScanner(out)
	for sc.Scan() && len(acked) < 40 {
		if id, err := strconv.ParseInt(sc.Text(), 10, 64); err == nil {
			acked = append(acked, id)
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if len(acked) < 40 {
		t.Fatalf("child acknowledged only %d examples", len(acked))
	}

	s := open(t, path)
	for _, id := range acked {
		if _, err := s.FindExample(context.Background(), id); err != nil {
			t.Fatalf("acknowledged example %d lost: %v", id, err)
		}
	}
}

func childWriter(path string) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	svc := repository.NewService(s, nil)
	r, err := svc.CreateRepository(ctx, repository.RepositoryInput{Name: "Loja", Language: "pt_br"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	deadline := time.Now().Add(30 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		ex, err := svc.AddExamples(ctx, r.UUID, []repository.ExampleInput{
			{Text: fmt.Sprintf("qro a 2ª via do boleto %d", i), Intent: "boleto"},
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(ex[0].ID)
	}
	os.Exit(0)
}
