package training

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// openTestDB opens a SQLite file the way the application does.
func openTestDB(t *testing.T, path string, maxConns int) *sql.DB {
	t.Helper()
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatalf("opening %s: %v", path, err)
	}
	db.SetMaxOpenConns(maxConns)
	t.Cleanup(func() { db.Close() })
	return db
}

// testLogger sends warnings and errors to the test log.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// event is one OnState call.
type event struct {
	JobID    string
	State    State
	Progress float64
	Err      error
}

// recorder collects OnState calls and lets a test wait for one.
type recorder struct {
	mu     sync.Mutex
	events []event
	added  chan struct{}
}

func newRecorder() *recorder { return &recorder{added: make(chan struct{}, 1)} }

func (r *recorder) onState(jobID string, state State, progress float64, err error) {
	r.mu.Lock()
	r.events = append(r.events, event{jobID, state, progress, err})
	r.mu.Unlock()
	select {
	case r.added <- struct{}{}:
	default:
	}
}

func (r *recorder) snapshot() []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]event(nil), r.events...)
}

// waitFor waits until an event for jobID in one of states has been
// recorded and returns it.
func (r *recorder) waitFor(t *testing.T, jobID string, states ...State) event {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		for _, e := range r.snapshot() {
			if e.JobID != jobID {
				continue
			}
			for _, s := range states {
				if e.State == s {
					return e
				}
			}
		}
		select {
		case <-r.added:
		case <-deadline:
			t.Fatalf("job %s: no %v event after 10s; got %+v", jobID, states, r.snapshot())
		}
	}
}

// states returns the states recorded for jobID, in order, without
// progress-only repeats of StateRunning.
func (r *recorder) states(jobID string) []State {
	var out []State
	for _, e := range r.snapshot() {
		if e.JobID != jobID {
			continue
		}
		if len(out) > 0 && out[len(out)-1] == StateRunning && e.State == StateRunning {
			continue
		}
		out = append(out, e.State)
	}
	return out
}

// newTestQueue opens a queue with fast polling on db.
func newTestQueue(t *testing.T, db *sql.DB, cfg QueueConfig) *Queue {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 50 * time.Millisecond
	}
	cfg.testOnly = true
	q, err := NewQueue(context.Background(), db, cfg)
	if err != nil {
		t.Fatalf("NewQueue: %v", err)
	}
	return q
}

func startQueue(t *testing.T, q *Queue) {
	t.Helper()
	if err := q.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := q.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
}

func enqueue(t *testing.T, q *Queue, job Job) {
	t.Helper()
	if err := q.Enqueue(context.Background(), job); err != nil {
		t.Fatalf("Enqueue(%s): %v", job.ID, err)
	}
}

// riverState returns the state River last recorded for the job with the
// given ID ("" if none).
func riverState(t *testing.T, db *sql.DB, jobID string) string {
	t.Helper()
	var state string
	err := db.QueryRow(`SELECT state FROM river_job WHERE json_extract(args, '$.id') = ? ORDER BY id DESC LIMIT 1`, jobID).Scan(&state)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatalf("reading river_job: %v", err)
	}
	return state
}

func equalStates(a, b []State) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}

func TestQueueRunsJob(t *testing.T) {
	db := openTestDB(t, filepath.Join(t.TempDir(), "q.db"), 1)
	rec := newRecorder()
	q := newTestQueue(t, db, QueueConfig{OnState: rec.onState})

	var got Job
	q.Handle("train", func(ctx context.Context, job Job, progress func(float64)) error {
		got = job
		for i := 1; i <= 10; i++ {
			progress(float64(i) / 10)
		}
		return nil
	})
	startQueue(t, q)
	enqueue(t, q, Job{ID: "job-1", Kind: "train", Payload: json.RawMessage(`{"repository":"r1"}`)})

	e := rec.waitFor(t, "job-1", StateSucceeded, StateFailed)
	if e.State != StateSucceeded || e.Progress != 1 || e.Err != nil {
		t.Fatalf("final event = %+v, want succeeded at 1", e)
	}
	if got.ID != "job-1" || got.Kind != "train" || string(got.Payload) != `{"repository":"r1"}` || got.Attempt != 1 {
		t.Errorf("handler got %+v", got)
	}
	if s := rec.states("job-1"); !equalStates(s, []State{StateRunning, StateSucceeded}) {
		t.Errorf("states = %v", s)
	}
	// Ten progress calls in a tight loop: each moves by 0.1 ≥ progressStep,
	// so all pass, but none after the handler returned.
	var progress []float64
	for _, e := range rec.snapshot() {
		if e.State == StateRunning {
			progress = append(progress, e.Progress)
		}
	}
	if len(progress) != 11 || progress[0] != 0 || progress[10] != 1 {
		t.Errorf("running events progress = %v, want 0, 0.1 … 1", progress)
	}
}

func TestQueueJobSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")

	db1 := openTestDB(t, path, 1)
	q1 := newTestQueue(t, db1, QueueConfig{})
	enqueue(t, q1, Job{ID: "persisted", Kind: "train", Payload: json.RawMessage(`{"n":1}`)})
	// Never started: stopping does nothing; the job is only in the file.
	if err := q1.Stop(context.Background()); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := db1.Close(); err != nil {
		t.Fatalf("closing db: %v", err)
	}

	db2 := openTestDB(t, path, 1)
	rec := newRecorder()
	q2 := newTestQueue(t, db2, QueueConfig{OnState: rec.onState})
	payload := make(chan string, 1)
	q2.Handle("train", func(ctx context.Context, job Job, progress func(float64)) error {
		payload <- string(job.Payload)
		return nil
	})
	startQueue(t, q2)

	if e := rec.waitFor(t, "persisted", StateSucceeded, StateFailed); e.State != StateSucceeded {
		t.Fatalf("final event = %+v", e)
	}
	if p := <-payload; p != `{"n":1}` {
		t.Errorf("payload = %s", p)
	}
}

func TestQueueFailsAfterMaxAttempts(t *testing.T) {
	db := openTestDB(t, filepath.Join(t.TempDir(), "q.db"), 1)
	rec := newRecorder()
	q := newTestQueue(t, db, QueueConfig{OnState: rec.onState, MaxAttempts: 1})
	errBroken := errors.New("data set is broken")
	q.Handle("train", func(ctx context.Context, job Job, progress func(float64)) error {
		progress(0.5)
		return fmt.Errorf("training: %w", errBroken)
	})
	startQueue(t, q)
	enqueue(t, q, Job{ID: "bad", Kind: "train"})

	e := rec.waitFor(t, "bad", StateFailed, StateSucceeded)
	if e.State != StateFailed || !errors.Is(e.Err, errBroken) {
		t.Fatalf("final event = %+v, want failed with %v", e, errBroken)
	}
	if e.Progress != 0.5 {
		t.Errorf("failed at progress %v, want the last reported 0.5", e.Progress)
	}
	if s := rec.states("bad"); !equalStates(s, []State{StateRunning, StateFailed}) {
		t.Errorf("states = %v", s)
	}

	// Unlike a succeeded job's, a failed job's ID can be enqueued again,
	// once River has recorded the failure (just after OnState).
	deadline := time.Now().Add(10 * time.Second)
	for riverState(t, db, "bad") != "discarded" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	enqueue(t, q, Job{ID: "bad", Kind: "train"})
	for len(rec.states("bad")) < 4 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if s := rec.states("bad"); !equalStates(s, []State{StateRunning, StateFailed, StateRunning, StateFailed}) {
		t.Errorf("states after enqueueing again = %v", s)
	}
}

func TestQueueRetriesThenSucceeds(t *testing.T) {
	db := openTestDB(t, filepath.Join(t.TempDir(), "q.db"), 1)
	rec := newRecorder()
	q := newTestQueue(t, db, QueueConfig{OnState: rec.onState, MaxAttempts: 2})
	var attempts []int
	q.Handle("train", func(ctx context.Context, job Job, progress func(float64)) error {
		attempts = append(attempts, job.Attempt)
		if job.Attempt == 1 {
			return errors.New("database is locked")
		}
		return nil
	})
	startQueue(t, q)
	enqueue(t, q, Job{ID: "flaky", Kind: "train"})

	// River's default retry policy waits attempt⁴ seconds: 1 s here.
	if e := rec.waitFor(t, "flaky", StateSucceeded, StateFailed); e.State != StateSucceeded {
		t.Fatalf("final event = %+v", e)
	}
	if s := rec.states("flaky"); !equalStates(s, []State{StateRunning, StateQueued, StateRunning, StateSucceeded}) {
		t.Errorf("states = %v", s)
	}
	retry := rec.waitFor(t, "flaky", StateQueued)
	if retry.Err == nil || retry.Err.Error() != "attempt 1 of 2: database is locked" {
		t.Errorf("retry error = %v", retry.Err)
	}
	if fmt.Sprint(attempts) != "[1 2]" {
		t.Errorf("attempts = %v", attempts)
	}
}

