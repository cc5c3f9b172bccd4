package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
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

// jsonArray encodes v as a JSON array, "[]" when empty.
func jsonArray[T any](v []T) (string, error) {
	if len(v) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
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
		ranking, err := jsonArray(l.Ranking)
		if err != nil {
			return fmt.Errorf("encoding ranking of log %d: %w", i, err)
		}
		entities, err := jsonArray(l.Entities)
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

func scanLog(row rowScanner) (repository.Log, error) {
	var l repository.Log
	var ranking, entities string
	err := row.Scan(&l.ID, &l.RepositoryUUID, &l.VersionID, &l.Language, &l.Text, &l.Intent, &l.Confidence,
		&ranking, &entities, &l.OutOfScope, &l.ModelID, &l.TokenID, &l.UserAgent, &l.Route, &l.DurationUS,
		timeCol{&l.CreatedAt})
	if err != nil {
		return l, err
	}
	l.Ranking, l.Entities = []nlu.Scored{}, []nlu.Entity{}
	if err := json.Unmarshal([]byte(ranking), &l.Ranking); err != nil {
		return l, fmt.Errorf("log %d ranking: %w", l.ID, err)
	}
	if err := json.Unmarshal([]byte(entities), &l.Entities); err != nil {
		return l, fmt.Errorf("log %d entities: %w", l.ID, err)
	}
	return l, nil
}

// FindLog implements repository.Store.
func (s *Store) FindLog(ctx context.Context, id int64) (repository.Log, error) {
	l, err := scanLog(s.db.QueryRowContext(ctx, sqlSelectLog+` WHERE id = ?`, id))
	if err != nil {
		return repository.Log{}, notFound(err, "log %d", id)
	}
	return l, nil
}

// ListLogs implements repository.Store.
func (s *Store) ListLogs(ctx context.Context, f repository.LogFilter) ([]repository.Log, int, error) {
	where, args := []string{"1 = 1"}, []any{}
	add := func(cond string, arg any) { where, args = append(where, cond), append(args, arg) }
	if f.RepositoryUUID != "" {
		add("repository_uuid = ?", f.RepositoryUUID)
	}
	if f.VersionID != 0 {
		add("version_id = ?", f.VersionID)
	}
	if f.Language != "" {
		add("language = ?", f.Language)
	}
	if f.Intent != "" {
		add("intent = ?", f.Intent)
	}
	if f.MinConfidence != nil {
		add("confidence >= ?", *f.MinConfidence)
	}
	if f.MaxConfidence != nil {
		add("confidence <= ?", *f.MaxConfidence)
	}
	if f.From != nil {
		add("created_at >= ?", fmtTime(*f.From))
	}
	if f.To != nil {
		add("created_at < ?", fmtTime(*f.To))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		add(`text_folded LIKE ? ESCAPE '\'`, likeContains(nlu.Fold(q)))
	}
	if f.OutOfScope != nil {
		add("out_of_scope = ?", *f.OutOfScope)
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	var out []repository.Log
	var total int
	err := s.read(ctx, func(tx *sql.Tx) (err error) {
		out, total, err = readPage(ctx, tx, listQuery{count: `SELECT COUNT(*) FROM logs`, sel: sqlSelectLog,
			cond: cond, args: args, order: ` ORDER BY created_at DESC, id DESC`, offset: f.Offset, limit: f.Limit}, scanLog)
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
