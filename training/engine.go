package training

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/datasets"
	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
)

// MaxParseRunes bounds the text of one classification request, in runes.
// Chat messages are short; a long document belongs to content answers.
const MaxParseRunes = repository.MaxTextRunes * 5

// ParseRequest is one text to classify.
type ParseRequest struct {
	RepositoryUUID string
	// VersionID 0 means the default version.
	VersionID int64
	// Language in any spelling ParseLanguage accepts; "" means the
	// repository's main language.
	Language string
	Text     string
}

// Parsed is the answer to a ParseRequest.
type Parsed struct {
	Prediction     nlu.Prediction
	RepositoryUUID string
	Language       string
	VersionID      int64
	ModelID        int64
	TrainedAt      time.Time
	Threshold      float64
	Duration       time.Duration
}

// Detector adds built-in intents (human_handoff, opt_out) to a ranking when
// a repository turns them on.
type Detector interface {
	// Scores returns the confidence of each built-in intent for text in
	// lang, and false when it has no detector for lang.
	Scores(text, lang string) ([]nlu.Scored, bool)
}

// BuiltinIntents are the intents a Detector contributes.
var BuiltinIntents = []string{"human_handoff", "opt_out"}

// EngineConfig configures an Engine.
type EngineConfig struct {
	// CacheBytes bounds the memory of loaded models (LRU). Default 1 GiB.
	CacheBytes int64
	// Logger receives job logs.
	Logger *slog.Logger
	// Detector, when set, serves built-in intents.
	Detector Detector
	// Train overrides the training configuration (tests); zero means
	// nlu.DefaultConfig().
	Train *nlu.Config
}

// Engine trains models as jobs on the Queue and classifies texts with the
// loaded models. Classification reads only memory when the model and the
// repository settings are cached.
type Engine struct {
	repos    *repository.Service
	queue    *Queue
	log      *slog.Logger
	models   *Cache[modelKey, *loaded]
	detector Detector
	trainCfg nlu.Config

	// mu guards settings and the generations below. A load from the store
	// caches its result only if no invalidation came while it read: gen
	// counts a repository's invalidations, epoch those of everything, and
	// announced holds the newest model id another process said it saved.
	mu        sync.RWMutex
	settings  map[string]settings // by repository UUID
	gen       map[string]uint64
	epoch     uint64
	announced map[modelKey]int64
}

type modelKey struct {
	repo    string
	version int64
	lang    string
}

type loaded struct {
	model     *nlu.Model
	id        int64
	revision  int64
	trainedAt time.Time
	size      int64
}

type settings struct {
	repo           repository.Repository
	defaultVersion int64
	patterns       *nlu.Patterns // the repository's pattern entities, nil when none
}

// trainPayload is the payload of a train job in the queue.
type trainPayload struct {
	RepositoryUUID string `json:"repository_uuid"`
}

