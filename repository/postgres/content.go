package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/weni-ai/sabia/repository/sqlrow"

	"github.com/pgvector/pgvector-go"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/content"
)

// The Store also keeps the documents and chunks of the content package.
var _ content.Store = (*Store)(nil)

const (
	sqlInsertDocument = `INSERT INTO content_documents (repository_uuid, title, source, language, chars, created_at, text)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`
	sqlInsertChunk = `INSERT INTO content_chunks (document_id, ordinal, start_rune, end_rune, text, embedder, vector)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`
	sqlDeleteDocument = `DELETE FROM content_documents WHERE id = $1 AND repository_uuid = $2`
	sqlSelectChunks   = `SELECT c.id, c.document_id, c.ordinal, c.start_rune, c.end_rune, c.text, c.embedder, c.vector
FROM content_chunks c JOIN content_documents d ON d.id = c.document_id
WHERE d.repository_uuid = $1 ORDER BY c.document_id, c.ordinal`
	sqlUpdateVector = `UPDATE content_chunks SET embedder = $1, vector = $2 WHERE id = $3`
)

// CreateDocument implements content.Store. It sets d.Chunks to the number
// of chunks, and the IDs only once the transaction has committed.
func (s *Store) CreateDocument(ctx context.Context, d *content.Document, chunks []content.Chunk) error {
	var docID int64
	chunkIDs := make([]int64, len(chunks))
	err := s.write(ctx, func(tx *sql.Tx) error {
		ok, err := lockRepository(ctx, tx, d.RepositoryUUID)
		if err != nil {
			return err
		}
		if !ok {
			return sabia.Errorf(sabia.ENOTFOUND, "repository %q not found", d.RepositoryUUID)
		}
		err = tx.QueryRowContext(ctx, sqlInsertDocument, d.RepositoryUUID, d.Title, d.Source, d.Language,
			d.Chars, ts(d.CreatedAt), d.Text).Scan(&docID)
		if err != nil {
			return fmt.Errorf("inserting document: %w", err)
		}
		for i, c := range chunks {
			err := tx.QueryRowContext(ctx, sqlInsertChunk, docID, c.Ordinal, c.Start, c.End, c.Text, c.Embedder,
				vectorParam(c.Vector)).Scan(&chunkIDs[i])
			if err != nil {
				return fmt.Errorf("inserting chunk %d: %w", c.Ordinal, err)
			}
		}
		return s.notify(ctx, tx, Change{Kind: ChangeDocuments, Repository: d.RepositoryUUID})
	})
	if err != nil {
		if sabia.ErrorCode(err) == sabia.EINTERNAL {
			err = fmt.Errorf("creating document in %s: %w", d.RepositoryUUID, err)
		}
		return err
	}
	d.ID, d.Chunks = docID, len(chunks)
	for i := range chunks {
		chunks[i].ID, chunks[i].DocumentID = chunkIDs[i], docID
	}
	return nil
}

// DeleteDocument implements content.Store. The chunks go with the document
// (ON DELETE CASCADE). A document of another repository is not found.
func (s *Store) DeleteDocument(ctx context.Context, repoUUID string, id int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, sqlDeleteDocument, id, repoUUID)
		if err != nil {
			return fmt.Errorf("deleting document %d: %w", id, err)
		}
		if err := sqlrow.MustAffect(res, "document %d", id); err != nil {
			return err
		}
		return s.notify(ctx, tx, Change{Kind: ChangeDocuments, Repository: repoUUID})
	})
}

// ListChunks implements content.Store. A chunk without a vector has a nil
// Vector. The result is never nil.
func (s *Store) ListChunks(ctx context.Context, repoUUID string) ([]content.Chunk, error) {
	rows, err := s.db.QueryContext(ctx, sqlSelectChunks, repoUUID)
	if err != nil {
		return nil, fmt.Errorf("listing chunks of %s: %w", repoUUID, err)
	}
	out, err := sqlrow.ScanAll(rows, func(row sqlrow.Row) (content.Chunk, error) {
		var c content.Chunk
		var v *pgvector.Vector // nil for NULL
		if err := row.Scan(&c.ID, &c.DocumentID, &c.Ordinal, &c.Start, &c.End, &c.Text, &c.Embedder, &v); err != nil {
			return c, err
		}
		if v != nil && len(v.Slice()) > 0 {
			c.Vector = v.Slice()
		}
		return c, nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing chunks of %s: %w", repoUUID, err)
	}
	return out, nil
}

// UpdateVectors implements content.Store: it overwrites Embedder and Vector
// of each chunk by ID in one transaction, skipping IDs that do not exist.
// The other fields of the chunks are ignored.
func (s *Store) UpdateVectors(ctx context.Context, chunks []content.Chunk) error {
	if len(chunks) == 0 {
		return nil
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, c := range chunks {
			if _, err := tx.ExecContext(ctx, sqlUpdateVector, c.Embedder, vectorParam(c.Vector), c.ID); err != nil {
				return fmt.Errorf("updating vector of chunk %d: %w", c.ID, err)
			}
		}
		return nil
	})
}

// vectorParam returns v as a pgvector value; NULL for no vector (nil or
// empty: pgvector has no vector of 0 dimensions).
func vectorParam(v []float32) any {
	if len(v) == 0 {
		return nil
	}
	return pgvector.NewVector(v)
}

var _ content.VectorSearcher = (*Store)(nil)

// sqlNearestChunks ranks a repository's chunks by pgvector's cosine distance
// (<=>), exactly (no approximate index: the repository's chunks are found
// through its documents, and each server is spared holding the vectors).
// The distance is computed once per chunk; zero vectors, whose distance is
// NaN, are left out.
const sqlNearestChunks = `SELECT id, 1 - dist FROM (
    SELECT c.id, c.vector <=> $3 AS dist
    FROM content_documents d JOIN content_chunks c ON c.document_id = d.id
    WHERE d.repository_uuid = $1 AND c.embedder = $2 AND c.dims = $4) ranked
WHERE dist <> 'NaN'
ORDER BY dist, id
LIMIT $5`

// NearestChunks implements content.VectorSearcher.
func (s *Store) NearestChunks(ctx context.Context, repoUUID, embedder string, v []float32, k int) ([]content.ChunkScore, error) {
	zero := true
	for _, x := range v {
		zero = zero && x == 0
	}
	if zero || k <= 0 {
		return []content.ChunkScore{}, nil
	}
	rows, err := s.db.QueryContext(ctx, sqlNearestChunks, repoUUID, embedder, pgvector.NewVector(v), len(v), k)
	if err != nil {
		return nil, fmt.Errorf("ranking chunks of %s: %w", repoUUID, err)
	}
	out, err := sqlrow.ScanAll(rows, func(row sqlrow.Row) (content.ChunkScore, error) {
		var c content.ChunkScore
		err := row.Scan(&c.ID, &c.Cosine)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("ranking chunks of %s: %w", repoUUID, err)
	}
	return out, nil
}
