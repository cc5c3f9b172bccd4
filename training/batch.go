package training

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// BatchConfig configures a BatchWriter.
type BatchConfig struct {
	// Buffer bounds the items waiting to be written; past it Add drops.
	// Default 10,000.
	Buffer int
	// BatchSize is the most items written at once. Default 500.
	BatchSize int
	// Interval is the longest an item waits before its batch is written.
	// Default 200 ms.
	Interval time.Duration
	// Logger receives write failures.
	Logger *slog.Logger
}

// BatchWriter writes items in batches on its own goroutine so that the
// callers of Add never wait for storage: classification logs every request
// through it without slowing down. When storage cannot keep up and the
// buffer is full, Add drops the item and counts it.
type BatchWriter[T any] struct {
	cfg     BatchConfig
	write   func(ctx context.Context, batch []T) error
	ch      chan T
	dropped atomic.Int64
	failed  atomic.Int64
	written atomic.Int64
	done    chan struct{}
	once    sync.Once
	cancel  context.CancelFunc
}

// NewBatchWriter starts a writer that calls write with batches of items.
// Close it to flush what is buffered.
func NewBatchWriter[T any](cfg BatchConfig, write func(ctx context.Context, batch []T) error) *BatchWriter[T] {
	if cfg.Buffer <= 0 {
		cfg.Buffer = 10000
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 500
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 200 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &BatchWriter[T]{cfg: cfg, write: write, ch: make(chan T, cfg.Buffer), done: make(chan struct{}), cancel: cancel}
	go w.run(ctx)
	return w
}

// Add queues v for writing without blocking. It reports false when the
// buffer was full and v was dropped (or the writer is closed).
func (w *BatchWriter[T]) Add(v T) (ok bool) {
	defer func() {
		if recover() != nil { // closed
			w.dropped.Add(1)
			ok = false
		}
	}()
	select {
	case w.ch <- v:
		return true
	default:
		w.dropped.Add(1)
		return false
	}
}

// Dropped returns how many items were dropped because the buffer was full.
func (w *BatchWriter[T]) Dropped() int64 { return w.dropped.Load() }

// Failed returns how many items were lost because a write failed.
func (w *BatchWriter[T]) Failed() int64 { return w.failed.Load() }

// Written returns how many items were written.
func (w *BatchWriter[T]) Written() int64 { return w.written.Load() }

func (w *BatchWriter[T]) run(ctx context.Context) {
	defer close(w.done)
	batch := make([]T, 0, w.cfg.BatchSize)
	tick := time.NewTicker(w.cfg.Interval)
	defer tick.Stop()
	flush := func() {
		if len(batch) == 0 {
			return
		}
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		err := w.write(wctx, batch)
		cancel()
		if err != nil {
			w.failed.Add(int64(len(batch)))
			w.cfg.Logger.Error("writing a batch", "items", len(batch), "err", err)
		} else {
			w.written.Add(int64(len(batch)))
		}
		clear(batch)
		batch = batch[:0]
	}
	for {
		select {
		case v, ok := <-w.ch:
			if !ok {
				flush()
				return
			}
			batch = append(batch, v)
			if len(batch) >= w.cfg.BatchSize {
				flush()
			}
		case <-tick.C:
			flush()
		}
	}
}

// Close stops accepting items, writes what is buffered and waits for it
// until ctx is done.
func (w *BatchWriter[T]) Close(ctx context.Context) error {
	w.once.Do(func() { close(w.ch) })
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		w.cancel()
		return ctx.Err()
	}
}
