package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
)

const (
	sqlInsertExample = `INSERT INTO examples
    (repository_uuid, version_id, text, text_folded, language, intent, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	sqlInsertSpan    = `INSERT INTO example_entities (example_id, start_pos, end_pos, entity, grp) VALUES (?, ?, ?, ?, ?)`
	sqlFindText      = `SELECT id FROM examples WHERE version_id = ? AND language = ? AND text = ? AND id <> ?`
	sqlSelectSpans   = `SELECT example_id, start_pos, end_pos, entity, grp FROM example_entities`
	sqlSelectExample = `SELECT x.id, x.repository_uuid, x.version_id, x.text, x.language, x.intent, x.created_at, x.updated_at
FROM examples x`
)

// CreateExamples implements repository.Store.
func (s *Store) CreateExamples(ctx context.Context, examples []*repository.Example) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		ins, err := tx.PrepareContext(ctx, sqlInsertExample)
		if err != nil {
			return err
		}
		defer ins.Close()
		find, err := tx.PrepareContext(ctx, sqlFindText)
		if err != nil {
			return err
		}
		defer find.Close()
		spans, err := tx.PrepareContext(ctx, sqlInsertSpan)
		if err != nil {
			return err
		}
		defer spans.Close()

		versions := map[int64]bool{}
		touched := map[int64][]string{}
		batch := map[int64]int{} // ID → index of the examples inserted here
		for i, e := range examples {
			if !versions[e.VersionID] {
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM versions WHERE id = ?`, e.VersionID).Scan(&n); err != nil {
					return err
				}
				if n == 0 {
					return sabia.Errorf(sabia.ENOTFOUND, "example %d: version %d not found", i, e.VersionID)
				}
				versions[e.VersionID] = true
			}
			var other int64
			err := find.QueryRowContext(ctx, e.VersionID, e.Language, e.Text, 0).Scan(&other)
			switch {
			case err == nil:
				if j, ok := batch[other]; ok {
					return sabia.Errorf(sabia.ECONFLICT, "example %d: text %q repeats example %d", i, e.Text, j)
				}
				return sabia.Errorf(sabia.ECONFLICT, "example %d: text %q already exists in %s (example %d)", i, e.Text, e.Language, other)
			case !errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("checking duplicates: %w", err)
			}
			res, err := ins.ExecContext(ctx, e.RepositoryUUID, e.VersionID, e.Text, nlu.Fold(e.Text), e.Language, e.Intent,
				fmtTime(e.CreatedAt), fmtTime(e.UpdatedAt))
			if err != nil {
				return fmt.Errorf("inserting example %d: %w", i, err)
			}
			if e.ID, err = res.LastInsertId(); err != nil {
				return err
			}
			batch[e.ID] = i
			if err := insertSpans(ctx, spans, e); err != nil {
				return err
			}
			touched[e.VersionID] = append(touched[e.VersionID], e.Language)
		}
		for v, langs := range touched {
			if err := bump(ctx, tx, v, langs...); err != nil {
				return err
			}
		}
		return nil
	})
}

func insertSpans(ctx context.Context, stmt *sql.Stmt, e *repository.Example) error {
	if e.Entities == nil {
		e.Entities = []nlu.Span{}
	}
	for _, sp := range e.Entities {
		if _, err := stmt.ExecContext(ctx, e.ID, sp.Start, sp.End, sp.Entity, sp.Group); err != nil {
			return fmt.Errorf("inserting entity of example %d: %w", e.ID, err)
		}
	}
	return nil
}

func scanExample(row interface{ Scan(...any) error }) (repository.Example, error) {
	var e repository.Example
	err := row.Scan(&e.ID, &e.RepositoryUUID, &e.VersionID, &e.Text, &e.Language, &e.Intent,
		timeCol{&e.CreatedAt}, timeCol{&e.UpdatedAt})
	e.Entities = []nlu.Span{}
	return e, err
}

// loadSpans returns the spans of the examples whose IDs the subquery (a
// SELECT of one column) returns, by example and start.
func loadSpans(ctx context.Context, tx *sql.Tx, subquery string, args ...any) (map[int64][]nlu.Span, error) {
	rows, err := tx.QueryContext(ctx, sqlSelectSpans+` WHERE example_id IN (`+subquery+`) ORDER BY example_id, start_pos`, args...)
	if err != nil {
		return nil, fmt.Errorf("loading entities: %w", err)
	}
	defer rows.Close()
	out := map[int64][]nlu.Span{}
	for rows.Next() {
		var id int64
		var sp nlu.Span
		if err := rows.Scan(&id, &sp.Start, &sp.End, &sp.Entity, &sp.Group); err != nil {
			return nil, fmt.Errorf("loading entities: %w", err)
		}
		out[id] = append(out[id], sp)
	}
	return out, rows.Err()
}

