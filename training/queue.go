// Package training runs jobs (train, evaluate, cross-validate) on a
// persistent queue, and keeps trained models in a bounded in-memory cache.
//
// The package knows nothing of repositories or classifiers: a Queue runs
// Handlers registered by job kind and reports state changes through a
// callback, a Registry holds the model currently serving each key, and a
// Cache keeps recently loaded models within a memory budget. The caller
// wires them to its store and its classifier.
//
// The Queue runs on River (github.com/riverqueue/river) with its SQLite
// driver, in the same SQLite database as the rest of the application, so
// that a job survives a restart of the process.
package training

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// State is the state of a job as the Queue reports it through
// QueueConfig.OnState.
type State string

// The states a job goes through. A job is queued when enqueued, running
// while a handler works it, and ends succeeded or failed. A job whose
// attempt failed but that will be tried again goes back to queued.
const (
	StateQueued    State = "queued"
	StateRunning   State = "running"
	StateSucceeded State = "succeeded"
	StateFailed    State = "failed"
)

// Job is a unit of work for the Queue.
type Job struct {
	// ID is the caller's identifier for the job, unique across all kinds.
	// Enqueueing a job with the ID of one that is queued, running or
	// succeeded less than 24 hours ago (River's retention of completed
	// jobs) does nothing, so re-enqueueing after a restart is safe. The ID
	// of a failed job may be enqueued again, but only once River has
	// recorded the failure, a moment after OnState reported it; until then
	// the job still counts as running and the enqueue does nothing.
	ID string `json:"id"`
	// Kind selects the Handler that runs the job, for example "train".
	Kind string `json:"kind"`
	// Payload is the handler's input, opaque to the queue.
	Payload json.RawMessage `json:"payload,omitempty"`
	// Attempt is the number of the current attempt, starting at 1. The
	// queue sets it when it calls a Handler; Enqueue ignores it.
	Attempt int `json:"-"`
}

// Handler works one job. It reports its progress, a fraction from 0 to 1,
// by calling progress as often as it likes: the queue throttles what it
// passes on to QueueConfig.OnState. A handler must return promptly once ctx
// is done (Stop past its deadline, or JobTimeout), for example by checking
// ctx.Err() between epochs.
//
// A returned error fails the attempt; the job is tried again until
// QueueConfig.MaxAttempts attempts have failed, unless the error is wrapped
// with Permanent. A panic counts as an error.
type Handler func(ctx context.Context, job Job, progress func(float64)) error

// ErrInterrupted is the error passed to QueueConfig.OnState, with
// StateQueued, for a job whose handler was cancelled because the queue was
// stopping. The attempt does not count: the job runs again, from the start,
// when a queue next starts on the same database.
var ErrInterrupted = errors.New("interrupted by shutdown; the job will run again at the next start")

// Permanent wraps err so that the job fails at once, without further
// attempts: for errors that retrying cannot fix, such as invalid input.
// Permanent(nil) returns nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Defaults for QueueConfig.
const (
	// DefaultJobTimeout bounds one attempt; training a large repository on
	// two cores takes minutes, not hours.
	DefaultJobTimeout = 30 * time.Minute
	// DefaultMaxAttempts: a transient failure (a locked database, a killed
	// process) gets two more tries; a real bug fails fast.
	DefaultMaxAttempts = 3
	// DefaultPollInterval is how often an idle queue looks for jobs
	// inserted by another process; jobs enqueued through the Queue itself
	// are picked up at once.
	DefaultPollInterval = time.Second
	// defaultRescueMargin is added to JobTimeout for the default
	// RescueAfter: River refuses a RescueAfter shorter than JobTimeout, and
	// a margin avoids rescuing a job that is just finishing.
	defaultRescueMargin = 5 * time.Minute
)

const (
	riverKind  = "sabia_job" // the single River job kind; Job.Kind dispatches within it
	riverQueue = "training"  // the River queue the jobs run on

	// progressInterval and progressStep throttle progress reports: one is
	// passed on when at least progressInterval has passed since the last
	// or it moved by at least progressStep, so that a handler reporting
	// every example does not write to the database every example.
	progressInterval = 250 * time.Millisecond
	progressStep     = 0.05

	// cancelGrace is how long Stop waits for handlers to return after it
	// has cancelled them, once its own context is done.
	cancelGrace = 10 * time.Second
)

