package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/repository/sqlrow"
)

// sentenceTable is one table of labelled sentences with its table of entity
// spans: examples, which train models, and test sentences, which evaluate
// them. The two have the same columns and rules, so one implementation
// serves both; only changes to examples bump the dataset revision, and only
// examples have translations (the column translated_from). Queries name the
// tables with {table}, {spans} and {fk} (the spans' column that references
// the sentence), the translated_from of x with {tf} (0 for test sentences),
// and the inserted translated_from with {tfcol} and {tfval}, which q fills
// in.
type sentenceTable struct {
	what    string // "example" or "test sentence", in messages
	revised bool   // changes bump dataset_revisions and follow translations
	names   *strings.Replacer
}

var (
	examples      = newSentenceTable("example", "examples", "example_entities", "example_id", true)
	testSentences = newSentenceTable("test sentence", "test_sentences", "test_sentence_entities", "test_sentence_id", false)
)

func newSentenceTable(what, table, spans, fk string, revised bool) *sentenceTable {
	tf, tfcol, tfval := "0", "", ""
	if revised {
		tf, tfcol, tfval = sqlrow.TranslatedFrom, ", translated_from", ", $9"
	}
	return &sentenceTable{what: what, revised: revised,
		names: strings.NewReplacer("{table}", table, "{spans}", spans, "{fk}", fk, "{tfcol}", tfcol, "{tfval}", tfval, "{tf}", tf)}
}

// sqlTx wraps tx for the code sqlrow shares, binding its "?" placeholders.
func sqlTx(tx *sql.Tx) sqlrow.Tx { return sqlrow.Tx{Tx: tx, Bind: bind} }

// lockOriginal is how a translation's original is locked while it is
// checked: its intent and entities cannot change before the commit.
const lockOriginal = " FOR SHARE"

// translatedFrom is the value of the translated_from column: NULL for an
// original.
func translatedFrom(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// constraintTranslation is the unique index of one translation per example
// and language.
const constraintTranslation = "examples_translation"

// q returns query with the table names filled in.
func (t *sentenceTable) q(query string) string { return t.names.Replace(query) }

const (
	sqlInsertSentence = `INSERT INTO {table}
    (repository_uuid, version_id, text, text_folded, language, intent, created_at, updated_at{tfcol})
VALUES ($1, $2, $3, $4, $5, $6, $7, $8{tfval}) RETURNING id`
	sqlInsertSpan = `INSERT INTO {spans} ({fk}, start_pos, end_pos, entity, grp) VALUES ($1, $2, $3, $4, $5)`
	// sqlFindText finds another sentence with the text through the unique
	// index on md5(text), then compares the texts themselves.
	sqlFindText = `SELECT id FROM {table}
WHERE version_id = $1 AND language = $2 AND md5(text) = md5($3) AND text = $3 AND id <> $4`
	sqlSelectSpans    = `SELECT {fk}, start_pos, end_pos, entity, grp FROM {spans}`
	sqlSelectSentence = `SELECT x.id, x.repository_uuid, x.version_id, x.text, x.language, x.intent, {tf},
    x.created_at, x.updated_at FROM {table} x`
	sqlUpdateSentence = `UPDATE {table} SET text = $1, text_folded = $2, language = $3, intent = $4, updated_at = $5
WHERE id = $6`
	sqlDeleteSpansOf    = `DELETE FROM {spans} WHERE {fk} = $1`
	sqlDeleteSentence   = `DELETE FROM {table} WHERE id = $1`
	sqlLockSentenceRepo = `SELECT r.uuid FROM repositories r
WHERE r.uuid = (SELECT x.repository_uuid FROM {table} x WHERE x.id = $1) FOR KEY SHARE`
	// sqlSentenceKey locks the sentence's row, so that its language cannot
	// change between this read and the write that follows.
	sqlSentenceKey      = `SELECT x.version_id, x.language, x.intent, {tf} FROM {table} x WHERE x.id = $1 FOR NO KEY UPDATE`
	sqlSentenceOriginal = `SELECT {tf} FROM {table} x WHERE x.id = $1`
	sqlSentenceSet      = `SELECT id, text, intent FROM {table} WHERE version_id = $1 AND language = $2 ORDER BY id`
	sqlSentenceSetSpans = `SELECT s.{fk}, s.start_pos, s.end_pos, s.entity, s.grp FROM {spans} s
JOIN {table} x ON x.id = s.{fk} WHERE x.version_id = $1 AND x.language = $2 ORDER BY s.{fk}, s.start_pos`
)

// create inserts sentences, all or none (see Store.CreateExamples).
func (t *sentenceTable) create(ctx context.Context, s *Store, sentences []*repository.Example) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		versions := map[int64]bool{}
		touched := map[int64][]string{}
		batch := map[int64]int{} // ID → index of the sentences inserted here
		for i, e := range sentences {
			if !versions[e.VersionID] {
				ok, err := lockVersion(ctx, tx, e.VersionID)
				if err != nil {
					return err
				}
				if !ok {
					return sabia.Errorf(sabia.ENOTFOUND, "%s %d: version %d not found", t.what, i, e.VersionID)
				}
				versions[e.VersionID] = true
			}
			if err := t.checkTranslation(ctx, tx, sentences, i); err != nil {
				return err
			}
			var other int64
			err := tx.QueryRowContext(ctx, t.q(sqlFindText), e.VersionID, e.Language, e.Text, int64(0)).Scan(&other)
			switch {
			case err == nil:
				if j, ok := batch[other]; ok {
					return sabia.Errorf(sabia.ECONFLICT, "%s %d: text %q repeats %s %d", t.what, i, e.Text, t.what, j)
				}
				return sabia.Errorf(sabia.ECONFLICT, "%s %d: text %q already exists in %s (%s %d)", t.what, i, e.Text, e.Language, t.what, other)
			case !errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("checking duplicates: %w", err)
			}
			err = tx.QueryRowContext(ctx, t.q(sqlInsertSentence), t.insertArgs(e)...).Scan(&e.ID)
			if c, ok := uniqueViolation(err); ok && c == constraintTranslation {
				// A concurrent transaction translated the original since the check.
				return sqlrow.Prefixed(sqlrow.TranslationConflict(e.TranslatedFrom, e.Language, 0), "%s %d", t.what, i)
			}
			if isUnique(err) {
				// A concurrent transaction stored the text since the check.
				return sabia.Errorf(sabia.ECONFLICT, "%s %d: text %q already exists in %s", t.what, i, e.Text, e.Language)
			}
			if err != nil {
				return fmt.Errorf("inserting %s %d: %w", t.what, i, err)
			}
			batch[e.ID] = i
			if err := t.insertSpans(ctx, tx, e); err != nil {
				return err
			}
			touched[e.VersionID] = append(touched[e.VersionID], e.Language)
		}
		if !t.revised {
			return nil
		}
		// In version order, so that concurrent batches lock revisions in the
		// same order.
		ids := make([]int64, 0, len(touched))
		for v := range touched {
			ids = append(ids, v)
		}
		slices.Sort(ids)
		for _, v := range ids {
			if err := bump(ctx, tx, v, touched[v]...); err != nil {
				return err
			}
		}
		return nil
	})
}