// NewEngine builds an Engine and registers its job handler on q; the caller
// starts q.
func NewEngine(repos *repository.Service, q *Queue, cfg EngineConfig) *Engine {
	if cfg.CacheBytes <= 0 {
		cfg.CacheBytes = 1 << 30
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	e := &Engine{repos: repos, queue: q, log: cfg.Logger, detector: cfg.Detector, settings: map[string]settings{},
		gen: map[string]uint64{}, announced: map[modelKey]int64{},
		models: NewCache[modelKey, *loaded](cfg.CacheBytes, func(l *loaded) int64 { return l.size })}
	e.trainCfg = nlu.DefaultConfig()
	if cfg.Train != nil {
		e.trainCfg = *cfg.Train
	}
	if q != nil {
		q.Handle(repository.JobTrain, e.runTrain)
		q.Handle(repository.JobEvaluate, e.runEvaluate)
		q.Handle(repository.JobCrossValidate, e.runEvaluate)
	}
	return e
}

// OnState persists queue state changes into the jobs of the repository
// store; pass it as QueueConfig.OnState.
func (e *Engine) OnState(jobID string, state State, progress float64, jobErr error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var u repository.JobUpdate
	switch state {
	case StateRunning:
		s := repository.JobRunning
		u.Status, u.Progress = &s, &progress
	case StateQueued:
		s := repository.JobQueued
		u.Status = &s
		if jobErr != nil {
			msg := jobErr.Error()
			u.Error = &msg
		}
	case StateFailed:
		s, msg := repository.JobFailed, "training failed"
		if jobErr != nil {
			msg = jobErr.Error()
		}
		u.Status, u.Error = &s, &msg
	case StateSucceeded:
		return // runTrain records success with the model id
	}
	if _, err := e.repos.UpdateJob(ctx, jobID, u); err != nil && sabia.ErrorCode(err) != sabia.ECONFLICT {
		e.log.Warn("recording job state", "job_id", jobID, "state", state, "err", err)
	}
}

// Resume makes sure the jobs the store says are active run, so that a
// restart loses none. Queued ones are enqueued again (the queue ignores
// duplicates). A job still marked running was abandoned by the previous
// process: it is failed with a clear message and replaced by a new queued
// job for the same work, since the queue would only rescue the old one
// after its timeout.
func (e *Engine) Resume(ctx context.Context) error {
	jobs, err := e.repos.ActiveJobs(ctx)
	if err != nil {
		return fmt.Errorf("listing active jobs: %w", err)
	}
	for _, j := range jobs {
		if j.Status == repository.JobRunning {
			failed, msg := repository.JobFailed, "interrupted by a server restart; a new job was queued for the same data"
			if _, err := e.repos.UpdateJob(ctx, j.ID, repository.JobUpdate{Status: &failed, Error: &msg}); err != nil {
				return fmt.Errorf("failing abandoned job %s: %w", j.ID, err)
			}
			nj, err := e.repos.CreateJob(ctx, j.RepositoryUUID, repository.JobInput{Kind: j.Kind, VersionID: j.VersionID, Language: j.Language})
			if sabia.ErrorCode(err) == sabia.ECONFLICT || sabia.ErrorCode(err) == sabia.ENOTFOUND {
				continue // the same work is already queued, or the repository is gone
			}
			if err != nil {
				return fmt.Errorf("requeueing job %s: %w", j.ID, err)
			}
			e.log.Info("requeued a job abandoned by a restart", "old_job_id", j.ID, "job_id", nj.ID)
			j = nj
		}
		if err := e.enqueue(ctx, j); err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) enqueue(ctx context.Context, j repository.Job) error {
	var payload []byte
	if j.Kind == repository.JobTrain {
		payload, _ = json.Marshal(trainPayload{RepositoryUUID: j.RepositoryUUID})
	}
	if err := e.queue.Enqueue(ctx, Job{ID: j.ID, Kind: j.Kind, Payload: payload}); err != nil {
		return fmt.Errorf("enqueueing job %s: %w", j.ID, err)
	}
	return nil
}

// Skipped is a language Train started no job for, and why.
type Skipped struct {
	Language string `json:"language"`
	Reason   string `json:"reason"`
}

// Train starts a training job for each language of the version that needs
// one (lang "" means every language of the repository). An already queued or
// running job of the same language is returned instead of a new one; the
// languages it started nothing for come with the reason (no examples, a
// training requirement unmet, nothing changed). When no language has a job
// it returns EUNPROCESSABLE with those reasons. Returns ENOTFOUND and
// EINVALID from the repository service.
func (e *Engine) Train(ctx context.Context, repoUUID string, versionID int64, lang string, force bool) ([]repository.Job, []Skipped, error) {
	repo, err := e.repos.FindRepository(ctx, repoUUID)
	if err != nil {
		return nil, nil, err
	}
	ver, err := e.repos.FindVersion(ctx, repoUUID, versionID)
	if err != nil {
		return nil, nil, err
	}
	langs := repo.Languages
	if lang != "" {
		l, ok := nlu.ParseLanguage(lang)
		if !ok {
			return nil, nil, sabia.Errorf(sabia.EINVALID, "unknown language %q", lang)
		}
		if !repo.HasLanguage(l) {
			return nil, nil, sabia.Errorf(sabia.EINVALID, "language %q is not one of the repository's languages (%s)", l, strings.Join(repo.Languages, ", "))
		}
		langs = []string{l}
	}
	active, err := e.repos.ListJobs(ctx, repository.JobFilter{RepositoryUUID: repoUUID, VersionID: ver.ID, Kind: repository.JobTrain,
		Statuses: []string{repository.JobQueued, repository.JobRunning}})
	if err != nil {
		return nil, nil, err
	}
	var jobs []repository.Job
	var skipped []Skipped
	for _, l := range langs {
		if j, ok := activeFor(active, l); ok {
			jobs = append(jobs, j)
			continue
		}
		examples, _, err := e.repos.TrainingSet(ctx, repoUUID, ver.ID, l)
		if err != nil {
			return nil, nil, err
		}
		need, err := e.repos.NeedsTraining(ctx, repoUUID, ver.ID, l)
		if err != nil {
			return nil, nil, err
		}
		if why := blockers(l, examples); why != "" {
			skipped = append(skipped, Skipped{Language: l, Reason: why})
			continue
		}
		if !need && !force {
			skipped = append(skipped, Skipped{Language: l, Reason: "nothing changed since the last training"})
			continue
		}
		j, err := e.repos.CreateJob(ctx, repoUUID, repository.JobInput{Kind: repository.JobTrain, VersionID: ver.ID, Language: l})
		if err != nil {
			return nil, nil, err
		}
		if err := e.enqueue(ctx, j); err != nil {
			return nil, nil, err
		}
		jobs = append(jobs, j)
	}
	if len(jobs) == 0 {
		reasons := make([]string, len(skipped))
		for i, s := range skipped {
			reasons[i] = s.Language + ": " + s.Reason
		}
		return nil, nil, sabia.Errorf(sabia.EUNPROCESSABLE, "nothing to train: %s (send \"force\": true to retrain unchanged data)", strings.Join(reasons, "; "))
	}
	return jobs, skipped, nil
}

func activeFor(jobs []repository.Job, lang string) (repository.Job, bool) {
	for _, j := range jobs {
		if j.Language == lang {
			return j, true
		}
	}
	return repository.Job{}, false
}

// blockers returns the training requirements examples miss (Bothub's rules,
// datasets.Status), joined, or "" when they can be trained.
func blockers(lang string, examples []nlu.Example) string {
	if len(examples) == 0 {
		return "no examples"
	}
	st := datasets.Status(datasets.StatusInput{Language: lang, Examples: examples, Changed: true})
	msgs := make([]string, 0, len(st.Requirements))
	for _, r := range st.Requirements {
		msgs = append(msgs, r.Message)
	}
	return strings.Join(msgs, "; ")
}

// forNLU turns the repository's out-of-scope examples (intent
// repository.OutOfScopeIntent) into nlu's (intent ""), in a copy.
func forNLU(examples []nlu.Example) []nlu.Example {
	out := make([]nlu.Example, len(examples))
	for i, ex := range examples {
		if ex.Intent == repository.OutOfScopeIntent {
			ex.Intent = ""
		}
		out[i] = ex
	}
	return out
}

// trainable says why examples cannot be trained on, or "" when they can.
func trainable(examples []nlu.Example) string {
	intents := map[string]int{}
	for _, ex := range examples {
		if ex.Intent != "" && ex.Intent != repository.OutOfScopeIntent {
			intents[ex.Intent]++
		}
	}
	switch {
	case len(examples) == 0:
		return "no examples"
	case len(intents) < 2:
		return fmt.Sprintf("at least 2 intents are needed, found %d", len(intents))
	}
	return ""
}

// runTrain is the queue handler of train jobs.
func (e *Engine) runTrain(ctx context.Context, qj Job, progress func(float64)) error {
	j, err := e.repos.FindJob(ctx, qj.ID)
	if err != nil {
		if sabia.ErrorCode(err) == sabia.ENOTFOUND {
			return Permanent(fmt.Errorf("job %s no longer exists", qj.ID))
		}
		return err
	}
	if !j.Active() {
		return nil // finished already, e.g. failed by a restart and resumed as a new job
	}
	examples, rev, err := e.repos.TrainingSet(ctx, j.RepositoryUUID, j.VersionID, j.Language)
	if err != nil {
		if sabia.ErrorCode(err) == sabia.ENOTFOUND {
			return Permanent(err)
		}
		return err
	}
	if why := trainable(examples); why != "" {
		return Permanent(errors.New(why))
	}
	start := time.Now()
	m, err := nlu.Train(ctx, j.Language, forNLU(examples), e.trainCfg, func(p float64) { progress(0.95 * p) })
	if err != nil {
		return fmt.Errorf("training: %w", err)
	}
	data, err := m.MarshalBinary()
	if err != nil {
		return Permanent(fmt.Errorf("encoding model: %w", err))
	}
	saved, err := e.repos.SaveModel(ctx, repository.Model{RepositoryUUID: j.RepositoryUUID, VersionID: j.VersionID, Language: j.Language,
		Data: data, Revision: rev})
	if err != nil {
		return fmt.Errorf("saving model: %w", err)
	}
	e.installLive(ctx, modelKey{j.RepositoryUUID, j.VersionID, j.Language}, &loaded{model: m, id: saved.ID, revision: rev, trainedAt: saved.TrainedAt, size: int64(len(data))})
	done := repository.JobSucceeded
	if _, err := e.repos.UpdateJob(ctx, j.ID, repository.JobUpdate{Status: &done, ModelID: &saved.ID}); err != nil {
		return fmt.Errorf("recording success: %w", err)
	}
	e.log.Info("trained", "job_id", j.ID, "repository", j.RepositoryUUID, "language", j.Language, "examples", len(examples),
		"model_id", saved.ID, "bytes", len(data), "seconds", time.Since(start).Seconds())
	return nil
}

// install makes l the model of k unless a newer one is already there: the
// swap is atomic, requests in flight keep the model they hold.
func (e *Engine) install(k modelKey, l *loaded) {
	if cur, ok := e.models.Get(k); ok && cur.id > l.id {
		return
	}
	e.models.Put(k, l)
}

// installLive installs the model of a training that just finished, unless
// its repository or version was deleted meanwhile. They are looked up after
// installing: a deletion before the lookup is seen by it, and one after it
// is followed by Drop (the API deletes, then drops), which evicts the model.
func (e *Engine) installLive(ctx context.Context, k modelKey, l *loaded) {
	e.install(k, l)
	if _, err := e.repos.FindRepository(ctx, k.repo); sabia.ErrorCode(err) == sabia.ENOTFOUND {
		e.models.RemoveFunc(func(x modelKey) bool { return x.repo == k.repo })
	} else if _, err := e.repos.FindVersion(ctx, k.repo, k.version); sabia.ErrorCode(err) == sabia.ENOTFOUND {
		e.models.Remove(k)
	}
}

// Forget drops the cached settings of a repository after it changed; its
// models stay cached, since they do not depend on the settings. Settings
// being loaded meanwhile are not cached.
func (e *Engine) Forget(repoUUID string) {
	e.mu.Lock()
	delete(e.settings, repoUUID)
	e.gen[repoUUID]++
	e.mu.Unlock()
}

// generation returns what a load of the repository's settings or models
// compares with fresh before caching its result.
func (e *Engine) generation(repoUUID string) [2]uint64 {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return [2]uint64{e.gen[repoUUID], e.epoch}
}

// CachedModels returns how many models are loaded in memory and their
// encoded size in bytes (what Config.CacheBytes bounds).
func (e *Engine) CachedModels() (int, int64) { return e.models.Len(), e.models.Bytes() }

// ForgetModel drops the cached model of a repository's version and
// language when it is older than the model id, which another process sharing
// the store has just saved: the next parse loads the latest.
func (e *Engine) ForgetModel(repoUUID string, versionID int64, lang string, id int64) {
	k := modelKey{repoUUID, versionID, lang}
	e.mu.Lock()
	// Remembered, so that a load that read the older model before this
	// arrived does not cache it.
	e.announced[k] = max(e.announced[k], id)
	e.mu.Unlock()
	if cur, ok := e.models.Get(k); ok && cur.id < id {
		e.models.Remove(k)
	}
}

// ForgetAll drops every cached setting and model, for when changes made by
// other processes may have been missed.
func (e *Engine) ForgetAll() {
	e.mu.Lock()
	clear(e.settings)
	e.epoch++
	e.mu.Unlock()
	e.models.RemoveFunc(func(modelKey) bool { return true })
}

// DropVersion forgets the models of a deleted version of a repository.
func (e *Engine) DropVersion(repoUUID string, versionID int64) {
	e.mu.Lock()
	e.gen[repoUUID]++ // a load of one of its models in flight is not cached
	for k := range e.announced {
		if k.repo == repoUUID && k.version == versionID {
			delete(e.announced, k)
		}
	}
	e.mu.Unlock()
	e.models.RemoveFunc(func(k modelKey) bool { return k.repo == repoUUID && k.version == versionID })
}

// Drop forgets a deleted repository: its settings and every model of it in
// the cache, so that their memory is freed at once rather than when the
// cache evicts them.
func (e *Engine) Drop(repoUUID string) {
	e.Forget(repoUUID)
	e.mu.Lock()
	for k := range e.announced {
		if k.repo == repoUUID {
			delete(e.announced, k)
		}
	}
	e.mu.Unlock()
	e.models.RemoveFunc(func(k modelKey) bool { return k.repo == repoUUID })
}

func (e *Engine) settingsOf(ctx context.Context, repoUUID string) (settings, error) {
	e.mu.RLock()
	s, ok := e.settings[repoUUID]
	gen := [2]uint64{e.gen[repoUUID], e.epoch}
	e.mu.RUnlock()
	if ok {
		return s, nil
	}
	repo, err := e.repos.FindRepository(ctx, repoUUID)
	if err != nil {
		return settings{}, err
	}
	v, err := e.repos.FindVersion(ctx, repoUUID, 0)
	if err != nil {
		return settings{}, err
	}
	pats, err := nlu.CompilePatterns(repo.PatternEntities)
	if err != nil {
		return settings{}, fmt.Errorf("compiling the pattern entities of %s: %w", repoUUID, err)
	}
	s = settings{repo: repo, defaultVersion: v.ID, patterns: pats}
	e.mu.Lock()
	if gen == [2]uint64{e.gen[repoUUID], e.epoch} {
		e.settings[repoUUID] = s
	}
	e.mu.Unlock()
	return s, nil
}

func (e *Engine) modelOf(ctx context.Context, k modelKey) (*loaded, error) {
	if l, ok := e.models.Get(k); ok {
		return l, nil
	}
	gen := e.generation(k.repo)
	rec, err := e.repos.LatestModel(ctx, k.repo, k.version, k.lang)
	if err != nil {
		if sabia.ErrorCode(err) == sabia.ENOTFOUND {
			return nil, sabia.Errorf(sabia.EUNAVAILABLE, "language %q has no trained model yet: add examples and train the repository first", k.lang)
		}
		return nil, err
	}
	m, err := nlu.Decode(rec.Data)
	if errors.Is(err, nlu.ErrStaleModel) {
		// Made by an older build (another format or lexicon): train it
		// again at once rather than wait for someone to notice.
		jobs, _, terr := e.Train(ctx, k.repo, k.version, k.lang, true)
		if terr != nil {
			return nil, sabia.Errorf(sabia.EUNAVAILABLE, "the %s model was trained by another version of Sabiá (%v) and could not be trained again: %v", k.lang, err, terr)
		}
		return nil, sabia.Errorf(sabia.EUNAVAILABLE, "the %s model was trained by another version of Sabiá and is being trained again (job %s); try again in a moment", k.lang, jobs[0].ID)
	}
	if err != nil {
		return nil, fmt.Errorf("decoding model %d: %w", rec.ID, err)
	}
	l := &loaded{model: m, id: rec.ID, revision: rec.Revision, trainedAt: rec.TrainedAt, size: int64(len(rec.Data))}
	// Cached only if nothing was invalidated while it was read (checked
	// and installed under the lock the invalidations take first);
	// otherwise it serves this request and the next one reads again.
	e.mu.Lock()
	if gen == [2]uint64{e.gen[k.repo], e.epoch} && l.id >= e.announced[k] {
		e.install(k, l)
	}
	e.mu.Unlock()
	return l, nil
}

// Parse classifies a text. Returns EINVALID for an empty, oversized or
// non-UTF-8 text, an unknown language or one the repository does not have;
// EUNAVAILABLE when the language was never trained; ENOTFOUND for an unknown
// repository or version.
func (e *Engine) Parse(ctx context.Context, req ParseRequest) (Parsed, error) {
	start := time.Now()
	t, err := e.target(ctx, req)
	if err != nil {
		return Parsed{}, err
	}
	return e.parseWith(t, req.Text, start), nil
}

// ParseBatch classifies texts as Parse does req.Text, with one model and
// one set of settings for all of them (resolved once), in order. Errors are
// Parse's; a bad text's error names its index.
func (e *Engine) ParseBatch(ctx context.Context, req ParseRequest, texts []string) ([]Parsed, error) {
	if len(texts) == 0 {
		return []Parsed{}, nil
	}
	for i, text := range texts {
		if err := checkText(text); err != nil {
			return nil, sabia.Errorf(sabia.ErrorCode(err), "text %d: %s", i, sabia.ErrorMessage(err))
		}
	}
	req.Text = texts[0]
	t, err := e.target(ctx, req)
	if err != nil {
		return nil, err
	}
	out := make([]Parsed, len(texts))
	for i, text := range texts {
		out[i] = e.parseWith(t, text, time.Now())
	}
	return out, nil
}

// parseTarget is what a parse request resolves to: the repository's
// settings, the language and version, and the model to use.
type parseTarget struct {
	settings settings
	lang     string
	version  int64
	model    *loaded
	repoUUID string
}

// target validates a parse request and finds its model (errors at Parse).
// checkText returns EINVALID or ETOOLARGE for a text that cannot be
// classified.
func checkText(text string) error {
	if !utf8.ValidString(text) {
		return sabia.Errorf(sabia.EINVALID, "text is not valid UTF-8")
	}
	if strings.TrimSpace(text) == "" {
		return sabia.Errorf(sabia.EINVALID, "text is required")
	}
	if strings.ContainsRune(text, 0) {
		// PostgreSQL cannot store it in the interaction log.
		return sabia.Errorf(sabia.EINVALID, "text contains a NUL character")
	}
	if n := utf8.RuneCountInString(text); n > MaxParseRunes {
		return sabia.Errorf(sabia.ETOOLARGE, "text has %d characters, more than %d", n, MaxParseRunes)
	}
	return nil
}

func (e *Engine) target(ctx context.Context, req ParseRequest) (parseTarget, error) {
	if err := checkText(req.Text); err != nil {
		return parseTarget{}, err
	}
	s, err := e.settingsOf(ctx, req.RepositoryUUID)
	if err != nil {
		return parseTarget{}, err
	}
	lang := s.repo.Language
	if req.Language != "" {
		l, ok := nlu.ParseLanguage(req.Language)
		if !ok {
			return parseTarget{}, sabia.Errorf(sabia.EINVALID, "unknown language %q; use a code such as pt_br, es or en", req.Language)
		}
		if !s.repo.HasLanguage(l) {
			return parseTarget{}, sabia.Errorf(sabia.EINVALID, "language %q is not one of the repository's languages (%s)", l, strings.Join(s.repo.Languages, ", "))
		}
		lang = l
	}
	version := req.VersionID
	if version == 0 {
		version = s.defaultVersion
	}
	l, err := e.modelOf(ctx, modelKey{req.RepositoryUUID, version, lang})
	if err != nil {
		if sabia.ErrorCode(err) == sabia.EUNAVAILABLE && version != s.defaultVersion {
			if _, verr := e.repos.FindVersion(ctx, req.RepositoryUUID, version); verr != nil {
				return parseTarget{}, verr
			}
		}
		return parseTarget{}, err
	}
	return parseTarget{settings: s, lang: lang, version: version, model: l, repoUUID: req.RepositoryUUID}, nil
}

// parseWith classifies text with a resolved target.
func (e *Engine) parseWith(t parseTarget, text string, start time.Time) Parsed {
	s, l := t.settings, t.model
	p := l.model.Predict(text, nlu.PredictOptions{Threshold: thresholdOf(s.repo), Patterns: s.patterns})
	if s.repo.BuiltinIntents && e.detector != nil {
		p = withBuiltins(p, l.model, e.detector, text, t.lang, thresholdOf(s.repo))
	}
	return Parsed{Prediction: p, RepositoryUUID: t.repoUUID, Language: t.lang, VersionID: t.version, ModelID: l.id, TrainedAt: l.trainedAt,
		Threshold: s.repo.Threshold, Duration: time.Since(start)}
}

// thresholdOf returns the repository's threshold as PredictOptions wants it:
// 0 there means "the model's default", so a repository that asks for 0
// (never out of scope) gets the smallest positive threshold.
func thresholdOf(r repository.Repository) float64 {
	if r.Threshold <= 0 {
		return 1e-12
	}
	return r.Threshold
}

// withBuiltins merges built-in intents into a prediction. A built-in that
// the repository's own examples teach (same name) is left to the model.
// When a detector fires, its confidence takes that share of the ranking and
// the repository's intents are scaled into the rest, so the ranking still
// sums to what it summed to before.
func withBuiltins(p nlu.Prediction, m *nlu.Model, d Detector, text, lang string, threshold float64) nlu.Prediction {
	scores, ok := d.Scores(text, lang)
	if !ok {
		return p
	}
	own := map[string]bool{}
	for _, name := range m.Intents() {
		own[name] = true
	}
	var extra []nlu.Scored
	var mass float64
	for _, s := range scores {
		if own[s.Name] {
			continue
		}
		extra = append(extra, s)
		mass += s.Confidence
	}
	if len(extra) == 0 {
		return p
	}
	if mass > 1 {
		for i := range extra {
			extra[i].Confidence /= mass
		}
		mass = 1
	}
	ranking := make([]nlu.Scored, 0, len(p.Ranking)+len(extra))
	for _, s := range p.Ranking {
		ranking = append(ranking, nlu.Scored{Name: s.Name, Confidence: s.Confidence * (1 - mass)})
	}
	ranking = append(ranking, extra...)
	slices.SortStableFunc(ranking, func(a, b nlu.Scored) int { return cmp.Compare(b.Confidence, a.Confidence) })
	p.Ranking = ranking
	p.Intent, p.Confidence = ranking[0].Name, ranking[0].Confidence
	p.OutOfScope = p.Confidence < threshold
	if p.OutOfScope {
		p.Intent = ""
	}
	return p
}

// Explained is a classification with the contribution of every word.
type Explained struct {
	Parsed
	Explanation nlu.Explanation
}

// Explain classifies a text as Parse does and explains it: the exact
// contribution of each word to the top intents. top <= 0 means every
// intent. Errors are Parse's.
func (e *Engine) Explain(ctx context.Context, req ParseRequest, top int) (Explained, error) {
	start := time.Now()
	t, err := e.target(ctx, req)
	if err != nil {
		return Explained{}, err
	}
	// One model for both, even if a retraining swaps it in between.
	return Explained{Parsed: e.parseWith(t, req.Text, start), Explanation: t.model.model.Explain(req.Text, top)}, nil
}
