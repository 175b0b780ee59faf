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
// conversations. Keys carry the caller's scope (its API key), so one key
// can never reach another key's context; each entry is also charged to an
// owner (that scope), so one key can never push out another key's
// conversations either.
//
// Entries idle for ttl are forgotten, as time passes: every entry is in
// one recency list, most recently used first, and since each use pushes
// its expiry to now+ttl that list is in expiry order too, so every call
// pops the expired ones from its back (amortized O(1)), and sweep does it
// when no call comes. Past max entries, the owner holding the most entries
// loses its least recently used one (on a tie, the owner adding one): a
// flood of one-off names pays for itself, and an owner holding no more
// than max/N entries (N owners with entries) never loses one to another.
type conversations struct {
	mu     sync.Mutex
	ttl    time.Duration
	max    int
	now    func() time.Time
	items  map[convKey]*convEntry
	lru    list.List // *convEntry, most recently used first
	owners map[string]*convOwner
	heavy  ownerHeap // the owners, the one holding the most entries first
	// remote, when set (redis.url), holds the entries instead: lookup and
	// keep go there, each entry expiring ttl after its last use.
	remote *shared.Client
}

// convKey is a key as its owner named it.
type convKey struct{ owner, name string }

type convEntry struct {
	key     convKey
	conv    conversation
	expires time.Time
	owner   *convOwner
	all     *list.Element // of conversations.lru
	own     *list.Element // of owner.lru
}

// convOwner is one caller's share of the conversations.
type convOwner struct {
	name  string
	lru   list.List // its *convEntry, most recently used first
	index int       // in heavy
}

func newConversations(ttl time.Duration, max int, now func() time.Time) *conversations {
	return &conversations{ttl: ttl, max: max, now: now, items: map[convKey]*convEntry{}, owners: map[string]*convOwner{}}
}

// get returns the conversation owner keeps under key, if it is remembered.
func (cs *conversations) get(owner, key string) (conversation, bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	now := cs.now()
	cs.expire(now)
	e, ok := cs.items[convKey{owner, key}]
	if !ok {
		return conversation{}, false
	}
	if now.After(e.expires) { // a clock that went back: expire missed it
		cs.remove(e)
		return conversation{}, false
	}
	cs.touch(e, now)
	return e.conv, true
}

// put remembers c under each of keys, charged to owner.
func (cs *conversations) put(owner string, c conversation, keys ...string) {
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
		e := &convEntry{key: key, conv: c, expires: now.Add(cs.ttl), owner: o}
		e.all, e.own = cs.lru.PushFront(e), o.lru.PushFront(e)
		cs.items[key] = e
		heap.Fix(&cs.heavy, o.index)
		for cs.lru.Len() > cs.max {
			victim := cs.heavy[0]
			if o.lru.Len() == victim.lru.Len() {
				victim = o
			}
			cs.remove(victim.lru.Back().Value.(*convEntry))
		}
	}
}

// sweep forgets the expired entries. The server calls it on a ticker
// (sweepEvery), so that they are freed even when no request comes.
func (cs *conversations) sweep() {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.expire(cs.now())
}

// sweepEvery sweeps every d until ctx ends.
func (cs *conversations) sweepEvery(ctx context.Context, d time.Duration) {
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
func (cs *conversations) sweepInterval() time.Duration {
	return min(max(cs.ttl/4, time.Second), time.Minute)
}

// expire pops the expired entries from the back of the recency list.
func (cs *conversations) expire(now time.Time) {
	for el := cs.lru.Back(); el != nil && now.After(el.Value.(*convEntry).expires); el = cs.lru.Back() {
		cs.remove(el.Value.(*convEntry))
	}
}

// owner returns the share of name, made on its first entry.
func (cs *conversations) owner(name string) *convOwner {
	o, ok := cs.owners[name]
	if !ok {
		o = &convOwner{name: name}
		cs.owners[name] = o
		heap.Push(&cs.heavy, o)
	}
	return o
}

func (cs *conversations) touch(e *convEntry, now time.Time) {
	e.expires = now.Add(cs.ttl)
	cs.lru.MoveToFront(e.all)
	e.owner.lru.MoveToFront(e.own)
}

func (cs *conversations) remove(e *convEntry) {
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