// FindExample implements repository.Store.
func (s *Store) FindExample(ctx context.Context, id int64) (repository.Example, error) {
	var e repository.Example
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		e, err = scanExample(tx.QueryRowContext(ctx, sqlSelectExample+` WHERE x.id = ?`, id))
		if err != nil {
			return notFound(err, "example %d", id)
		}
		spans, err := loadSpans(ctx, tx, `?`, id)
		if err != nil {
			return err
		}
		if sp := spans[id]; sp != nil {
			e.Entities = sp
		}
		return nil
	})
	return e, err
}

// ListExamples implements repository.Store.
func (s *Store) ListExamples(ctx context.Context, f repository.ExampleFilter) ([]repository.Example, int, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.RepositoryUUID != "" {
		where, args = append(where, "x.repository_uuid = ?"), append(args, f.RepositoryUUID)
	}
	if f.VersionID != 0 {
		where, args = append(where, "x.version_id = ?"), append(args, f.VersionID)
	}
	if f.Language != "" {
		where, args = append(where, "x.language = ?"), append(args, f.Language)
	}
	if f.Intent != "" {
		where, args = append(where, "x.intent = ?"), append(args, f.Intent)
	}
	if f.Entity != "" {
		where = append(where, "EXISTS (SELECT 1 FROM example_entities s WHERE s.example_id = x.id AND s.entity = ?)")
		args = append(args, f.Entity)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		where, args = append(where, `x.text_folded LIKE ? ESCAPE '\'`), append(args, likeContains(nlu.Fold(q)))
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	page := cond + " ORDER BY x.id" + limitOffset(f.Offset, f.Limit)
	out := []repository.Example{}
	var total int
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM examples x`+cond, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, sqlSelectExample+page, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanExample(rows)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(out) == 0 {
			return nil
		}
		spans, err := loadSpans(ctx, tx, `SELECT x.id FROM examples x`+page, args...)
		if err != nil {
			return err
		}
		for i := range out {
			if sp := spans[out[i].ID]; sp != nil {
				out[i].Entities = sp
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("listing examples: %w", err)
	}
	return out, total, nil
}

// exampleKey returns the version and language of an example, ENOTFOUND.
func exampleKey(ctx context.Context, tx *sql.Tx, id int64) (int64, string, error) {
	var version int64
	var lang string
	err := tx.QueryRowContext(ctx, `SELECT version_id, language FROM examples WHERE id = ?`, id).Scan(&version, &lang)
	if err != nil {
		return 0, "", notFound(err, "example %d", id)
	}
	return version, lang, nil
}

// UpdateExample implements repository.Store.
func (s *Store) UpdateExample(ctx context.Context, e *repository.Example) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		version, oldLang, err := exampleKey(ctx, tx, e.ID)
		if err != nil {
			return err
		}
		var other int64
		err = tx.QueryRowContext(ctx, sqlFindText, version, e.Language, e.Text, e.ID).Scan(&other)
		switch {
		case err == nil:
			return sabia.Errorf(sabia.ECONFLICT, "text %q already exists in %s (example %d)", e.Text, e.Language, other)
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("checking duplicates: %w", err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE examples SET text = ?, text_folded = ?, language = ?, intent = ?, updated_at = ?
WHERE id = ?`, e.Text, nlu.Fold(e.Text), e.Language, e.Intent, fmtTime(e.UpdatedAt), e.ID)
		if err != nil {
			return fmt.Errorf("updating example: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM example_entities WHERE example_id = ?`, e.ID); err != nil {
			return fmt.Errorf("updating example: %w", err)
		}
		stmt, err := tx.PrepareContext(ctx, sqlInsertSpan)
		if err != nil {
			return err
		}
		defer stmt.Close()
		if err := insertSpans(ctx, stmt, e); err != nil {
			return err
		}
		e.VersionID = version
		return bump(ctx, tx, version, oldLang, e.Language)
	})
}

