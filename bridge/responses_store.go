package bridge

import (
	"container/list"
	"sync"
	"time"

	"github.com/a2a-bridge/a2a-bridge/bridge/shared"
	"github.com/a2a-bridge/a2a-bridge/transform"
)

// storedResponse is what the bridge keeps of a response (store: true): the
// agent's context and task it continues (previous_response_id), and the
// response object GET /v1/responses/{id} returns.
type storedResponse struct {
	Agent string
	conversation
	Body []byte
}

// responseStore is a bounded, expiring map from response ids to stored
// responses, each scoped to its caller (the digest of its API key): one
// key can never read or continue another key's responses. Entries idle
// for ttl are forgotten; past max entries the least recently used go
// first (conversations.ttl and conversations.max_entries). A plain type,
// in memory; the scale-out issue gives it a Redis twin.
type responseStore struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	now   func() time.Time
	items map[respKey]*list.Element
	lru   list.List // *respEntry, most recently used first
	// remote, when set (redis.url), holds the entries instead: lookup,
	// keep and drop go there.
	remote *shared.Client
}

type respKey struct{ scope, id string }

type respEntry struct {
	key     respKey
	resp    storedResponse
	expires time.Time
}

func newResponseStore(ttl time.Duration, max int, now func() time.Time) *responseStore {
	return &responseStore{ttl: ttl, max: max, now: now, items: map[respKey]*list.Element{}}
}

// get returns the response scope stored as id.
func (rs *responseStore) get(scope, id string) (storedResponse, bool) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	now := rs.now()
	rs.expire(now)
	el, ok := rs.items[respKey{scope, id}]
	if !ok {
		return storedResponse{}, false
	}
	e := el.Value.(*respEntry)
	if now.After(e.expires) { // a clock that went back
		rs.remove(el)
		return storedResponse{}, false
	}
	e.expires = now.Add(rs.ttl)
	rs.lru.MoveToFront(el)
	return e.resp, true
}

// put stores r as scope's id.
func (rs *responseStore) put(scope, id string, r storedResponse) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	now := rs.now()
	rs.expire(now)
	key := respKey{scope, id}
	if el, ok := rs.items[key]; ok {
		rs.remove(el)
	}
	rs.items[key] = rs.lru.PushFront(&respEntry{key: key, resp: r, expires: now.Add(rs.ttl)})
	for rs.lru.Len() > rs.max {
		rs.remove(rs.lru.Back())
	}
}

// delete forgets scope's id, and reports whether it was stored.
func (rs *responseStore) delete(scope, id string) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.expire(rs.now())
	el, ok := rs.items[respKey{scope, id}]
	if ok {
		rs.remove(el)
	}
	return ok
}

// expire pops the expired entries from the back of the recency list: each
// use pushes an entry's expiry to now+ttl, so the list is in expiry order.
func (rs *responseStore) expire(now time.Time) {
	for el := rs.lru.Back(); el != nil && now.After(el.Value.(*respEntry).expires); el = rs.lru.Back() {
		rs.remove(el)
	}
}

func (rs *responseStore) remove(el *list.Element) {
	rs.lru.Remove(el)
	delete(rs.items, el.Value.(*respEntry).key)
}

// leftBy is the conversation a response leaves: its ids and task state.
func leftBy(ext *transform.Ext, contextID string) conversation {
	if ext == nil {
		return conversation{ContextID: contextID}
	}
	c := conversation{ContextID: ext.ContextID, TaskID: ext.TaskID, State: ext.State}
	if c.ContextID == "" {
		c.ContextID = contextID // Go SDKs leave it out of bare Message replies
	}
	return c
}
