package sqlrow

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
		tf, tfcol, tfval = TranslatedFrom, ", translated_from", ", ?"
	}
	return &sentenceTable{what: what, revised: revised,
		names: strings.NewReplacer("{table}", table, "{spans}", spans, "{fk}", fk, "{tfcol}", tfcol, "{tfval}", tfval, "{tf}", tf)}
}

// lockOriginal is how a translation's original is locked while it is
// checked, where the store locks: its intent and entities cannot change
// before the commit.
const lockOriginal = " FOR SHARE"

// constraintTranslation is the unique index of one translation per example
// and language.
const constraintTranslation = "examples_translation"

// q returns query with the table names filled in and the placeholders
// bound.
func (t *sentenceTable) q(db *DB, query string) string { return db.Bind(t.names.Replace(query)) }

const (
	sqlInsertSentence = `INSERT INTO {table}
    (repository_uuid, version_id, text, text_folded, language, intent, created_at, updated_at{tfcol})
VALUES (?, ?, ?, ?, ?, ?, ?, ?{tfval}) RETURNING id`
	sqlInsertSpan     = `INSERT INTO {spans} ({fk}, start_pos, end_pos, entity, grp) VALUES (?, ?, ?, ?, ?)`
	sqlFindText       = `SELECT id FROM {table} WHERE version_id = ? AND language = ? AND text = ? AND id <> ?`
	sqlFindHashedText = `SELECT id FROM {table} WHERE version_id = ? AND language = ? AND md5(text) = md5(?) AND text = ? AND id <> ?`
	sqlSelectSpans    = `SELECT {fk}, start_pos, end_pos, entity, grp FROM {spans}`
	sqlSelectSentence = `SELECT x.id, x.repository_uuid, x.version_id, x.text, x.language, x.intent, {tf}, x.created_at,
    x.updated_at FROM {table} x`
	sqlUpdateSentence   = `UPDATE {table} SET text = ?, text_folded = ?, language = ?, intent = ?, updated_at = ? WHERE id = ?`
	sqlLockSentenceRepo = `SELECT r.uuid FROM repositories r
WHERE r.uuid = (SELECT x.repository_uuid FROM {table} x WHERE x.id = ?) FOR KEY SHARE`
	sqlSentenceOriginal = `SELECT {tf} FROM {table} x WHERE x.id = ?`
	sqlSentenceKey      = `SELECT x.version_id, x.language, x.intent, {tf} FROM {table} x WHERE x.id = ?`
	sqlSentenceSet      = `SELECT id, text, intent FROM {table} WHERE version_id = ? AND language = ? ORDER BY id`
	sqlSentenceSetSpans = `SELECT s.{fk}, s.start_pos, s.end_pos, s.entity, s.grp FROM {spans} s
JOIN {table} x ON x.id = s.{fk} WHERE x.version_id = ? AND x.language = ? ORDER BY s.{fk}, s.start_pos`
	sqlSentencesWithSpans = `SELECT x.id, x.repository_uuid, x.version_id, x.text, x.language, x.intent, {tf},
    x.created_at, x.updated_at, s.start_pos, s.end_pos, s.entity, s.grp
FROM {table} x LEFT JOIN {spans} s ON s.{fk} = x.id WHERE x.version_id = ? ORDER BY x.id, s.start_pos`
)

// findText returns the ID of another sentence (not id) of the version
// with the text in the language, 0 when there is none.
func (t *sentenceTable) findText(ctx context.Context, db *DB, tx *sql.Tx, version int64, lang, text string, id int64) (int64, error) {
	query, args := sqlFindText, []any{version, lang, text, id}
	if db.HashedText {
		query, args = sqlFindHashedText, []any{version, lang, text, text, id}
	}
	var other int64
	err := tx.QueryRowContext(ctx, t.q(db, query), args...).Scan(&other)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("checking duplicates: %w", err)
	}
	return other, nil
}

// inserter inserts sentences with their spans in one transaction, through
// prepared statements.
type inserter struct {
	t         *sentenceTable
	db        *DB
	row, span *sql.Stmt
}

// newInserter prepares the statements of an inserter in tx; the caller
// closes it.
func (t *sentenceTable) newInserter(ctx context.Context, db *DB, tx *sql.Tx) (*inserter, error) {
	row, err := tx.PrepareContext(ctx, t.q(db, sqlInsertSentence))
	if err != nil {
		return nil, err
	}
	span, err := tx.PrepareContext(ctx, t.q(db, sqlInsertSpan))
	if err != nil {
		row.Close()
		return nil, err
	}
	return &inserter{t: t, db: db, row: row, span: span}, nil
}

