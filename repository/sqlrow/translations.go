package sqlrow

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
)

// Tx is a write transaction of a store with its placeholder syntax: Bind
// rewrites a query written with "?" placeholders into the store's (the
// identity for SQLite, $1, $2… for PostgreSQL).
type Tx struct {
	Tx   *sql.Tx
	Bind func(string) string
}

func (tx Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.Tx.ExecContext(ctx, tx.Bind(query), args...)
}

func (tx Tx) strings(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := tx.Tx.QueryContext(ctx, tx.Bind(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// TranslatedFrom is the select expression of an example's translated_from
// column (alias x) as Reader.Sentence reads it: 0 for an original.
const TranslatedFrom = "COALESCE(x.translated_from, 0)"

const (
	sqlSelectExample = `SELECT x.id, x.repository_uuid, x.version_id, x.text, x.language, x.intent, ` + TranslatedFrom + `,
    x.created_at, x.updated_at FROM examples x WHERE x.id = ?`
	sqlExampleSpans          = `SELECT start_pos, end_pos, entity, grp FROM example_entities WHERE example_id = ? ORDER BY start_pos`
	sqlTranslationInLanguage = `SELECT id FROM examples WHERE translated_from = ? AND language = ? AND id <> ?`
	sqlTranslationLanguages  = `SELECT DISTINCT language FROM examples WHERE translated_from = ?`
)

// Example reads, in tx, the example id with its spans; lock is appended to
// the query of its row (" FOR SHARE" on PostgreSQL, "" on SQLite, whose
// write transactions exclude each other). Returns ENOTFOUND.
func (r Reader) Example(ctx context.Context, tx Tx, id int64, lock string) (repository.Example, error) {
	e, err := r.Sentence(tx.Tx.QueryRowContext(ctx, tx.Bind(sqlSelectExample+lock), id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, sabia.Errorf(sabia.ENOTFOUND, "example %d not found", id)
	}
	if err != nil {
		return e, fmt.Errorf("finding example %d: %w", id, err)
	}
	rows, err := tx.Tx.QueryContext(ctx, tx.Bind(sqlExampleSpans), id)
	if err != nil {
		return e, fmt.Errorf("loading entities of example %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var sp nlu.Span
		if err := rows.Scan(&sp.Start, &sp.End, &sp.Entity, &sp.Group); err != nil {
			return e, fmt.Errorf("loading entities of example %d: %w", id, err)
		}
		e.Entities = append(e.Entities, sp)
	}
	return e, rows.Err()
}

// CheckTranslation checks, in tx, that e may be stored as a translation of
// the example e.TranslatedFrom (see repository.Store.CreateExamples): the
// original exists (ENOTFOUND), repository.CheckTranslation holds
// (EINVALID), and no example but e.ID (0 for a new one) translates it into
// e.Language (ECONFLICT). lock is as for Example.
func (r Reader) CheckTranslation(ctx context.Context, tx Tx, e *repository.Example, lock string) error {
	o, err := r.Example(ctx, tx, e.TranslatedFrom, lock)
	if err != nil {
		return err
	}
	if verr := repository.CheckTranslation(o, *e); verr != nil {
		return verr
	}
	var other int64
	err = tx.Tx.QueryRowContext(ctx, tx.Bind(sqlTranslationInLanguage), o.ID, e.Language, e.ID).Scan(&other)
	switch {
	case err == nil:
		return TranslationConflict(o.ID, e.Language, other)
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("finding translations of example %d: %w", o.ID, err)
	}
	return nil
}

// TranslationConflict is the ECONFLICT of a second translation of example
// id into lang; other is the first one (0 when unknown).
func TranslationConflict(id int64, lang string, other int64) error {
	if other == 0 {
		return sabia.Errorf(sabia.ECONFLICT, "example %d already has a translation into %s", id, lang)
	}
	return sabia.Errorf(sabia.ECONFLICT, "example %d already has a translation into %s (example %d)", id, lang, other)
}

// TranslationLanguages returns, in tx, the languages of the translations of
// example id.
func TranslationLanguages(ctx context.Context, tx Tx, id int64) ([]string, error) {
	langs, err := tx.strings(ctx, sqlTranslationLanguages, id)
	if err != nil {
		return nil, fmt.Errorf("finding translations of example %d: %w", id, err)
	}
	return langs, nil
}

// OriginalChanged applies, in tx, what changing the original e implies
// for its translations, whose languages it returns for the caller to bump
// when it changed them: e may not move into the language of one of them
// (EINVALID); when e.Intent differs from oldIntent, their intent follows
// and their updated_at becomes at (encoded as the store keeps times).
func OriginalChanged(ctx context.Context, tx Tx, e *repository.Example, oldIntent string, at any) ([]string, error) {
	langs, err := TranslationLanguages(ctx, tx, e.ID)
	if err != nil || len(langs) == 0 {
		return nil, err
	}
	for _, l := range langs {
		if l == e.Language {
			return nil, sabia.Errorf(sabia.EINVALID, "example %d has a translation into %s: it cannot move into that language", e.ID, l)
		}
	}
	if e.Intent == oldIntent {
		return nil, nil
	}
	if _, err := tx.exec(ctx, `UPDATE examples SET intent = ?, updated_at = ? WHERE translated_from = ?`, e.Intent, at, e.ID); err != nil {
		return nil, fmt.Errorf("changing the intent of the translations of example %d: %w", e.ID, err)
	}
	return langs, nil
}

// DeleteTranslations deletes, in tx, the translations of example id and
// returns their languages for the caller to bump.
func DeleteTranslations(ctx context.Context, tx Tx, id int64) ([]string, error) {
	langs, err := TranslationLanguages(ctx, tx, id)
	if err != nil || len(langs) == 0 {
		return nil, err
	}
	if _, err := tx.exec(ctx, `DELETE FROM examples WHERE translated_from = ?`, id); err != nil {
		return nil, fmt.Errorf("deleting the translations of example %d: %w", id, err)
	}
	return langs, nil
}

// Prefixed puts "where: " before the message of err (format and args make
// where), keeping its code; internal errors are wrapped. nil stays nil.
func Prefixed(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	where := fmt.Sprintf(format, args...)
	if code := sabia.ErrorCode(err); code != sabia.EINTERNAL {
		return sabia.Errorf(code, "%s: %s", where, sabia.ErrorMessage(err))
	}
	return fmt.Errorf("%s: %w", where, err)
}

// ResolveTranslation prepares item i of a batch of sentences being created
// (see Store.CreateExamples) for the translation check: it reports whether
// the item is a translation, after turning a reference -J-1 to an earlier
// item into that item's ID. It returns EINVALID for a translation among
// sentences that cannot be translations (what names them; revised is false
// for test sentences) or a reference to an item that does not come before.
func ResolveTranslation(batch []*repository.Example, i int, what string, revised bool) (bool, error) {
	e := batch[i]
	if e.TranslatedFrom == 0 {
		return false, nil
	}
	if !revised {
		return false, sabia.Errorf(sabia.EINVALID, "%s %d: a %s cannot be a translation", what, i, what)
	}
	if e.TranslatedFrom < 0 {
		j := int(-e.TranslatedFrom - 1)
		if j >= i {
			return false, sabia.Errorf(sabia.EINVALID, "%s %d: it translates %s %d, which does not come before it", what, i, what, j)
		}
		e.TranslatedFrom = batch[j].ID
	}
	return true, nil
}
