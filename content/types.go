package content

import (
	"context"
	"time"
)

// Document is a text a repository answers from: an FAQ, a policy, a page.
type Document struct {
	ID             int64  `json:"id"`
	RepositoryUUID string `json:"repository_uuid"`
	Title          string `json:"title"`
	// Source says where the text came from (a URL or a file name); shown
	// with answers that cite the document.
	Source   string `json:"source,omitempty"`
	Language string `json:"language,omitempty"`
	// Text is the whole document; listings leave it out.
	Text      string    `json:"text,omitempty"`
	Chars     int       `json:"chars"`
	Chunks    int       `json:"chunks"`
	CreatedAt time.Time `json:"created_at"`
}

// Chunk is a passage of a document, the unit of retrieval.
type Chunk struct {
	ID         int64 `json:"id"`
	DocumentID int64 `json:"document_id"`
	// Ordinal is the chunk's position in its document, from 0.
	Ordinal int `json:"ordinal"`
	// Start and End are rune offsets of the passage in the document's text.
	Start int    `json:"start"`
	End   int    `json:"end"`
	Text  string `json:"text"`
	// Embedder names the embedder that made Vector (Embedder.Name).
	Embedder string    `json:"-"`
	Vector   []float32 `json:"-"`
}

// Store keeps documents and their chunks.
type Store interface {
	// CreateDocument inserts d and its chunks in one transaction and sets
	// d.ID and the chunks' ID and DocumentID. d.RepositoryUUID and
	// d.CreatedAt are the caller's. Returns ENOTFOUND if the repository does
	// not exist.
	CreateDocument(ctx context.Context, d *Document, chunks []Chunk) error
	// FindDocument returns a document of the repository with its text.
	// Returns ENOTFOUND if the repository has no document id.
	FindDocument(ctx context.Context, repoUUID string, id int64) (Document, error)
	// ListDocuments returns the repository's documents without their text,
	// newest first, and how many there are without offset and limit.
	ListDocuments(ctx context.Context, repoUUID string, offset, limit int) ([]Document, int, error)
	// DeleteDocument deletes a document and its chunks. Returns ENOTFOUND if
	// the repository has no document id.
	DeleteDocument(ctx context.Context, repoUUID string, id int64) error
	// ListChunks returns every chunk of the repository's documents with its
	// vector, by document ID and then ordinal.
	ListChunks(ctx context.Context, repoUUID string) ([]Chunk, error)
	// UpdateVectors overwrites Embedder and Vector of the chunks (by ID);
	// IDs that no longer exist are skipped.
	UpdateVectors(ctx context.Context, chunks []Chunk) error
}

// VectorSearcher is a Store that ranks a repository's passages by embedding
// itself (PostgreSQL with pgvector), so that the Service holds no vectors in
// memory: with a real embedding model they are most of an index's size
// (6 KiB a passage at 1,536 dimensions), and every server would hold them.
type VectorSearcher interface {
	// NearestChunks returns up to k chunks of the repository's documents
	// whose vectors were made by embedder and have len(v) dimensions, by
	// cosine with v, closest first (ties by chunk ID).
	NearestChunks(ctx context.Context, repoUUID, embedder string, v []float32, k int) ([]ChunkScore, error)
}

// ChunkScore is a chunk's cosine with a query vector.
type ChunkScore struct {
	ID     int64
	Cosine float64
}

// Embedder turns texts into vectors whose cosine says how close in meaning
// two texts are. Passages and queries are embedded by separate calls
// because some models want them marked differently.
type Embedder interface {
	// Name identifies the embedder and its settings; vectors made under
	// another name are embedded again.
	Name() string
	// EmbedPassages returns one vector per passage.
	EmbedPassages(ctx context.Context, passages []string) ([][]float32, error)
	// EmbedQuery returns the vector of a question.
	EmbedQuery(ctx context.Context, query string) ([]float32, error)
}

// LLM completes a conversation: a system instruction and a user message.
type LLM interface {
	// Complete returns the model's reply.
	Complete(ctx context.Context, req Completion) (string, error)
}

// Completion is one request to an LLM.
type Completion struct {
	System      string
	User        string
	MaxTokens   int
	Temperature float64
}
