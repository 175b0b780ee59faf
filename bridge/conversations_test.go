package bridge

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestConversationsExpireAndEvict(t *testing.T) {
	now := time.Unix(1000, 0)
	cs := newConversations(time.Minute, 3, func() time.Time { return now })
	for i := range 3 {
		cs.put("", conversation{ContextID: fmt.Sprint(i)}, fmt.Sprint("k", i))
	}
	if _, ok := cs.get("", "k0"); !ok { // k0 is now the most recently used
		t.Fatal("k0 forgotten too early")
	}
	cs.put("", conversation{ContextID: "3"}, "k3") // evicts the least recently used: k1
	if _, ok := cs.get("", "k1"); ok || cs.len() != 3 {
		t.Errorf("k1 still there (len %d), want it evicted", cs.len())
	}
	now = now.Add(59 * time.Second)
	if c, ok := cs.get("", "k2"); !ok || c.ContextID != "2" {
		t.Errorf("k2 = %+v, %v before its ttl", c, ok)
	}
	now = now.Add(30 * time.Second) // k2 was refreshed by the get at 59 s; k3 is idle past the ttl
	if _, ok := cs.get("", "k3"); ok {
		t.Error("k3 outlived its ttl")
	}
	if _, ok := cs.get("", "k2"); !ok {
		t.Error("k2 forgotten though it was used within the ttl")
	}
	cs.put("", conversation{ContextID: "new"}, "k2", "alias")
	if c, _ := cs.get("", "alias"); c.ContextID != "new" {
		t.Errorf("alias = %+v", c)
	}
	cs.delete("", "alias")
	if _, ok := cs.get("", "alias"); ok {
		t.Error("alias survived delete")
	}
}

// held lists the entries of cs as "owner/name", sorted, and checks that
// its owners' accounting agrees with them.
func held(t *testing.T, cs *conversations) []string {
	t.Helper()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	var got []string
	count := map[string]int{}
	for k := range cs.items {
		got = append(got, k.owner+"/"+k.name)
		count[k.owner]++
	}
	if len(cs.owners) != len(count) || len(cs.heavy) != len(count) {
		t.Errorf("%d owners, %d in the heap, want the %d holding entries", len(cs.owners), len(cs.heavy), len(count))
	}
	for name, n := range count {
		if o := cs.owners[name]; o == nil || o.lru.Len() != n || cs.heavy[o.index] != o {
			t.Errorf("owner %q: accounting off, want %d entries", name, n)
		}
	}
	if cs.lru.Len() != len(cs.items) {
		t.Errorf("recency list has %d entries, map %d", cs.lru.Len(), len(cs.items))
	}
	slices.Sort(got)
	return got
}

// TestConversationsEvictTheHeaviest: past max, the owner (API key) holding
// the most entries loses its least recently used one, so that no key can
// push out another key's conversations by adding its own.
func TestConversationsEvictTheHeaviest(t *testing.T) {
	cases := []struct {
		name string
		max  int
		ops  []string // "owner name" puts, "get owner name" looks up
		want []string
	}{
		{"alone, an owner has the whole store", 3,
			[]string{"A a1", "A a2", "A a3", "A a4"},
			[]string{"A/a2", "A/a3", "A/a4"}},
		{"a flood pays for itself", 4,
			[]string{"B b1", "A a1", "A a2", "A a3", "A a4", "A a5", "A a6", "A a7", "A a8", "A a9", "A a10", "A a11", "A a12"},
			[]string{"A/a10", "A/a11", "A/a12", "B/b1"}},
		{"the heaviest pays, not the least recently used", 5,
			[]string{"B b1", "B b2", "A a1", "A a2", "A a3", "C c1"},
			[]string{"A/a2", "A/a3", "B/b1", "B/b2", "C/c1"}},
		{"on a tie the owner adding pays", 4,
			[]string{"A a1", "A a2", "B b1", "C c1", "B b2"},
			[]string{"A/a1", "A/a2", "B/b2", "C/c1"}},
		{"a look-up keeps an entry within its owner's share", 3,
			[]string{"A a1", "B b1", "A a2", "get A a1", "A a3"},
			[]string{"A/a1", "A/a3", "B/b1"}},
		{"an owner's pending entry outlives a later flood's", 6,
			[]string{"B b1", "B b2", "A a1", "A a2", "A a3", "A a4", "A a5", "A a6", "C c1", "C c2", "A a7"},
			[]string{"A/a6", "A/a7", "B/b1", "B/b2", "C/c1", "C/c2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cs := newConversations(time.Hour, tc.max, time.Now)
			for _, op := range tc.ops {
				f := strings.Fields(op)
				if f[0] == "get" {
					if _, ok := cs.get(f[1], f[2]); !ok {
						t.Fatalf("%s: not found", op)
					}
					continue
				}
				cs.put(f[0], conversation{ContextID: f[1]}, f[1])
			}
			if got := held(t, cs); !slices.Equal(got, tc.want) {
				t.Errorf("after %q: held %q, want %q", tc.ops, got, tc.want)
			}
		})
	}
}

