package nlu

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestFeatureIndexAgreesWithMap checks the index against a Go map on
// random and adversarial keys (0, and keys colliding in their first slot).
func TestFeatureIndexAgreesWithMap(t *testing.T) {
	for _, n := range []int{0, 1, 3, 4, 5, 100, 5000} {
		r := rand.New(rand.NewPCG(uint64(n), 7))
		x := newFeatureIndex(n)
		want := map[uint64]int32{}
		keys := []uint64{0}
		for len(keys) < n {
			k := r.Uint64()
			if len(keys)%3 == 0 {
				k = keys[len(keys)-1] + 1<<60 // same low bits
			}
			keys = append(keys, k)
		}
		for i, k := range keys[:n] {
			_, dup := want[k]
			if got := x.put(k, int32(i)); got == dup {
				t.Fatalf("n=%d: put(%x) = %v with duplicate %v", n, k, got, dup)
			}
			if !dup {
				want[k] = int32(i)
			}
		}
		if x.len() != len(want) {
			t.Fatalf("n=%d: len %d, want %d", n, x.len(), len(want))
		}
		for k, c := range want {
			if got, ok := x.get(k); !ok || got != c {
				t.Fatalf("n=%d: get(%x) = %d %v, want %d", n, k, got, ok, c)
			}
		}
		for range 1000 {
			k := r.Uint64()
			if _, in := want[k]; in {
				continue
			}
			if _, ok := x.get(k); ok {
				t.Fatalf("n=%d: get(%x) found an absent key", n, k)
			}
		}
		seen := 0
		x.each(func(h uint64, c int32) {
			if want[h] != c {
				t.Fatalf("n=%d: each gave %x → %d, want %d", n, h, c, want[h])
			}
			seen++
		})
		if seen != len(want) {
			t.Fatalf("n=%d: each visited %d, want %d", n, seen, len(want))
		}
		// Filling it up: it stops at half its slots (so a lookup always ends
		// on an empty slot) and keeps every key it took.
		for k := uint64(1 << 62); ; k++ {
			if _, in := want[k]; in {
				continue
			}
			if !x.put(k, int32(len(want))) {
				break
			}
			want[k] = int32(len(want))
		}
		if x.len() != len(x.keys)/2 || x.len() < n {
			t.Fatalf("n=%d: full at %d of %d slots", n, x.len(), len(x.keys))
		}
		for k, c := range want {
			if got, ok := x.get(k); !ok || got != c {
				t.Fatalf("n=%d full: get(%x) = %d %v, want %d", n, k, got, ok, c)
			}
		}
	}
}

func TestSortColumns(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var tmp []int32
	for _, n := range []int{0, 1, 5, 127, 128, 129, 800, 5000} {
		for _, hi := range []int32{1, 255, 256, 70000, 1 << 24, 1<<31 - 1} {
			cols := make([]int32, n)
			for i := range cols {
				cols[i] = r.Int32N(hi)
			}
			want := slices.Clone(cols)
			slices.Sort(want)
			tmp = sortColumns(cols, tmp)
			if !slices.Equal(cols, want) {
				t.Fatalf("n=%d hi=%d: not sorted like slices.Sort", n, hi)
			}
		}
	}
}