// checkTranslation checks item i of a batch being created when it is a
// translation, first resolving a reference to an earlier item (see
// Store.CreateExamples) to its ID.
func (t *sentenceTable) checkTranslation(ctx context.Context, tx *sql.Tx, batch []*repository.Example, i int) error {
	e := batch[i]
	if ok, err := sqlrow.ResolveTranslation(batch, i, t.what, t.revised); !ok {
		return err
	}
	return sqlrow.Prefixed(scan.CheckTranslation(ctx, sqlTx(tx), e, lockOriginal), "%s %d", t.what, i)
}

// insertSpans inserts the spans of e (setting a nil Entities to empty).
func (t *sentenceTable) insertSpans(ctx context.Context, tx *sql.Tx, e *repository.Example) error {
	if e.Entities == nil {
		e.Entities = []nlu.Span{}
	}
	for _, sp := range e.Entities {
		if _, err := tx.ExecContext(ctx, t.q(sqlInsertSpan), e.ID, sp.Start, sp.End, sp.Entity, sp.Group); err != nil {
			return fmt.Errorf("inserting entity of %s %d: %w", t.what, e.ID, err)
		}
	}
	return nil
}

// loadSpans runs a query of spans (the columns of sqlSelectSpans, ordered by
// sentence and start) and returns them by sentence.
func (t *sentenceTable) loadSpans(ctx context.Context, tx *sql.Tx, query string, args ...any) (map[int64][]nlu.Span, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
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
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("loading entities: %w", err)
	}
	return out, nil
}