func TestQueuePermanentErrorIsNotRetried(t *testing.T) {
	db := openTestDB(t, filepath.Join(t.TempDir(), "q.db"), 1)
	rec := newRecorder()
	q := newTestQueue(t, db, QueueConfig{OnState: rec.onState, MaxAttempts: 3})
	errInvalid := errors.New("no intents")
	calls := 0
	q.Handle("train", func(ctx context.Context, job Job, progress func(float64)) error {
		calls++
		return Permanent(errInvalid)
	})
	startQueue(t, q)
	enqueue(t, q, Job{ID: "invalid", Kind: "train"})

	e := rec.waitFor(t, "invalid", StateFailed, StateSucceeded)
	if e.State != StateFailed || e.Err != errInvalid {
		t.Fatalf("final event = %+v, want failed with the unwrapped error", e)
	}
	if calls != 1 {
		t.Errorf("handler called %d times, want 1", calls)
	}
	if Permanent(nil) != nil {
		t.Error("Permanent(nil) != nil")
	}
}

func TestQueueUnknownKindAndPanic(t *testing.T) {
	db := openTestDB(t, filepath.Join(t.TempDir(), "q.db"), 1)
	rec := newRecorder()
	q := newTestQueue(t, db, QueueConfig{OnState: rec.onState, MaxAttempts: 1})
	q.Handle("explode", func(ctx context.Context, job Job, progress func(float64)) error {
		panic("boom")
	})
	startQueue(t, q)
	enqueue(t, q, Job{ID: "unknown", Kind: "nope"})
	enqueue(t, q, Job{ID: "panics", Kind: "explode"})

	if e := rec.waitFor(t, "unknown", StateFailed, StateSucceeded); e.State != StateFailed || !strings.Contains(e.Err.Error(), `no handler for job kind "nope"`) {
		t.Errorf("unknown kind: %+v", e)
	}
	if e := rec.waitFor(t, "panics", StateFailed, StateSucceeded); e.State != StateFailed || !strings.Contains(e.Err.Error(), "panicked: boom") {
		t.Errorf("panic: %+v", e)
	}
}

func TestQueueDuplicateIDRunsOnce(t *testing.T) {
	db := openTestDB(t, filepath.Join(t.TempDir(), "q.db"), 1)
	rec := newRecorder()
	q := newTestQueue(t, db, QueueConfig{OnState: rec.onState})
	var mu sync.Mutex
	calls := 0
	q.Handle("train", func(ctx context.Context, job Job, progress func(float64)) error {
		mu.Lock()
		calls++
		mu.Unlock()
		return nil
	})
	enqueue(t, q, Job{ID: "same", Kind: "train"})
	enqueue(t, q, Job{ID: "same", Kind: "train", Payload: json.RawMessage(`{"other":true}`)})
	startQueue(t, q)
	rec.waitFor(t, "same", StateSucceeded)
	// After success the ID stays taken (River keeps completed jobs a day).
	deadline := time.Now().Add(10 * time.Second)
	for riverState(t, db, "same") != "completed" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	enqueue(t, q, Job{ID: "same", Kind: "train"})
	enqueue(t, q, Job{ID: "other", Kind: "train"})
	rec.waitFor(t, "other", StateSucceeded)

	mu.Lock()
	defer mu.Unlock()
	if calls != 2 {
		t.Errorf("handler called %d times, want 2 (same once, other once)", calls)
	}
}

