package sqlrow

import (
	"context"
	"database/sql"

	"github.com/weni-ai/sabia/content"
)

const (
	// sqlDocumentColumns are the columns Reader.Document reads but the text;
	// the chunk count comes from the index on content_chunks.
	sqlDocumentColumns = `d.id, d.repository_uuid, d.title, d.source, d.language, d.chars, d.created_at,
    (SELECT COUNT(*) FROM content_chunks c WHERE c.document_id = d.id)`
	sqlSelectDocument         = `SELECT ` + sqlDocumentColumns + ` FROM content_documents d`
	sqlSelectDocumentWithText = `SELECT ` + sqlDocumentColumns + `, d.text FROM content_documents d`
)

// FindDocument implements content.Store. A document of another repository
// is not found, as if it did not exist.
func (s Methods) FindDocument(ctx context.Context, repoUUID string, id int64) (content.Document, error) {
	var d content.Document
	err := s.db.Read(ctx, func(tx *sql.Tx) (err error) {
		row := tx.QueryRowContext(ctx, s.db.Bind(sqlSelectDocumentWithText+` WHERE d.id = ? AND d.repository_uuid = ?`), id, repoUUID)
		d, err = s.db.Document(row, true)
		return err
	})
	if err != nil {
		return content.Document{}, NotFound(err, "document %d", id)
	}
	return d, nil
}

// ListDocuments implements content.Store: newest first (then highest ID
// first), without their text. A limit of 0 or less means no limit; the
// page is never nil.
func (s Methods) ListDocuments(ctx context.Context, repoUUID string, offset, limit int) ([]content.Document, int, error) {
	var c Conds
	c.Add("d.repository_uuid = ?", repoUUID)
	return List(ctx, s.db, "documents of "+repoUUID, Page{Count: `SELECT COUNT(*) FROM content_documents d`,
		Select: sqlSelectDocument, Conds: &c, Order: ` ORDER BY d.created_at DESC, d.id DESC`, Offset: offset, Limit: limit},
		func(row Row) (content.Document, error) { return s.db.Document(row, false) })
}
