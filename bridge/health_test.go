package bridge

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// cardSwitch is an agent whose card answers as mode says: "ok", "slow"
// (it moves the bridge's clock past degraded_after) or "fail" (HTTP 500);
// its calls answer with rpc.
type cardSwitch struct {
	mu    sync.Mutex
	mode  string
	clock *fakeClock
}

func (cs *cardSwitch) set(mode string) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.mode = mode
}

func (cs *cardSwitch) serve(t *testing.T, rpc http.HandlerFunc) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/agent-card.json", func(w http.ResponseWriter, r *http.Request) {
		cs.mu.Lock()
		mode := cs.mode
		cs.mu.Unlock()
		switch mode {
		case "fail":
			http.Error(w, "down", http.StatusInternalServerError)
			return
		case "slow":
			cs.clock.advance(3 * time.Second)
		}
		fmt.Fprint(w, `{"name":"p","protocolVersion":"0.3.0","url":"/rpc","capabilities":{"streaming":true}}`)
	})
	mux.HandleFunc("POST /rpc", rpc)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// stateIn is the state /v1/agents/{name} shows.
func stateIn(t *testing.T, c *http.Client, base, name string) string {
	t.Helper()
	var v agentView
	res := send(t, c, http.MethodGet, base+"/v1/agents/"+name, teamKey, "")
	if err := json.Unmarshal(res.body, &v); err != nil {
		t.Fatalf("GET /v1/agents/%s: %d %s", name, res.status, res.body)
	}
	return v.State
}

// TestHealthProbes: probes (card fetches) make an agent healthy, degraded
// when slower than degraded_after or failing once or twice, unhealthy at
// the third failure in a row, healthy again on a good probe; each change
// of state is logged once and said in a2a_bridge_agent_up{agent,replica}.
func TestHealthProbes(t *testing.T) {
	clock := newFakeClock()
	cs := &cardSwitch{mode: "ok", clock: clock}
	agent := cs.serve(t, answering)
	cfg := Config{APIKeys: []APIKey{{Key: teamKey, Name: teamName}},
		Agents: []AgentConfig{{Name: "p", URL: agent.URL, Timeout: Duration{10 * time.Second}}}}
	s, base, logs := serveBridge(t, cfg, func(s *Server) { s.now = clock.now })
	c := oneConn(t)
	steps := []struct {
		mode, state string
		up          float64
	}{
		{"ok", "healthy", 1},
		{"slow", "degraded", 1},
		{"fail", "degraded", 1},
		{"fail", "degraded", 1},
		{"fail", "unhealthy", 0},
		{"ok", "healthy", 1},
	}
	for i, st := range steps {
		cs.set(st.mode)
		s.probeAll(t.Context())
		if got := stateIn(t, c, base, "p"); got != st.state {
			t.Errorf("step %d (%s): state %q, want %q", i, st.mode, got, st.state)
		}
		if got, ok := sample(scrape(t, c, base), "a2a_bridge_agent_up", "agent", "p", "replica", "0"); !ok || got != st.up {
			t.Errorf("step %d (%s): a2a_bridge_agent_up = %v (present %v), want %v", i, st.mode, got, ok, st.up)
		}
	}
	if got := logs.matching(`"agent state changed"`); len(got) != 4 {
		t.Errorf("state changes logged %d times, want 4 (healthy, degraded, unhealthy, healthy):\n%s", len(got), logs)
	}
}

// TestHealthPassive: five calls in a row that fail in the transport make an
// agent unhealthy before any probe; four do not, a call that works undoes
// it, and tasks the agent failed (its verdict, not its health) never count.
func TestHealthPassive(t *testing.T) {
	var mu sync.Mutex
	mode := "down"
	agent := newFaultAgent(t, true, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		m := mode
		mu.Unlock()
		if m == "down" {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		answering(w, r)
	})
	cfg := Config{APIKeys: []APIKey{{Key: teamKey, Name: teamName}},
		Agents: []AgentConfig{{Name: "fa", URL: agent.URL, Timeout: Duration{10 * time.Second}}}}
	_, base, _ := serveBridge(t, cfg, nil)
	c := oneConn(t)
	chat := func(prompt string) {
		post(t, c, base+"/v1/chat/completions", chatBody("a2a/fa", false, "user", prompt), "Authorization", "Bearer "+teamKey)
	}
	for range 4 {
		chat("hi")
	}
	if got := stateIn(t, c, base, "fa"); got == "unhealthy" {
		t.Errorf("state after 4 failed calls = %q, want not yet unhealthy", got)
	}
	chat("hi")
	if got := stateIn(t, c, base, "fa"); got != "unhealthy" {
		t.Errorf("state after 5 failed calls = %q, want unhealthy", got)
	}
	mu.Lock()
	mode = "up"
	mu.Unlock()
	chat("hi")
	if got := stateIn(t, c, base, "fa"); got == "unhealthy" {
		t.Errorf("state after a call that worked = %q, want no longer unhealthy", got)
	}
	for range 6 {
		chat("fail this task")
	}
	if got := stateIn(t, c, base, "fa"); got == "unhealthy" {
		t.Errorf("state after 6 failed tasks = %q, want not unhealthy (a task's verdict is no health fault)", got)
	}
}

// TestEvery: the prober's loop calls f once per interval, on time, and
// ends with its context.
func TestEvery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		var calls []time.Duration
		start := time.Now()
		done := make(chan struct{})
		go func() {
			defer close(done)
			every(ctx, 30*time.Second, func() { calls = append(calls, time.Since(start)) })
		}()
		time.Sleep(95 * time.Second)
		synctest.Wait()
		cancel()
		<-done
		if fmt.Sprint(calls) != "[30s 1m0s 1m30s]" {
			t.Errorf("every(30s) called f at %v, want [30s 1m0s 1m30s]", calls)
		}
	})
}

// TestReadyz: /readyz is 200 while the bridge serves, without a key, and
// 503 once it drains.
func TestReadyz(t *testing.T) {
	cfg := Config{APIKeys: []APIKey{{Key: teamKey, Name: teamName}}}
	s, base, _ := serveBridge(t, cfg, nil)
	c := httpClient(t)
	if got := getStatus(t, c, base+readyPath, []string{"X-None", ""}); got != 200 {
		t.Errorf("GET /readyz = %d, want 200", got)
	}
	s.draining.Store(true)
	if got := getStatus(t, c, base+readyPath, []string{"X-None", ""}); got != 503 {
		t.Errorf("GET /readyz while draining = %d, want 503", got)
	}
	s.draining.Store(false)
}
