package content

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/weni-ai/sabia"
)

// MemStore is a Store in memory, for `sabia content-eval` and tests. It
// passes the same conformance suite as the database stores. The zero value
// is not ready: use NewMemStore.
type MemStore struct {
	mu     sync.Mutex
	repos  map[string]bool
	docs   []Document // by ID
	chunks []Chunk    // by document ID, then ordinal
	nextID int64
}

var _ Store = (*MemStore)(nil)

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore { return &MemStore{repos: map[string]bool{}} }

// AddRepository makes a repository exist, as creating it in a database does.
func (m *MemStore) AddRepository(uuid string) {
	m.mu.Lock()
	m.repos[uuid] = true
	m.mu.Unlock()
}

// CreateDocument implements Store.
func (m *MemStore) CreateDocument(_ context.Context, d *Document, chunks []Chunk) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.repos[d.RepositoryUUID] {
		return sabia.Errorf(sabia.ENOTFOUND, "repository %q not found", d.RepositoryUUID)
	}
	m.nextID++
	d.ID, d.Chunks = m.nextID, len(chunks)
	stored := *d
	stored.CreatedAt = stored.CreatedAt.UTC()
	m.docs = append(m.docs, stored)
	sorted := slices.Clone(chunks)
	slices.SortStableFunc(sorted, func(a, b Chunk) int { return cmp.Compare(a.Ordinal, b.Ordinal) })
	for _, c := range sorted {
		i := slices.IndexFunc(chunks, func(x Chunk) bool { return x.Ordinal == c.Ordinal })
		m.nextID++
		chunks[i].ID, chunks[i].DocumentID = m.nextID, d.ID
		c.ID, c.DocumentID, c.Vector = m.nextID, d.ID, cloneVector(c.Vector)
		m.chunks = append(m.chunks, c)
	}
	return nil
}

func cloneVector(v []float32) []float32 {
	if len(v) == 0 {
		return nil
	}
	return slices.Clone(v)
}

func (m *MemStore) find(repo string, id int64) int {
	return slices.IndexFunc(m.docs, func(d Document) bool { return d.ID == id && d.RepositoryUUID == repo })
}

// FindDocument implements Store.
func (m *MemStore) FindDocument(_ context.Context, repo string, id int64) (Document, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := m.find(repo, id)
	if i < 0 {
		return Document{}, sabia.Errorf(sabia.ENOTFOUND, "document %d not found", id)
	}
	return m.docs[i], nil
}

// ListDocuments implements Store; limit ≤ 0 means no limit.
func (m *MemStore) ListDocuments(_ context.Context, repo string, offset, limit int) ([]Document, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var all []Document
	for _, d := range m.docs {
		if d.RepositoryUUID == repo {
			d.Text = ""
			all = append(all, d)
		}
	}
	slices.SortStableFunc(all, func(a, b Document) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	total := len(all)
	offset = min(max(offset, 0), total)
	end := total
	if limit > 0 {
		end = min(offset+limit, total)
	}
	return all[offset:end], total, nil
}

// DeleteDocument implements Store.
func (m *MemStore) DeleteDocument(_ context.Context, repo string, id int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := m.find(repo, id)
	if i < 0 {
		return sabia.Errorf(sabia.ENOTFOUND, "document %d not found", id)
	}
	m.docs = slices.Delete(m.docs, i, i+1)
	m.chunks = slices.DeleteFunc(m.chunks, func(c Chunk) bool { return c.DocumentID == id })
	return nil
}

// ListChunks implements Store.
func (m *MemStore) ListChunks(_ context.Context, repo string) ([]Chunk, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	own := m.documentsOf(repo)
	out := []Chunk{}
	for _, c := range m.chunks {
		if own[c.DocumentID] {
			c.Vector = cloneVector(c.Vector)
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b Chunk) int {
		if c := cmp.Compare(a.DocumentID, b.DocumentID); c != 0 {
			return c
		}
		return cmp.Compare(a.Ordinal, b.Ordinal)
	})
	return out, nil
}

// UpdateVectors implements Store.
func (m *MemStore) UpdateVectors(_ context.Context, chunks []Chunk) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, u := range chunks {
		for i := range m.chunks {
			if m.chunks[i].ID == u.ID {
				m.chunks[i].Embedder, m.chunks[i].Vector = u.Embedder, cloneVector(u.Vector)
			}
		}
	}
	return nil
}

var _ VectorSearcher = (*MemStore)(nil)

// NearestChunks implements VectorSearcher by comparing v with every vector
// of the repository.
func (m *MemStore) NearestChunks(_ context.Context, repo, embedder string, v []float32, k int) ([]ChunkScore, error) {
	q := unit(v)
	if len(q) == 0 || k <= 0 {
		return []ChunkScore{}, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	own := m.documentsOf(repo)
	out := []ChunkScore{}
	for _, c := range m.chunks {
		if own[c.DocumentID] && c.Embedder == embedder && len(c.Vector) == len(q) {
			if u := unit(c.Vector); u != nil {
				out = append(out, ChunkScore{ID: c.ID, Cosine: dot(q, u)})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b ChunkScore) int {
		if c := cmp.Compare(b.Cosine, a.Cosine); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out[:min(k, len(out))], nil
}

// documentsOf returns the IDs of a repository's documents; m.mu is held.
func (m *MemStore) documentsOf(repo string) map[int64]bool {
	own := map[int64]bool{}
	for _, d := range m.docs {
		if d.RepositoryUUID == repo {
			own[d.ID] = true
		}
	}
	return own
}
