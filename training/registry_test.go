package training

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

func TestRegistry(t *testing.T) {
	var r Registry[string, int]
	if _, ok := r.Current("a"); ok {
		t.Fatal("empty registry has a value")
	}
	if old, replaced := r.Swap("a", 1); replaced || old != 0 {
		t.Errorf("first Swap = %d, %v", old, replaced)
	}
	if old, replaced := r.Swap("a", 2); !replaced || old != 1 {
		t.Errorf("second Swap = %d, %v; want 1, true", old, replaced)
	}
	if v, ok := r.Current("a"); !ok || v != 2 {
		t.Errorf("Current = %d, %v", v, ok)
	}
	if _, ok := r.Current("b"); ok {
		t.Error("other key has a value")
	}
	r.Delete("a")
	if _, ok := r.Current("a"); ok {
		t.Error("value survived Delete")
	}
}

func TestRegistrySwapIf(t *testing.T) {
	type model struct{ version int }
	var r Registry[string, *model]
	newer := func(v int) func(*model) bool {
		return func(cur *model) bool { return v > cur.version }
	}
	steps := []struct {
		version int
		want    bool
		current int
	}{
		{3, true, 3},  // no value yet: registered whatever replace says
		{5, true, 5},  // newer replaces
		{4, false, 5}, // an older model that finished later does not
		{5, false, 5},
		{6, true, 6},
	}
	for _, s := range steps {
		if got := r.SwapIf("repo", &model{s.version}, newer(s.version)); got != s.want {
			t.Errorf("SwapIf(v%d) = %v, want %v", s.version, got, s.want)
		}
		if cur, _ := r.Current("repo"); cur.version != s.current {
			t.Errorf("after v%d: current v%d, want v%d", s.version, cur.version, s.current)
		}
	}
}

// TestRegistryConcurrentSwap is meant for -race: readers always see a whole
// value, and versions only go up when writers use SwapIf.
func TestRegistryConcurrentSwap(t *testing.T) {
	type model struct {
		version int
		weights []int // every weight equals version
	}
	newModel := func(v int) *model {
		m := &model{version: v, weights: make([]int, 64)}
		for i := range m.weights {
			m.weights[i] = v
		}
		return m
	}
	var r Registry[string, *model]
	r.Swap("repo", newModel(0))

	var (
		wg      sync.WaitGroup
		stop    atomic.Bool
		version atomic.Int64
	)
	for range 4 {
		wg.Go(func() {
			last := 0
			for !stop.Load() {
				m, ok := r.Current("repo")
				if !ok {
					t.Error("value missing while swapping")
					return
				}
				for _, w := range m.weights {
					if w != m.version {
						t.Errorf("torn model: weight %d in version %d", w, m.version)
						return
					}
				}
				if m.version < last {
					t.Errorf("version went back from %d to %d", last, m.version)
					return
				}
				last = m.version
			}
		})
	}
	var writers sync.WaitGroup
	for range 2 {
		writers.Go(func() {
			for range 500 {
				v := int(version.Add(1))
				r.SwapIf("repo", newModel(v), func(cur *model) bool { return v > cur.version })
				r.Swap(fmt.Sprint("other-", v%5), newModel(v))
			}
		})
	}
	writers.Wait()
	stop.Store(true)
	wg.Wait()
	if m, _ := r.Current("repo"); m.version != 1000 {
		t.Errorf("final version %d, want 1000", m.version)
	}
}
