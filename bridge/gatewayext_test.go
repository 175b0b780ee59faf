package bridge

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tidwall/gjson"
)

// agent10 is a hand-written A2A agent of either dialect: its card names
// its JSON-RPC endpoint /rpc (a 1.0 card with supportedInterfaces, or a
// 0.3 card), rpc answers every call, and the headers of the last call are
// kept.
type agent10 struct {
	*httptest.Server
	mu     sync.Mutex
	header http.Header
	bodies []string
}

func newAgent10(t *testing.T, v10 bool, rpc http.HandlerFunc) *agent10 {
	t.Helper()
	a := &agent10{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/agent-card.json", func(w http.ResponseWriter, r *http.Request) {
		if v10 {
			fmt.Fprintf(w, `{"name":"hand10","description":"d","version":"1","supportedInterfaces":[{"url":"http://%s/rpc","protocolBinding":"JSONRPC","protocolVersion":"1.0"}],"capabilities":{"streaming":true},"defaultInputModes":["text"],"defaultOutputModes":["text"],"skills":[]}`, r.Host)
			return
		}
		fmt.Fprint(w, `{"name":"hand03","protocolVersion":"0.3.0","url":"/rpc","capabilities":{"streaming":true}}`)
	})
	mux.HandleFunc("POST /rpc", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		a.mu.Lock()
		a.header, a.bodies = r.Header.Clone(), append(a.bodies, string(body))
		a.mu.Unlock()
		rpc(w, r)
	})
	a.Server = httptest.NewServer(mux)
	t.Cleanup(a.Close)
	return a
}

// last is the headers of the last call.
func (a *agent10) last() http.Header {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.header
}

const (
	task10     = `{"jsonrpc":"2.0","id":1,"result":{"task":{"id":"t1","contextId":"c1","status":{"state":"TASK_STATE_COMPLETED"}}}}`
	ev10Task   = `{"jsonrpc":"2.0","id":1,"result":{"task":{"id":"t1","contextId":"c1","status":{"state":"TASK_STATE_SUBMITTED"}}}}`
	ev10Done   = `{"jsonrpc":"2.0","id":1,"result":{"statusUpdate":{"taskId":"t1","contextId":"c1","status":{"state":"TASK_STATE_COMPLETED"}}}}`
	send10Body = `{"jsonrpc":"2.0","id":3,"method":"SendMessage","params":{"message":{"role":"ROLE_USER","messageId":"m1","parts":[{"text":"hi"}]}}}`
	send03Body = `{"jsonrpc":"2.0","id":3,"method":"message/send","params":{"message":{"kind":"message","role":"user","messageId":"m1","parts":[{"kind":"text","text":"hi"}]}}}`
)

