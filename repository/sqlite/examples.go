package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/repository"
)

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
		// Test sentences expecting the intent follow the rename.
		if _, err := tx.ExecContext(ctx, `UPDATE test_sentences SET intent = ?, updated_at = ? WHERE version_id = ? AND intent = ?`,
			to, fmtTime(at), versionID, from); err != nil {
			return fmt.Errorf("renaming intent in test sentences: %w", err)
		}
		return s.shared.Bump(ctx, tx, versionID, langs...)
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
		// Translations first: SQLite cascades row by row, so a translation
		// deleted with its original would not be counted.
		for _, cond := range []string{` AND translated_from IS NOT NULL`, ``} {
			res, err := tx.ExecContext(ctx, `DELETE FROM examples WHERE version_id = ? AND intent = ?`+cond, versionID, name)
			if err != nil {
				return fmt.Errorf("deleting intent: %w", err)
			}
			m, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += m
		}
		return s.shared.Bump(ctx, tx, versionID, langs...)
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
		// With no example to change (every span already has the group),
		// the test sentences below may still need the change.
		if len(langs) > 0 {
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
		}
		// The version's test sentences follow, so that evaluations keep
		// testing the same thing; they do not count in n.
		testIn := ` AND test_sentence_id IN (SELECT id FROM test_sentences WHERE version_id = ?)`
		if _, err := tx.ExecContext(ctx, `UPDATE test_sentences SET updated_at = ? WHERE id IN (SELECT DISTINCT test_sentence_id FROM test_sentence_entities WHERE `+cond+testIn+`)`,
			slices.Concat([]any{fmtTime(at)}, selArgs)...); err != nil {
			return err
		}
		testChange := strings.Replace(change, "example_entities", "test_sentence_entities", 1)
		if _, err := tx.ExecContext(ctx, testChange+` WHERE `+cond+testIn, slices.Concat(changeArgs, condArgs, []any{versionID})...); err != nil {
			return err
		}
		return s.shared.Bump(ctx, tx, versionID, langs...)
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
