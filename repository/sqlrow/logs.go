package sqlrow

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
)

// LogDeleteChunk is how many logs DeleteLogsBefore deletes per
// transaction: a few tens of milliseconds of SQLite's write lock, or of
// PostgreSQL's row locks, so that other writers wait briefly between chunks
// instead of for the whole purge, and a failure keeps what was done.
const LogDeleteChunk = 5000

const (
	sqlInsertLog = `INSERT INTO logs (repository_uuid, version_id, language, text, text_folded, intent, confidence,
    ranking, entities, out_of_scope, model_id, token_id, user_agent, route, duration_us, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	// sqlLogScope finds (and, where the store locks, locks) the repository
	// of a log when the log's version is one of its versions.
	sqlLogScope = `SELECT r.uuid FROM repositories r
WHERE r.uuid = ? AND EXISTS (SELECT 1 FROM versions v WHERE v.id = ? AND v.repository_uuid = r.uuid)`
	sqlSelectLog = `SELECT id, repository_uuid, version_id, language, text, intent, confidence, ranking, entities,
    out_of_scope, model_id, token_id, user_agent, route, duration_us, created_at FROM logs`
	sqlLockRepository = `SELECT uuid FROM repositories WHERE uuid = ?`
	sqlDeleteLogChunk = `DELETE FROM logs WHERE id IN
    (SELECT id FROM logs WHERE repository_uuid = ? AND created_at < ? LIMIT ?)`
)

// logRow is a log with its derived columns, computed before the write
// transaction starts so that it lasts only as long as the inserts.
type logRow struct {
	log      *repository.Log
	folded   string
	ranking  string
	entities string
}

// InsertLogs implements repository.Store, in one transaction and one
// prepared statement. Whether each (repository, version) of the batch
// still exists is asked once per pair, not per log; where the store locks,
// the question locks the repository (KEY SHARE) so that the answer holds
// until the batch commits.
func (s Methods) InsertLogs(ctx context.Context, logs []*repository.Log) error {
	if len(logs) == 0 {
		return nil
	}
	rows := make([]logRow, len(logs))
	for i, l := range logs {
		ranking, err := JSONArray(l.Ranking)
		if err != nil {
			return fmt.Errorf("encoding ranking of log %d: %w", i, err)
		}
		entities, err := JSONArray(l.Entities)
		if err != nil {
			return fmt.Errorf("encoding entities of log %d: %w", i, err)
		}
		rows[i] = logRow{l, nlu.Fold(l.Text), ranking, entities}
	}
	type scope struct {
		repo    string
		version int64
	}
	db := s.db
	return db.Write(ctx, func(tx *sql.Tx) error {
		ins, err := tx.PrepareContext(ctx, db.Bind(sqlInsertLog))
		if err != nil {
			return err
		}
		defer ins.Close()
		exists := map[scope]bool{}
		for i, r := range rows {
			l := r.log
			sc := scope{l.RepositoryUUID, l.VersionID}
			ok, known := exists[sc]
			if !known {
				if ok, err = db.findRow(ctx, tx, sqlLogScope+db.lock(" FOR KEY SHARE"), l.RepositoryUUID, l.VersionID); err != nil {
					return fmt.Errorf("finding version %d: %w", l.VersionID, err)
				}
				exists[sc] = ok
			}
			if !ok {
				l.ID = 0
				continue
			}
			err := ins.QueryRowContext(ctx, l.RepositoryUUID, l.VersionID, l.Language, l.Text, r.folded, l.Intent,
				l.Confidence, r.ranking, r.entities, l.OutOfScope, l.ModelID, l.TokenID, l.UserAgent, l.Route,
				l.DurationUS, db.Time(l.CreatedAt)).Scan(&l.ID)
			if err != nil {
				return fmt.Errorf("inserting log %d: %w", i, err)
			}
		}
		return nil
	})
}

// findRow runs a query of one row and reports whether it found it.
func (db *DB) findRow(ctx context.Context, tx *sql.Tx, query string, args ...any) (bool, error) {
	var v any
	err := tx.QueryRowContext(ctx, db.Bind(query), args...).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// FindLog implements repository.Store.
func (s Methods) FindLog(ctx context.Context, id int64) (repository.Log, error) {
	var l repository.Log
	err := s.db.Read(ctx, func(tx *sql.Tx) (err error) {
		l, err = s.db.Log(tx.QueryRowContext(ctx, s.db.Bind(sqlSelectLog+` WHERE id = ?`), id))
		return err
	})
	if err != nil {
		return repository.Log{}, NotFound(err, "log %d", id)
	}
	return l, nil
}

// ListLogs implements repository.Store. Query matches the folded text
// (nlu.Fold: case and accents ignored), "%" and "_" literally.
func (s Methods) ListLogs(ctx context.Context, f repository.LogFilter) ([]repository.Log, int, error) {
	var c Conds
	FilterLogs(&c, f, s.db.Time)
	return List(ctx, s.db, "logs", Page{Count: `SELECT COUNT(*) FROM logs`, Select: sqlSelectLog, Conds: &c,
		Order: ` ORDER BY created_at DESC, id DESC`, Offset: f.Offset, Limit: f.Limit}, s.db.Log)
}

// DeleteLogsBefore implements repository.Store, one repository at a time
// (all of them for "", through the logs_repository index) and
// LogDeleteChunk logs per transaction. Where the store locks, each
// transaction first locks the repository (KEY SHARE); a repository deleted
// meanwhile has no logs left to delete.
func (s Methods) DeleteLogsBefore(ctx context.Context, repoUUID string, before time.Time) (int64, error) {
	db := s.db
	repos := []string{repoUUID}
	if repoUUID == "" {
		err := db.Read(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT uuid FROM repositories ORDER BY uuid`)
			if err != nil {
				return err
			}
			repos, err = ScanAll(rows, String)
			return err
		})
		if err != nil {
			return 0, fmt.Errorf("deleting logs: %w", err)
		}
	}
	var total int64
	for _, r := range repos {
		for {
			var n int64
			err := db.Write(ctx, func(tx *sql.Tx) error {
				if db.Locks {
					if ok, err := db.findRow(ctx, tx, sqlLockRepository+" FOR KEY SHARE", r); err != nil || !ok {
						return err
					}
				}
				res, err := tx.ExecContext(ctx, db.Bind(sqlDeleteLogChunk), r, db.Time(before), LogDeleteChunk)
				if err != nil {
					return err
				}
				n, err = res.RowsAffected()
				return err
			})
			if err != nil {
				return total, fmt.Errorf("deleting logs of repository %s: %w", r, err)
			}
			total += n
			if n < LogDeleteChunk {
				break
			}
		}
	}
	return total, nil
}
