package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
		tf, tfcol, tfval = sqlrow.TranslatedFrom, ", translated_from", ", ?"
	}
	return &sentenceTable{what: what, revised: revised,
		names: strings.NewReplacer("{table}", table, "{spans}", spans, "{fk}", fk, "{tfcol}", tfcol, "{tfval}", tfval, "{tf}", tf)}
}

// sqlTx wraps tx for the code sqlrow shares (SQLite takes "?" as is).
func sqlTx(tx *sql.Tx) sqlrow.Tx { return sqlrow.Tx{Tx: tx, Bind: func(q string) string { return q }} }

// translatedFrom is the value of the translated_from column: NULL for an
// original.
func translatedFrom(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// q returns query with the table names filled in.
func (t *sentenceTable) q(query string) string { return t.names.Replace(query) }

const (
	sqlInsertSentence = `INSERT INTO {table}
    (repository_uuid, version_id, text, text_folded, language, intent, created_at, updated_at{tfcol})
VALUES (?, ?, ?, ?, ?, ?, ?, ?{tfval})`
	sqlInsertSpan     = `INSERT INTO {spans} ({fk}, start_pos, end_pos, entity, grp) VALUES (?, ?, ?, ?, ?)`
	sqlFindText       = `SELECT id FROM {table} WHERE version_id = ? AND language = ? AND text = ? AND id <> ?`
	sqlSelectSpans    = `SELECT {fk}, start_pos, end_pos, entity, grp FROM {spans}`
	sqlSelectSentence = `SELECT x.id, x.repository_uuid, x.version_id, x.text, x.language, x.intent, {tf}, x.created_at,
    x.updated_at FROM {table} x`
	sqlUpdateSentence = `UPDATE {table} SET text = ?, text_folded = ?, language = ?, intent = ?, updated_at = ? WHERE id = ?`
	sqlSentenceKey    = `SELECT x.version_id, x.language, x.intent, {tf} FROM {table} x WHERE x.id = ?`
	sqlSentenceSet    = `SELECT id, text, intent FROM {table} WHERE version_id = ? AND language = ? ORDER BY id`
	sqlSentenceSetIDs = `SELECT id FROM {table} WHERE version_id = ? AND language = ?`
)

// create inserts sentences, all or none (see Store.CreateExamples).
func (t *sentenceTable) create(ctx context.Context, s *Store, sentences []*repository.Example) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		ins, err := tx.PrepareContext(ctx, t.q(sqlInsertSentence))
		if err != nil {
			return err
		}
		defer ins.Close()
		find, err := tx.PrepareContext(ctx, t.q(sqlFindText))
		if err != nil {
			return err
		}
		defer find.Close()
		spans, err := tx.PrepareContext(ctx, t.q(sqlInsertSpan))
		if err != nil {
			return err
		}
		defer spans.Close()

		versions := map[int64]bool{}
		touched := map[int64][]string{}
		batch := map[int64]int{} // ID → index of the sentences inserted here
		for i, e := range sentences {
			if !versions[e.VersionID] {
				if err := versionExists(ctx, tx, e.VersionID); err != nil {
					if sabia.ErrorCode(err) == sabia.ENOTFOUND {
						return sabia.Errorf(sabia.ENOTFOUND, "%s %d: version %d not found", t.what, i, e.VersionID)
					}
					return err
				}
				versions[e.VersionID] = true
			}
			if err := t.checkTranslation(ctx, tx, sentences, i); err != nil {
				return err
			}
			var other int64
			err := find.QueryRowContext(ctx, e.VersionID, e.Language, e.Text, 0).Scan(&other)
			switch {
			case err == nil:
				if j, ok := batch[other]; ok {
					return sabia.Errorf(sabia.ECONFLICT, "%s %d: text %q repeats %s %d", t.what, i, e.Text, t.what, j)
				}
				return sabia.Errorf(sabia.ECONFLICT, "%s %d: text %q already exists in %s (%s %d)", t.what, i, e.Text, e.Language, t.what, other)
			case !errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("checking duplicates: %w", err)
			}
			res, err := ins.ExecContext(ctx, t.insertArgs(e)...)
			if err != nil {
				return fmt.Errorf("inserting %s %d: %w", t.what, i, err)
			}
			if e.ID, err = res.LastInsertId(); err != nil {
				return err
			}
			batch[e.ID] = i
			if err := t.insertSpans(ctx, spans, e); err != nil {
				return err
			}
			touched[e.VersionID] = append(touched[e.VersionID], e.Language)
		}
		if !t.revised {
			return nil
		}
		for v, langs := range touched {
			if err := bump(ctx, tx, v, langs...); err != nil {
				return err
			}
		}
		return nil
	})
}

