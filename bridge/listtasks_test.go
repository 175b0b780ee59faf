package bridge

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/a2a-bridge/a2a-bridge/bridge/upstream"
	"github.com/a2a-bridge/a2a-bridge/transform"
)

// TestListTasksPeers: upstream.Client.List against real 1.0 agents finds
// the task a message just made, by its context and by its state; the same
// agent spoken to in 0.3 is ErrListUnsupported, with no call.
func TestListTasksPeers(t *testing.T) {
	checkLeaks(t)
	js := startJSPeer(t, "js10.mjs")
	js.name = "js10"
	cfg := agentsFor(js)
	cfg.Agents = append(cfg.Agents, AgentConfig{Name: "js10-pinned03", URL: js.url, Protocol: "0.3"})
	s, err := New(cfg, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.clients.CloseIdle)
	ctx := context.Background()
	target := func(name string) upstream.Target {
		a, err := s.agents.Get("", name)
		if err != nil {
			t.Fatal(err)
		}
		return s.agents.Target(ctx, a)
	}
	t10 := target("js10")
	if t10.Dialect != transform.V10 {
		t.Fatalf("js10 spoken to in %v, want 1.0", t10.Dialect)
	}
	rp, err := s.up.Do(ctx, &t10, upstream.Request{Op: upstream.OpSend, Message: transform.Send{MessageID: "m-list-1", Text: "user: list me"}})
	if err != nil {
		t.Fatal(err)
	}
	var ev transform.Event
	for e, err := range rp.All() {
		if err != nil {
			t.Fatal(err)
		}
		ev = e
	}
	rp.Close()
	if ev.TaskID == "" || ev.ContextID == "" {
		t.Fatalf("the message made no task: last event %+v", ev)
	}
	for _, tc := range []struct {
		name string
		q    upstream.ListQuery
	}{
		{"by context", upstream.ListQuery{ContextID: ev.ContextID}},
		{"by context and state", upstream.ListQuery{ContextID: ev.ContextID, State: ev.State, PageSize: 10, IncludeArtifacts: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, err := s.up.List(ctx, &t10, tc.q)
			if err != nil {
				t.Fatalf("List(%+v) error %v", tc.q, err)
			}
			if len(list.Tasks) != 1 || list.TotalSize != 1 || list.Tasks[0].TaskID != ev.TaskID || list.Tasks[0].State != ev.State {
				t.Errorf("List(%+v) = %+v, want the one task %s (%s)", tc.q, list, ev.TaskID, ev.State)
			}
		})
	}
	t.Run("other state", func(t *testing.T) {
		q := upstream.ListQuery{ContextID: ev.ContextID, State: transform.StateFailed}
		if list, err := s.up.List(ctx, &t10, q); err != nil || len(list.Tasks) != 0 {
			t.Errorf("List(%+v) = %+v, %v, want no task", q, list, err)
		}
	})
	t.Run("a2a-go v2", func(t *testing.T) {
		// a2a-go v2's in-memory store lists only an authenticated user's
		// tasks, and its peer authenticates no one: the method is known
		// (not -32601) and refused as the SDK's JSON-RPC error.
		gov2 := startGoPeer(t, "gov2")
		if _, err := s.agents.Add(AgentConfig{Name: "gov2", URL: gov2.url, Timeout: Duration{20 * time.Second}}); err != nil {
			t.Fatal(err)
		}
		tg := target("gov2")
		if tg.Dialect != transform.V10 {
			t.Fatalf("gov2 spoken to in %v, want 1.0", tg.Dialect)
		}
		list, err := s.up.List(ctx, &tg, upstream.ListQuery{PageSize: 5})
		var rpc *upstream.RPCError
		if err == nil && len(list.Tasks) != 0 || err != nil && (!errors.As(err, &rpc) || errors.Is(err, upstream.ErrMethodNotFound)) {
			t.Errorf("List on a2a-go v2 = %+v, %v, want an empty list or its own JSON-RPC refusal", list, err)
		}
		t.Logf("a2a-go v2: %+v, %v", list, err)
	})
	t.Run("0.3", func(t *testing.T) {
		t03 := target("js10-pinned03")
		if _, err := s.up.List(ctx, &t03, upstream.ListQuery{}); !errors.Is(err, upstream.ErrListUnsupported) || !errors.Is(err, upstream.ErrUnsupportedOperation) {
			t.Errorf("List in 0.3 error %v, want ErrListUnsupported (an ErrUnsupportedOperation)", err)
		}
	})
}
