package bridge

import (
	"container/heap"
	"container/list"
	"context"
	"sync"
	"time"

	"github.com/a2a-bridge/a2a-bridge/bridge/shared"
	"github.com/a2a-bridge/a2a-bridge/transform"
)

// conversation is what the bridge remembers of one conversation with an
// agent: the agent's context, and its last task and that task's state.
type conversation struct {
	ContextID string
	TaskID    string
	State     transform.State
}

// interrupted reports whether the conversation's last task waits for an
// answer (input-required, auth-required): the next turn goes to it.
func (c conversation) interrupted() bool { return c.TaskID != "" && c.State.Interrupted() }

// conversations is a bounded, expiring map from conversation keys to
// conversations, a fairStore of them; with redis.url, remote holds them
// instead (lookup and keep, sharedstate.go).
type conversations struct {
	fairStore[conversation]
	remote *shared.Client
}

func newConversations(ttl time.Duration, max int, now func() time.Time) *conversations {
	return &conversations{fairStore: newFairStore[conversation](ttl, max, now)}
}

// fairStore is a bounded, expiring map from keys to values (conversations,
// stored responses). Keys carry the caller's scope (its API key), so one
// key can never reach another key's entries; each entry is also charged to
// an owner (that scope), so one key can never push out another key's
// entries either.
//
// Entries idle for ttl are forgotten, as time passes: every entry is in
// one recency list, most recently used first, and since each use pushes
// its expiry to now+ttl that list is in expiry order too, so every call
// pops the expired ones from its back (amortized O(1)), and sweep does it
// when no call comes. Past max entries, the owner holding the most entries
// loses its least recently used one (on a tie, the owner adding one): a
// flood of one-off names pays for itself, and an owner holding no more
// than max/N entries (N owners with entries) never loses one to another.
type fairStore[V any] struct {
	mu     sync.Mutex
	ttl    time.Duration
	max    int
	now    func() time.Time
	items  map[convKey]*fairEntry[V]
	lru    list.List // *fairEntry[V], most recently used first
	owners map[string]*convOwner
	heavy  ownerHeap // the owners, the one holding the most entries first
}

// convKey is a key as its owner named it.
type convKey struct{ owner, name string }

// fairEntry is one entry: conv is its value (a conversation, or a stored
// response).
type fairEntry[V any] struct {
	key     convKey
	conv    V
	expires time.Time
	owner   *convOwner
	all     *list.Element // of fairStore.lru
	own     *list.Element // of owner.lru
}

// convOwner is one caller's share of the entries.
type convOwner struct {
	name  string
	lru   list.List // its entries, most recently used first
	index int       // in heavy
}

func newFairStore[V any](ttl time.Duration, max int, now func() time.Time) fairStore[V] {
	return fairStore[V]{ttl: ttl, max: max, now: now, items: map[convKey]*fairEntry[V]{}, owners: map[string]*convOwner{}}
}

// get returns the value owner keeps under key, if it is remembered.
func (cs *fairStore[V]) get(owner, key string) (V, bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	now := cs.now()
	cs.expire(now)
	var none V
	e, ok := cs.items[convKey{owner, key}]
	if !ok {
		return none, false
	}
	if now.After(e.expires) { // a clock that went back: expire missed it
		cs.remove(e)
		return none, false
	}
	cs.touch(e, now)
	return e.conv, true
}

// put remembers c under each of keys, charged to owner.
func (cs *fairStore[V]) put(owner string, c V, keys ...string) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	now := cs.now()
	cs.expire(now)
	for _, name := range keys {
		key := convKey{owner, name}
		if e, ok := cs.items[key]; ok {
			e.conv = c
			cs.touch(e, now)
			continue
		}
		o := cs.owner(owner)
		e := &fairEntry[V]{key: key, conv: c, expires: now.Add(cs.ttl), owner: o}
		e.all, e.own = cs.lru.PushFront(e), o.lru.PushFront(e)
		cs.items[key] = e
		heap.Fix(&cs.heavy, o.index)
		for cs.lru.Len() > cs.max {
			victim := cs.heavy[0]
			if o.lru.Len() == victim.lru.Len() {
				victim = o
			}
			cs.remove(victim.lru.Back().Value.(*fairEntry[V]))
		}
	}
}

// sweep forgets the expired entries. The server calls it on a ticker
// (sweepEvery), so that they are freed even when no request comes.
func (cs *fairStore[V]) sweep() {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.expire(cs.now())
}

// sweepEvery sweeps every d until ctx ends.
func (cs *fairStore[V]) sweepEvery(ctx context.Context, d time.Duration) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			cs.sweep()
		}
	}
}

// sweepInterval is how often the server should sweep: an expired entry
// outlives its ttl by at most that much (and counts within max meanwhile).
func (cs *fairStore[V]) sweepInterval() time.Duration {
	return min(max(cs.ttl/4, time.Second), time.Minute)
}

// expire pops the expired entries from the back of the recency list.
func (cs *fairStore[V]) expire(now time.Time) {
	for el := cs.lru.Back(); el != nil && now.After(el.Value.(*fairEntry[V]).expires); el = cs.lru.Back() {
		cs.remove(el.Value.(*fairEntry[V]))
	}
}

// forget forgets owner's key, and reports whether it was remembered.
func (cs *fairStore[V]) forget(owner, key string) bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.expire(cs.now())
	e, ok := cs.items[convKey{owner, key}]
	if ok {
		cs.remove(e)
	}
	return ok
}

// owner returns the share of name, made on its first entry.
func (cs *fairStore[V]) owner(name string) *convOwner {
	o, ok := cs.owners[name]
	if !ok {
		o = &convOwner{name: name}
		cs.owners[name] = o
		heap.Push(&cs.heavy, o)
	}
	return o
}

func (cs *fairStore[V]) touch(e *fairEntry[V], now time.Time) {
	e.expires = now.Add(cs.ttl)
	cs.lru.MoveToFront(e.all)
	e.owner.lru.MoveToFront(e.own)
}

func (cs *fairStore[V]) remove(e *fairEntry[V]) {
	cs.lru.Remove(e.all)
	delete(cs.items, e.key)
	o := e.owner
	o.lru.Remove(e.own)
	if o.lru.Len() == 0 {
		heap.Remove(&cs.heavy, o.index)
		delete(cs.owners, o.name)
		return
	}
	heap.Fix(&cs.heavy, o.index)
}

// ownerHeap orders owners by the entries they hold, most first.
type ownerHeap []*convOwner

func (h ownerHeap) Len() int           { return len(h) }
func (h ownerHeap) Less(i, j int) bool { return h[i].lru.Len() > h[j].lru.Len() }
func (h ownerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *ownerHeap) Push(x any) {
	o := x.(*convOwner)
	o.index = len(*h)
	*h = append(*h, o)
}
func (h *ownerHeap) Pop() any {
	old := *h
	o := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return o
}