// insertArgs are the arguments of sqlInsertSentence for e.
func (t *sentenceTable) insertArgs(e *repository.Example) []any {
	args := []any{e.RepositoryUUID, e.VersionID, e.Text, nlu.Fold(e.Text), e.Language, e.Intent,
		fmtTime(e.CreatedAt), fmtTime(e.UpdatedAt)}
	if t.revised {
		args = append(args, translatedFrom(e.TranslatedFrom))
	}
	return args
}

// checkTranslation checks item i of a batch being created when it is a
// translation, first resolving a reference to an earlier item (see
// Store.CreateExamples) to its ID.
func (t *sentenceTable) checkTranslation(ctx context.Context, tx *sql.Tx, batch []*repository.Example, i int) error {
	e := batch[i]
	if ok, err := sqlrow.ResolveTranslation(batch, i, t.what, t.revised); !ok {
		return err
	}
	return sqlrow.Prefixed(scan.CheckTranslation(ctx, sqlTx(tx), e, ""), "%s %d", t.what, i)
}

func (t *sentenceTable) insertSpans(ctx context.Context, stmt *sql.Stmt, e *repository.Example) error {
	if e.Entities == nil {
		e.Entities = []nlu.Span{}
	}
	for _, sp := range e.Entities {
		if _, err := stmt.ExecContext(ctx, e.ID, sp.Start, sp.End, sp.Entity, sp.Group); err != nil {
			return fmt.Errorf("inserting entity of %s %d: %w", t.what, e.ID, err)
		}
	}
	return nil
}

