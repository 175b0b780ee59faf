package bridge

import (
	"maps"
	"sync"
	"sync/atomic"
)

// readMap is a map read on every request and written seldom (a new agent,
// key or route seen, an agent unregistered): a reader takes no lock and
// writes to no shared memory, so requests on many cores do not queue on
// it, as they did on a mutex (or bounce the cache line of an RWMutex's
// reader count). A write copies the map; its keys are bounded by the
// configuration (agents, keys, routes), never by what callers send.
type readMap[K comparable, V any] struct {
	mu sync.Mutex // serializes writers
	m  atomic.Pointer[map[K]V]
}

// get returns the value of k.
func (r *readMap[K, V]) get(k K) (V, bool) {
	if m := r.m.Load(); m != nil {
		v, ok := (*m)[k]
		return v, ok
	}
	var zero V
	return zero, false
}

// getOrPut returns the value of k, storing v for it first if it has none.
func (r *readMap[K, V]) getOrPut(k K, v V) V {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.m.Load()
	if old != nil {
		if have, ok := (*old)[k]; ok {
			return have
		}
	}
	m := make(map[K]V, 1+r.len(old))
	if old != nil {
		maps.Copy(m, *old)
	}
	m[k] = v
	r.m.Store(&m)
	return v
}

// deleteFunc drops every entry del says to.
func (r *readMap[K, V]) deleteFunc(del func(K, V) bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.m.Load()
	if old == nil {
		return
	}
	m := maps.Clone(*old)
	maps.DeleteFunc(m, del)
	r.m.Store(&m)
}

// snapshot is the map as it is: not to be written.
func (r *readMap[K, V]) snapshot() map[K]V {
	if m := r.m.Load(); m != nil {
		return *m
	}
	return nil
}

func (r *readMap[K, V]) len(m *map[K]V) int {
	if m == nil {
		return 0
	}
	return len(*m)
}
