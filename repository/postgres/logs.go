package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/repository/sqlrow"
)

// logDeleteChunk is how many logs DeleteLogsBefore deletes per transaction,
// so that a purge holds its row locks briefly and a failure keeps what was
// already done.
const logDeleteChunk = 5000

const (
	sqlInsertLog = `INSERT INTO logs (repository_uuid, version_id, language, text, text_folded, intent, confidence,
    ranking, entities, out_of_scope, model_id, token_id, user_agent, route, duration_us, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`
	// sqlLockLogScope locks the repository of a log when the log's version
	// is one of its versions.
	sqlLockLogScope = `SELECT r.uuid FROM repositories r
WHERE r.uuid = $2 AND EXISTS (SELECT 1 FROM versions v WHERE v.id = $1 AND v.repository_uuid = r.uuid)
FOR KEY SHARE`
	sqlSelectLog = `SELECT id, repository_uuid, version_id, language, text, intent, confidence, ranking, entities,
    out_of_scope, model_id, token_id, user_agent, route, duration_us, created_at FROM logs`
	sqlRepositoryUUIDs = `SELECT uuid FROM repositories ORDER BY uuid COLLATE "C"`
	sqlDeleteLogChunk  = `DELETE FROM logs WHERE id IN
    (SELECT id FROM logs WHERE repository_uuid = $1 AND created_at < $2 LIMIT $3)`
)

// logRow is a log with its derived columns, computed before the write
// transaction starts so that it lasts only as long as the inserts.
type logRow struct {
	log      *repository.Log
	folded   string
	ranking  string
	entities string
}

// InsertLogs implements repository.Store, in one transaction. Whether each
// (repository, version) of the batch still exists is asked once per pair,
// not per log; the question locks the repository (see the package comment)
// so that the answer holds until the batch commits.
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
		exists := map[scope]bool{}
		for i, r := range rows {
			l := r.log
			sc := scope{l.RepositoryUUID, l.VersionID}
			ok, known := exists[sc]
			if !known {
				var err error
				if ok, err = lockRow(ctx, tx, sqlLockLogScope, l.VersionID, l.RepositoryUUID); err != nil {
					return fmt.Errorf("finding version %d: %w", l.VersionID, err)
				}
				exists[sc] = ok
			}
			if !ok {
				l.ID = 0
				continue
			}
			err := tx.QueryRowContext(ctx, sqlInsertLog, l.RepositoryUUID, l.VersionID, l.Language, l.Text, r.folded,
				l.Intent, l.Confidence, r.ranking, r.entities, l.OutOfScope, l.ModelID, l.TokenID, l.UserAgent, l.Route,
				l.DurationUS, ts(l.CreatedAt)).Scan(&l.ID)
			if err != nil {
				return fmt.Errorf("inserting log %d: %w", i, err)
			}
		}
		return nil
	})
}

// FindLog implements repository.Store.
func (s *Store) FindLog(ctx context.Context, id int64) (repository.Log, error) {
	l, err := scan.Log(s.db.QueryRowContext(ctx, sqlSelectLog+` WHERE id = $1`, id))
	if err != nil {
		return repository.Log{}, notFound(err, "log %d", id)
	}
	return l, nil
}

// ListLogs implements repository.Store. Query matches the folded text
// (nlu.Fold: case and accents ignored), "%" and "_" literally.
func (s *Store) ListLogs(ctx context.Context, f repository.LogFilter) ([]repository.Log, int, error) {
	var c sqlrow.Conds
	sqlrow.FilterLogs(&c, f, ts)
	var out []repository.Log
	var total int
	err := s.read(ctx, func(tx *sql.Tx) (err error) {
		out, total, err = readPage(ctx, tx, listQuery{count: `SELECT COUNT(*) FROM logs`, sel: sqlSelectLog,
			cond: where(&c), args: c.Args(), order: ` ORDER BY created_at DESC, id DESC`, offset: f.Offset, limit: f.Limit},
			scan.Log)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("listing logs: %w", err)
	}
	return out, total, nil
}

// DeleteLogsBefore implements repository.Store, one repository at a time
// (all of them for "", through the logs_repository index) and
// logDeleteChunk logs per transaction. Each transaction first locks the
// repository (see the package comment); a repository deleted meanwhile has
// no logs left to delete.
func (s *Store) DeleteLogsBefore(ctx context.Context, repoUUID string, before time.Time) (int64, error) {
	repos := []string{repoUUID}
	if repoUUID == "" {
		rows, err := s.db.QueryContext(ctx, sqlRepositoryUUIDs)
		if err != nil {
			return 0, fmt.Errorf("deleting logs: %w", err)
		}
		if repos, err = strings1(rows); err != nil {
			return 0, fmt.Errorf("deleting logs: %w", err)
		}
	}
	var total int64
	for _, r := range repos {
		for {
			var n int64
			err := s.write(ctx, func(tx *sql.Tx) error {
				ok, err := lockRepository(ctx, tx, r)
				if err != nil || !ok {
					return err
				}
				res, err := tx.ExecContext(ctx, sqlDeleteLogChunk, r, ts(before), logDeleteChunk)
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
