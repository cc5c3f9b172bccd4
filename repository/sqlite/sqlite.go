// Package sqlite implements repository.Store on SQLite through the pure-Go
// modernc.org/sqlite driver, in one database file that River's SQLite driver
// may share (its tables are prefixed river_, ours are not).
//
// The file runs in WAL mode with synchronous=NORMAL: a committed transaction
// survives the process being killed at any point; only an operating-system
// crash or power loss may roll back the last few commits. Write transactions
// begin IMMEDIATE so that two writers queue on busy_timeout instead of failing
// with SQLITE_BUSY when one upgrades a read lock.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/repository/sqlrow"
)

// dsnParams configure every connection. busy_timeout is in milliseconds: a
// writer waits up to 10 s for another (a 1000-example batch holds the lock
// for tens of milliseconds, a model save for about as long as writing its
// bytes).
const dsnParams = "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)" +
	"&_pragma=synchronous(NORMAL)&_txlock=immediate"

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a repository.Store on one SQLite database file. It is safe for
// concurrent use.
type Store struct {
	db     *sql.DB
	shared *sqlrow.DB // for the code the SQL stores share
	sharedMethods
}

// sharedMethods are the methods of repository.Store that the SQL stores
// share (examples, test sentences, logs, evaluations).
type sharedMethods = sqlrow.Methods

var _ repository.Store = (*Store)(nil)

// Open opens (creating it if needed) the database file at path and applies
// the migrations it lacks. The path may not contain "?".
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || strings.Contains(path, "?") {
		return nil, fmt.Errorf("opening sqlite: bad path %q", path)
	}
	db, err := sql.Open("sqlite", path+"?"+dsnParams)
	if err != nil {
		return nil, fmt.Errorf("opening sqlite %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("opening sqlite %s: %w", path, err)
	}
	s := &Store{db: db}
	s.shared = &sqlrow.DB{Read: s.read, Write: s.write, Bind: func(q string) string { return q },
		Time: func(t time.Time) any { return fmtTime(t) }, LimitOffset: limitOffset,
		Unique: func(err error) (string, bool) { return "", isUnique(err) }, Reader: scan}
	s.shared.NeedVersion = s.shared.VersionExists
	s.sharedMethods = sqlrow.NewMethods(s.shared)
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// DB returns the underlying pool, for components that share the file (the
// River job queue).
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// SchemaVersion returns the number of the last migration applied.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v)
	return v, err
}

const sqlCreateSchemaVersion = `CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    applied_at TEXT NOT NULL
) STRICT`

// migrate applies, in one transaction each, the embedded migrations whose
// number (the digits before "_" in the file name) is above the last one
// recorded in schema_version. Concurrent openers serialise on the write lock.
func (s *Store) migrate(ctx context.Context) error {
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	type migration struct {
		version int
		name    string
	}
	var ms []migration
	for _, f := range files {
		name := path.Base(f)
		n, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with its number", name)
		}
		ms = append(ms, migration{n, f})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	if _, err := s.db.ExecContext(ctx, sqlCreateSchemaVersion); err != nil {
		return fmt.Errorf("creating schema_version: %w", err)
	}
	for _, m := range ms {
		err := s.write(ctx, func(tx *sql.Tx) error {
			var done int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_version WHERE version = ?`, m.version).Scan(&done); err != nil {
				return err
			}
			if done > 0 {
				return nil
			}
			body, err := migrations.ReadFile(m.name)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO schema_version (version, applied_at) VALUES (?, ?)`,
				m.version, fmtTime(time.Now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("applying migration %s: %w", path.Base(m.name), err)
		}
	}
	return nil
}

// write runs fn in a write transaction, committing when it returns nil.
func (s *Store) write(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	return nil
}

// read runs fn in a read-only transaction: one consistent snapshot.
func (s *Store) read(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// timeFormat is fixed-width so that text order is time order.
const timeFormat = "2006-01-02T15:04:05.000000000Z"

func fmtTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func fmtTimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return fmtTime(*t)
}

// parseTime decodes a time column: RFC 3339 text.
func parseTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("time column: unexpected %T", v)
	}
	return time.Parse(time.RFC3339Nano, s)
}

// scan reads rows into domain values.
var scan = sqlrow.NewReader(parseTime)

// placeholders returns "?, ?, …" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// newConds returns conditions that start with "1 = 1", so that the WHERE
// clause of a listing is never empty.
func newConds() *sqlrow.Conds {
	var c sqlrow.Conds
	c.Add("1 = 1")
	return &c
}

// limitOffset returns the LIMIT/OFFSET clause for a filter; limit 0 means
// no limit.
func limitOffset(offset, limit int) string {
	if limit <= 0 {
		limit = -1
	}
	return fmt.Sprintf(" LIMIT %d OFFSET %d", limit, max(offset, 0))
}
