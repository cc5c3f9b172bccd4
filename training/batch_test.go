package training

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestBatchWriterWritesEverythingInBatches(t *testing.T) {
	var mu sync.Mutex
	var got []int
	var sizes []int
	w := NewBatchWriter(BatchConfig{BatchSize: 7, Interval: time.Hour}, func(_ context.Context, b []int) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, b...)
		sizes = append(sizes, len(b))
		return nil
	})
	for i := 0; i < 100; i++ {
		if !w.Add(i) {
			t.Fatalf("Add(%d) dropped", i)
		}
	}
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(got) != 100 || w.Written() != 100 || w.Dropped() != 0 {
		t.Fatalf("wrote %d (counter %d), dropped %d", len(got), w.Written(), w.Dropped())
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("item %d is %d: order lost", i, v)
		}
	}
	for _, s := range sizes {
		if s > 7 {
			t.Fatalf("batch of %d > 7", s)
		}
	}
	if w.Add(1) {
		t.Fatal("Add after Close succeeded")
	}
}

func TestBatchWriterFlushesOnInterval(t *testing.T) {
	wrote := make(chan []string, 1)
	w := NewBatchWriter(BatchConfig{BatchSize: 100, Interval: 10 * time.Millisecond}, func(_ context.Context, b []string) error {
		wrote <- append([]string(nil), b...)
		return nil
	})
	defer w.Close(context.Background())
	w.Add("quero falar com um atendente")
	select {
	case b := <-wrote:
		if len(b) != 1 || b[0] != "quero falar com um atendente" {
			t.Fatalf("batch %q", b)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a lone item was not written on the interval")
	}
}

func TestBatchWriterDropsWhenFullAndCountsFailures(t *testing.T) {
	release := make(chan struct{})
	w := NewBatchWriter(BatchConfig{Buffer: 3, BatchSize: 1, Interval: time.Hour}, func(_ context.Context, b []int) error {
		<-release
		return errors.New("disk full")
	})
	added := 0
	for i := 0; i < 20; i++ {
		if w.Add(i) {
			added++
		}
	}
	// One item may be in the writer's hands, three in the buffer.
	if added > 4 || w.Dropped() != int64(20-added) {
		t.Fatalf("added %d, dropped %d", added, w.Dropped())
	}
	close(release)
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if w.Failed() != int64(added) || w.Written() != 0 {
		t.Fatalf("failed %d written %d, want %d and 0", w.Failed(), w.Written(), added)
	}
}

func BenchmarkBatchWriterAdd(b *testing.B) {
	w := NewBatchWriter(BatchConfig{Buffer: 1 << 16}, func(context.Context, []int) error { return nil })
	defer w.Close(context.Background())
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w.Add(1)
		}
	})
}
