package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/repository/sqlrow"
)

const (
	sqlListIntents = `SELECT intent, COUNT(*) FROM examples WHERE version_id = $1 AND ($2 = '' OR language = $2)
GROUP BY intent ORDER BY intent COLLATE "C"`
	// The renames and deletes of intents return the language of each row
	// they change: the languages to bump are exactly those of the rows
	// changed, even if another transaction adds rows meanwhile.
	sqlRenameIntent = `UPDATE examples SET intent = $1, updated_at = $2 WHERE version_id = $3 AND intent = $4
RETURNING language`
	sqlRenameTestIntent = `UPDATE test_sentences SET intent = $1, updated_at = $2 WHERE version_id = $3 AND intent = $4`
	sqlDeleteIntent     = `DELETE FROM examples WHERE version_id = $1 AND intent = $2 RETURNING language`
	sqlListEntities     = `SELECT s.entity, s.grp, COUNT(DISTINCT s.example_id) FROM example_entities s
JOIN examples x ON x.id = s.example_id WHERE x.version_id = $1 AND ($2 = '' OR x.language = $2)
GROUP BY s.entity, s.grp ORDER BY s.entity COLLATE "C", s.grp COLLATE "C"`
)

// ListIntents implements repository.Store.
func (s *Store) ListIntents(ctx context.Context, versionID int64, lang string) ([]repository.IntentSummary, error) {
	rows, err := s.db.QueryContext(ctx, sqlListIntents, versionID, lang)
	if err != nil {
		return nil, fmt.Errorf("listing intents: %w", err)
	}
	out, err := sqlrow.ScanAll(rows, func(row sqlrow.Row) (repository.IntentSummary, error) {
		var in repository.IntentSummary
		err := row.Scan(&in.Name, &in.ExampleCount)
		return in, err
	})
	if err != nil {
		return nil, fmt.Errorf("listing intents: %w", err)
	}
	return out, nil
}

// strings1 reads and closes rows of one text column.
func strings1(rows *sql.Rows) ([]string, error) {
	out, err := sqlrow.ScanAll(rows, func(row sqlrow.Row) (string, error) {
		var v string
		err := row.Scan(&v)
		return v, err
	})
	return out, err
}

// changedLanguages runs a statement that returns the language of each row it
// changes, and returns how many rows it changed and their languages.
func changedLanguages(ctx context.Context, tx *sql.Tx, query string, args ...any) (int64, []string, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, nil, err
	}
	langs, err := strings1(rows)
	if err != nil {
		return 0, nil, err
	}
	n := int64(len(langs))
	slices.Sort(langs)
	return n, slices.Compact(langs), nil
}

