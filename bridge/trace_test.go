package bridge

import (
	"strings"
	"testing"
	"time"
)

// TestTraceContext: a well-formed W3C traceparent (and its tracestate) goes
// on to the agent and its trace id into the access log; a malformed one is
// dropped.
func TestTraceContext(t *testing.T) {
	const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	agent := newFaultAgent(t, true, answering)
	cfg := Config{Agents: []AgentConfig{{Name: "fa", URL: agent.URL, Headers: map[string]string{"X-Team": "blue"}, Timeout: Duration{10 * time.Second}}}}
	_, base, logs := serveBridge(t, cfg, nil)
	c := oneConn(t)
	cases := []struct {
		name, parent, state   string
		wantParent, wantState string
		logged                bool
	}{
		{"valid", parent, "congo=t61rcWkgMzE", parent, "congo=t61rcWkgMzE", true},
		{"valid, no state", parent, "", parent, "", true},
		{"malformed", "00-xyz-00f067aa0ba902b7-01", "a=b", "", "", false},
		{"all-zero trace id", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "", "", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			header := []string{"traceparent", tc.parent}
			if tc.state != "" {
				header = append(header, "tracestate", tc.state)
			}
			if res := post(t, c, base+"/v1/chat/completions", chatBody("a2a/fa", false, "user", "hi"), header...); res.status != 200 {
				t.Fatalf("chat: %d %s", res.status, res.body)
			}
			h, _ := agent.last()
			if h.Get("Traceparent") != tc.wantParent || h.Get("Tracestate") != tc.wantState || h.Get("X-Team") != "blue" {
				t.Errorf("agent got traceparent %q tracestate %q X-Team %q, want %q %q blue", h.Get("Traceparent"), h.Get("Tracestate"), h.Get("X-Team"), tc.wantParent, tc.wantState)
			}
		})
	}
	if n := len(logs.matching(`"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"`)); n != 2 {
		t.Errorf("access log lines with the trace id = %d, want 2:\n%s", n, logs)
	}
	if strings.Contains(logs.String(), `"trace_id":"00000000`) {
		t.Errorf("an all-zero trace id was logged")
	}
}