// TestGatewayExtensions: the caller's A2A-Extensions header reaches the
// agent (X-A2A-Extensions for a 0.3 agent), and the agent's comes back,
// on the JSON-RPC and REST routes, send and stream; a caller's header
// past 1 KiB or with control characters is refused naming it, and an
// agent's unfit one is dropped.
func TestGatewayExtensions(t *testing.T) {
	checkLeaks(t)
	const ext = "https://ext.example/a/v1, https://ext.example/b/v1"
	answer := func(w http.ResponseWriter, r *http.Request, v string, stream bool) {
		name := "A2A-Extensions"
		if r.Header.Get("A2A-Version") == "" {
			name = "X-A2A-Extensions"
		}
		w.Header()[name] = []string{v}
		if stream {
			sse(w, ev10Task, ev10Done)
			return
		}
		if name == "A2A-Extensions" {
			fmt.Fprint(w, task10)
			return
		}
		fmt.Fprint(w, `{"jsonrpc":"2.0","id":3,"result":{"kind":"task","id":"t1","contextId":"c1","status":{"state":"completed"}}}`)
	}
	reply := "https://ext.example/a/v1"
	var mu sync.Mutex
	handler := func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		v := reply
		mu.Unlock()
		answer(w, r, v, strings.Contains(r.Header.Get("Accept"), "event-stream"))
	}
	a10, a03 := newAgent10(t, true, handler), newAgent10(t, false, handler)
	base := startBridge(t, Config{Agents: []AgentConfig{{Name: "a10", URL: a10.URL}, {Name: "a03", URL: a03.URL}}})
	c := httpClient(t)
	stream10 := strings.Replace(send10Body, "SendMessage", "SendStreamingMessage", 1)
	for _, tc := range []struct {
		name, path, body, sentAs, agentGot, answerAs string
		agent                                        *agent10
	}{
		{"JSON-RPC 1.0 send", "/a2a/a10", send10Body, "A2A-Extensions", "A2A-Extensions", "A2A-Extensions", a10},
		{"JSON-RPC 1.0 stream", "/a2a/a10", stream10, "A2A-Extensions", "A2A-Extensions", "A2A-Extensions", a10},
		{"JSON-RPC 0.3 send", "/a2a/a03", send03Body, "X-A2A-Extensions", "X-A2A-Extensions", "X-A2A-Extensions", a03},
		{"REST send", "/a2a/a10/v1/message:send", `{"message":{"role":"ROLE_USER","messageId":"m1","parts":[{"text":"hi"}]}}`, "A2A-Extensions", "A2A-Extensions", "A2A-Extensions", a10},
		{"REST stream", "/a2a/a10/v1/message:stream", `{"message":{"role":"ROLE_USER","messageId":"m1","parts":[{"text":"hi"}]}}`, "A2A-Extensions", "A2A-Extensions", "A2A-Extensions", a10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := []string{tc.sentAs, ext, "Content-Type", "application/json"}
			if strings.Contains(tc.body, `"ROLE_USER"`) && !strings.Contains(tc.path, "/v1/") {
				h = append(h, "A2A-Version", "1.0")
			}
			r := post(t, c, base+tc.path, tc.body, h...)
			if r.status != 200 || strings.Contains(string(r.body), `"error"`) {
				t.Fatalf("POST %s = %d %s", tc.path, r.status, r.body)
			}
			if got := tc.agent.last().Get(tc.agentGot); got != ext {
				t.Errorf("the agent got %s: %q, want %q", tc.agentGot, got, ext)
			}
			if got := r.header.Get(tc.answerAs); got != reply {
				t.Errorf("the caller got %s: %q, want the agent's %q", tc.answerAs, got, reply)
			}
		})
	}
	t.Run("caller's too long", func(t *testing.T) {
		long := strings.Repeat("x", 1025)
		r := post(t, c, base+"/a2a/a10", send10Body, "A2A-Extensions", long, "A2A-Version", "1.0", "Content-Type", "application/json")
		if e := gjson.GetBytes(r.body, "error"); e.Get("code").Int() != -32602 || !strings.Contains(e.Get("message").String(), "A2a-Extensions") {
			t.Errorf("JSON-RPC with a 1025-byte A2A-Extensions = %d %s, want -32602 naming the header", r.status, r.body)
		}
		r = post(t, c, base+"/a2a/a10/v1/message:send", `{"message":{}}`, "A2A-Extensions", "a\tb", "Content-Type", "application/json")
		if r.status != 400 || !strings.Contains(gjson.GetBytes(r.body, "error.message").String(), "A2a-Extensions") {
			t.Errorf("REST with a tab in A2A-Extensions = %d %s, want 400 naming the header", r.status, r.body)
		}
	})
	t.Run("agent's too long", func(t *testing.T) {
		mu.Lock()
		reply = strings.Repeat("y", 1025)
		mu.Unlock()
		r := post(t, c, base+"/a2a/a10", send10Body, "A2A-Version", "1.0", "Content-Type", "application/json")
		if r.status != 200 || r.header.Get("A2A-Extensions") != "" {
			t.Errorf("an agent's 1025-byte A2A-Extensions = %d, header %d bytes, want it dropped", r.status, len(r.header.Get("A2A-Extensions")))
		}
	})
}
