package bridge

import (
	"fmt"
	"testing"
	"time"
)

func TestConversationsExpireAndEvict(t *testing.T) {
	now := time.Unix(1000, 0)
	cs := newConversations(time.Minute, 3, func() time.Time { return now })
	for i := range 3 {
		cs.put(conversation{ContextID: fmt.Sprint(i)}, fmt.Sprint("k", i))
	}
	if _, ok := cs.get("k0"); !ok { // k0 is now the most recently used
		t.Fatal("k0 forgotten too early")
	}
	cs.put(conversation{ContextID: "3"}, "k3") // evicts the least recently used: k1
	if _, ok := cs.get("k1"); ok || cs.len() != 3 {
		t.Errorf("k1 still there (len %d), want it evicted", cs.len())
	}
	now = now.Add(59 * time.Second)
	if c, ok := cs.get("k2"); !ok || c.ContextID != "2" {
		t.Errorf("k2 = %+v, %v before its ttl", c, ok)
	}
	now = now.Add(30 * time.Second) // k2 was refreshed by the get at 59 s; k3 is idle past the ttl
	if _, ok := cs.get("k3"); ok {
		t.Error("k3 outlived its ttl")
	}
	if _, ok := cs.get("k2"); !ok {
		t.Error("k2 forgotten though it was used within the ttl")
	}
	cs.put(conversation{ContextID: "new"}, "k2", "alias")
	if c, _ := cs.get("alias"); c.ContextID != "new" {
		t.Errorf("alias = %+v", c)
	}
	cs.delete("alias")
	if _, ok := cs.get("alias"); ok {
		t.Error("alias survived delete")
	}
}
