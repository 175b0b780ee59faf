package bridge

import (
	"container/list"
	"sync"
	"time"

	"github.com/a2a-bridge/a2a-bridge/bridge/shared"
)

// owners is who owns each task and context created through the A2A
// gateway: the digest of the key that created it. It is bounded (the least
// recently used entry goes first past max) and expiring (an entry unused
// for ttl is forgotten, as the conversations of the chat path are), and it
// is the one place the gateway asks, so that shared state (Redis) can
// take its place behind the same three methods.
type owners struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	now   func() time.Time
	items map[ownedKey]*list.Element // of lru, each an *ownedEntry
	lru   list.List                  // most recently used first, so in expiry order too
	// remote, when set (redis.url), holds the entries instead: ownerOf
	// and claimed go there.
	remote *shared.Client
}

// ownedKey names a task or a context of one agent.
type ownedKey struct {
	agent string
	kind  byte // 't' task, 'c' context
	id    string
}

type ownedEntry struct {
	key     ownedKey
	owner   string
	expires time.Time
}

func newOwners(ttl time.Duration, max int, now func() time.Time) *owners {
	return &owners{ttl: ttl, max: max, now: now, items: map[ownedKey]*list.Element{}}
}

// owner returns who owns k, and whether anyone does.
func (o *owners) owner(k ownedKey) (string, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.now()
	o.expire(now)
	el, ok := o.items[k]
	if !ok {
		return "", false
	}
	e := el.Value.(*ownedEntry)
	e.expires = now.Add(o.ttl)
	o.lru.MoveToFront(el)
	return e.owner, true
}

// claim records owner as the owner of k unless someone owns it already;
// it reports whether owner owns k now.
func (o *owners) claim(owner string, k ownedKey) bool {
	if k.id == "" {
		return true
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.now()
	o.expire(now)
	if el, ok := o.items[k]; ok {
		e := el.Value.(*ownedEntry)
		if e.owner != owner {
			return false
		}
		e.expires = now.Add(o.ttl)
		o.lru.MoveToFront(el)
		return true
	}
	o.items[k] = o.lru.PushFront(&ownedEntry{key: k, owner: owner, expires: now.Add(o.ttl)})
	for o.max > 0 && o.lru.Len() > o.max {
		o.remove(o.lru.Back())
	}
	return true
}

// expire forgets the entries unused for ttl, from the back of lru.
func (o *owners) expire(now time.Time) {
	for el := o.lru.Back(); el != nil && !now.Before(el.Value.(*ownedEntry).expires); el = o.lru.Back() {
		o.remove(el)
	}
}

func (o *owners) remove(el *list.Element) {
	delete(o.items, el.Value.(*ownedEntry).key)
	o.lru.Remove(el)
}
