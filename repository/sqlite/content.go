package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/content"
	"github.com/weni-ai/sabia/repository/sqlrow"
)

// The Store also keeps the documents and chunks of the content package.
var _ content.Store = (*Store)(nil)

const (
	sqlInsertDocument = `INSERT INTO content_documents (repository_uuid, title, source, language, chars, created_at, text)
VALUES (?, ?, ?, ?, ?, ?, ?)`
	sqlInsertChunk = `INSERT INTO content_chunks (document_id, ordinal, start_rune, end_rune, text, embedder, vector)
VALUES (?, ?, ?, ?, ?, ?, ?)`
	sqlSelectChunks = `SELECT c.id, c.document_id, c.ordinal, c.start_rune, c.end_rune, c.text, c.embedder, c.vector
FROM content_chunks c JOIN content_documents d ON d.id = c.document_id
WHERE d.repository_uuid = ? ORDER BY c.document_id, c.ordinal`
)

// CreateDocument implements content.Store. It sets d.Chunks to the number
// of chunks, and the IDs only once the transaction has committed.
func (s *Store) CreateDocument(ctx context.Context, d *content.Document, chunks []content.Chunk) error {
	var docID int64
	chunkIDs := make([]int64, len(chunks))
	err := s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM repositories WHERE uuid = ?`, d.RepositoryUUID).Scan(&n); err != nil {
			return fmt.Errorf("finding repository %q: %w", d.RepositoryUUID, err)
		}
		if n == 0 {
			return sabia.Errorf(sabia.ENOTFOUND, "repository %q not found", d.RepositoryUUID)
		}
		res, err := tx.ExecContext(ctx, sqlInsertDocument, d.RepositoryUUID, d.Title, d.Source, d.Language,
			d.Chars, fmtTime(d.CreatedAt), d.Text)
		if err != nil {
			return fmt.Errorf("inserting document: %w", err)
		}
		if docID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("inserting document: %w", err)
		}
		if len(chunks) == 0 {
			return nil
		}
		stmt, err := tx.PrepareContext(ctx, sqlInsertChunk)
		if err != nil {
			return fmt.Errorf("inserting chunks: %w", err)
		}
		defer stmt.Close()
		for i, c := range chunks {
			res, err := stmt.ExecContext(ctx, docID, c.Ordinal, c.Start, c.End, c.Text, c.Embedder, encodeVector(c.Vector))
			if err != nil {
				return fmt.Errorf("inserting chunk %d: %w", c.Ordinal, err)
			}
			if chunkIDs[i], err = res.LastInsertId(); err != nil {
				return fmt.Errorf("inserting chunk %d: %w", c.Ordinal, err)
			}
		}
		return nil
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
		res, err := tx.ExecContext(ctx, `DELETE FROM content_documents WHERE id = ? AND repository_uuid = ?`, id, repoUUID)
		if err != nil {
			return fmt.Errorf("deleting document %d: %w", id, err)
		}
		return sqlrow.MustAffect(res, "document %d", id)
	})
}

// ListChunks implements content.Store. A chunk without a vector has a nil
// Vector. The result is never nil.
func (s *Store) ListChunks(ctx context.Context, repoUUID string) ([]content.Chunk, error) {
	rows, err := s.db.QueryContext(ctx, sqlSelectChunks, repoUUID)
	if err != nil {
		return nil, fmt.Errorf("listing chunks of %s: %w", repoUUID, err)
	}
	defer rows.Close()
	out := []content.Chunk{}
	for rows.Next() {
		var c content.Chunk
		var blob []byte
		if err := rows.Scan(&c.ID, &c.DocumentID, &c.Ordinal, &c.Start, &c.End, &c.Text, &c.Embedder, &blob); err != nil {
			return nil, fmt.Errorf("listing chunks of %s: %w", repoUUID, err)
		}
		if c.Vector, err = decodeVector(blob); err != nil {
			return nil, fmt.Errorf("listing chunks of %s: chunk %d: %w", repoUUID, c.ID, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
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
		stmt, err := tx.PrepareContext(ctx, `UPDATE content_chunks SET embedder = ?, vector = ? WHERE id = ?`)
		if err != nil {
			return fmt.Errorf("updating vectors: %w", err)
		}
		defer stmt.Close()
		for _, c := range chunks {
			if _, err := stmt.ExecContext(ctx, c.Embedder, encodeVector(c.Vector), c.ID); err != nil {
				return fmt.Errorf("updating vector of chunk %d: %w", c.ID, err)
			}
		}
		return nil
	})
}

// encodeVector returns v as little-endian float32s; an empty (never nil)
// slice for no vector, so that the NOT NULL column gets an empty blob.
func encodeVector(v []float32) []byte {
	b := make([]byte, 0, 4*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

// decodeVector reverses encodeVector; an empty blob is a nil vector.
func decodeVector(b []byte) ([]float32, error) {
	if len(b) == 0 {
		return nil, nil
	}
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("vector of %d bytes is not float32s", len(b))
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, nil
}
