package training

import (
	"container/list"
	"sync"
)

// Cache is a least-recently-used cache bounded by the total size, in bytes,
// of the values it holds, as measured by the size function given to
// NewCache. It is safe for concurrent use.
//
// Put evicts the least recently used values until the total is within the
// bound again, but never the value it has just stored: a single value larger
// than the bound is kept alone rather than refused, so that a large model
// can still be served (at the cost of exceeding the bound until the next
// Put).
type Cache[K comparable, V any] struct {
	maxBytes int64
	size     func(V) int64

	mu    sync.Mutex
	ll    *list.List // of *cacheEntry[K, V]; front is the most recently used
	items map[K]*list.Element
	bytes int64
}

type cacheEntry[K comparable, V any] struct {
	key   K
	value V
	bytes int64
}

// NewCache returns an empty cache that holds at most maxBytes bytes of
// values, each value weighing size(v) bytes (negative sizes count as zero).
// A maxBytes of zero or less keeps only the most recently stored value.
// NewCache panics if size is nil.
func NewCache[K comparable, V any](maxBytes int64, size func(V) int64) *Cache[K, V] {
	if size == nil {
		panic("training.NewCache: nil size function")
	}
	return &Cache[K, V]{
		maxBytes: maxBytes,
		size:     size,
		ll:       list.New(),
		items:    make(map[K]*list.Element),
	}
}

// Get returns the value stored under k and whether there was one, and marks
// it as the most recently used.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[k]
	if !ok {
		var zero V
		return zero, false
	}
	c.ll.MoveToFront(el)
	return el.Value.(*cacheEntry[K, V]).value, true
}

// Put stores v under k, replacing any previous value, marks it as the most
// recently used and evicts least recently used values until the total size
// is within the bound (see Cache for the one exception). The size function
// is called once, before the lock is taken.
func (c *Cache[K, V]) Put(k K, v V) {
	n := max(c.size(v), 0)

	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		e := el.Value.(*cacheEntry[K, V])
		c.bytes += n - e.bytes
		e.value, e.bytes = v, n
		c.ll.MoveToFront(el)
	} else {
		c.items[k] = c.ll.PushFront(&cacheEntry[K, V]{key: k, value: v, bytes: n})
		c.bytes += n
	}
	for c.bytes > c.maxBytes && c.ll.Len() > 1 {
		c.removeElement(c.ll.Back())
	}
}

// Remove deletes the value stored under k, if any.
func (c *Cache[K, V]) Remove(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		c.removeElement(el)
	}
}

// RemoveFunc deletes every value whose key satisfies drop and returns how
// many it deleted.
func (c *Cache[K, V]) RemoveFunc(drop func(K) bool) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for el := c.ll.Front(); el != nil; {
		next := el.Next()
		if drop(el.Value.(*cacheEntry[K, V]).key) {
			c.removeElement(el)
			n++
		}
		el = next
	}
	return n
}

// Len returns the number of values in the cache.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}

// Bytes returns the total size of the values in the cache.
func (c *Cache[K, V]) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// removeElement unlinks el; c.mu must be held.
func (c *Cache[K, V]) removeElement(el *list.Element) {
	e := c.ll.Remove(el).(*cacheEntry[K, V])
	delete(c.items, e.key)
	c.bytes -= e.bytes
}
