package bridge

import (
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
// responses, each scoped to and charged to its caller (the digest of its
// API key): one key can never read or continue another key's responses,
// nor push them out. It is a fairStore, as the conversations are, with
// their bounds (conversations.ttl and conversations.max_entries) and
// sweep; with redis.url, remote holds them instead (lookup, keep and
// drop, sharedstate.go).
type responseStore struct {
	fairStore[storedResponse]
	remote *shared.Client
}

func newResponseStore(ttl time.Duration, max int, now func() time.Time) *responseStore {
	return &responseStore{fairStore: newFairStore[storedResponse](ttl, max, now)}
}

// put stores r as scope's id.
func (rs *responseStore) put(scope, id string, r storedResponse) { rs.fairStore.put(scope, r, id) }

// delete forgets scope's id, and reports whether it was stored.
func (rs *responseStore) delete(scope, id string) bool { return rs.forget(scope, id) }

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
