// Package postgres implements repository.Store and content.Store on
// PostgreSQL 15 or later, through database/sql and pgx's stdlib driver, with
// the embeddings of content chunks in pgvector columns. It is the twin of
// repository/sqlite: the same tables, the same queries where the dialects
// agree, and the same results, checked by the conformance suites
// repository/storetest and content/contenttest.
//
// Writes run in READ COMMITTED transactions, reads that need one snapshot in
// READ ONLY REPEATABLE READ ones. SQLite runs one writer at a time; here
// writers run side by side, so each write that adds or changes rows under a
// repository first takes a KEY SHARE lock on the repository's row. That is
// the lock its foreign keys would take anyway, taken before any other, so
// that it queues behind a DeleteRepository in progress (and then finds
// nothing) instead of deadlocking with its cascade; it does not block other
// writers of the same repository.
package postgres

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

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/repository/sqlrow"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a repository.Store and a content.Store on one PostgreSQL
// database. It is safe for concurrent use.
type Store struct {
	db     *sql.DB
	dsn    string     // for Listen's own connection
	origin string     // identifies this Store in the Changes it sends
	shared *sqlrow.DB // for the code the SQL stores share
	sharedMethods
}

// sharedMethods are the methods of repository.Store that the SQL stores
// share (examples, test sentences, logs, evaluations).
type sharedMethods = sqlrow.Methods

var _ repository.Store = (*Store)(nil)

// Open connects to the database named by dsn (a postgres:// URL or a
// key=value string, as pgx reads them), checks that it answers and applies
// the migrations it lacks. Several processes may open the same database at
// once: they apply each migration once between them.
func Open(ctx context.Context, dsn string) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening postgres: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("opening postgres: %w", err)
	}
	s := &Store{db: db, dsn: dsn, origin: newOrigin()}
	s.shared = &sqlrow.DB{Read: s.read, Write: s.write, Bind: bind, Time: func(t time.Time) any { return ts(t) },
		LimitOffset: limitOffset, Unique: uniqueViolation, NeedVersion: needVersion, Locks: true, HashedText: true,
		Reader: scan}
	s.sharedMethods = sqlrow.NewMethods(s.shared)
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// DB returns the underlying pool, to tune it (SetMaxOpenConns and the like)
// or to share it.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the pool.
func (s *Store) Close() error { return s.db.Close() }

// SchemaVersion returns the number of the last migration applied.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := s.db.QueryRowContext(ctx, sqlSchemaVersion).Scan(&v); err != nil {
		return 0, fmt.Errorf("reading schema version: %w", err)
	}
	return v, nil
}

// migrationLock is the key of the transaction-scoped advisory lock that
// serialises migrations in one database (advisory locks are per database).
// Its value is arbitrary; it only has to be one that nothing else sharing
// the database takes.
const migrationLock int64 = 0x5ab1a_6d69_6772

