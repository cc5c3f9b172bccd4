package repository

import (
	"context"
	"fmt"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

// AddTestSentences adds test sentences to a repository, all or none, in one
// transaction, validated exactly as AddExamples validates examples; errors
// name the failing item as "test sentence 3: …". A test sentence may have
// the text of an example: adding it changes no dataset revision.
//
// Returns ENOTFOUND (repository or version), ETOOLARGE (more than MaxBatch
// items, or a text over MaxTextRunes), EINVALID, or ECONFLICT when a text
// (trimmed, compared exactly) already exists among the test sentences of its
// version and language or repeats an earlier item.
func (s *Service) AddTestSentences(ctx context.Context, repoUUID string, in []TestSentenceInput) ([]TestSentence, error) {
	items := make([]ExampleInput, len(in))
	for i, t := range in {
		items[i] = ExampleInput(t)
	}
	clean, err := s.cleanBatch(ctx, repoUUID, whatTestSentence, items, MaxBatch, nil)
	if err != nil {
		return nil, err
	}
	out := make([]TestSentence, len(clean))
	ptrs := make([]*TestSentence, len(clean))
	for i, e := range clean {
		out[i] = TestSentence(e)
		ptrs[i] = &out[i]
	}
	if len(out) == 0 {
		return out, nil
	}
	if err := s.store.CreateTestSentences(ctx, ptrs); err != nil {
		return nil, fmt.Errorf("adding test sentences: %w", err)
	}
	return out, nil
}

// FindTestSentence returns a test sentence of the repository. Returns
// ENOTFOUND.
func (s *Service) FindTestSentence(ctx context.Context, repoUUID string, id int64) (TestSentence, error) {
	t, err := s.store.FindTestSentence(ctx, id)
	if err != nil {
		return TestSentence{}, err
	}
	if t.RepositoryUUID != repoUUID {
		return TestSentence{}, sabia.Errorf(sabia.ENOTFOUND, "test sentence %d not found", id)
	}
	return t, nil
}

// ListTestSentences returns a page of a version's test sentences (VersionID
// 0 = the default version) and the total that match, with the rules of
// ListExamples. Returns ENOTFOUND (repository or version) or EINVALID
// (unknown language).
func (s *Service) ListTestSentences(ctx context.Context, repoUUID string, f TestSentenceFilter) ([]TestSentence, int, error) {
	ef := ExampleFilter(f)
	if err := s.scopeFilter(ctx, repoUUID, &ef); err != nil {
		return nil, 0, err
	}
	return s.store.ListTestSentences(ctx, TestSentenceFilter(ef))
}

// UpdateTestSentence changes the fields set in u, validated as in
// AddExamples (messages without a prefix). Returns ENOTFOUND, EINVALID,
// ETOOLARGE, or ECONFLICT when another test sentence of the version and
// language has the new text.
func (s *Service) UpdateTestSentence(ctx context.Context, repoUUID string, id int64, u TestSentenceUpdate) (TestSentence, error) {
	t, err := s.FindTestSentence(ctx, repoUUID, id)
	if err != nil {
		return TestSentence{}, err
	}
	e := Example(t)
	if err := s.cleanUpdate(ctx, &e, ExampleUpdate(u)); err != nil {
		return TestSentence{}, err
	}
	t = TestSentence(e)
	if err := s.store.UpdateTestSentence(ctx, &t); err != nil {
		return TestSentence{}, fmt.Errorf("updating test sentence %d: %w", id, err)
	}
	return t, nil
}

// DeleteTestSentence deletes a test sentence of the repository. Returns
// ENOTFOUND.
func (s *Service) DeleteTestSentence(ctx context.Context, repoUUID string, id int64) error {
	if _, err := s.FindTestSentence(ctx, repoUUID, id); err != nil {
		return err
	}
	return s.store.DeleteTestSentence(ctx, id)
}

// TestSet returns the test sentences of a version (0 = default) and
// language ("" = main language) by ID, as an evaluator reads them. Returns
// ENOTFOUND or EINVALID.
func (s *Service) TestSet(ctx context.Context, repoUUID string, versionID int64, lang string) ([]nlu.Example, error) {
	_, v, l, err := s.scope(ctx, repoUUID, versionID, lang)
	if err != nil {
		return nil, err
	}
	return s.store.TestSet(ctx, v.ID, l)
}