func TestQueueEnqueueTx(t *testing.T) {
	db := openTestDB(t, filepath.Join(t.TempDir(), "q.db"), 1)
	rec := newRecorder()
	q := newTestQueue(t, db, QueueConfig{OnState: rec.onState})
	q.Handle("train", func(ctx context.Context, job Job, progress func(float64)) error { return nil })
	ctx := context.Background()

	for _, tc := range []struct {
		id     string
		commit bool
	}{{"rolled-back", false}, {"committed", true}} {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := q.EnqueueTx(ctx, tx, Job{ID: tc.id, Kind: "train"}); err != nil {
			t.Fatalf("EnqueueTx: %v", err)
		}
		if tc.commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	startQueue(t, q)
	rec.waitFor(t, "committed", StateSucceeded)
	time.Sleep(200 * time.Millisecond) // a few poll intervals
	if s := rec.states("rolled-back"); len(s) != 0 {
		t.Errorf("rolled-back job ran: %v", s)
	}
}

func TestQueueEnqueueValidates(t *testing.T) {
	db := openTestDB(t, filepath.Join(t.TempDir(), "q.db"), 1)
	q := newTestQueue(t, db, QueueConfig{})
	for _, job := range []Job{
		{Kind: "train"},
		{ID: "x"},
		{ID: "x", Kind: "train", Payload: json.RawMessage(`{`)},
	} {
		if err := q.Enqueue(context.Background(), job); err == nil {
			t.Errorf("Enqueue(%+v) = nil, want an error", job)
		}
	}
}

func TestNewQueueRejectsRescueShorterThanTimeout(t *testing.T) {
	db := openTestDB(t, filepath.Join(t.TempDir(), "q.db"), 1)
	_, err := NewQueue(context.Background(), db, QueueConfig{JobTimeout: time.Minute, RescueAfter: time.Second, Logger: testLogger(t)})
	if err == nil {
		t.Fatal("NewQueue accepted RescueAfter < JobTimeout")
	}
}

func TestQueueStopCancelsAndJobResumes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	db := openTestDB(t, path, 1)
	rec := newRecorder()
	q := newTestQueue(t, db, QueueConfig{OnState: rec.onState, MaxAttempts: 1})
	started := make(chan struct{})
	q.Handle("train", func(ctx context.Context, job Job, progress func(float64)) error {
		close(started)
		<-ctx.Done() // a long training loop that checks ctx between epochs
		return ctx.Err()
	})
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	enqueue(t, q, Job{ID: "long", Kind: "train"})
	<-started

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	begin := time.Now()
	if err := q.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if d := time.Since(begin); d > 3*time.Second {
		t.Errorf("Stop took %s", d)
	}
	e := rec.waitFor(t, "long", StateQueued, StateFailed)
	if e.State != StateQueued || !errors.Is(e.Err, ErrInterrupted) {
		t.Fatalf("after Stop: %+v, want queued with ErrInterrupted", e)
	}

	// The interruption did not use up the only attempt: the job runs again,
	// as attempt 1, on the next start.
	rec2 := newRecorder()
	q2 := newTestQueue(t, db, QueueConfig{OnState: rec2.onState, MaxAttempts: 1})
	attempt := make(chan int, 1)
	q2.Handle("train", func(ctx context.Context, job Job, progress func(float64)) error {
		attempt <- job.Attempt
		return nil
	})
	startQueue(t, q2)
	if e := rec2.waitFor(t, "long", StateSucceeded, StateFailed); e.State != StateSucceeded {
		t.Fatalf("after restart: %+v", e)
	}
	if a := <-attempt; a != 1 {
		t.Errorf("resumed as attempt %d, want 1", a)
	}
}