// DeleteExample implements repository.Store.
func (s *Store) DeleteExample(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		version, lang, err := exampleKey(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM examples WHERE id = ?`, id); err != nil {
			return fmt.Errorf("deleting example: %w", err)
		}
		return bump(ctx, tx, version, lang)
	})
}

// ListIntents implements repository.Store.
func (s *Store) ListIntents(ctx context.Context, versionID int64, lang string) ([]repository.IntentSummary, error) {
	q, args := `SELECT intent, COUNT(*) FROM examples WHERE version_id = ?`, []any{versionID}
	if lang != "" {
		q, args = q+` AND language = ?`, append(args, lang)
	}
	rows, err := s.db.QueryContext(ctx, q+` GROUP BY intent ORDER BY intent`, args...)
	if err != nil {
		return nil, fmt.Errorf("listing intents: %w", err)
	}
	defer rows.Close()
	out := []repository.IntentSummary{}
	for rows.Next() {
		var in repository.IntentSummary
		if err := rows.Scan(&in.Name, &in.ExampleCount); err != nil {
			return nil, fmt.Errorf("listing intents: %w", err)
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// languagesOf returns the distinct languages of the examples a query
// selects (SELECT language …).
func languagesOf(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// RenameIntent implements repository.Store.
func (s *Store) RenameIntent(ctx context.Context, versionID int64, from, to string, at time.Time) (int64, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		langs, err := languagesOf(ctx, tx, `SELECT DISTINCT language FROM examples WHERE version_id = ? AND intent = ?`, versionID, from)
		if err != nil {
			return fmt.Errorf("renaming intent: %w", err)
		}
		if len(langs) == 0 {
			return sabia.Errorf(sabia.ENOTFOUND, "intent %q not found", from)
		}
		res, err := tx.ExecContext(ctx, `UPDATE examples SET intent = ?, updated_at = ? WHERE version_id = ? AND intent = ?`,
			to, fmtTime(at), versionID, from)
		if err != nil {
			return fmt.Errorf("renaming intent: %w", err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		return bump(ctx, tx, versionID, langs...)
	})
	return n, err
}

// DeleteIntent implements repository.Store.
func (s *Store) DeleteIntent(ctx context.Context, versionID int64, name string) (int64, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		langs, err := languagesOf(ctx, tx, `SELECT DISTINCT language FROM examples WHERE version_id = ? AND intent = ?`, versionID, name)
		if err != nil {
			return fmt.Errorf("deleting intent: %w", err)
		}
		if len(langs) == 0 {
			return sabia.Errorf(sabia.ENOTFOUND, "intent %q not found", name)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM examples WHERE version_id = ? AND intent = ?`, versionID, name)
		if err != nil {
			return fmt.Errorf("deleting intent: %w", err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		return bump(ctx, tx, versionID, langs...)
	})
	return n, err
}