// TestConversationsScopedByOwner: a name is the owner's own.
func TestConversationsScopedByOwner(t *testing.T) {
	cs := newConversations(time.Hour, 10, time.Now)
	cs.put("A", conversation{ContextID: "a"}, "conv-1")
	cs.put("B", conversation{ContextID: "b"}, "conv-1")
	cs.delete("B", "conv-1")
	if c, ok := cs.get("A", "conv-1"); !ok || c.ContextID != "a" {
		t.Errorf(`get("A", "conv-1") = %+v, %v, want A's own`, c, ok)
	}
	if _, ok := cs.get("B", "conv-1"); ok {
		t.Error(`get("B", "conv-1") found B's deleted entry`)
	}
}

// TestConversationsExpireUnread: expired entries go as time passes, not
// only when their own name is looked up again: one-off names do not stay.
func TestConversationsExpireUnread(t *testing.T) {
	cases := []struct {
		name string
		next func(cs *conversations)
		want []string
	}{
		{"on a put of another name", func(cs *conversations) { cs.put("A", conversation{}, "later") }, []string{"A/late", "A/later"}},
		{"on a get of another name", func(cs *conversations) { cs.get("A", "none") }, []string{"A/late"}},
		{"on a sweep with no traffic", func(cs *conversations) { cs.sweep() }, []string{"A/late"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Unix(1000, 0)
			cs := newConversations(time.Minute, 1000, func() time.Time { return now })
			for i := range 100 {
				cs.put(fmt.Sprint("K", i%3), conversation{}, fmt.Sprint("one-off-", i))
			}
			now = now.Add(30 * time.Second)
			cs.put("A", conversation{}, "late")
			now = now.Add(31 * time.Second) // the one-off names are idle past the ttl, "late" is not
			tc.next(cs)
			if got := held(t, cs); !slices.Equal(got, tc.want) {
				t.Errorf("held %q, want %q", got, tc.want)
			}
		})
	}
}

// TestConversationsSweepEvery: with no request at all, the server's sweep
// frees expired entries within a sweep interval past their ttl.
func TestConversationsSweepEvery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cs := newConversations(time.Minute, 100, time.Now)
		cs.put("A", conversation{}, "a1", "a2")
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { cs.sweepEvery(ctx, cs.sweepInterval()); close(done) }()
		time.Sleep(time.Minute) // the fake clock of the bubble
		synctest.Wait()
		if n := cs.len(); n != 2 {
			t.Errorf("len at the ttl = %d, want 2", n)
		}
		time.Sleep(cs.sweepInterval())
		synctest.Wait()
		if n := cs.len(); n != 0 {
			t.Errorf("len a sweep interval past the ttl = %d, want 0", n)
		}
		cancel()
		<-done
	})
}

func TestSweepInterval(t *testing.T) {
	for _, tc := range []struct{ ttl, want time.Duration }{
		{time.Second, time.Second}, {time.Minute, 15 * time.Second}, {time.Hour, time.Minute},
	} {
		if got := newConversations(tc.ttl, 1, time.Now).sweepInterval(); got != tc.want {
			t.Errorf("sweepInterval(ttl %v) = %v, want %v", tc.ttl, got, tc.want)
		}
	}
}

// TestConversationsInvariants runs random puts, gets, deletes and sweeps
// of several owners on a moving clock: the store stays within max, its
// owners' accounting stays exact, its recency list stays in expiry order
// (what expire relies on), and an owner never loses an entry to another
// owner's put while it holds no more than max/N of them.
func TestConversationsInvariants(t *testing.T) {
	for seed := range uint64(20) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 1))
			now := time.Unix(1000, 0)
			const maxEntries, owners = 12, 3
			cs := newConversations(time.Minute, maxEntries, func() time.Time { return now })
			for range 2000 {
				owner, name := fmt.Sprint("O", rng.IntN(owners)), fmt.Sprint("k", rng.IntN(40))
				switch op := rng.IntN(10); {
				case op < 5:
					cs.sweep() // what expires now is not the put's doing
					before := held(t, cs)
					cs.put(owner, conversation{}, name)
					checkFair(t, before, held(t, cs), owner, maxEntries/owners)
				case op < 8:
					cs.get(owner, name)
				case op < 9:
					cs.delete(owner, name)
				default:
					cs.sweep()
				}
				now = now.Add(time.Duration(rng.IntN(3)) * time.Second)
				if n := cs.len(); n > maxEntries {
					t.Fatalf("len = %d, want at most %d", n, maxEntries)
				}
				cs.mu.Lock()
				for el := cs.lru.Front(); el != nil && el.Next() != nil; el = el.Next() {
					if el.Value.(*convEntry).expires.Before(el.Next().Value.(*convEntry).expires) {
						cs.mu.Unlock()
						t.Fatal("recency list out of expiry order")
					}
				}
				cs.mu.Unlock()
			}
		})
	}
}

// checkFair fails if a put by owner took an entry from another owner that
// held no more than share entries.
func checkFair(t *testing.T, before, after []string, owner string, share int) {
	t.Helper()
	count := map[string]int{}
	for _, k := range before {
		count[strings.Split(k, "/")[0]]++
	}
	for _, k := range before {
		o := strings.Split(k, "/")[0]
		if o != owner && count[o] <= share && !slices.Contains(after, k) {
			t.Fatalf("a put by %s evicted %s, whose owner held %d ≤ %d entries", owner, k, count[o], share)
		}
	}
}

// delete forgets owner's key.
func (cs *conversations) delete(owner, key string) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if e, ok := cs.items[convKey{owner, key}]; ok {
		cs.remove(e)
	}
}

// len reports how many keys are remembered.
func (cs *conversations) len() int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.lru.Len()
}
