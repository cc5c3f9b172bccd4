package training

import (
	"context"
	"encoding/binary"
	"hash/crc32"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/repository/sqlite"
)

// engineFixture is an Engine on a real SQLite store and River queue.
type engineFixture struct {
	store  *sqlite.Store
	repos  *repository.Service
	queue  *Queue
	engine *Engine
	repo   repository.Repository
}

func newEngineFixture(t *testing.T, path string) *engineFixture {
	t.Helper()
	store, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	f := &engineFixture{store: store, repos: repository.NewService(store, time.Now)}
	f.queue = newTestQueue(t, store.DB(), QueueConfig{OnState: func(id string, s State, p float64, err error) { f.engine.OnState(id, s, p, err) }})
	f.engine = NewEngine(f.repos, f.queue, EngineConfig{Logger: testLogger(t)})
	return f
}

var shopExamples = []repository.ExampleInput{
	{Text: "quero a segunda via do boleto", Intent: "boleto"},
	{Text: "me manda o boleto pfv", Intent: "boleto"},
	{Text: "2 via da fatura", Intent: "boleto"},
	{Text: "quero cancelar meu plano", Intent: "cancelar"},
	{Text: "cancela minha assinatura", Intent: "cancelar"},
	{Text: "não quero mais o serviço", Intent: "cancelar"},
	{Text: "cadê meu pedido", Intent: "rastreio"},
	{Text: "onde está minha encomenda", Intent: "rastreio"},
	{Text: "meu pedido não chegou", Intent: "rastreio"},
}