const (
	sqlSchemaVersion         = `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`
	sqlLockMigrations        = `SELECT pg_advisory_xact_lock($1)`
	sqlCreateSchemaMigration = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)`
	sqlMigrationApplied = `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`
	sqlRecordMigration  = `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`
)

// migration is one embedded migration file.
type migration struct {
	version int
	file    string
}

// migrationFiles returns the embedded migrations sorted by number: the digits
// before "_" in the file name.
func migrationFiles() ([]migration, error) {
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, f := range files {
		name := path.Base(f)
		n, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with its number", name)
		}
		ms = append(ms, migration{n, f})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share number %d", ms[i-1].file, ms[i].file, ms[i].version)
		}
	}
	return ms, nil
}

// migrate applies, in one transaction each, the embedded migrations not yet
// recorded in schema_migrations. Each transaction first takes the advisory
// lock migrationLock, so that concurrent openers apply the migrations one
// after the other and each exactly once: the second finds them recorded.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrationFiles()
	if err != nil {
		return err
	}
	for _, m := range ms {
		err := s.write(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, sqlLockMigrations, migrationLock); err != nil {
				return fmt.Errorf("taking the migration lock: %w", err)
			}
			if _, err := tx.ExecContext(ctx, sqlCreateSchemaMigration); err != nil {
				return fmt.Errorf("creating schema_migrations: %w", err)
			}
			var done bool
			if err := tx.QueryRowContext(ctx, sqlMigrationApplied, m.version).Scan(&done); err != nil {
				return err
			}
			if done {
				return nil
			}
			body, err := migrations.ReadFile(m.file)
			if err != nil {
				return err
			}
			// Without arguments, pgx sends the file as one simple query:
			// several statements at once.
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, sqlRecordMigration, m.version, path.Base(m.file))
			return err
		})
		if err != nil {
			return fmt.Errorf("applying migration %s: %w", path.Base(m.file), err)
		}
	}
	return nil
}

// write runs fn in a READ COMMITTED transaction, committing when it returns
// nil.
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

// readOptions make a read transaction one consistent snapshot.
var readOptions = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}

// read runs fn in a read-only REPEATABLE READ transaction: every query in it
// sees the same snapshot, as in SQLite's read transactions.
func (s *Store) read(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, readOptions)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// codeUniqueViolation is PostgreSQL's SQLSTATE for a UNIQUE or PRIMARY KEY
// violation.
const codeUniqueViolation = "23505"

// uniqueViolation returns the name of the constraint or index that err
// violates, and whether err is a unique violation at all.
func uniqueViolation(err error) (constraint string, ok bool) {
	var e *pgconn.PgError
	if !errors.As(err, &e) || e.Code != codeUniqueViolation {
		return "", false
	}
	return e.ConstraintName, true
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	_, ok := uniqueViolation(err)
	return ok
}

// ts returns t as stored: timestamptz keeps microseconds, and truncating
// here (rather than leaving it to the driver) makes the rule explicit.
func ts(t time.Time) time.Time { return t.Truncate(time.Microsecond) }

// tsPtr is ts for a nullable time: nil stays NULL.
func tsPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

// timestamptz decodes a timestamptz column (the driver returns local time;
// scan turns it into UTC).
func timestamptz(v any) (time.Time, error) {
	t, ok := v.(time.Time)
	if !ok {
		return time.Time{}, fmt.Errorf("time column: unexpected %T", v)
	}
	return t, nil
}

// scan reads rows into domain values.
var scan = sqlrow.NewReader(timestamptz)

// bind numbers the "?" placeholders of a dynamically assembled query $1,
// $2, … in order, so that conditions can be put together without counting;
// a "?" inside a quoted literal is left alone. Fixed queries are written
// with $n directly.
func bind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 8)
	n, quoted := 0, false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			quoted = !quoted
		case c == '?' && !quoted:
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// where returns the WHERE clause of c with its placeholders numbered, or ""
// when there is no condition.
func where(c *sqlrow.Conds) string { return bind(c.Where()) }

// limitOffset returns the LIMIT/OFFSET clause for a filter; limit 0 means
// no limit.
func limitOffset(offset, limit int) string {
	if limit <= 0 {
		return fmt.Sprintf(" OFFSET %d", max(offset, 0))
	}
	return fmt.Sprintf(" LIMIT %d OFFSET %d", limit, max(offset, 0))
}

const (
	sqlLockRepository          = `SELECT uuid FROM repositories WHERE uuid = $1 FOR KEY SHARE`
	sqlLockRepositoryOfVersion = `SELECT r.uuid FROM repositories r
WHERE r.uuid = (SELECT v.repository_uuid FROM versions v WHERE v.id = $1) FOR KEY SHARE`
)

// lockRepository takes a KEY SHARE lock on a repository's row (see the
// package comment) and reports whether the repository exists.
func lockRepository(ctx context.Context, tx *sql.Tx, uuid string) (bool, error) {
	return lockRow(ctx, tx, sqlLockRepository, uuid)
}

// lockVersion takes a KEY SHARE lock on the row of the repository of a
// version and reports whether the version exists.
func lockVersion(ctx context.Context, tx *sql.Tx, versionID int64) (bool, error) {
	return lockRow(ctx, tx, sqlLockRepositoryOfVersion, versionID)
}

// lockRow runs a query that locks one repository row and returns its
// UUID, and reports whether it found it.
func lockRow(ctx context.Context, tx *sql.Tx, query string, args ...any) (bool, error) {
	var uuid string
	err := tx.QueryRowContext(ctx, query, args...).Scan(&uuid)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("locking repository: %w", err)
	}
	return true, nil
}

// needVersion locks the repository of a version in a write transaction,
// returning ENOTFOUND when the version does not exist.
func needVersion(ctx context.Context, tx *sql.Tx, versionID int64) error {
	ok, err := lockVersion(ctx, tx, versionID)
	if err != nil {
		return err
	}
	if !ok {
		return sabia.Errorf(sabia.ENOTFOUND, "version %d not found", versionID)
	}
	return nil
}
