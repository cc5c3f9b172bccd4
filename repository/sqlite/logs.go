package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/repository/sqlrow"
)

// logDeleteChunk is how many logs DeleteLogsBefore deletes per transaction:
// a few tens of milliseconds of write lock, so that the log writer and
// other writers wait briefly between chunks instead of for the whole purge.
const logDeleteChunk = 5000

const (
	sqlInsertLog = `INSERT INTO logs (repository_uuid, version_id, language, text, text_folded, intent, confidence,
    ranking, entities, out_of_scope, model_id, token_id, user_agent, route, duration_us, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlLogVersion = `SELECT COUNT(*) FROM versions WHERE id = ? AND repository_uuid = ?`
	sqlSelectLog  = `SELECT id, repository_uuid, version_id, language, text, intent, confidence, ranking, entities,
    out_of_scope, model_id, token_id, user_agent, route, duration_us, created_at FROM logs`
)

// logRow is a log with its derived columns, computed before the write
// transaction starts so that the lock is held only for the inserts.
type logRow struct {
	log      *repository.Log
	folded   string
	ranking  string
	entities string
}

// InsertLogs implements repository.Store: one transaction and one prepared
// statement for the batch. Whether each (repository, version) of the batch
// still exists is asked once per pair, not per log.
func (s *Store) InsertLogs(ctx context.Context, logs []*repository.Log) error {
	if len(logs) == 0 {
		return nil
	}
	rows := make([]logRow, len(logs))
	for i, l := range logs {
		ranking, err := sqlrow.JSONArray(l.Ranking)
		if err != nil {
			return fmt.Errorf("encoding ranking of log %d: %w", i, err)
		}
		entities, err := sqlrow.JSONArray(l.Entities)
		if err != nil {
			return fmt.Errorf("encoding entities of log %d: %w", i, err)
		}
		rows[i] = logRow{l, nlu.Fold(l.Text), ranking, entities}
	}
	type scope struct {
		repo    string
		version int64
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		ins, err := tx.PrepareContext(ctx, sqlInsertLog)
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
				var n int
				if err := tx.QueryRowContext(ctx, sqlLogVersion, l.VersionID, l.RepositoryUUID).Scan(&n); err != nil {
					return fmt.Errorf("finding version %d: %w", l.VersionID, err)
				}
				ok = n > 0
				exists[sc] = ok
			}
			if !ok {
				l.ID = 0
				continue
			}
			res, err := ins.ExecContext(ctx, l.RepositoryUUID, l.VersionID, l.Language, l.Text, r.folded, l.Intent,
				l.Confidence, r.ranking, r.entities, l.OutOfScope, l.ModelID, l.TokenID, l.UserAgent, l.Route,
				l.DurationUS, fmtTime(l.CreatedAt))
			if err != nil {
				return fmt.Errorf("inserting log %d: %w", i, err)
			}
			if l.ID, err = res.LastInsertId(); err != nil {
				return err
			}
		}
		return nil
	})
}

// FindLog implements repository.Store.
func (s *Store) FindLog(ctx context.Context, id int64) (repository.Log, error) {
	l, err := scan.Log(s.db.QueryRowContext(ctx, sqlSelectLog+` WHERE id = ?`, id))
	if err != nil {
		return repository.Log{}, notFound(err, "log %d", id)
	}
	return l, nil
}

// ListLogs implements repository.Store.
func (s *Store) ListLogs(ctx context.Context, f repository.LogFilter) ([]repository.Log, int, error) {
	c := newConds()
	sqlrow.FilterLogs(c, f, fmtTime)
	var out []repository.Log
	var total int
	err := s.read(ctx, func(tx *sql.Tx) (err error) {
		out, total, err = readPage(ctx, tx, listQuery{count: `SELECT COUNT(*) FROM logs`, sel: sqlSelectLog,
			cond: c.Where(), args: c.Args(), order: ` ORDER BY created_at DESC, id DESC`, offset: f.Offset, limit: f.Limit}, scan.Log)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("listing logs: %w", err)
	}
	return out, total, nil
}

// DeleteLogsBefore implements repository.Store, one repository at a time
// (all of them for "", through the logs_repository index) and
// logDeleteChunk logs per transaction.
func (s *Store) DeleteLogsBefore(ctx context.Context, repoUUID string, before time.Time) (int64, error) {
	repos := []string{repoUUID}
	if repoUUID == "" {
		rows, err := s.db.QueryContext(ctx, `SELECT uuid FROM repositories ORDER BY uuid`)
		if err != nil {
			return 0, fmt.Errorf("deleting logs: %w", err)
		}
		if repos, err = scanStrings(rows); err != nil {
			return 0, fmt.Errorf("deleting logs: %w", err)
		}
	}
	del := fmt.Sprintf(`DELETE FROM logs WHERE id IN
    (SELECT id FROM logs WHERE repository_uuid = ? AND created_at < ? LIMIT %d)`, logDeleteChunk)
	var total int64
	for _, r := range repos {
		for {
			var n int64
			err := s.write(ctx, func(tx *sql.Tx) error {
				res, err := tx.ExecContext(ctx, del, r, fmtTime(before))
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
			if n < logDeleteChunk {
				break
			}
		}
	}
	return total, nil
}

// scanStrings reads and closes rows of one text column.
func scanStrings(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