// RenameIntent implements repository.Store.
func (s *Store) RenameIntent(ctx context.Context, versionID int64, from, to string, at time.Time) (int64, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := lockVersion(ctx, tx, versionID); err != nil {
			return err
		}
		var langs []string
		var err error
		n, langs, err = changedLanguages(ctx, tx, sqlRenameIntent, to, ts(at), versionID, from)
		if err != nil {
			return fmt.Errorf("renaming intent: %w", err)
		}
		if n == 0 {
			return sabia.Errorf(sabia.ENOTFOUND, "intent %q not found", from)
		}
		// Test sentences expecting the intent follow the rename.
		if _, err := tx.ExecContext(ctx, sqlRenameTestIntent, to, ts(at), versionID, from); err != nil {
			return fmt.Errorf("renaming intent in test sentences: %w", err)
		}
		return s.shared.Bump(ctx, tx, versionID, langs...)
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// DeleteIntent implements repository.Store.
func (s *Store) DeleteIntent(ctx context.Context, versionID int64, name string) (int64, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := lockVersion(ctx, tx, versionID); err != nil {
			return err
		}
		var langs []string
		var err error
		n, langs, err = changedLanguages(ctx, tx, sqlDeleteIntent, versionID, name)
		if err != nil {
			return fmt.Errorf("deleting intent: %w", err)
		}
		if n == 0 {
			return sabia.Errorf(sabia.ENOTFOUND, "intent %q not found", name)
		}
		return s.shared.Bump(ctx, tx, versionID, langs...)
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// ListEntities implements repository.Store.
func (s *Store) ListEntities(ctx context.Context, versionID int64, lang string) ([]repository.EntitySummary, error) {
	rows, err := s.db.QueryContext(ctx, sqlListEntities, versionID, lang)
	if err != nil {
		return nil, fmt.Errorf("listing entities: %w", err)
	}
	out, err := sqlrow.ScanAll(rows, func(row sqlrow.Row) (repository.EntitySummary, error) {
		var e repository.EntitySummary
		err := row.Scan(&e.Entity, &e.Group, &e.ExampleCount)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("listing entities: %w", err)
	}
	return out, nil
}

// spanChange is one change to the entity spans of a version: the spans
// matching cond (a condition on the spans' columns, with "?" placeholders
// for condArgs) get change, an UPDATE … SET or DELETE prefix on the spans'
// table with changeArgs, then cond, then a restriction to the version. exists
// is the condition that must match some span for the target to exist, what
// names it in ENOTFOUND.
type spanChange struct {
	what       string
	exists     string
	existsArgs []any
	cond       string
	condArgs   []any
	change     string
	changeArgs []any
}

// Queries of spanChange.run; the first two have "?" placeholders and %s for
// a condition.
// The existence check looks at the examples' spans alone, as SQLite's does;
// in the others {spans}, {fk} and {table} name the spans, their sentence
// column and the sentences, examples' or test sentences'.
const (
	sqlSpanExists = `SELECT EXISTS (SELECT 1 FROM example_entities WHERE %s
    AND example_id IN (SELECT id FROM examples WHERE version_id = ?))`
	sqlSpanChangeTail = ` WHERE %s AND {fk} IN (SELECT id FROM {table} WHERE version_id = ?) RETURNING {fk}`
	sqlTouchSentences = `UPDATE {table} SET updated_at = $1 WHERE id = ANY($2) RETURNING language`
)

// spanTables are the tables of sentences whose spans a spanChange changes,
// with their names for {table}, {spans} and {fk}; only the examples' are
// revised (their changes bump the dataset revision and count in the result).
var spanTables = []struct {
	names   *strings.Replacer
	revised bool
}{
	{strings.NewReplacer("{table}", "examples", "{spans}", "example_entities", "{fk}", "example_id"), true},
	{strings.NewReplacer("{table}", "test_sentences", "{spans}", "test_sentence_entities", "{fk}", "test_sentence_id"), false},
}

// run applies the change: it changes the spans first and learns from their
// RETURNING which examples they belong to, then sets those examples'
// UpdatedAt and bumps their languages, so that the examples touched are
// exactly those whose spans changed. The version's test sentences follow;
// they do not count in the result, the number of examples changed.
func (c spanChange) run(ctx context.Context, s *Store, versionID int64, at time.Time) (int64, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := lockVersion(ctx, tx, versionID); err != nil {
			return err
		}
		var found bool
		err := tx.QueryRowContext(ctx, bind(fmt.Sprintf(sqlSpanExists, c.exists)),
			slices.Concat(c.existsArgs, []any{versionID})...).Scan(&found)
		if err != nil {
			return err
		}
		if !found {
			return sabia.Errorf(sabia.ENOTFOUND, "%s not found", c.what)
		}
		args := slices.Concat(c.changeArgs, c.condArgs, []any{versionID})
		var langs []string
		for _, t := range spanTables {
			ids, err := changedSentences(ctx, tx, t.names.Replace(bind(c.change+fmt.Sprintf(sqlSpanChangeTail, c.cond))), args)
			if err != nil {
				return err
			}
			if len(ids) == 0 {
				continue
			}
			changed, l, err := changedLanguages(ctx, tx, t.names.Replace(sqlTouchSentences), ts(at), ids)
			if err != nil {
				return err
			}
			if t.revised {
				n, langs = changed, l
			}
		}
		return s.shared.Bump(ctx, tx, versionID, langs...)
	})
	if err != nil {
		if sabia.ErrorCode(err) == sabia.EINTERNAL {
			err = fmt.Errorf("changing %s: %w", c.what, err)
		}
		return 0, err
	}
	return n, nil
}

// changedSentences runs a change of spans returning their sentence column
// and returns the distinct sentences.
func changedSentences(ctx context.Context, tx *sql.Tx, query string, args []any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	ids, err := sqlrow.ScanAll(rows, func(row sqlrow.Row) (int64, error) {
		var id int64
		err := row.Scan(&id)
		return id, err
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// RenameEntity implements repository.Store.
func (s *Store) RenameEntity(ctx context.Context, versionID int64, from, to string, at time.Time) (int64, error) {
	return spanChange{what: fmt.Sprintf("entity %q", from),
		exists: `entity = ?`, existsArgs: []any{from}, cond: `entity = ?`, condArgs: []any{from},
		change: `UPDATE {spans} SET entity = ?`, changeArgs: []any{to}}.run(ctx, s, versionID, at)
}

// SetEntityGroup implements repository.Store.
func (s *Store) SetEntityGroup(ctx context.Context, versionID int64, entity, group string, at time.Time) (int64, error) {
	return spanChange{what: fmt.Sprintf("entity %q", entity),
		exists: `entity = ?`, existsArgs: []any{entity}, cond: `entity = ? AND grp <> ?`, condArgs: []any{entity, group},
		change: `UPDATE {spans} SET grp = ?`, changeArgs: []any{group}}.run(ctx, s, versionID, at)
}

// RenameGroup implements repository.Store.
func (s *Store) RenameGroup(ctx context.Context, versionID int64, from, to string, at time.Time) (int64, error) {
	if from == "" {
		return 0, sabia.Errorf(sabia.EINVALID, "group to rename is required")
	}
	return spanChange{what: fmt.Sprintf("group %q", from),
		exists: `grp = ?`, existsArgs: []any{from}, cond: `grp = ?`, condArgs: []any{from},
		change: `UPDATE {spans} SET grp = ?`, changeArgs: []any{to}}.run(ctx, s, versionID, at)
}

// DeleteEntity implements repository.Store.
func (s *Store) DeleteEntity(ctx context.Context, versionID int64, entity string, at time.Time) (int64, error) {
	return spanChange{what: fmt.Sprintf("entity %q", entity),
		exists: `entity = ?`, existsArgs: []any{entity}, cond: `entity = ?`, condArgs: []any{entity},
		change: `DELETE FROM {spans}`}.run(ctx, s, versionID, at)
}
