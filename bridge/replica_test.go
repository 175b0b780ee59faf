package bridge

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// replicaAgent is one replica of an agent: it serves a 0.3 card and
// answers each call with its own name, task ids of its own, input-required
// for a prompt that says "ask"; with hold set, a call waits for release.
type replicaAgent struct {
	*httptest.Server
	name    string
	mu      sync.Mutex
	calls   int
	hold    bool
	arrived chan struct{}
	release chan struct{}
}

func newReplicaAgent(t *testing.T, name string) *replicaAgent {
	ra := &replicaAgent{name: name, arrived: make(chan struct{}, 8), release: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/agent-card.json", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"name":"pool","protocolVersion":"0.3.0","url":"/rpc","capabilities":{"streaming":false}}`)
	})
	mux.HandleFunc("POST /rpc", func(w http.ResponseWriter, r *http.Request) {
		body := readAll(r)
		ra.mu.Lock()
		ra.calls++
		n, hold := ra.calls, ra.hold
		ra.mu.Unlock()
		if hold {
			ra.arrived <- struct{}{}
			select {
			case <-ra.release:
			case <-r.Context().Done():
				return
			}
		}
		state := "completed"
		if strings.Contains(body, "ask") && !strings.Contains(body, "sunny") {
			state = "input-required"
		}
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"t-%s-%d","contextId":"c-%s-%d","status":{"state":%q,"message":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"from %s"}]}}}}`,
			ra.name, n, ra.name, n, state, ra.name)
	})
	ra.Server = httptest.NewServer(mux)
	t.Cleanup(ra.Close)
	return ra
}

func (ra *replicaAgent) count() int {
	ra.mu.Lock()
	defer ra.mu.Unlock()
	return ra.calls
}

// TestReplicasLeastLoaded: a new task goes to the least loaded replica (A
// holds a call, so the next goes to B), and a call that continues a task
// goes to the replica that holds it, though another is as idle.
func TestReplicasLeastLoaded(t *testing.T) {
	a, b := newReplicaAgent(t, "A"), newReplicaAgent(t, "B")
	a.hold = true
	cfg := Config{Agents: []AgentConfig{{Name: "pool", URLs: []string{a.URL, b.URL}, Timeout: Duration{10 * time.Second}}}}
	_, base, _ := serveBridge(t, cfg, nil)
	c := httpClient(t)
	first := make(chan result, 1)
	go func() {
		res, _ := tryPost(c, base+"/v1/chat/completions", chatBody("a2a/pool", false, "user", "one"))
		first <- res
	}()
	<-a.arrived // A holds the first call
	res := post(t, c, base+"/v1/chat/completions", chatBody("a2a/pool", false, "user", "ask me"))
	if text, _ := completionText(t, res.body); text != "from B" {
		t.Errorf("second call answered %q, want from B (A was busy)", text)
	}
	taskID := res.header.Get("X-A2A-Task-Id")
	close(a.release)
	if res := <-first; res.status != 200 || !strings.Contains(string(res.body), "from A") {
		t.Errorf("first call: %d %s, want from A", res.status, res.body)
	}
	// Both idle now: a new task would go to A; the continuation of B's task goes to B.
	before := a.count()
	res = post(t, c, base+"/v1/chat/completions", chatBody("a2a/pool", false, "user", "ask me", "assistant", "from B", "user", "sunny"),
		"X-A2A-Task-Id", taskID)
	if text, _ := completionText(t, res.body); text != "from B" || a.count() != before {
		t.Errorf("continuation of %s answered %q (A called %d more times), want from B only", taskID, text, a.count()-before)
	}
}

// TestReplicaFailover: a replica that refuses the connection (no byte of
// the request sent) passes a new task to the next one; a continuation of a
// task held by a replica that went down is not sent elsewhere.
func TestReplicaFailover(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused
	a, b := newReplicaAgent(t, "A"), newReplicaAgent(t, "B")
	cfg := Config{Agents: []AgentConfig{{Name: "pool", URLs: []string{down, a.URL, b.URL}, Timeout: Duration{10 * time.Second}}}}
	_, base, _ := serveBridge(t, cfg, nil)
	c := httpClient(t)
	res := post(t, c, base+"/v1/chat/completions", chatBody("a2a/pool", false, "user", "ask me"))
	if res.status != 200 || !strings.Contains(string(res.body), "from A") {
		t.Fatalf("call with replica 0 down: %d %s, want from A", res.status, res.body)
	}
	taskID := res.header.Get("X-A2A-Task-Id")
	a.Close() // A, which holds the task, goes down
	res = post(t, c, base+"/v1/chat/completions", chatBody("a2a/pool", false, "user", "ask me", "assistant", "from A", "user", "sunny"),
		"X-A2A-Task-Id", taskID)
	if res.status != 502 || b.count() != 0 {
		t.Errorf("continuation held by a replica that is down: %d (B called %d times), want 502 and B never called: %s", res.status, b.count(), res.body)
	}
}

// TestReplicaProbes: each replica is probed; a2a_bridge_agent_up says
// each one's state by its index, and the agent is as healthy as its best.
func TestReplicaProbes(t *testing.T) {
	a, b := newReplicaAgent(t, "A"), newReplicaAgent(t, "B")
	cfg := Config{APIKeys: []APIKey{{Key: teamKey, Name: teamName}},
		Agents: []AgentConfig{{Name: "pool", URLs: []string{a.URL, b.URL}, Timeout: Duration{10 * time.Second}}}}
	s, base, _ := serveBridge(t, cfg, nil)
	c := oneConn(t)
	b.Close()
	for range 3 {
		s.probeAll(t.Context())
	}
	fams := scrape(t, c, base)
	for _, w := range []struct {
		replica string
		up      float64
	}{{"0", 1}, {"1", 0}} {
		if got, ok := sample(fams, "a2a_bridge_agent_up", "agent", "pool", "replica", w.replica); !ok || got != w.up {
			t.Errorf("a2a_bridge_agent_up{replica=%s} = %v (present %v), want %v", w.replica, got, ok, w.up)
		}
	}
	var v agentView
	res := send(t, c, http.MethodGet, base+"/v1/agents/pool", teamKey, "")
	if err := json.Unmarshal(res.body, &v); err != nil || v.Replicas != 2 || v.State != "healthy" {
		t.Errorf("GET /v1/agents/pool = %s, want 2 replicas, healthy", res.body)
	}
	// Replica 1 is unhealthy and down: calls go on, to replica 0.
	for range 3 {
		if res := post(t, c, base+"/v1/chat/completions", chatBody("a2a/pool", false, "user", "hi"), "Authorization", "Bearer "+teamKey); res.status != 200 {
			t.Errorf("call with replica 1 unhealthy: %d %s", res.status, res.body)
		}
	}
}

// TestReplicaURLRedacted: what a second replica says of its own address
// (a failed task's text naming it) is scrubbed, as the first's is.
func TestReplicaURLRedacted(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String()
	ln.Close()
	var self string
	b := newCardAgent(t, `{"name":"pool","protocolVersion":"0.3.0","url":"/rpc"}`, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"t","contextId":"c","status":{"state":"failed","message":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"cannot reach host %s"}]}}}}`, self)
	})
	self = strings.TrimPrefix(b.URL, "http://") // its host, bare
	cfg := Config{Agents: []AgentConfig{{Name: "pool", URLs: []string{down, b.URL}, Timeout: Duration{10 * time.Second}}}}
	_, base, _ := serveBridge(t, cfg, nil)
	res := post(t, httpClient(t), base+"/v1/chat/completions", chatBody("a2a/pool", false, "user", "hi"))
	_, port, _ := net.SplitHostPort(self)
	if res.status != 400 || strings.Contains(string(res.body), self) || strings.Contains(string(res.body), ":"+port) {
		t.Errorf("failed task of replica 1: %d %s, want 400 without its address", res.status, res.body)
	}
}
