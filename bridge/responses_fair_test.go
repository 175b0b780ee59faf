package bridge

import (
	"fmt"
	"testing"
	"time"
)

// convEntry is an entry of the conversations, as their tests name it.
type convEntry = fairEntry[conversation]

// TestResponseStoreFair: a key storing many responses cannot push out
// another key's (the store charges each to its key, as the conversations
// do), and expired responses are freed by sweep when no call comes.
func TestResponseStoreFair(t *testing.T) {
	now := time.Unix(1700000000, 0)
	rs := newResponseStore(time.Minute, 4, func() time.Time { return now })
	r := storedResponse{Agent: "a", Body: []byte(`{}`)}
	rs.put("alice", "resp_a1", r)
	rs.put("alice", "resp_a2", r)
	for i := range 10 {
		rs.put("flood", fmt.Sprint("resp_f", i), r)
	}
	for _, id := range []string{"resp_a1", "resp_a2"} {
		if _, ok := rs.get("alice", id); !ok {
			t.Errorf("get(alice, %s) after another key's flood = not found, want kept (alice holds no more than her share)", id)
		}
	}
	if n := rs.len(); n != 4 {
		t.Errorf("len = %d, want the bound 4", n)
	}
	now = now.Add(2 * time.Minute)
	rs.sweep()
	if n := rs.len(); n != 0 {
		t.Errorf("len after a sweep past the ttl = %d, want 0", n)
	}
}