func (f *engineFixture) seed(t *testing.T) {
	t.Helper()
	var err error
	f.repo, err = f.repos.CreateRepository(context.Background(), repository.RepositoryInput{Name: "Loja", Language: "pt_br"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.repos.AddExamples(context.Background(), f.repo.UUID, shopExamples); err != nil {
		t.Fatal(err)
	}
}

func (f *engineFixture) wait(t *testing.T, id string) repository.Job {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		j, err := f.repos.FindJob(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if !j.Active() {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still %s", id, j.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestEngineTrainsAndParses(t *testing.T) {
	f := newEngineFixture(t, filepath.Join(t.TempDir(), "sabia.db"))
	f.seed(t)
	ctx := context.Background()
	if _, err := f.engine.Parse(ctx, ParseRequest{RepositoryUUID: f.repo.UUID, Text: "boleto"}); sabia.ErrorCode(err) != sabia.EUNAVAILABLE {
		t.Fatalf("parse before training: %v", err)
	}
	jobs, _, err := f.engine.Train(ctx, f.repo.UUID, 0, "", false)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("Train = %+v, %v", jobs, err)
	}
	// The queue has not started: a second Train returns the queued job.
	again, _, err := f.engine.Train(ctx, f.repo.UUID, 0, "pt", false)
	if err != nil || len(again) != 1 || again[0].ID != jobs[0].ID {
		t.Fatalf("a second Train while queued = %+v, %v", again, err)
	}
	startQueue(t, f.queue)
	j := f.wait(t, jobs[0].ID)
	if j.Status != repository.JobSucceeded || j.ModelID == 0 || j.Progress != 1 || j.StartedAt == nil || j.FinishedAt == nil {
		t.Fatalf("job = %+v", j)
	}
	p, err := f.engine.Parse(ctx, ParseRequest{RepositoryUUID: f.repo.UUID, Language: "pt-BR", Text: "qro a 2 via do boleto"})
	if err != nil || p.Prediction.Intent != "boleto" || p.ModelID != j.ModelID {
		t.Fatalf("Parse = %+v, %v", p, err)
	}
	if _, _, err := f.engine.Train(ctx, f.repo.UUID, 0, "", false); sabia.ErrorCode(err) != sabia.EUNPROCESSABLE || !strings.Contains(err.Error(), "nothing changed") {
		t.Fatalf("Train with nothing changed: %v", err)
	}
	for _, bad := range []ParseRequest{
		{RepositoryUUID: f.repo.UUID, Text: "  "},
		{RepositoryUUID: f.repo.UUID, Text: "oi", Language: "xx"},
		{RepositoryUUID: f.repo.UUID, Text: "oi", Language: "es"},
		{RepositoryUUID: f.repo.UUID, Text: strings.Repeat("a", MaxParseRunes+1)},
		{RepositoryUUID: f.repo.UUID, Text: "\xff"},
		{RepositoryUUID: f.repo.UUID, Text: "oi\x00"},
	} {
		if _, err := f.engine.Parse(ctx, bad); sabia.ErrorCode(err) == sabia.EINTERNAL || err == nil {
			t.Errorf("Parse(%.20q, %q) = %v, want a domain error", bad.Text, bad.Language, err)
		}
	}
	if _, err := f.engine.Parse(ctx, ParseRequest{RepositoryUUID: "nope", Text: "oi"}); sabia.ErrorCode(err) != sabia.ENOTFOUND {
		t.Errorf("unknown repository: %v", err)
	}
	// Forget keeps the model cached; Drop (a deleted repository) frees it.
	f.engine.Forget(f.repo.UUID)
	if n := f.engine.models.Len(); n != 1 {
		t.Fatalf("models cached after Forget = %d, want 1", n)
	}
	f.engine.Drop(f.repo.UUID)
	if n, b := f.engine.models.Len(), f.engine.models.Bytes(); n != 0 || b != 0 {
		t.Errorf("models cached after Drop = %d (%d bytes), want none", n, b)
	}
}

// TestEngineResumeAfterCrash: a job left running by a killed process is
// failed with a clear message and its work is queued again, and a job left
// queued runs when the server starts.
func TestEngineResumeAfterCrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sabia.db")
	f := newEngineFixture(t, path)
	f.seed(t)
	ctx := context.Background()
	crashed, err := f.repos.CreateJob(ctx, f.repo.UUID, repository.JobInput{Kind: repository.JobTrain})
	if err != nil {
		t.Fatal(err)
	}
	running := repository.JobRunning
	if _, err := f.repos.UpdateJob(ctx, crashed.ID, repository.JobUpdate{Status: &running}); err != nil {
		t.Fatal(err)
	}

	// The "restarted" server: a new engine and queue on the same file.
	g := newEngineFixture(t, path)
	g.repo = f.repo
	if err := g.engine.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	old, _ := g.repos.FindJob(ctx, crashed.ID)
	if old.Status != repository.JobFailed || !strings.Contains(old.Error, "restart") {
		t.Fatalf("abandoned job = %+v", old)
	}
	active, err := g.repos.ActiveJobs(ctx)
	if err != nil || len(active) != 1 || active[0].ID == crashed.ID {
		t.Fatalf("active after resume = %+v, %v", active, err)
	}
	startQueue(t, g.queue)
	if j := g.wait(t, active[0].ID); j.Status != repository.JobSucceeded {
		t.Fatalf("resumed job = %+v", j)
	}
	if _, err := g.engine.Parse(ctx, ParseRequest{RepositoryUUID: f.repo.UUID, Text: "cancela tudo"}); err != nil {
		t.Fatal(err)
	}
}

// TestEngineKeepsServingDuringRetrain: parse answers with the old model
// until the new one is installed, then with the new one.
func TestEngineKeepsServingDuringRetrain(t *testing.T) {
	f := newEngineFixture(t, filepath.Join(t.TempDir(), "sabia.db"))
	f.seed(t)
	ctx := context.Background()
	startQueue(t, f.queue)
	jobs, _, err := f.engine.Train(ctx, f.repo.UUID, 0, "", false)
	if err != nil {
		t.Fatal(err)
	}
	first := f.wait(t, jobs[0].ID)
	if _, err := f.repos.AddExamples(ctx, f.repo.UUID, []repository.ExampleInput{{Text: "oi, bom dia", Intent: "saudacao"}, {Text: "olá", Intent: "saudacao"}}); err != nil {
		t.Fatal(err)
	}
	jobs, _, err = f.engine.Train(ctx, f.repo.UUID, 0, "", false)
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	errs := make(chan error, 1)
	go func() {
		defer close(errs)
		for {
			select {
			case <-stop:
				return
			default:
			}
			p, err := f.engine.Parse(ctx, ParseRequest{RepositoryUUID: f.repo.UUID, Text: "cadê meu pedido"})
			if err != nil || (p.ModelID != first.ModelID && !hasIntent(p.Prediction, "saudacao")) {
				errs <- err
				return
			}
		}
	}()
	second := f.wait(t, jobs[0].ID)
	close(stop)
	if err := <-errs; err != nil {
		t.Fatalf("parse during retraining: %v", err)
	}
	p, err := f.engine.Parse(ctx, ParseRequest{RepositoryUUID: f.repo.UUID, Text: "oi, bom dia!"})
	if err != nil || p.ModelID != second.ModelID || p.Prediction.Intent != "saudacao" {
		t.Fatalf("after retraining: %+v %v", p, err)
	}
}

func hasIntent(p nlu.Prediction, name string) bool {
	for _, s := range p.Ranking {
		if s.Name == name {
			return true
		}
	}
	return false
}

// TestEngineStaleModel: a stored model this build cannot use (made by
// another version, here another format version) is reported as unavailable
// and trained again without being asked; parsing works once that is done.
func TestEngineStaleModel(t *testing.T) {
	f := newEngineFixture(t, filepath.Join(t.TempDir(), "sabia.db"))
	f.seed(t)
	ctx := context.Background()
	jobs, _, err := f.engine.Train(ctx, f.repo.UUID, 0, "", false)
	if err != nil {
		t.Fatal(err)
	}
	startQueue(t, f.queue)
	f.wait(t, jobs[0].ID)
	good, err := f.repos.LatestModel(ctx, f.repo.UUID, 0, "pt_br")
	if err != nil {
		t.Fatal(err)
	}
	// The same model with the format version after the magic bumped and
	// its checksum fixed: well formed, but not this build's.
	stale := append([]byte(nil), good.Data[:len(good.Data)-4]...)
	stale[len("SABIA-NLU")]++
	stale = binary.LittleEndian.AppendUint32(stale, crc32.ChecksumIEEE(stale))
	rec := repository.Model{RepositoryUUID: f.repo.UUID, VersionID: good.VersionID, Language: "pt_br", Data: stale, Revision: good.Revision, TrainedAt: good.TrainedAt}
	if err := f.store.SaveModel(ctx, &rec); err != nil {
		t.Fatal(err)
	}
	f.engine.Drop(f.repo.UUID)
	_, err = f.engine.Parse(ctx, ParseRequest{RepositoryUUID: f.repo.UUID, Text: "boleto"})
	if sabia.ErrorCode(err) != sabia.EUNAVAILABLE || !strings.Contains(err.Error(), "is being trained again") {
		t.Fatalf("parse with a stale model: %v", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		p, err := f.engine.Parse(ctx, ParseRequest{RepositoryUUID: f.repo.UUID, Text: "qro a 2 via do boleto"})
		if err == nil {
			if p.Prediction.Intent != "boleto" || p.ModelID <= rec.ID {
				t.Fatalf("parse after retraining = %+v, want a model newer than %d", p, rec.ID)
			}
			break
		}
		if sabia.ErrorCode(err) != sabia.EUNAVAILABLE || time.Now().After(deadline) {
			t.Fatalf("parse while retraining: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	active, err := f.repos.ListJobs(ctx, repository.JobFilter{RepositoryUUID: f.repo.UUID, Kind: repository.JobTrain})
	if err != nil {
		t.Fatal(err)
	}
	if len(active) != 2 {
		t.Errorf("train jobs = %d, want 2 (the first and one retraining, however many parses asked)", len(active))
	}
}

// TestEngineInstallAfterDelete: a training that finishes after its
// repository or version was deleted does not leave the model cached.
func TestEngineInstallAfterDelete(t *testing.T) {
	f := newEngineFixture(t, filepath.Join(t.TempDir(), "sabia.db"))
	f.seed(t)
	ctx := context.Background()
	other, err := f.repos.CreateRepository(ctx, repository.RepositoryInput{Name: "Outra", Language: "pt_br"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := nlu.Train(ctx, "pt_br", []nlu.Example{{Text: "boleto", Intent: "a"}, {Text: "pedido", Intent: "b"}}, nlu.DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.repos.DeleteRepository(ctx, f.repo.UUID); err != nil {
		t.Fatal(err)
	}
	f.engine.installLive(ctx, modelKey{f.repo.UUID, 1, "pt_br"}, &loaded{model: m, id: 1})
	if n := f.engine.models.Len(); n != 0 {
		t.Fatalf("models cached for a deleted repository = %d, want 0", n)
	}
	master, err := f.repos.FindVersion(ctx, other.UUID, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.engine.installLive(ctx, modelKey{other.UUID, master.ID, "pt_br"}, &loaded{model: m, id: 2})
	if n := f.engine.models.Len(); n != 1 {
		t.Fatalf("models cached for a live repository = %d, want 1", n)
	}
	// The same for a version deleted while its training ran.
	gone, err := f.repos.CreateVersion(ctx, other.UUID, repository.VersionInput{Name: "natal"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.repos.DeleteVersion(ctx, other.UUID, gone.ID); err != nil {
		t.Fatal(err)
	}
	f.engine.installLive(ctx, modelKey{other.UUID, gone.ID, "pt_br"}, &loaded{model: m, id: 3})
	if n := f.engine.models.Len(); n != 1 {
		t.Fatalf("models cached after a deleted version's training = %d, want 1", n)
	}
}

// TestTrainSaysWhatItSkips: a language that cannot be trained yet (Spanish
// with a single intent) is reported with the reason beside the jobs of the
// languages that can.
func TestTrainSaysWhatItSkips(t *testing.T) {
	f := newEngineFixture(t, filepath.Join(t.TempDir(), "sabia.db"))
	ctx := context.Background()
	repo, err := f.repos.CreateRepository(ctx, repository.RepositoryInput{Name: "Loja", Language: "pt_br", Languages: []string{"es"}})
	if err != nil {
		t.Fatal(err)
	}
	in := append(slices.Clone(shopExamples), repository.ExampleInput{Text: "quiero la segunda vía de la factura", Language: "es", Intent: "boleto"})
	if _, err := f.repos.AddExamples(ctx, repo.UUID, in); err != nil {
		t.Fatal(err)
	}
	jobs, skipped, err := f.engine.Train(ctx, repo.UUID, 0, "", false)
	if err != nil || len(jobs) != 1 || jobs[0].Language != "pt_br" {
		t.Fatalf("Train = %+v, %v", jobs, err)
	}
	if len(skipped) != 1 || skipped[0].Language != "es" || !strings.Contains(skipped[0].Reason, "intent") {
		t.Fatalf("skipped = %+v, want es with a reason about its intents", skipped)
	}
}

// TestParseBatch: a batch answers each text as Parse does, with one model,
// and names the index of a bad text.
func TestParseBatch(t *testing.T) {
	f := newEngineFixture(t, filepath.Join(t.TempDir(), "sabia.db"))
	f.seed(t)
	ctx := context.Background()
	jobs, _, err := f.engine.Train(ctx, f.repo.UUID, 0, "", false)
	if err != nil {
		t.Fatal(err)
	}
	startQueue(t, f.queue)
	f.wait(t, jobs[0].ID)
	texts := []string{"qro a 2 via do boleto", "cancela tudo pfv", "cadê minha encomenda"}
	got, err := f.engine.ParseBatch(ctx, ParseRequest{RepositoryUUID: f.repo.UUID}, texts)
	if err != nil || len(got) != len(texts) {
		t.Fatalf("ParseBatch = %d results, %v", len(got), err)
	}
	for i, text := range texts {
		one, err := f.engine.Parse(ctx, ParseRequest{RepositoryUUID: f.repo.UUID, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		if got[i].Prediction.Intent != one.Prediction.Intent || got[i].ModelID != one.ModelID || got[i].Prediction.Confidence != one.Prediction.Confidence {
			t.Errorf("text %d: batch %+v, single %+v", i, got[i].Prediction, one.Prediction)
		}
	}
	if _, err := f.engine.ParseBatch(ctx, ParseRequest{RepositoryUUID: f.repo.UUID}, []string{"oi", "", "tchau"}); sabia.ErrorCode(err) != sabia.EINVALID || !strings.HasPrefix(sabia.ErrorMessage(err), "text 1:") {
		t.Errorf("a blank text: %v", err)
	}
}

// TestDropVersion: forgetting a deleted version drops its models and keeps
// the other versions'.
func TestDropVersion(t *testing.T) {
	f := newEngineFixture(t, filepath.Join(t.TempDir(), "sabia.db"))
	m, err := nlu.Train(context.Background(), "pt_br", []nlu.Example{{Text: "boleto", Intent: "a"}, {Text: "pedido", Intent: "b"}}, nlu.DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	f.engine.install(modelKey{"r1", 1, "pt_br"}, &loaded{model: m, id: 1})
	f.engine.install(modelKey{"r1", 2, "pt_br"}, &loaded{model: m, id: 2})
	f.engine.install(modelKey{"r2", 1, "pt_br"}, &loaded{model: m, id: 3})
	f.engine.DropVersion("r1", 1)
	for k, want := range map[modelKey]bool{{"r1", 1, "pt_br"}: false, {"r1", 2, "pt_br"}: true, {"r2", 1, "pt_br"}: true} {
		if _, ok := f.engine.models.Get(k); ok != want {
			t.Errorf("%v cached = %v, want %v", k, ok, want)
		}
	}
}
