package sqlrow

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/weni-ai/sabia"
)

// DB is a store's database as the code the stores share sees it: how to
// run a transaction and what the store's SQL differs in. Shared queries are
// written with "?" placeholders and run through Bind.
type DB struct {
	// Read runs fn in a read-only transaction that sees one snapshot.
	Read func(ctx context.Context, fn func(*sql.Tx) error) error
	// Write runs fn in a write transaction, committing when it returns nil.
	Write func(ctx context.Context, fn func(*sql.Tx) error) error
	// Bind rewrites a query written with "?" placeholders into the store's
	// (the identity for SQLite, $1, $2… for PostgreSQL).
	Bind func(string) string
	// Time encodes a time as the store keeps it (RFC 3339 text for SQLite,
	// a timestamptz for PostgreSQL).
	Time func(time.Time) any
	// LimitOffset returns the LIMIT/OFFSET clause of one page; limit 0
	// means no limit.
	LimitOffset func(offset, limit int) string
	// Unique reports whether err is a UNIQUE or PRIMARY KEY violation and
	// names the constraint when the driver says ("" for SQLite).
	Unique func(err error) (constraint string, ok bool)
	// NeedVersion returns ENOTFOUND unless the version exists, in a write
	// transaction; PostgreSQL also locks the version's repository (see
	// its package comment).
	NeedVersion func(ctx context.Context, tx *sql.Tx, id int64) error
	// Locks is true where writers run side by side and lock the rows their
	// checks read (PostgreSQL), false where write transactions exclude each
	// other (SQLite).
	Locks bool
	// HashedText is true where a sentence's text is unique through an
	// index on md5(text) (PostgreSQL, whose b-trees cannot hold long
	// texts): a lookup by text then goes through it.
	HashedText bool
	// Reader reads the store's rows.
	Reader
}

// Tx wraps tx for the functions that take a Tx.
func (db *DB) Tx(tx *sql.Tx) Tx { return Tx{Tx: tx, Bind: db.Bind} }

// lock returns clause (" FOR SHARE" and the like) where the store locks
// rows, "" where it does not.
func (db *DB) lock(clause string) string {
	if db.Locks {
		return clause
	}
	return ""
}

// TimePtr is Time for a nullable time: nil stays NULL.
func (db *DB) TimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return db.Time(*t)
}

// NotFound returns ENOTFOUND ("<format> not found") for sql.ErrNoRows and
// wraps anything else ("finding <format>: …").
func NotFound(err error, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return sabia.Errorf(sabia.ENOTFOUND, format+" not found", args...)
	}
	return fmt.Errorf("finding "+format+": %w", append(args, err)...)
}

// MustAffect returns ENOTFOUND ("<format> not found") when res changed no
// row.
func MustAffect(res sql.Result, format string, args ...any) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return sabia.Errorf(sabia.ENOTFOUND, format+" not found", args...)
	}
	return nil
}

// VersionExists returns ENOTFOUND unless the version exists, in tx, which
// may be a read transaction (it takes no lock).
func (db *DB) VersionExists(ctx context.Context, tx *sql.Tx, id int64) error {
	var ok bool
	if err := tx.QueryRowContext(ctx, db.Bind(`SELECT EXISTS (SELECT 1 FROM versions WHERE id = ?)`), id).Scan(&ok); err != nil {
		return fmt.Errorf("finding version %d: %w", id, err)
	}
	if !ok {
		return sabia.Errorf(sabia.ENOTFOUND, "version %d not found", id)
	}
	return nil
}

// Bump raises, in tx, the dataset revision of each (version, language)
// once, in language order so that concurrent bumps lock rows in the same
// order.
func (db *DB) Bump(ctx context.Context, tx *sql.Tx, versionID int64, langs ...string) error {
	langs = slices.Clone(langs)
	slices.Sort(langs)
	q := db.Bind(`INSERT INTO dataset_revisions (version_id, language, revision) VALUES (?, ?, 1)
ON CONFLICT (version_id, language) DO UPDATE SET revision = dataset_revisions.revision + 1`)
	for _, l := range slices.Compact(langs) {
		if _, err := tx.ExecContext(ctx, q, versionID, l); err != nil {
			return fmt.Errorf("bumping revision: %w", err)
		}
	}
	return nil
}

// Revision reads, in tx, the dataset revision of a version and language, 0
// when it never changed.
func (db *DB) Revision(ctx context.Context, tx *sql.Tx, versionID int64, lang string) (int64, error) {
	var rev int64
	err := tx.QueryRowContext(ctx, db.Bind(`SELECT revision FROM dataset_revisions WHERE version_id = ? AND language = ?`),
		versionID, lang).Scan(&rev)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return rev, err
}

// Page is one paged listing: Count is the COUNT(*) query and Select the
// SELECT, both without their WHERE clause; Conds holds the conditions
// ("?" placeholders), Order is " ORDER BY …".
type Page struct {
	Count, Select string
	Conds         *Conds
	Order         string
	Offset, Limit int
}

// ReadPage runs q in tx: the number of matching rows and one page of them,
// read with scan. The page is never nil.
func ReadPage[T any](ctx context.Context, db *DB, tx *sql.Tx, q Page, scan func(Row) (T, error)) ([]T, int, error) {
	var c Conds
	if q.Conds != nil {
		c = *q.Conds
	}
	where := db.Bind(c.Where())
	var total int
	if err := tx.QueryRowContext(ctx, q.Count+where, c.Args()...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, q.Select+where+q.Order+db.LimitOffset(q.Offset, q.Limit), c.Args()...)
	if err != nil {
		return nil, 0, err
	}
	out, err := ScanAll(rows, scan)
	return out, total, err
}

// List runs q in a read transaction of db (see ReadPage); what names the
// rows in the error.
func List[T any](ctx context.Context, db *DB, what string, q Page, scan func(Row) (T, error)) ([]T, int, error) {
	var out []T
	var total int
	err := db.Read(ctx, func(tx *sql.Tx) (err error) {
		out, total, err = ReadPage(ctx, db, tx, q, scan)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("listing %s: %w", what, err)
	}
	return out, total, nil
}

// ScanAll reads and closes rows with scan; the result is never nil.
func ScanAll[T any](rows *sql.Rows, scan func(Row) (T, error)) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// String reads a row of one text column.
func String(r Row) (string, error) {
	var s string
	err := r.Scan(&s)
	return s, err
}