// QueueConfig configures a Queue. The zero value is usable.
type QueueConfig struct {
	// Postgres runs River on a PostgreSQL database (through
	// database/sql with pgx's driver) instead of SQLite.
	Postgres bool
	// Workers is the number of jobs run at once. Default 1: training is
	// CPU-bound and a second job would only slow the first.
	Workers int
	// Logger receives River's and the queue's logs. Default slog.Default().
	Logger *slog.Logger
	// JobTimeout bounds one attempt of a job; its context is cancelled
	// then. Default DefaultJobTimeout; negative means no timeout.
	JobTimeout time.Duration
	// RescueAfter is how long a job may stay running before it is
	// considered abandoned by a crashed process and run again (or failed,
	// if it has no attempts left). River requires it to be at least
	// JobTimeout, since a job still working must not be rescued, so a job
	// interrupted by a crash waits this long, plus up to about half a
	// minute for River's rescuer and scheduler, which run periodically,
	// before it runs again; a job interrupted by Stop runs again at the
	// next start. Default JobTimeout plus five minutes, or one hour when
	// there is no JobTimeout.
	RescueAfter time.Duration
	// MaxAttempts is how many times a failing job is tried before it is
	// failed. Default DefaultMaxAttempts.
	MaxAttempts int
	// PollInterval is how often an idle queue looks for jobs enqueued by
	// another process (SQLite has no LISTEN/NOTIFY). Default
	// DefaultPollInterval.
	PollInterval time.Duration
	// OnState, if set, is called when a job starts running (StateRunning,
	// progress 0), when it makes progress (StateRunning, throttled), when an
	// attempt fails but the job will be tried again (StateQueued, with the
	// error wrapped as "attempt N of M: ..."), when it is interrupted by
	// Stop (StateQueued, ErrInterrupted), when it succeeds (StateSucceeded,
	// progress 1) and when it fails for good (StateFailed, with the
	// handler's error). Calls for one job come from one goroutine at a
	// time, in order; calls for different jobs may be concurrent. OnState
	// runs on the worker: it may write to the database but should not
	// block for long.
	//
	// A job rescued after a crash with no attempts left is failed by River
	// without any handler running, and so without an OnState call: callers
	// that persist states should treat a job left running for longer than
	// RescueAfter as failed.
	OnState func(jobID string, state State, progress float64, err error)

	// testOnly makes River skip the random start-up delays of its
	// maintenance services; for this package's tests.
	testOnly bool
}

// Queue runs jobs on River over SQLite or PostgreSQL. Create it with NewQueue, register
// handlers with Handle, then Start it; Enqueue works before Start (the job
// waits in the database). Its methods are safe for concurrent use.
type Queue struct {
	cfg    QueueConfig
	log    *slog.Logger
	client *river.Client[*sql.Tx]

	mu       sync.RWMutex
	handlers map[string]Handler

	stopping atomic.Bool // a hard stop cancelled the running jobs
	startCtx atomic.Pointer[context.Context]
}

// riverDriver is River's driver for db: SQLite's, or the database/sql one
// for PostgreSQL.
func riverDriver(db *sql.DB, postgres bool) riverdriver.Driver[*sql.Tx] {
	if postgres {
		return riverdatabasesql.New(db)
	}
	return riversqlite.New(db)
}

// Migrate creates or upgrades River's tables (river_job, river_leader,
// river_queue, ...) in db, a PostgreSQL database when postgres is set, a
// SQLite one otherwise. NewQueue calls it; it is exported for a migrate
// command. It is idempotent.
func Migrate(ctx context.Context, db *sql.DB, postgres bool, logger *slog.Logger) error {
	m, err := rivermigrate.New(riverDriver(db, postgres), &rivermigrate.Config{Logger: logger})
	if err != nil {
		return fmt.Errorf("creating river migrator: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrating river tables: %w", err)
	}
	return nil
}

// NewQueue migrates River's tables in db and returns a stopped queue on it.
//
// db must be a modernc.org/sqlite database ("sqlite" driver) opened in WAL
// mode with a busy timeout, for example with the DSN
// "file:sabia.db?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_txlock=immediate".
// SQLite allows one writer at a time and River runs several goroutines
// against the database; River's own tests limit the pool to one connection
// (db.SetMaxOpenConns(1)). This package's tests also run the queue on a
// pool of four connections shared with application reads and writes, with
// the DSN above, without a "database is locked" error. The pool must stay
// open until Stop has returned.
func NewQueue(ctx context.Context, db *sql.DB, cfg QueueConfig) (*Queue, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = 1
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	switch {
	case cfg.JobTimeout == 0:
		cfg.JobTimeout = DefaultJobTimeout
	case cfg.JobTimeout < 0:
		cfg.JobTimeout = -1 // River's "no timeout"
	}
	if cfg.RescueAfter <= 0 {
		if cfg.JobTimeout > 0 {
			cfg.RescueAfter = cfg.JobTimeout + defaultRescueMargin
		} else {
			cfg.RescueAfter = time.Hour
		}
	}
	if cfg.RescueAfter < cfg.JobTimeout {
		return nil, fmt.Errorf("training queue: RescueAfter (%s) must not be shorter than JobTimeout (%s)", cfg.RescueAfter, cfg.JobTimeout)
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}

	if err := Migrate(ctx, db, cfg.Postgres, cfg.Logger); err != nil {
		return nil, err
	}

	q := &Queue{cfg: cfg, log: cfg.Logger, handlers: make(map[string]Handler)}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &riverWorker{q: q}); err != nil {
		return nil, fmt.Errorf("registering training worker: %w", err)
	}
	client, err := river.NewClient(riverDriver(db, cfg.Postgres), &river.Config{
		Logger:               cfg.Logger,
		Workers:              workers,
		Queues:               map[string]river.QueueConfig{riverQueue: {MaxWorkers: cfg.Workers}},
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		MaxAttempts:          cfg.MaxAttempts,
		FetchPollInterval:    cfg.PollInterval,
		FetchCooldown:        min(river.FetchCooldownDefault, cfg.PollInterval),
		TestOnly:             cfg.testOnly,
	})
	if err != nil {
		return nil, fmt.Errorf("creating river client: %w", err)
	}
	q.client = client
	return q, nil
}

