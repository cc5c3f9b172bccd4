package training

import "sync"

// Registry holds the current value for each key, typically the model that
// classification uses for a repository, and replaces it atomically: readers
// calling Current keep getting the old value until Swap returns, and the new
// one after, never a mix. It is safe for concurrent use; Current takes no
// lock, writers are serialised among themselves.
//
// The zero value is an empty registry ready to use. A Registry must not be
// copied after first use.
type Registry[K comparable, V any] struct {
	writeMu sync.Mutex // serialises Swap, SwapIf and Delete
	values  sync.Map   // K -> V
}

// Current returns the value currently registered under k and whether there
// is one.
func (r *Registry[K, V]) Current(k K) (V, bool) {
	v, ok := r.values.Load(k)
	if !ok {
		var zero V
		return zero, false
	}
	return v.(V), true
}

// Swap registers v under k and returns the value it replaced, if any.
func (r *Registry[K, V]) Swap(k K, v V) (old V, replaced bool) {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	prev, ok := r.values.Swap(k, v)
	if !ok {
		return old, false
	}
	return prev.(V), true
}

// SwapIf registers v under k if there is no value under k yet or if
// replace(current) returns true, and reports whether it did. It lets a
// caller refuse to replace a newer model with an older one that finished
// training later. replace runs with the registry's write lock held: it must
// be quick and must not call the registry.
func (r *Registry[K, V]) SwapIf(k K, v V, replace func(current V) bool) bool {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if cur, ok := r.values.Load(k); ok && !replace(cur.(V)) {
		return false
	}
	r.values.Store(k, v)
	return true
}

// Delete removes the value registered under k, if any.
func (r *Registry[K, V]) Delete(k K) {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	r.values.Delete(k)
}
