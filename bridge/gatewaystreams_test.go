package bridge

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tidwall/gjson"
)

// Keepalives and disconnects on the gateway's streams, JSON-RPC and REST.

// gatewayStreams are the stream routes of the gateway, with the shape of
// their events: a JSON-RPC response, or a bare StreamResponse.
var gatewayStreams = []struct {
	name, path, body string
	rest             bool
}{
	{"JSON-RPC", "/a2a/a10", strings.Replace(send10Body, "SendMessage", "SendStreamingMessage", 1), false},
	{"REST", "/a2a/a10/v1/message:stream", `{"message":{"role":"ROLE_USER","messageId":"m1","parts":[{"text":"hi"}]}}`, true},
}

// mux10 is a 1.0 agent's card (its endpoint on host) and endpoint, for
// a server of the test's own.
func mux10(host string, rpc http.HandlerFunc) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/agent-card.json", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"name":"hand10","description":"d","version":"1","supportedInterfaces":[{"url":"http://%s/rpc","protocolBinding":"JSONRPC","protocolVersion":"1.0"}],"capabilities":{"streaming":true},"defaultInputModes":["text"],"defaultOutputModes":["text"],"skills":[]}`, host)
	})
	mux.HandleFunc("POST /rpc", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		rpc(w, r)
	})
	return mux
}

// TestGatewayStreamKeepalive: an agent silent for 3.5 s after its first
// event, a keepalive of 1 s: the gateway's stream carries keepalive
// comments in the gap, on the JSON-RPC and REST routes alike, and the
// events around them are whole and in the route's shape. The clock is
// the synctest bubble's.
func TestGatewayStreamKeepalive(t *testing.T) {
	for _, tc := range gatewayStreams {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				pn := newPipeNet()
				slow := func(w http.ResponseWriter, r *http.Request) {
					sse(w, ev10Task)
					select {
					case <-time.After(3500 * time.Millisecond):
						sse(w, ev10Done)
					case <-r.Context().Done():
					}
				}
				agent := pn.serve(t, "agent.test:80", mux10("agent.test:80", slow))
				base := pn.startBridge(t, Config{Agents: []AgentConfig{{Name: "a10", URL: agent}}, Keepalive: &Duration{time.Second}})
				start := time.Now()
				r := post(t, pn.client(t), base+tc.path, tc.body, "Content-Type", "application/json", "A2A-Version", "1.0")
				if r.status != 200 || r.header.Get("Content-Type") != "text/event-stream" {
					t.Fatalf("POST %s = %d %q %s", tc.path, r.status, r.header.Get("Content-Type"), r.body)
				}
				if n := strings.Count(string(r.body), ": keepalive\n\n"); n != 3 {
					t.Errorf("%d keepalive comments in 3.5 s of silence, want 3:\n%s", n, r.body)
				}
				if took := time.Since(start); took != 3500*time.Millisecond {
					t.Errorf("the stream took %v, want the agent's 3.5 s", took)
				}
				events := sseData(r.body)
				if len(events) != 2 {
					t.Fatalf("events %q, want the task and its end", events)
				}
				for i, want := range []string{"task.id", "statusUpdate.status.state"} {
					ev := gjson.Parse(events[i])
					if !tc.rest {
						if ev.Get("jsonrpc").String() != "2.0" {
							t.Errorf("event %s, want a JSON-RPC response", events[i])
						}
						ev = ev.Get("result")
					}
					if !ev.Get(want).Exists() || ev.Get("jsonrpc").Exists() {
						t.Errorf("event %d = %s, want %s in the route's shape", i, events[i], want)
					}
				}
			})
		})
	}
}

// TestGatewayStreamClientGone: a client that goes away mid-stream makes
// the gateway end its call to the agent (the agent's request ends) within
// a second, on the JSON-RPC and REST routes alike, and leaves no goroutine
// behind.
func TestGatewayStreamClientGone(t *testing.T) {
	checkLeaks(t)
	gone := make(chan time.Time, 1)
	agent := newAgent10(t, true, func(w http.ResponseWriter, r *http.Request) {
		sse(w, ev10Task)
		<-r.Context().Done()
		gone <- time.Now()
	})
	base := startBridge(t, Config{Agents: []AgentConfig{{Name: "a10", URL: agent.URL}}})
	c := httpClient(t)
	for _, tc := range gatewayStreams {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+tc.path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("A2A-Version", "1.0")
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			line, _ := bufio.NewReader(resp.Body).ReadString('\n') // the stream has started
			if !strings.HasPrefix(line, "data: ") {
				t.Fatalf("first line %q", line)
			}
			left := time.Now()
			cancel()
			resp.Body.Close()
			select {
			case at := <-gone:
				if d := at.Sub(left); d > time.Second {
					t.Errorf("the agent's call ended %v after the client left, want within 1 s", d)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the agent's call never ended after the client left")
			}
		})
	}
}
