package training

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

func byteLen(s string) int64 { return int64(len(s)) }

func TestCacheEviction(t *testing.T) {
	type op struct {
		do  string // "put", "get", "remove"
		key string
		val string
	}
	tests := []struct {
		name      string
		max       int64
		ops       []op
		wantKeys  []string // present after the ops, any order
		wantGone  []string
		wantBytes int64
	}{
		{
			name:      "within bound keeps all",
			max:       10,
			ops:       []op{{"put", "a", "aaa"}, {"put", "b", "bbb"}, {"put", "c", "cccc"}},
			wantKeys:  []string{"a", "b", "c"},
			wantBytes: 10,
		},
		{
			name:      "evicts least recently put",
			max:       10,
			ops:       []op{{"put", "a", "aaa"}, {"put", "b", "bbb"}, {"put", "c", "cccc"}, {"put", "d", "d"}},
			wantKeys:  []string{"b", "c", "d"},
			wantGone:  []string{"a"},
			wantBytes: 8,
		},
		{
			name:      "get refreshes recency",
			max:       10,
			ops:       []op{{"put", "a", "aaa"}, {"put", "b", "bbb"}, {"put", "c", "cccc"}, {"get", "a", ""}, {"put", "d", "d"}},
			wantKeys:  []string{"a", "c", "d"},
			wantGone:  []string{"b"},
			wantBytes: 8,
		},
		{
			name:      "evicts several to fit a big value",
			max:       10,
			ops:       []op{{"put", "a", "aaa"}, {"put", "b", "bbb"}, {"put", "c", "cc"}, {"put", "d", "dddddddd"}},
			wantKeys:  []string{"c", "d"},
			wantGone:  []string{"a", "b"},
			wantBytes: 10,
		},
		{
			name:      "value larger than the bound is kept alone",
			max:       10,
			ops:       []op{{"put", "a", "aaa"}, {"put", "huge", strings.Repeat("h", 25)}},
			wantKeys:  []string{"huge"},
			wantGone:  []string{"a"},
			wantBytes: 25,
		},
		{
			name:      "next put evicts the oversized value",
			max:       10,
			ops:       []op{{"put", "huge", strings.Repeat("h", 25)}, {"put", "a", "aaa"}},
			wantKeys:  []string{"a"},
			wantGone:  []string{"huge"},
			wantBytes: 3,
		},
		{
			name:      "replacing a value re-accounts its size",
			max:       10,
			ops:       []op{{"put", "a", "aaa"}, {"put", "b", "bbb"}, {"put", "a", "aaaaaa"}},
			wantKeys:  []string{"a", "b"},
			wantBytes: 9,
		},
		{
			name:      "growing a value evicts others, not itself",
			max:       10,
			ops:       []op{{"put", "a", "aaa"}, {"put", "b", "bbb"}, {"put", "a", "aaaaaaaaa"}},
			wantKeys:  []string{"a"},
			wantGone:  []string{"b"},
			wantBytes: 9,
		},
		{
			name:      "remove frees bytes",
			max:       10,
			ops:       []op{{"put", "a", "aaa"}, {"put", "b", "bbb"}, {"remove", "a", ""}, {"remove", "missing", ""}},
			wantKeys:  []string{"b"},
			wantGone:  []string{"a"},
			wantBytes: 3,
		},
		{
			name:      "zero bound keeps the last value",
			max:       0,
			ops:       []op{{"put", "a", "aaa"}, {"put", "b", "bbb"}},
			wantKeys:  []string{"b"},
			wantGone:  []string{"a"},
			wantBytes: 3,
		},
		{
			name:      "empty values cost nothing",
			max:       0,
			ops:       []op{{"put", "a", ""}, {"put", "b", ""}},
			wantKeys:  []string{"a", "b"},
			wantBytes: 0,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := NewCache[string, string](tc.max, byteLen)
			for _, o := range tc.ops {
				switch o.do {
				case "put":
					c.Put(o.key, o.val)
				case "get":
					if _, ok := c.Get(o.key); !ok {
						t.Fatalf("Get(%q) missed during setup", o.key)
					}
				case "remove":
					c.Remove(o.key)
				}
			}
			// Check Bytes and Len before the Gets below reorder anything.
			if got := c.Bytes(); got != tc.wantBytes {
				t.Errorf("Bytes() = %d, want %d", got, tc.wantBytes)
			}
			if got := c.Len(); got != len(tc.wantKeys) {
				t.Errorf("Len() = %d, want %d", got, len(tc.wantKeys))
			}
			for _, k := range tc.wantKeys {
				if _, ok := c.Get(k); !ok {
					t.Errorf("%q was evicted", k)
				}
			}
			for _, k := range tc.wantGone {
				if v, ok := c.Get(k); ok {
					t.Errorf("%q is still cached (%q)", k, v)
				}
			}
		})
	}
}

