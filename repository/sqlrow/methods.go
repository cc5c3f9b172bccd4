package sqlrow

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
)

// Methods implements, on a store's DB, the methods of repository.Store
// that the SQL stores share: examples and test sentences, the training and
// test sets, logs and evaluations. Both stores embed it, so that they keep
// one implementation where only the dialect differs (see DB). Test
// sentences share the examples' implementation (see sentenceTable):
// repository.TestSentence and repository.Example have the same fields, so
// each converts to the other.
type Methods struct{ db *DB }

// NewMethods returns the shared methods of a store on db.
func NewMethods(db *DB) Methods { return Methods{db: db} }

// CreateExamples implements repository.Store.
func (s Methods) CreateExamples(ctx context.Context, sentences []*repository.Example) error {
	return examples.create(ctx, s.db, sentences)
}

// FindExample implements repository.Store.
func (s Methods) FindExample(ctx context.Context, id int64) (repository.Example, error) {
	return examples.find(ctx, s.db, id)
}

// ListExamples implements repository.Store.
func (s Methods) ListExamples(ctx context.Context, f repository.ExampleFilter) ([]repository.Example, int, error) {
	return examples.list(ctx, s.db, f)
}

// UpdateExample implements repository.Store.
func (s Methods) UpdateExample(ctx context.Context, e *repository.Example) error {
	return examples.update(ctx, s.db, e)
}

// DeleteExample implements repository.Store.
func (s Methods) DeleteExample(ctx context.Context, id int64) error {
	return examples.delete(ctx, s.db, id)
}

// CreateTestSentences implements repository.Store.
func (s Methods) CreateTestSentences(ctx context.Context, sentences []*repository.TestSentence) error {
	ptrs := make([]*repository.Example, len(sentences))
	for i, t := range sentences {
		ptrs[i] = (*repository.Example)(t)
	}
	return testSentences.create(ctx, s.db, ptrs)
}

// FindTestSentence implements repository.Store.
func (s Methods) FindTestSentence(ctx context.Context, id int64) (repository.TestSentence, error) {
	e, err := testSentences.find(ctx, s.db, id)
	return repository.TestSentence(e), err
}

// ListTestSentences implements repository.Store.
func (s Methods) ListTestSentences(ctx context.Context, f repository.TestSentenceFilter) ([]repository.TestSentence, int, error) {
	list, total, err := testSentences.list(ctx, s.db, repository.ExampleFilter(f))
	if err != nil {
		return nil, 0, err
	}
	out := make([]repository.TestSentence, len(list))
	for i, e := range list {
		out[i] = repository.TestSentence(e)
	}
	return out, total, nil
}

// UpdateTestSentence implements repository.Store.
func (s Methods) UpdateTestSentence(ctx context.Context, t *repository.TestSentence) error {
	return testSentences.update(ctx, s.db, (*repository.Example)(t))
}

// DeleteTestSentence implements repository.Store.
func (s Methods) DeleteTestSentence(ctx context.Context, id int64) error {
	return testSentences.delete(ctx, s.db, id)
}

// Revision implements repository.Store.
func (s Methods) Revision(ctx context.Context, versionID int64, lang string) (int64, error) {
	var rev int64
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		if err := s.db.VersionExists(ctx, tx, versionID); err != nil {
			return err
		}
		var err error
		rev, err = s.db.Revision(ctx, tx, versionID, lang)
		return err
	})
	if err != nil {
		return 0, internal(err, "reading revision")
	}
	return rev, nil
}

// TrainingSet implements repository.Store: the revision and the examples
// come from one snapshot.
func (s Methods) TrainingSet(ctx context.Context, versionID int64, lang string) ([]nlu.Example, int64, error) {
	var out []nlu.Example
	var rev int64
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		if err := s.db.VersionExists(ctx, tx, versionID); err != nil {
			return err
		}
		var err error
		if rev, err = s.db.Revision(ctx, tx, versionID, lang); err != nil {
			return err
		}
		out, err = examples.set(ctx, s.db, tx, versionID, lang)
		return err
	})
	if err != nil {
		return nil, 0, internal(err, "loading training set")
	}
	return out, rev, nil
}

// TestSet implements repository.Store.
func (s Methods) TestSet(ctx context.Context, versionID int64, lang string) ([]nlu.Example, error) {
	var out []nlu.Example
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		if err := s.db.VersionExists(ctx, tx, versionID); err != nil {
			return err
		}
		var err error
		out, err = testSentences.set(ctx, s.db, tx, versionID, lang)
		return err
	})
	if err != nil {
		return nil, internal(err, "loading test set")
	}
	return out, nil
}

// VersionRoom returns EINVALID when the repository already has
// repository.MaxVersions versions. Run in the transaction that creates one,
// after the lock that serialises them, so that concurrent creations cannot
// pass the bound together.
func VersionRoom(ctx context.Context, db *DB, tx *sql.Tx, repoUUID string) error {
	var n int
	if err := tx.QueryRowContext(ctx, db.Bind(`SELECT COUNT(*) FROM versions WHERE repository_uuid = ?`), repoUUID).Scan(&n); err != nil {
		return fmt.Errorf("counting versions: %w", err)
	}
	if n >= repository.MaxVersions {
		return sabia.Errorf(sabia.EINVALID, "the repository has %d versions, the most it may have; delete one first", n)
	}
	return nil
}

// CopyVersion copies, in tx, the examples and test sentences of version
// from, with their spans, into version v (see Store.CreateVersion), and
// bumps v's revision of every language of the examples copied.
func CopyVersion(ctx context.Context, db *DB, tx *sql.Tx, from int64, v repository.Version) error {
	if err := examples.copyVersion(ctx, db, tx, from, v); err != nil {
		return err
	}
	return testSentences.copyVersion(ctx, db, tx, from, v)
}

// internal wraps err with where when it is an internal error, and leaves
// errors with a code (ENOTFOUND and the like) as they are.
func internal(err error, where string) error {
	if sabia.ErrorCode(err) == sabia.EINTERNAL {
		return fmt.Errorf("%s: %w", where, err)
	}
	return err
}