// Close closes the statements.
func (in *inserter) Close() {
	in.row.Close()
	in.span.Close()
}

// insert stores e and sets its ID, then stores its spans (setting a nil
// Entities to empty).
func (in *inserter) insert(ctx context.Context, e *repository.Example) error {
	args := []any{e.RepositoryUUID, e.VersionID, e.Text, nlu.Fold(e.Text), e.Language, e.Intent,
		in.db.Time(e.CreatedAt), in.db.Time(e.UpdatedAt)}
	if in.t.revised {
		args = append(args, nullID(e.TranslatedFrom)) // NULL for an original
	}
	if err := in.row.QueryRowContext(ctx, args...).Scan(&e.ID); err != nil {
		return err
	}
	return in.spans(ctx, e)
}

// spans stores the spans of e (setting a nil Entities to empty).
func (in *inserter) spans(ctx context.Context, e *repository.Example) error {
	if e.Entities == nil {
		e.Entities = []nlu.Span{}
	}
	for _, sp := range e.Entities {
		if _, err := in.span.ExecContext(ctx, e.ID, sp.Start, sp.End, sp.Entity, sp.Group); err != nil {
			return fmt.Errorf("inserting entity of %s %d: %w", in.t.what, e.ID, err)
		}
	}
	return nil
}

// create inserts sentences, all or none (see Store.CreateExamples).
func (t *sentenceTable) create(ctx context.Context, db *DB, sentences []*repository.Example) error {
	return db.Write(ctx, func(tx *sql.Tx) error {
		in, err := t.newInserter(ctx, db, tx)
		if err != nil {
			return err
		}
		defer in.Close()
		versions := map[int64]bool{}
		touched := map[int64][]string{}
		batch := map[int64]int{} // ID → index of the sentences inserted here
		for i, e := range sentences {
			if !versions[e.VersionID] {
				if err := db.NeedVersion(ctx, tx, e.VersionID); err != nil {
					if sabia.ErrorCode(err) == sabia.ENOTFOUND {
						return sabia.Errorf(sabia.ENOTFOUND, "%s %d: version %d not found", t.what, i, e.VersionID)
					}
					return err
				}
				versions[e.VersionID] = true
			}
			if err := t.checkTranslation(ctx, db, tx, sentences, i); err != nil {
				return err
			}
			other, err := t.findText(ctx, db, tx, e.VersionID, e.Language, e.Text, 0)
			if err != nil {
				return err
			}
			if other != 0 {
				if j, ok := batch[other]; ok {
					return sabia.Errorf(sabia.ECONFLICT, "%s %d: text %q repeats %s %d", t.what, i, e.Text, t.what, j)
				}
				return sabia.Errorf(sabia.ECONFLICT, "%s %d: text %q already exists in %s (%s %d)", t.what, i, e.Text, e.Language, t.what, other)
			}
			err = in.insert(ctx, e)
			if c, ok := db.Unique(err); ok && c == constraintTranslation {
				// A concurrent transaction translated the original since the check.
				return Prefixed(TranslationConflict(e.TranslatedFrom, e.Language, 0), "%s %d", t.what, i)
			} else if ok {
				// A concurrent transaction stored the text since the check.
				return sabia.Errorf(sabia.ECONFLICT, "%s %d: text %q already exists in %s", t.what, i, e.Text, e.Language)
			}
			if err != nil {
				return fmt.Errorf("inserting %s %d: %w", t.what, i, err)
			}
			batch[e.ID] = i
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
			if err := db.Bump(ctx, tx, v, touched[v]...); err != nil {
				return err
			}
		}
		return nil
	})
}

