package bridge

import (
	"fmt"
	"testing"
	"time"
)

// TestResponseStore: responses are scoped to their key, idle ones expire
// after the ttl (each use renews it), and past the bound the least
// recently used go first.
func TestResponseStore(t *testing.T) {
	now := time.Unix(1700000000, 0)
	rs := newResponseStore(time.Minute, 3, func() time.Time { return now })
	r := storedResponse{Agent: "a", Body: []byte(`{}`)}
	rs.put("alice", "resp_1", r)
	if _, ok := rs.get("bob", "resp_1"); ok {
		t.Errorf("get(bob, resp_1) found alice's response")
	}
	now = now.Add(50 * time.Second)
	if _, ok := rs.get("alice", "resp_1"); !ok {
		t.Fatalf("get(alice, resp_1) after 50s = not found, want found")
	}
	now = now.Add(50 * time.Second) // 100s after put, 50s after the last use
	if _, ok := rs.get("alice", "resp_1"); !ok {
		t.Errorf("get(alice, resp_1) 50s after its last use = not found, want found (use renews the ttl)")
	}
	now = now.Add(61 * time.Second)
	if _, ok := rs.get("alice", "resp_1"); ok || rs.len() != 0 {
		t.Errorf("get(alice, resp_1) idle past the ttl = found (len %d), want expired", rs.len())
	}
	for i := range 4 {
		rs.put("alice", fmt.Sprint("resp_", i), r)
		if i == 1 {
			rs.get("alice", "resp_0") // used after resp_1: resp_1 is now the least recently used
		}
	}
	if _, ok := rs.get("alice", "resp_1"); ok || rs.len() != 3 {
		t.Errorf("past the bound: resp_1 kept (len %d), want the least recently used gone", rs.len())
	}
	if !rs.delete("alice", "resp_0") || rs.delete("alice", "resp_0") {
		t.Errorf("delete(resp_0) twice = want true then false")
	}
}

// len reports how many responses are stored.
func (rs *responseStore) len() int {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.lru.Len()
}
