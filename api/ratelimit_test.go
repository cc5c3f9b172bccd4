package api

import (
	"fmt"
	"testing"
	"time"
)

func TestRateLimiter(t *testing.T) {
	now := time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)
	l := newRateLimiter(2, 3, func() time.Time { return now }) // 2/s, bursts of 3
	type step struct {
		advance time.Duration
		key     string
		ok      bool
		wait    time.Duration
	}
	steps := []step{
		{0, "a", true, 0}, {0, "a", true, 0}, {0, "a", true, 0}, // the burst
		{0, "a", false, 500 * time.Millisecond}, // empty: one token every 0.5 s
		{0, "b", true, 0},                       // another token has its own bucket
		{250 * time.Millisecond, "a", false, 250 * time.Millisecond},
		{250 * time.Millisecond, "a", true, 0},
		{0, "a", false, 500 * time.Millisecond},
		{10 * time.Second, "a", true, 0}, // refilled, but never above the burst
		{0, "a", true, 0}, {0, "a", true, 0},
		{0, "a", false, 500 * time.Millisecond},
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		ok, wait := l.allow(s.key)
		if ok != s.ok || (wait-s.wait).Abs() > time.Millisecond {
			t.Errorf("step %d (%s after %s): allow = %v, wait %s; want %v, %s", i, s.key, s.advance, ok, wait, s.ok, s.wait)
		}
	}
}

// TestRateLimiterBoundsMemory: past maxBuckets keys, full buckets are
// dropped, and a dropped key starts again with a full bucket.
func TestRateLimiterBoundsMemory(t *testing.T) {
	now := time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)
	l := newRateLimiter(1, 1, func() time.Time { return now })
	for i := range maxBuckets {
		l.allow(fmt.Sprint(i))
	}
	if ok, _ := l.allow("0"); ok {
		t.Fatal("key 0 was not limited right after using its burst")
	}
	now = now.Add(time.Second) // every bucket is full again
	l.allow("new")
	if n := len(l.buckets); n != 1 {
		t.Fatalf("%d buckets kept, want only the new one", n)
	}
}
