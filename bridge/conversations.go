package bridge

import (
	"container/list"
	"sync"
	"time"

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
// can never reach another key's context. Least recently used entries go
// first past max; entries idle for ttl are forgotten.
type conversations struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	now   func() time.Time
	items map[string]*list.Element
	lru   *list.List // front: most recently used
}

type convEntry struct {
	key     string
	conv    conversation
	expires time.Time
}

func newConversations(ttl time.Duration, max int, now func() time.Time) *conversations {
	return &conversations{ttl: ttl, max: max, now: now, items: map[string]*list.Element{}, lru: list.New()}
}

// get returns the conversation under key, if it is remembered.
func (cs *conversations) get(key string) (conversation, bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	el, ok := cs.items[key]
	if !ok {
		return conversation{}, false
	}
	e := el.Value.(*convEntry)
	if cs.now().After(e.expires) {
		cs.remove(el)
		return conversation{}, false
	}
	e.expires = cs.now().Add(cs.ttl)
	cs.lru.MoveToFront(el)
	return e.conv, true
}

// put remembers c under each of keys.
func (cs *conversations) put(c conversation, keys ...string) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for _, key := range keys {
		if el, ok := cs.items[key]; ok {
			e := el.Value.(*convEntry)
			e.conv, e.expires = c, cs.now().Add(cs.ttl)
			cs.lru.MoveToFront(el)
			continue
		}
		cs.items[key] = cs.lru.PushFront(&convEntry{key: key, conv: c, expires: cs.now().Add(cs.ttl)})
		for cs.lru.Len() > cs.max {
			cs.remove(cs.lru.Back())
		}
	}
}

// delete forgets key.
func (cs *conversations) delete(key string) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if el, ok := cs.items[key]; ok {
		cs.remove(el)
	}
}

func (cs *conversations) remove(el *list.Element) {
	cs.lru.Remove(el)
	delete(cs.items, el.Value.(*convEntry).key)
}

// len reports how many keys are remembered.
func (cs *conversations) len() int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.lru.Len()
}
