package training

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/repository/sqlite"
)

// hookStore pauses the first armed FindRepository / LatestModel after it
// has read the row, as a slow load would, so that a concurrent write and
// its invalidation land between the read and the cache fill.
type hookStore struct {
	repository.Store
	armRepo, armModel atomic.Bool
	read, resume      chan struct{}
}

func (h *hookStore) FindRepository(ctx context.Context, uuid string) (repository.Repository, error) {
	r, err := h.Store.FindRepository(ctx, uuid)
	if h.armRepo.CompareAndSwap(true, false) {
		h.read <- struct{}{}
		<-h.resume
	}
	return r, err
}

func (h *hookStore) LatestModel(ctx context.Context, repo string, v int64, lang string) (repository.Model, error) {
	m, err := h.Store.LatestModel(ctx, repo, v, lang)
	if h.armModel.CompareAndSwap(true, false) {
		h.read <- struct{}{}
		<-h.resume
	}
	return m, err
}

func newHooked(t *testing.T) (*hookStore, *repository.Service, *Engine, repository.Repository) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := &hookStore{Store: st, read: make(chan struct{}), resume: make(chan struct{})}
	repos := repository.NewService(h, time.Now)
	e := NewEngine(repos, nil, EngineConfig{Logger: testLogger(t)})
	r, err := repos.CreateRepository(context.Background(), repository.RepositoryInput{Name: "Loja", Language: "pt_br"})
	if err != nil {
		t.Fatal(err)
	}
	return h, repos, e, r
}

// TestSettingsChangedDuringLoadAreNotCached: a settings change whose
// invalidation (Forget, as forgetChanged calls on a ChangeRepository
// notification) arrives while another request is loading the settings is
// not lost: what that request read is not cached.
func TestSettingsChangedDuringLoadAreNotCached(t *testing.T) {
	ctx := context.Background()
	h, repos, e, r := newHooked(t)
	h.armRepo.Store(true)
	done := make(chan struct{})
	go func() { defer close(done); _, _ = e.settingsOf(ctx, r.UUID) }()
	<-h.read // the loader holds the old row
	th := 0.9
	if _, err := repos.UpdateRepository(ctx, r.UUID, repository.RepositoryUpdate{Threshold: &th}); err != nil {
		t.Fatal(err)
	}
	e.Forget(r.UUID) // the notification of the other server
	h.resume <- struct{}{}
	<-done
	s, err := e.settingsOf(ctx, r.UUID)
	if err != nil {
		t.Fatal(err)
	}
	if s.repo.Threshold != 0.9 {
		t.Fatalf("cached threshold %v after the change to 0.9 was notified: stale until the next change", s.repo.Threshold)
	}
}

// TestModelSavedDuringLoadIsNotCached: a model another server saved while
// this one loads the previous model is served next, although ForgetModel
// found nothing to forget when its notification came.
func TestModelSavedDuringLoadIsNotCached(t *testing.T) {
	ctx := context.Background()
	h, repos, e, r := newHooked(t)
	if _, err := repos.AddExamples(ctx, r.UUID, shopExamples); err != nil {
		t.Fatal(err)
	}
	exs, rev, err := repos.TrainingSet(ctx, r.UUID, 0, "pt_br")
	if err != nil {
		t.Fatal(err)
	}
	m, err := nlu.Train(ctx, "pt_br", forNLU(exs), nlu.DefaultConfig(), func(float64) {})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := m.MarshalBinary()
	v, _ := repos.FindVersion(ctx, r.UUID, 0)
	m1, err := repos.SaveModel(ctx, repository.Model{RepositoryUUID: r.UUID, VersionID: v.ID, Language: "pt_br", Data: data, Revision: rev})
	if err != nil {
		t.Fatal(err)
	}
	k := modelKey{r.UUID, v.ID, "pt_br"}
	h.armModel.Store(true)
	done := make(chan struct{})
	go func() { defer close(done); _, _ = e.modelOf(ctx, k) }()
	<-h.read
	m2, err := repos.SaveModel(ctx, repository.Model{RepositoryUUID: r.UUID, VersionID: v.ID, Language: "pt_br", Data: data, Revision: rev + 1})
	if err != nil {
		t.Fatal(err)
	}
	e.ForgetModel(r.UUID, v.ID, "pt_br", m2.ID) // the ChangeModel notification
	h.resume <- struct{}{}
	<-done
	l, err := e.modelOf(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	if l.id != m2.ID {
		t.Fatalf("serving model %d after model %d was saved and notified (m1=%d)", l.id, m2.ID, m1.ID)
	}
}
