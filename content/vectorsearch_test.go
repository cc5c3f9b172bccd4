package content

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// inMemoryOnly hides a store's VectorSearcher, so that the Service ranks by
// the vectors it holds itself.
type inMemoryOnly struct{ Store }

// TestStoreRankedVectorsMatchInMemory: ranking passages by embedding in the
// store (VectorSearcher) retrieves exactly what ranking the Service's own
// copy of the vectors does, on every question of the development set, while
// the index then holds no vectors.
func TestStoreRankedVectorsMatchInMemory(t *testing.T) {
	ctx := context.Background()
	external := newMemStore(repo)
	local := newMemStore(repo)
	se := NewService(external, Config{})
	sl := NewService(inMemoryOnly{local}, Config{})
	files, err := filepath.Glob("../datasets/content/docs/*/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("documents: %v (%d)", err, len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		in := DocumentInput{Title: strings.TrimSuffix(filepath.Base(f), ".txt"), Text: string(b), Language: filepath.Base(filepath.Dir(f))}
		for _, s := range []*Service{se, sl} {
			if _, err := s.AddDocument(ctx, repo, in); err != nil {
				t.Fatal(err)
			}
		}
	}
	qf, err := os.Open("../datasets/content/questions.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer qf.Close()
	sc := bufio.NewScanner(qf)
	n, vectorHits := 0, 0
	for sc.Scan() {
		var q struct {
			Language string `json:"language"`
			Question string `json:"question"`
		}
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			t.Fatal(err)
		}
		query := Query{Question: q.Question, Language: q.Language, TopK: 8}
		got, err := se.Search(ctx, repo, query)
		if err != nil {
			t.Fatal(err)
		}
		want, err := sl.Search(ctx, repo, query)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q:\nstore-ranked %+v\nin memory    %+v", q.Question, got, want)
		}
		for _, h := range got {
			if h.Vector > 0 {
				vectorHits++
			}
		}
		n++
	}
	if n < 100 || vectorHits == 0 {
		t.Fatalf("%d questions, %d hits with a cosine: the comparison tested nothing", n, vectorHits)
	}
	ix, err := se.index(ctx, repo)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ix.passages {
		if p.vector != nil || p.chunk.Vector != nil {
			t.Fatal("the index holds vectors although the store ranks them")
		}
	}
}