// find returns one sentence, ENOTFOUND.
func (t *sentenceTable) find(ctx context.Context, s *Store, id int64) (repository.Example, error) {
	var e repository.Example
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		e, err = scan.Sentence(tx.QueryRowContext(ctx, t.q(sqlSelectSentence+` WHERE x.id = $1`), id))
		if err != nil {
			return notFound(err, t.what+" %d", id)
		}
		spans, err := t.loadSpans(ctx, tx, t.q(sqlSelectSpans+` WHERE {fk} = $1 ORDER BY start_pos`), id)
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

// list returns the matching sentences by ID and how many match. Query
// matches the folded text (nlu.Fold: case and accents ignored), "%" and "_"
// literally.
func (t *sentenceTable) list(ctx context.Context, s *Store, f repository.ExampleFilter) ([]repository.Example, int, error) {
	if !t.revised {
		if f.TranslatedFrom != 0 {
			return []repository.Example{}, 0, nil // test sentences are never translations
		}
		f.Untranslated = ""
	}
	var c sqlrow.Conds
	sqlrow.FilterSentences(&c, f)
	q := listQuery{count: t.q(`SELECT COUNT(*) FROM {table} x`), sel: t.q(sqlSelectSentence), cond: t.q(where(&c)),
		args: c.Args(), order: " ORDER BY x.id", offset: f.Offset, limit: f.Limit}
	var out []repository.Example
	var total int
	err := s.read(ctx, func(tx *sql.Tx) (err error) {
		if out, total, err = readPage(ctx, tx, q, scan.Sentence); err != nil {
			return err
		}
		if len(out) == 0 {
			return nil
		}
		ids := make([]int64, len(out))
		for i, e := range out {
			ids[i] = e.ID
		}
		spans, err := t.loadSpans(ctx, tx, t.q(sqlSelectSpans+` WHERE {fk} = ANY($1) ORDER BY {fk}, start_pos`), ids)
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
		return nil, 0, fmt.Errorf("listing %ss: %w", t.what, err)
	}
	return out, total, nil
}

// stored is what update and delete read of a sentence before changing it.
type stored struct {
	version        int64
	lang, intent   string
	translatedFrom int64
}

// key locks a sentence's repository, then the original of a translation
// (FOR SHARE), then the sentence, and returns what is stored of it;
// ENOTFOUND. Locking the original before its translation is the order in
// which changing an original locks its translations (see
// sqlrow.OriginalChanged), so that the two cannot deadlock.
func (t *sentenceTable) key(ctx context.Context, tx *sql.Tx, id int64) (stored, error) {
	var k stored
	if _, err := lockRow(ctx, tx, t.q(sqlLockSentenceRepo), id); err != nil {
		return k, err
	}
	var original int64 // translated_from never changes: no lock needed to read it
	err := tx.QueryRowContext(ctx, t.q(sqlSentenceOriginal), id).Scan(&original)
	if err != nil {
		return k, notFound(err, t.what+" %d", id)
	}
	if original != 0 {
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM examples WHERE id = $1`+lockOriginal, original); err != nil {
			return k, fmt.Errorf("locking example %d: %w", original, err)
		}
	}
	if err := tx.QueryRowContext(ctx, t.q(sqlSentenceKey), id).Scan(&k.version, &k.lang, &k.intent, &k.translatedFrom); err != nil {
		return k, notFound(err, t.what+" %d", id)
	}
	return k, nil
}

// update overwrites a sentence (see Store.UpdateExample).
func (t *sentenceTable) update(ctx context.Context, s *Store, e *repository.Example) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		k, err := t.key(ctx, tx, e.ID)
		if err != nil {
			return err
		}
		version, oldLang := k.version, k.lang
		e.VersionID, e.TranslatedFrom = version, k.translatedFrom
		var followers []string // languages of translations that follow e
		switch {
		case k.translatedFrom != 0:
			if err := scan.CheckTranslation(ctx, sqlTx(tx), e, lockOriginal); err != nil {
				return err
			}
		case t.revised:
			if followers, err = sqlrow.OriginalChanged(ctx, sqlTx(tx), e, k.intent, ts(e.UpdatedAt)); err != nil {
				return err
			}
		}
		var other int64
		err = tx.QueryRowContext(ctx, t.q(sqlFindText), version, e.Language, e.Text, e.ID).Scan(&other)
		switch {
		case err == nil:
			return sabia.Errorf(sabia.ECONFLICT, "text %q already exists in %s (%s %d)", e.Text, e.Language, t.what, other)
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("checking duplicates: %w", err)
		}
		_, err = tx.ExecContext(ctx, t.q(sqlUpdateSentence), e.Text, nlu.Fold(e.Text), e.Language, e.Intent, ts(e.UpdatedAt), e.ID)
		if c, ok := uniqueViolation(err); ok && c == constraintTranslation {
			return sqlrow.TranslationConflict(e.TranslatedFrom, e.Language, 0)
		}
		if isUnique(err) {
			return sabia.Errorf(sabia.ECONFLICT, "text %q already exists in %s", e.Text, e.Language)
		}
		if err != nil {
			return fmt.Errorf("updating %s: %w", t.what, err)
		}
		if _, err := tx.ExecContext(ctx, t.q(sqlDeleteSpansOf), e.ID); err != nil {
			return fmt.Errorf("updating %s: %w", t.what, err)
		}
		if err := t.insertSpans(ctx, tx, e); err != nil {
			return err
		}
		if !t.revised {
			return nil
		}
		return bump(ctx, tx, version, append(followers, oldLang, e.Language)...)
	})
}

// delete deletes a sentence with its spans, ENOTFOUND.
func (t *sentenceTable) delete(ctx context.Context, s *Store, id int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		k, err := t.key(ctx, tx, id)
		if err != nil {
			return err
		}
		var langs []string // of the translations deleted with it
		if t.revised {
			if langs, err = sqlrow.DeleteTranslations(ctx, sqlTx(tx), id); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, t.q(sqlDeleteSentence), id); err != nil {
			return fmt.Errorf("deleting %s: %w", t.what, err)
		}
		if !t.revised {
			return nil
		}
		return bump(ctx, tx, k.version, append(langs, k.lang)...)
	})
}

// set returns the sentences of a version and language by ID, as the nlu
// package takes them, reading in tx.
func (t *sentenceTable) set(ctx context.Context, tx *sql.Tx, versionID int64, lang string) ([]nlu.Example, error) {
	spans, err := t.loadSpans(ctx, tx, t.q(sqlSentenceSetSpans), versionID, lang)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, t.q(sqlSentenceSet), versionID, lang)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []nlu.Example{}
	for rows.Next() {
		var id int64
		var e nlu.Example
		if err := rows.Scan(&id, &e.Text, &e.Intent); err != nil {
			return nil, err
		}
		e.Entities = spans[id]
		out = append(out, e)
	}
	return out, rows.Err()
}

// insertArgs are the arguments of sqlInsertSentence for e.
func (t *sentenceTable) insertArgs(e *repository.Example) []any {
	args := []any{e.RepositoryUUID, e.VersionID, e.Text, nlu.Fold(e.Text), e.Language, e.Intent, ts(e.CreatedAt), ts(e.UpdatedAt)}
	if t.revised {
		args = append(args, translatedFrom(e.TranslatedFrom))
	}
	return args
}

// copyVersion copies the sentences of version from, with their spans, into
// version v (see Store.CreateVersion), in tx, and bumps v's revision of
// every language copied when the table is revised.
func (t *sentenceTable) copyVersion(ctx context.Context, tx *sql.Tx, from int64, v repository.Version) error {
	src, err := t.all(ctx, tx, from)
	if err != nil {
		return fmt.Errorf("reading %ss to copy: %w", t.what, err)
	}
	copied, err := sqlrow.CopySentences(src, v, func(e *repository.Example) error {
		err := tx.QueryRowContext(ctx, t.q(sqlInsertSentence), t.insertArgs(e)...).Scan(&e.ID)
		if err != nil {
			return err
		}
		return t.insertSpans(ctx, tx, e)
	})
	if err != nil {
		return fmt.Errorf("copying %ss: %w", t.what, err)
	}
	if !t.revised {
		return nil
	}
	for _, l := range copied.Links {
		if _, err := tx.ExecContext(ctx, `UPDATE examples SET translated_from = $1 WHERE id = $2`, l[1], l[0]); err != nil {
			return fmt.Errorf("linking copied translation %d: %w", l[0], err)
		}
	}
	return bump(ctx, tx, v.ID, copied.Languages...)
}

// all returns every sentence of a version with its spans, by ID, reading
// in tx. One statement reads both, so that they come from one snapshot even
// in a READ COMMITTED transaction (a sentence changed meanwhile never comes
// with another text's spans).
func (t *sentenceTable) all(ctx context.Context, tx *sql.Tx, versionID int64) ([]repository.Example, error) {
	rows, err := tx.QueryContext(ctx, t.q(`SELECT x.id, x.repository_uuid, x.version_id, x.text, x.language, x.intent, {tf},
    x.created_at, x.updated_at, s.start_pos, s.end_pos, s.entity, s.grp
FROM {table} x LEFT JOIN {spans} s ON s.{fk} = x.id WHERE x.version_id = $1 ORDER BY x.id, s.start_pos`), versionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []repository.Example
	for rows.Next() {
		var start, end sql.NullInt64
		var entity, group sql.NullString
		e, err := scan.Sentence(withColumns{rows, []any{&start, &end, &entity, &group}})
		if err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].ID != e.ID {
			out = append(out, e)
		}
		if start.Valid {
			last := &out[len(out)-1]
			last.Entities = append(last.Entities, nlu.Span{Start: int(start.Int64), End: int(end.Int64), Entity: entity.String, Group: group.String})
		}
	}
	return out, rows.Err()
}

// withColumns is a row whose Scan reads the columns a scanner asks for and
// then the extra ones that follow them.
type withColumns struct {
	row   rowScanner
	extra []any
}

// Scan implements sqlrow.Row.
func (w withColumns) Scan(dest ...any) error { return w.row.Scan(append(dest, w.extra...)...) }