// checkTranslation checks item i of a batch being created when it is a
// translation, first resolving a reference to an earlier item (see
// Store.CreateExamples) to its ID.
func (t *sentenceTable) checkTranslation(ctx context.Context, db *DB, tx *sql.Tx, batch []*repository.Example, i int) error {
	e := batch[i]
	if ok, err := ResolveTranslation(batch, i, t.what, t.revised); !ok {
		return err
	}
	return Prefixed(db.CheckTranslation(ctx, db.Tx(tx), e, db.lock(lockOriginal)), "%s %d", t.what, i)
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
func (t *sentenceTable) find(ctx context.Context, db *DB, id int64) (repository.Example, error) {
	var e repository.Example
	err := db.Read(ctx, func(tx *sql.Tx) error {
		var err error
		e, err = db.Sentence(tx.QueryRowContext(ctx, t.q(db, sqlSelectSentence+` WHERE x.id = ?`), id))
		if err != nil {
			return NotFound(err, t.what+" %d", id)
		}
		spans, err := t.loadSpans(ctx, tx, t.q(db, sqlSelectSpans+` WHERE {fk} = ? ORDER BY start_pos`), id)
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
func (t *sentenceTable) list(ctx context.Context, db *DB, f repository.ExampleFilter) ([]repository.Example, int, error) {
	if !t.revised {
		if f.TranslatedFrom != 0 {
			return []repository.Example{}, 0, nil // test sentences are never translations
		}
		f.Untranslated = ""
	}
	var c Conds
	FilterSentences(&c, f)
	for i, cond := range c.list {
		c.list[i] = t.names.Replace(cond)
	}
	q := Page{Count: t.names.Replace(`SELECT COUNT(*) FROM {table} x`), Select: t.names.Replace(sqlSelectSentence),
		Conds: &c, Order: " ORDER BY x.id", Offset: f.Offset, Limit: f.Limit}
	var out []repository.Example
	var total int
	err := db.Read(ctx, func(tx *sql.Tx) (err error) {
		if out, total, err = ReadPage(ctx, db, tx, q, db.Sentence); err != nil {
			return err
		}
		if len(out) == 0 {
			return nil
		}
		// The spans of the page's sentences: the same page, selected again
		// in the same snapshot.
		page := t.names.Replace(`SELECT x.id FROM {table} x`) + c.Where() + q.Order + db.LimitOffset(q.Offset, q.Limit)
		spans, err := t.loadSpans(ctx, tx, t.q(db, sqlSelectSpans+` WHERE {fk} IN (`+page+`) ORDER BY {fk}, start_pos`), c.Args()...)
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

// key returns what is stored of a sentence; ENOTFOUND. Where the store
// locks, it first locks the sentence's repository (KEY SHARE), then the
// original of a translation (FOR SHARE), then the sentence: the original
// before its translation is the order in which changing an original locks
// its translations (see OriginalChanged), so that the two cannot deadlock.
func (t *sentenceTable) key(ctx context.Context, db *DB, tx *sql.Tx, id int64) (stored, error) {
	var k stored
	if db.Locks {
		var uuid string
		err := tx.QueryRowContext(ctx, t.q(db, sqlLockSentenceRepo), id).Scan(&uuid)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return k, fmt.Errorf("locking repository: %w", err)
		}
		var original int64 // translated_from never changes: no lock needed to read it
		if err := tx.QueryRowContext(ctx, t.q(db, sqlSentenceOriginal), id).Scan(&original); err != nil {
			return k, NotFound(err, t.what+" %d", id)
		}
		if original != 0 {
			if _, err := tx.ExecContext(ctx, db.Bind(`SELECT 1 FROM examples WHERE id = ?`+lockOriginal), original); err != nil {
				return k, fmt.Errorf("locking example %d: %w", original, err)
			}
		}
	}
	// The sentence's row is locked so that its language cannot change
	// between this read and the write that follows.
	err := tx.QueryRowContext(ctx, t.q(db, sqlSentenceKey+db.lock(" FOR NO KEY UPDATE")), id).
		Scan(&k.version, &k.lang, &k.intent, &k.translatedFrom)
	if err != nil {
		return k, NotFound(err, t.what+" %d", id)
	}
	return k, nil
}

// update overwrites a sentence (see Store.UpdateExample).
func (t *sentenceTable) update(ctx context.Context, db *DB, e *repository.Example) error {
	return db.Write(ctx, func(tx *sql.Tx) error {
		k, err := t.key(ctx, db, tx, e.ID)
		if err != nil {
			return err
		}
		version, oldLang := k.version, k.lang
		e.VersionID, e.TranslatedFrom = version, k.translatedFrom
		var followers []string // languages of translations that follow e
		switch {
		case k.translatedFrom != 0:
			if err := db.CheckTranslation(ctx, db.Tx(tx), e, db.lock(lockOriginal)); err != nil {
				return err
			}
		case t.revised:
			if followers, err = OriginalChanged(ctx, db.Tx(tx), e, k.intent, db.Time(e.UpdatedAt)); err != nil {
				return err
			}
		}
		other, err := t.findText(ctx, db, tx, version, e.Language, e.Text, e.ID)
		if err != nil {
			return err
		}
		if other != 0 {
			return sabia.Errorf(sabia.ECONFLICT, "text %q already exists in %s (%s %d)", e.Text, e.Language, t.what, other)
		}
		_, err = tx.ExecContext(ctx, t.q(db, sqlUpdateSentence), e.Text, nlu.Fold(e.Text), e.Language, e.Intent, db.Time(e.UpdatedAt), e.ID)
		if c, ok := db.Unique(err); ok && c == constraintTranslation {
			return TranslationConflict(e.TranslatedFrom, e.Language, 0)
		} else if ok {
			return sabia.Errorf(sabia.ECONFLICT, "text %q already exists in %s", e.Text, e.Language)
		}
		if err != nil {
			return fmt.Errorf("updating %s: %w", t.what, err)
		}
		if _, err := tx.ExecContext(ctx, t.q(db, `DELETE FROM {spans} WHERE {fk} = ?`), e.ID); err != nil {
			return fmt.Errorf("updating %s: %w", t.what, err)
		}
		in, err := t.newInserter(ctx, db, tx)
		if err != nil {
			return err
		}
		defer in.Close()
		if err := in.spans(ctx, e); err != nil {
			return err
		}
		if !t.revised {
			return nil
		}
		return db.Bump(ctx, tx, version, append(followers, oldLang, e.Language)...)
	})
}

// delete deletes a sentence with its spans, ENOTFOUND.
func (t *sentenceTable) delete(ctx context.Context, db *DB, id int64) error {
	return db.Write(ctx, func(tx *sql.Tx) error {
		k, err := t.key(ctx, db, tx, id)
		if err != nil {
			return err
		}
		var langs []string // of the translations deleted with it
		if t.revised {
			if langs, err = DeleteTranslations(ctx, db.Tx(tx), id); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, t.q(db, `DELETE FROM {table} WHERE id = ?`), id); err != nil {
			return fmt.Errorf("deleting %s: %w", t.what, err)
		}
		if !t.revised {
			return nil
		}
		return db.Bump(ctx, tx, k.version, append(langs, k.lang)...)
	})
}

// set returns the sentences of a version and language by ID, as the nlu
// package takes them, reading in tx.
func (t *sentenceTable) set(ctx context.Context, db *DB, tx *sql.Tx, versionID int64, lang string) ([]nlu.Example, error) {
	spans, err := t.loadSpans(ctx, tx, t.q(db, sqlSentenceSetSpans), versionID, lang)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, t.q(db, sqlSentenceSet), versionID, lang)
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
func (t *sentenceTable) copyVersion(ctx context.Context, db *DB, tx *sql.Tx, from int64, v repository.Version) error {
	src, err := t.all(ctx, db, tx, from)
	if err != nil {
		return fmt.Errorf("reading %ss to copy: %w", t.what, err)
	}
	in, err := t.newInserter(ctx, db, tx)
	if err != nil {
		return err
	}
	defer in.Close()
	copied, err := CopySentences(src, v, func(e *repository.Example) error { return in.insert(ctx, e) })
	if err != nil {
		return fmt.Errorf("copying %ss: %w", t.what, err)
	}
	if !t.revised {
		return nil
	}
	for _, l := range copied.Links {
		if _, err := tx.ExecContext(ctx, db.Bind(`UPDATE examples SET translated_from = ? WHERE id = ?`), l[1], l[0]); err != nil {
			return fmt.Errorf("linking copied translation %d: %w", l[0], err)
		}
	}
	return db.Bump(ctx, tx, v.ID, copied.Languages...)
}

// all returns every sentence of a version with its spans, by ID, reading
// in tx. One statement reads both, so that they come from one snapshot even
// in a READ COMMITTED transaction (a sentence changed meanwhile never comes
// with another text's spans).
func (t *sentenceTable) all(ctx context.Context, db *DB, tx *sql.Tx, versionID int64) ([]repository.Example, error) {
	rows, err := tx.QueryContext(ctx, t.q(db, sqlSentencesWithSpans), versionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []repository.Example
	for rows.Next() {
		var start, end sql.NullInt64
		var entity, group sql.NullString
		e, err := db.Sentence(withColumns{rows, []any{&start, &end, &entity, &group}})
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
	row   Row
	extra []any
}

// Scan implements Row.
func (w withColumns) Scan(dest ...any) error { return w.row.Scan(append(dest, w.extra...)...) }