// Handle registers h for jobs of the given kind, replacing any handler
// already registered for it. Register every kind before Start: a job whose
// kind has no handler when it runs fails at once.
func (q *Queue) Handle(kind string, h Handler) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.handlers[kind] = h
}

// Start starts working jobs in the background, including jobs left in the
// database by an earlier process. Jobs run with contexts derived from ctx:
// cancelling it stops the queue abruptly, as Stop does past its deadline.
func (q *Queue) Start(ctx context.Context) error {
	q.stopping.Store(false)
	q.startCtx.Store(&ctx)
	if err := q.client.Start(ctx); err != nil {
		return fmt.Errorf("starting training queue: %w", err)
	}
	return nil
}

// Stop stops fetching jobs and waits for the running ones to finish. If ctx
// is done first, it cancels the running jobs' contexts and waits up to ten
// more seconds for their handlers to return; those jobs are reported with
// ErrInterrupted and run again at the next start. Stop returns an error
// only if a handler has still not returned by then. Stopping a queue that
// was never started does nothing.
func (q *Queue) Stop(ctx context.Context) error {
	err := q.client.Stop(ctx)
	if err == nil {
		return nil
	}
	if ctx.Err() == nil {
		return fmt.Errorf("stopping training queue: %w", err)
	}
	q.stopping.Store(true)
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cancelGrace)
	defer cancel()
	if err := q.client.StopAndCancel(cctx); err != nil {
		return fmt.Errorf("stopping training queue: handlers did not return after cancellation: %w", err)
	}
	return nil
}

// Enqueue stores job in the database, to run as soon as a worker is free.
// It does nothing, and returns nil, if a job with the same ID is queued,
// running or succeeded less than 24 hours ago (see Job.ID).
func (q *Queue) Enqueue(ctx context.Context, job Job) error {
	if err := validateJob(job); err != nil {
		return err
	}
	// A duplicate comes back as UniqueSkippedAsDuplicate, not an error.
	if _, err := q.client.Insert(ctx, newJobArgs(job), q.insertOpts()); err != nil {
		return fmt.Errorf("enqueueing job %s: %w", job.ID, err)
	}
	return nil
}

// EnqueueTx is Enqueue within the caller's transaction on the queue's
// database: the job exists, and can run, only once tx commits, so a caller
// can record the job and enqueue it atomically.
func (q *Queue) EnqueueTx(ctx context.Context, tx *sql.Tx, job Job) error {
	if err := validateJob(job); err != nil {
		return err
	}
	if _, err := q.client.InsertTx(ctx, tx, newJobArgs(job), q.insertOpts()); err != nil {
		return fmt.Errorf("enqueueing job %s: %w", job.ID, err)
	}
	return nil
}

func validateJob(job Job) error {
	if job.ID == "" {
		return errors.New("enqueueing job: empty ID")
	}
	if job.Kind == "" {
		return fmt.Errorf("enqueueing job %s: empty kind", job.ID)
	}
	if len(job.Payload) > 0 && !json.Valid(job.Payload) {
		return fmt.Errorf("enqueueing job %s: payload is not valid JSON", job.ID)
	}
	return nil
}

func (q *Queue) insertOpts() *river.InsertOpts {
	return &river.InsertOpts{
		Queue:       riverQueue,
		MaxAttempts: q.cfg.MaxAttempts,
		UniqueOpts:  river.UniqueOpts{ByArgs: true}, // by the fields tagged river:"unique": the job ID
	}
}