func TestCacheGetReturnsLatestValue(t *testing.T) {
	c := NewCache[int, string](100, byteLen)
	if _, ok := c.Get(1); ok {
		t.Fatal("Get on an empty cache hit")
	}
	c.Put(1, "one")
	c.Put(1, "uno")
	if v, ok := c.Get(1); !ok || v != "uno" {
		t.Fatalf("Get(1) = %q, %v", v, ok)
	}
}

func TestCacheNegativeSizeCountsAsZero(t *testing.T) {
	c := NewCache[string, int](10, func(v int) int64 { return int64(v) })
	c.Put("neg", -5)
	c.Put("pos", 10)
	if c.Bytes() != 10 || c.Len() != 2 {
		t.Fatalf("Bytes() = %d, Len() = %d; want 10, 2", c.Bytes(), c.Len())
	}
}

func TestNewCacheNilSizePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewCache(nil size) did not panic")
		}
	}()
	NewCache[string, string](10, nil)
}

// TestCacheConcurrent is meant for -race: the accounting must hold after
// concurrent puts, gets and removes.
func TestCacheConcurrent(t *testing.T) {
	const maxBytes = 1000
	c := NewCache[int, []byte](maxBytes, func(v []byte) int64 { return int64(len(v)) })
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				k := (g*7 + i) % 50
				switch i % 4 {
				case 0, 1:
					c.Put(k, make([]byte, 10+k))
				case 2:
					if v, ok := c.Get(k); ok && len(v) != 10+k {
						t.Errorf("Get(%d) returned %d bytes", k, len(v))
					}
				case 3:
					if i%12 == 3 {
						c.Remove(k)
					}
				}
				_ = c.Len()
			}
		})
	}
	wg.Wait()

	var sum int64
	for k := range 50 {
		if v, ok := c.Get(k); ok {
			sum += int64(len(v))
		}
	}
	if sum != c.Bytes() {
		t.Errorf("Bytes() = %d, values add up to %d", c.Bytes(), sum)
	}
	if c.Bytes() > maxBytes {
		t.Errorf("Bytes() = %d exceeds the bound %d", c.Bytes(), maxBytes)
	}
}

func BenchmarkCacheGet(b *testing.B) {
	c := NewCache[string, []byte](1<<30, func(v []byte) int64 { return int64(len(v)) })
	keys := make([]string, 100)
	for i := range keys {
		keys[i] = fmt.Sprintf("repository-%d/version-%d", i, i*7)
		c.Put(keys[i], make([]byte, 1024))
	}
	b.Run("serial", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, ok := c.Get(keys[i%len(keys)]); !ok {
				b.Fatal("miss")
			}
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, ok := c.Get(keys[i%len(keys)]); !ok {
					b.Fatal("miss")
				}
				i++
			}
		})
	})
}

func ExampleCache() {
	// Models weigh what their encoding weighs; keep at most 10 bytes.
	c := NewCache[string, string](10, func(m string) int64 { return int64(len(m)) })
	c.Put("v1", "model")
	c.Put("v2", "model")
	c.Get("v1") // v1 is now the most recently used
	c.Put("v3", "model")
	_, ok1 := c.Get("v1")
	_, ok2 := c.Get("v2")
	fmt.Println(ok1, ok2, c.Len(), c.Bytes())
	// Output: true false 2 10
}

func TestCacheRemoveFunc(t *testing.T) {
	c := NewCache[string, string](100, byteLen)
	for _, k := range []string{"repo1/a", "repo2/a", "repo1/b", "repo3/a"} {
		c.Put(k, "xxxx")
	}
	if n := c.RemoveFunc(func(k string) bool { return strings.HasPrefix(k, "repo1/") }); n != 2 {
		t.Fatalf("RemoveFunc removed %d, want 2", n)
	}
	if c.Len() != 2 || c.Bytes() != 8 {
		t.Fatalf("after RemoveFunc: %d values, %d bytes; want 2, 8", c.Len(), c.Bytes())
	}
	for k, want := range map[string]bool{"repo1/a": false, "repo1/b": false, "repo2/a": true, "repo3/a": true} {
		if _, ok := c.Get(k); ok != want {
			t.Errorf("Get(%q) present = %v, want %v", k, ok, want)
		}
	}
	if n := c.RemoveFunc(func(string) bool { return false }); n != 0 {
		t.Errorf("RemoveFunc(nothing) = %d", n)
	}
}