func TestQueueRescuesJobAbandonedByCrash(t *testing.T) {
	db := openTestDB(t, filepath.Join(t.TempDir(), "q.db"), 1)
	rec := newRecorder()
	q := newTestQueue(t, db, QueueConfig{
		OnState:     rec.onState,
		JobTimeout:  100 * time.Millisecond,
		RescueAfter: 200 * time.Millisecond,
	})
	q.Handle("train", func(ctx context.Context, job Job, progress func(float64)) error { return nil })
	enqueue(t, q, Job{ID: "orphan", Kind: "train"})
	// What a process killed mid-job leaves behind: a running row whose
	// worker is gone.
	res, err := db.Exec(`UPDATE river_job SET state = 'running', attempt = 1, attempted_at = '2000-01-01 00:00:00', attempted_by = '["dead-client"]'`)
	if err != nil {
		t.Fatalf("simulating a crash: %v", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("updated %d rows", n)
	}
	startQueue(t, q)
	if e := rec.waitFor(t, "orphan", StateSucceeded, StateFailed); e.State != StateSucceeded {
		t.Fatalf("rescued job: %+v", e)
	}
}

func TestProgressThrottle(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	tests := []struct {
		name   string
		last   float64
		v      float64
		lastAt time.Time
		now    time.Time
		want   bool
	}{
		{"unchanged, long after", 0.3, 0.3, ms(0), ms(10_000), false},
		{"small step, too soon", 0.3, 0.31, ms(0), ms(100), false},
		{"small step, interval passed", 0.3, 0.31, ms(0), ms(250), true},
		{"big step, at once", 0.3, 0.35, ms(0), ms(1), true},
		{"big step back, at once", 0.5, 0.1, ms(0), ms(1), true},
		{"just under step, too soon", 0.3, 0.349, ms(0), ms(249), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := shouldReport(tc.last, tc.v, tc.lastAt, tc.now); got != tc.want {
				t.Errorf("shouldReport(%v, %v, +%s) = %v, want %v", tc.last, tc.v, tc.now.Sub(tc.lastAt), got, tc.want)
			}
		})
	}

	// Through the reporter with a fake clock: 1000 calls of 0.001 within
	// 100 ms pass on only every 0.05.
	rec := newRecorder()
	now := t0
	p := &progressReporter{q: &Queue{cfg: QueueConfig{OnState: rec.onState}}, jobID: "j", now: func() time.Time { return now }, lastAt: t0}
	for i := 1; i <= 1000; i++ {
		now = t0.Add(time.Duration(i) * 100 * time.Microsecond)
		p.report(float64(i) / 1000)
	}
	if n := len(rec.snapshot()); n != 20 {
		t.Errorf("%d reports for 1000 calls, want 20", n)
	}
	p.report(2) // clamped to 1, unchanged
	p.report(-1)
	if got := rec.snapshot(); got[len(got)-1].Progress != 0 {
		t.Errorf("report(-1) passed on %v, want 0", got[len(got)-1].Progress)
	}
	if last := p.finish(); last != 0 {
		t.Errorf("finish() = %v, want the last received 0", last)
	}
	n := len(rec.snapshot())
	p.report(0.9)
	if len(rec.snapshot()) != n {
		t.Error("report after finish was passed on")
	}
}

// TestQueueSharesPoolWithApplication runs River on a pool of several
// connections that the application also writes to, from handlers, from
// OnState and from another goroutine, as the repository store will.
func TestQueueSharesPoolWithApplication(t *testing.T) {
	db := openTestDB(t, filepath.Join(t.TempDir(), "q.db"), 4)
	if _, err := db.Exec(`CREATE TABLE app_log (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	q := newTestQueue(t, db, QueueConfig{Workers: 2, OnState: func(id string, s State, p float64, err error) {
		if _, err := db.Exec(`INSERT INTO app_log(v) VALUES (?)`, id+" "+string(s)); err != nil {
			t.Errorf("OnState write: %v", err)
		}
		rec.onState(id, s, p, err)
	}})
	q.Handle("write", func(ctx context.Context, job Job, progress func(float64)) error {
		for i := range 10 {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO app_log(v) VALUES (?)`, job.ID); err != nil {
				tx.Rollback()
				return err
			}
			if err := tx.Commit(); err != nil {
				return err
			}
			progress(float64(i+1) / 10)
		}
		return nil
	})
	startQueue(t, q)

	stop, readerDone := make(chan struct{}), make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				readerDone <- nil
				return
			default:
			}
			var n int
			if err := db.QueryRow(`SELECT count(*) FROM app_log`).Scan(&n); err != nil {
				readerDone <- err
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	const jobs = 10
	for i := range jobs {
		enqueue(t, q, Job{ID: fmt.Sprint("w", i), Kind: "write"})
	}
	for i := range jobs {
		if e := rec.waitFor(t, fmt.Sprint("w", i), StateSucceeded, StateFailed); e.State != StateSucceeded {
			t.Errorf("job %d: %+v", i, e)
		}
	}
	close(stop)
	if err := <-readerDone; err != nil {
		t.Errorf("concurrent reader: %v", err)
	}
}