// jobArgs is what River stores for a Job.
type jobArgs struct {
	ID      string          `json:"id" river:"unique"`
	JobKind string          `json:"kind"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

func newJobArgs(job Job) jobArgs {
	return jobArgs{ID: job.ID, JobKind: job.Kind, Payload: job.Payload}
}

// Kind implements river.JobArgs.
func (jobArgs) Kind() string { return riverKind }

// riverWorker is the one River worker; it dispatches on Job.Kind.
type riverWorker struct {
	river.WorkerDefaults[jobArgs]
	q *Queue
}

// Work implements river.Worker.
func (w *riverWorker) Work(ctx context.Context, rj *river.Job[jobArgs]) error {
	return w.q.work(ctx, rj)
}

func (q *Queue) work(ctx context.Context, rj *river.Job[jobArgs]) error {
	job := Job{ID: rj.Args.ID, Kind: rj.Args.JobKind, Payload: rj.Args.Payload, Attempt: rj.Attempt}
	log := q.log.With(slog.String("job_id", job.ID), slog.String("kind", job.Kind), slog.Int("attempt", job.Attempt))

	q.mu.RLock()
	h, ok := q.handlers[job.Kind]
	q.mu.RUnlock()
	if !ok {
		err := fmt.Errorf("no handler for job kind %q", job.Kind)
		log.Error("training job failed", slog.Any("error", err))
		q.report(job.ID, StateFailed, 0, err)
		return river.JobCancel(err)
	}

	q.report(job.ID, StateRunning, 0, nil)
	pr := &progressReporter{q: q, jobID: job.ID, now: time.Now, lastAt: time.Now()}
	err := q.runHandler(ctx, h, job, pr.report, log)
	last := pr.finish()

	var perm *permanentError
	switch {
	case err == nil:
		q.report(job.ID, StateSucceeded, 1, nil)
		return nil
	case ctx.Err() != nil && q.interrupted():
		log.Info("training job interrupted by shutdown", slog.Any("error", err))
		q.report(job.ID, StateQueued, 0, ErrInterrupted)
		return river.JobSnooze(0) // available again at once; the attempt does not count
	case errors.As(err, &perm):
		log.Error("training job failed", slog.Any("error", perm.err))
		q.report(job.ID, StateFailed, last, perm.err)
		return river.JobCancel(perm.err)
	case rj.Attempt >= rj.MaxAttempts:
		log.Error("training job failed", slog.Any("error", err))
		q.report(job.ID, StateFailed, last, err)
		return err
	default:
		log.Warn("training job attempt failed; will retry", slog.Any("error", err))
		q.report(job.ID, StateQueued, 0, fmt.Errorf("attempt %d of %d: %w", rj.Attempt, rj.MaxAttempts, err))
		return err
	}
}

// runHandler calls h, turning a panic into an error.
func (q *Queue) runHandler(ctx context.Context, h Handler, job Job, progress func(float64), log *slog.Logger) (err error) {
	defer func() {
		if r := recover(); r != nil {
			log.Error("training job panicked", slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
			err = fmt.Errorf("handler panicked: %v", r)
		}
	}()
	return h(ctx, job, progress)
}

// interrupted reports whether running jobs are being cancelled because the
// queue is stopping, rather than because of their own timeout.
func (q *Queue) interrupted() bool {
	if q.stopping.Load() {
		return true
	}
	if p := q.startCtx.Load(); p != nil && (*p).Err() != nil {
		return true
	}
	return false
}

func (q *Queue) report(jobID string, state State, progress float64, err error) {
	if q.cfg.OnState != nil {
		q.cfg.OnState(jobID, state, progress, err)
	}
}

// progressReporter throttles one job's progress reports.
type progressReporter struct {
	q     *Queue
	jobID string
	now   func() time.Time

	mu       sync.Mutex
	done     bool
	last     float64   // last value passed on; the running report counts as 0
	lastAt   time.Time // when it was passed on
	received float64   // last value received
}

// report is the progress function given to a handler. It is safe for
// concurrent use and ignores calls after the handler has returned.
func (p *progressReporter) report(v float64) {
	if math.IsNaN(v) {
		return
	}
	v = min(max(v, 0), 1)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return
	}
	p.received = v
	now := p.now()
	if !shouldReport(p.last, v, p.lastAt, now) {
		return
	}
	p.last, p.lastAt = v, now
	p.q.report(p.jobID, StateRunning, v, nil)
}

// finish stops further reports and returns the last progress received.
func (p *progressReporter) finish() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done = true
	return p.received
}

// shouldReport decides whether progress v, received at now, is passed on,
// given the last value passed on and when.
func shouldReport(last, v float64, lastAt, now time.Time) bool {
	if v == last {
		return false
	}
	const eps = 1e-9 // so that 0.10 after 0.05 counts as a full step
	return math.Abs(v-last) >= progressStep-eps || now.Sub(lastAt) >= progressInterval
}