// loadSpans returns the spans of the sentences whose IDs the subquery (a
// SELECT of one column) returns, by sentence and start.
func (t *sentenceTable) loadSpans(ctx context.Context, tx *sql.Tx, subquery string, args ...any) (map[int64][]nlu.Span, error) {
	rows, err := tx.QueryContext(ctx, t.q(sqlSelectSpans+` WHERE {fk} IN (`+subquery+`) ORDER BY {fk}, start_pos`), args...)
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

// find returns one sentence, ENOTFOUND.
func (t *sentenceTable) find(ctx context.Context, s *Store, id int64) (repository.Example, error) {
	var e repository.Example
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		e, err = scan.Sentence(tx.QueryRowContext(ctx, t.q(sqlSelectSentence+` WHERE x.id = ?`), id))
		if err != nil {
			return notFound(err, t.what+" %d", id)
		}
		spans, err := t.loadSpans(ctx, tx, `?`, id)
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

// list returns the matching sentences by ID and how many match.
func (t *sentenceTable) list(ctx context.Context, s *Store, f repository.ExampleFilter) ([]repository.Example, int, error) {
	if !t.revised {
		if f.TranslatedFrom != 0 {
			return []repository.Example{}, 0, nil // test sentences are never translations
		}
		f.Untranslated = ""
	}
	c := newConds()
	sqlrow.FilterSentences(c, f)
	q := listQuery{count: t.q(`SELECT COUNT(*) FROM {table} x`), sel: t.q(sqlSelectSentence), cond: t.q(c.Where()), args: c.Args(),
		order: " ORDER BY x.id", offset: f.Offset, limit: f.Limit}
	var out []repository.Example
	var total int
	err := s.read(ctx, func(tx *sql.Tx) (err error) {
		if out, total, err = readPage(ctx, tx, q, scan.Sentence); err != nil {
			return err
		}
		if len(out) == 0 {
			return nil
		}
		spans, err := t.loadSpans(ctx, tx, t.q(`SELECT x.id FROM {table} x`)+q.cond+q.order+limitOffset(q.offset, q.limit), q.args...)
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

// key returns what is stored of a sentence, ENOTFOUND.
func (t *sentenceTable) key(ctx context.Context, tx *sql.Tx, id int64) (stored, error) {
	var k stored
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
			if err := scan.CheckTranslation(ctx, sqlTx(tx), e, ""); err != nil {
				return err
			}
		case t.revised:
			if followers, err = sqlrow.OriginalChanged(ctx, sqlTx(tx), e, k.intent, fmtTime(e.UpdatedAt)); err != nil {
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
		_, err = tx.ExecContext(ctx, t.q(sqlUpdateSentence), e.Text, nlu.Fold(e.Text), e.Language, e.Intent, fmtTime(e.UpdatedAt), e.ID)
		if err != nil {
			return fmt.Errorf("updating %s: %w", t.what, err)
		}
		if _, err := tx.ExecContext(ctx, t.q(`DELETE FROM {spans} WHERE {fk} = ?`), e.ID); err != nil {
			return fmt.Errorf("updating %s: %w", t.what, err)
		}
		stmt, err := tx.PrepareContext(ctx, t.q(sqlInsertSpan))
		if err != nil {
			return err
		}
		defer stmt.Close()
		if err := t.insertSpans(ctx, stmt, e); err != nil {
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
		if !t.revised {
			if _, err := tx.ExecContext(ctx, t.q(`DELETE FROM {table} WHERE id = ?`), id); err != nil {
				return fmt.Errorf("deleting %s: %w", t.what, err)
			}
			return nil
		}
		langs, err := sqlrow.DeleteTranslations(ctx, sqlTx(tx), id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, t.q(`DELETE FROM {table} WHERE id = ?`), id); err != nil {
			return fmt.Errorf("deleting %s: %w", t.what, err)
		}
		return bump(ctx, tx, k.version, append(langs, k.lang)...)
	})
}

// set returns the sentences of a version and language by ID, as the nlu
// package takes them, reading in tx.
func (t *sentenceTable) set(ctx context.Context, tx *sql.Tx, versionID int64, lang string) ([]nlu.Example, error) {
	spans, err := t.loadSpans(ctx, tx, t.q(sqlSentenceSetIDs), versionID, lang)
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

// copyVersion copies the sentences of version from, with their spans, into
// version v (see Store.CreateVersion), in tx, and bumps v's revision of
// every language copied when the table is revised.
func (t *sentenceTable) copyVersion(ctx context.Context, tx *sql.Tx, from int64, v repository.Version) error {
	src, err := t.all(ctx, tx, from)
	if err != nil {
		return fmt.Errorf("reading %ss to copy: %w", t.what, err)
	}
	ins, err := tx.PrepareContext(ctx, t.q(sqlInsertSentence))
	if err != nil {
		return err
	}
	defer ins.Close()
	spans, err := tx.PrepareContext(ctx, t.q(sqlInsertSpan))
	if err != nil {
		return err
	}
	defer spans.Close()
	copied, err := sqlrow.CopySentences(src, v, func(e *repository.Example) error {
		res, err := ins.ExecContext(ctx, t.insertArgs(e)...)
		if err != nil {
			return err
		}
		if e.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return t.insertSpans(ctx, spans, e)
	})
	if err != nil {
		return fmt.Errorf("copying %ss: %w", t.what, err)
	}
	if !t.revised {
		return nil
	}
	for _, l := range copied.Links {
		if _, err := tx.ExecContext(ctx, `UPDATE examples SET translated_from = ? WHERE id = ?`, l[1], l[0]); err != nil {
			return fmt.Errorf("linking copied translation %d: %w", l[0], err)
		}
	}
	return bump(ctx, tx, v.ID, copied.Languages...)
}

// all returns every sentence of a version with its spans, by ID, reading
// in tx.
func (t *sentenceTable) all(ctx context.Context, tx *sql.Tx, versionID int64) ([]repository.Example, error) {
	rows, err := tx.QueryContext(ctx, t.q(sqlSelectSentence+` WHERE x.version_id = ? ORDER BY x.id`), versionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []repository.Example
	for rows.Next() {
		e, err := scan.Sentence(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	spans, err := t.loadSpans(ctx, tx, t.q(`SELECT id FROM {table} WHERE version_id = ?`), versionID)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if sp := spans[out[i].ID]; sp != nil {
			out[i].Entities = sp
		}
	}
	return out, nil
}
