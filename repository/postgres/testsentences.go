package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
)

// Test sentences share the examples' implementation (see sentenceTable);
// repository.TestSentence and repository.Example have the same fields, so
// each converts to the other.

// CreateTestSentences implements repository.Store.
func (s *Store) CreateTestSentences(ctx context.Context, sentences []*repository.TestSentence) error {
	ptrs := make([]*repository.Example, len(sentences))
	for i, t := range sentences {
		ptrs[i] = (*repository.Example)(t)
	}
	return testSentences.create(ctx, s, ptrs)
}

// FindTestSentence implements repository.Store.
func (s *Store) FindTestSentence(ctx context.Context, id int64) (repository.TestSentence, error) {
	e, err := testSentences.find(ctx, s, id)
	return repository.TestSentence(e), err
}

// ListTestSentences implements repository.Store.
func (s *Store) ListTestSentences(ctx context.Context, f repository.TestSentenceFilter) ([]repository.TestSentence, int, error) {
	list, total, err := testSentences.list(ctx, s, repository.ExampleFilter(f))
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
func (s *Store) UpdateTestSentence(ctx context.Context, t *repository.TestSentence) error {
	return testSentences.update(ctx, s, (*repository.Example)(t))
}

// DeleteTestSentence implements repository.Store.
func (s *Store) DeleteTestSentence(ctx context.Context, id int64) error {
	return testSentences.delete(ctx, s, id)
}

// TestSet implements repository.Store.
func (s *Store) TestSet(ctx context.Context, versionID int64, lang string) ([]nlu.Example, error) {
	var out []nlu.Example
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := versionExists(ctx, tx, versionID); err != nil {
			return err
		}
		var err error
		out, err = testSentences.set(ctx, tx, versionID, lang)
		return err
	})
	if err != nil {
		if sabia.ErrorCode(err) == sabia.EINTERNAL {
			err = fmt.Errorf("loading test set: %w", err)
		}
		return nil, err
	}
	return out, nil
}