// ListEntities implements repository.Store.
func (s *Store) ListEntities(ctx context.Context, versionID int64, lang string) ([]repository.EntitySummary, error) {
	q := `SELECT s.entity, s.grp, COUNT(DISTINCT s.example_id) FROM example_entities s
JOIN examples x ON x.id = s.example_id WHERE x.version_id = ?`
	args := []any{versionID}
	if lang != "" {
		q, args = q+` AND x.language = ?`, append(args, lang)
	}
	rows, err := s.db.QueryContext(ctx, q+` GROUP BY s.entity, s.grp ORDER BY s.entity, s.grp`, args...)
	if err != nil {
		return nil, fmt.Errorf("listing entities: %w", err)
	}
	defer rows.Close()
	out := []repository.EntitySummary{}
	for rows.Next() {
		var e repository.EntitySummary
		if err := rows.Scan(&e.Entity, &e.Group, &e.ExampleCount); err != nil {
			return nil, fmt.Errorf("listing entities: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// spanChange changes the spans of a version that match a condition on
// example_entities columns (cond with condArgs), touching their examples and
// bumping their languages. exists is the condition that must match some span
// for the target to exist (ENOTFOUND naming what otherwise); change is an
// UPDATE … SET or DELETE prefix on example_entities with changeArgs, to
// which "WHERE cond AND example_id IN (…version…)" is appended.
func (s *Store) spanChange(ctx context.Context, versionID int64, at time.Time, what string,
	exists string, existsArgs []any, cond string, condArgs []any, change string, changeArgs []any) (int64, error) {
	inVersion := ` AND example_id IN (SELECT id FROM examples WHERE version_id = ?)`
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		var found int
		err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM example_entities WHERE `+exists+inVersion,
			slices.Concat(existsArgs, []any{versionID})...).Scan(&found)
		if err != nil {
			return err
		}
		if found == 0 {
			return sabia.Errorf(sabia.ENOTFOUND, "%s not found", what)
		}
		sel := `SELECT DISTINCT example_id FROM example_entities WHERE ` + cond + inVersion
		selArgs := slices.Concat(condArgs, []any{versionID})
		langs, err := languagesOf(ctx, tx, `SELECT DISTINCT language FROM examples WHERE id IN (`+sel+`)`, selArgs...)
		if err != nil {
			return err
		}
		if len(langs) == 0 {
			return nil // nothing to change
		}
		res, err := tx.ExecContext(ctx, `UPDATE examples SET updated_at = ? WHERE id IN (`+sel+`)`,
			slices.Concat([]any{fmtTime(at)}, selArgs)...)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, change+` WHERE `+cond+inVersion, slices.Concat(changeArgs, condArgs, []any{versionID})...); err != nil {
			return err
		}
		return bump(ctx, tx, versionID, langs...)
	})
	if err != nil && sabia.ErrorCode(err) == sabia.EINTERNAL {
		return 0, fmt.Errorf("changing %s: %w", what, err)
	}
	return n, err
}

// RenameEntity implements repository.Store.
func (s *Store) RenameEntity(ctx context.Context, versionID int64, from, to string, at time.Time) (int64, error) {
	return s.spanChange(ctx, versionID, at, fmt.Sprintf("entity %q", from),
		`entity = ?`, []any{from}, `entity = ?`, []any{from},
		`UPDATE example_entities SET entity = ?`, []any{to})
}

// SetEntityGroup implements repository.Store.
func (s *Store) SetEntityGroup(ctx context.Context, versionID int64, entity, group string, at time.Time) (int64, error) {
	return s.spanChange(ctx, versionID, at, fmt.Sprintf("entity %q", entity),
		`entity = ?`, []any{entity}, `entity = ? AND grp <> ?`, []any{entity, group},
		`UPDATE example_entities SET grp = ?`, []any{group})
}

// RenameGroup implements repository.Store.
func (s *Store) RenameGroup(ctx context.Context, versionID int64, from, to string, at time.Time) (int64, error) {
	if from == "" {
		return 0, sabia.Errorf(sabia.EINVALID, "group to rename is required")
	}
	return s.spanChange(ctx, versionID, at, fmt.Sprintf("group %q", from),
		`grp = ?`, []any{from}, `grp = ?`, []any{from},
		`UPDATE example_entities SET grp = ?`, []any{to})
}

// DeleteEntity implements repository.Store.
func (s *Store) DeleteEntity(ctx context.Context, versionID int64, entity string, at time.Time) (int64, error) {
	return s.spanChange(ctx, versionID, at, fmt.Sprintf("entity %q", entity),
		`entity = ?`, []any{entity}, `entity = ?`, []any{entity},
		`DELETE FROM example_entities`, nil)
}

// versionExists returns ENOTFOUND unless the version exists.
func versionExists(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id int64) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM versions WHERE id = ?`, id).Scan(&n); err != nil {
		return fmt.Errorf("finding version %d: %w", id, err)
	}
	if n == 0 {
		return sabia.Errorf(sabia.ENOTFOUND, "version %d not found", id)
	}
	return nil
}

func revision(ctx context.Context, tx *sql.Tx, versionID int64, lang string) (int64, error) {
	var rev int64
	err := tx.QueryRowContext(ctx, `SELECT revision FROM dataset_revisions WHERE version_id = ? AND language = ?`,
		versionID, lang).Scan(&rev)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return rev, err
}

// Revision implements repository.Store.
func (s *Store) Revision(ctx context.Context, versionID int64, lang string) (int64, error) {
	var rev int64
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := versionExists(ctx, tx, versionID); err != nil {
			return err
		}
		var err error
		rev, err = revision(ctx, tx, versionID, lang)
		return err
	})
	return rev, err
}

// TrainingSet implements repository.Store.
func (s *Store) TrainingSet(ctx context.Context, versionID int64, lang string) ([]nlu.Example, int64, error) {
	var out []nlu.Example
	var rev int64
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := versionExists(ctx, tx, versionID); err != nil {
			return err
		}
		var err error
		if rev, err = revision(ctx, tx, versionID, lang); err != nil {
			return err
		}
		sel := `SELECT id FROM examples WHERE version_id = ? AND language = ?`
		spans, err := loadSpans(ctx, tx, sel, versionID, lang)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, text, intent FROM examples WHERE version_id = ? AND language = ? ORDER BY id`,
			versionID, lang)
		if err != nil {
			return err
		}
		defer rows.Close()
		out = []nlu.Example{}
		for rows.Next() {
			var id int64
			var e nlu.Example
			if err := rows.Scan(&id, &e.Text, &e.Intent); err != nil {
				return err
			}
			e.Entities = spans[id]
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		if sabia.ErrorCode(err) == sabia.EINTERNAL {
			err = fmt.Errorf("loading training set: %w", err)
		}
		return nil, 0, err
	}
	return out, rev, nil
}
