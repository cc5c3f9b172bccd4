package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/weni-ai/sabia/content"
)

// BenchmarkNearestChunks: one query ranking a repository's passages by
// embedding in PostgreSQL (exact cosine over the repository's chunks), for
// 2,000 passages of 512 dimensions (the hashed embedder) and of 1,536 (a
// typical embedding model), beside another repository of the same size.
func BenchmarkNearestChunks(b *testing.B) {
	for _, dims := range []int{512, 1536} {
		b.Run(fmt.Sprintf("dims=%d", dims), func(b *testing.B) {
			s := open(b, newDatabase(b))
			rng := rand.New(rand.NewPCG(1, uint64(dims)))
			vec := func() []float32 {
				v := make([]float32, dims)
				for i := range v {
					v[i] = float32(rng.NormFloat64())
				}
				return v
			}
			ctx := context.Background()
			for _, repo := range []string{"r1", "r2"} {
				createRepository(b, s)(repo)
				for d := 0; d < 20; d++ {
					chunks := make([]content.Chunk, 100)
					for i := range chunks {
						chunks[i] = content.Chunk{Ordinal: i, Start: i, End: i + 1, Text: "x", Embedder: "bench", Vector: vec()}
					}
					doc := content.Document{RepositoryUUID: repo, Title: "doc", Text: "x", Chars: 1, CreatedAt: time.Now()}
					if err := s.CreateDocument(ctx, &doc, chunks); err != nil {
						b.Fatal(err)
					}
				}
			}
			q := vec()
			b.ResetTimer()
			for b.Loop() {
				hits, err := s.NearestChunks(ctx, "r1", "bench", q, 50)
				if err != nil || len(hits) != 50 {
					b.Fatalf("%d hits, %v", len(hits), err)
				}
			}
		})
	}
}
