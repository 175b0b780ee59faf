package bridge

import (
	"time"
	"unicode/utf8"

	"github.com/a2a-bridge/a2a-bridge/bridge/shared"
	"github.com/a2a-bridge/a2a-bridge/transform"
)

// storedResponse is what the bridge keeps of a response (store: true): the
// agent's context and task it continues (previous_response_id), and the
// response object GET /v1/responses/{id} returns (body).
type storedResponse struct {
	Agent string
	conversation
	// Body is the response object, as the shared state (redis.url) keeps
	// it. The bridge's own store keeps final instead, and encodes it only
	// when it is read (GET): most stored responses never are, and final
	// is most of the way to it already (the text is the answer's).
	Body  []byte
	final storedFinal
}

// storedFinal is what the object of a completed response is encoded from:
// meta holds no string of the request's body (respMeta copied them out).
type storedFinal struct {
	meta  transform.ResponseMeta
	text  string
	usage transform.Usage
}

// body is r's response object.
func (r *storedResponse) body() []byte {
	if r.final.meta.ID == "" {
		return r.Body
	}
	return transform.Response(r.final.meta, transform.ResponseState{Status: transform.ResponseCompleted, Text: r.final.text, Usage: &r.final.usage})
}

// outputMessage is the id and text of r's output message, as
// transform.OutputMessage reads them from its object: a text of valid
// UTF-8 reads back as it was encoded (any other has its bad bytes
// replaced: read back from the object).
func (r *storedResponse) outputMessage() (id, text string, ok bool) {
	if r.final.meta.ID != "" && utf8.ValidString(r.final.text) {
		return r.final.meta.MessageID, r.final.text, true
	}
	return transform.OutputMessage(r.body())
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
