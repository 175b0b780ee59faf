package bridge

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestUpstreamBodyResent: the upstream request body, which the bridge lets
// go of once sent, is still sent whole with its Content-Length, and again
// when net/http re-sends it (here a 307 redirect, through GetBody).
func TestUpstreamBodyResent(t *testing.T) {
	type call struct {
		path   string
		length int64 // the Content-Length header
		te     []string
		body   string
	}
	var mu sync.Mutex
	var got []call
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/agent-card.json", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"name":"moved","protocolVersion":"0.3.0","url":"/old","capabilities":{"streaming":true}}`)
	})
	record := func(r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		got = append(got, call{r.URL.Path, r.ContentLength, r.TransferEncoding, string(b)})
	}
	mux.HandleFunc("POST /old", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		http.Redirect(w, r, "/rpc", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("POST /rpc", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		if strings.Contains(r.Header.Get("Accept"), "event-stream") {
			sse(w, evTask, `{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":"t1","contextId":"c1","final":true,"status":{"state":"completed","message":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"moved"}]}}}}`)
			return
		}
		fmt.Fprint(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"moved"}]}}`)
	})
	agent := httptest.NewServer(mux)
	t.Cleanup(agent.Close)
	base := startBridge(t, Config{Agents: []AgentConfig{{Name: "moved", URL: agent.URL, Timeout: Duration{5 * time.Second}}}})
	for _, stream := range []bool{false, true} {
		mu.Lock()
		got = nil
		mu.Unlock()
		res := post(t, httpClient(t), base+"/v1/chat/completions", chatBody("a2a/moved", stream, "user", "hello across a redirect"))
		if res.status != http.StatusOK || !strings.Contains(string(res.body), "moved") {
			t.Fatalf("stream=%v: %d %s", stream, res.status, res.body)
		}
		mu.Lock()
		if len(got) != 2 || got[0].path != "/old" || got[1].path != "/rpc" || got[0].body != got[1].body ||
			!strings.Contains(got[0].body, "hello across a redirect") {
			t.Errorf("stream=%v: the agent got %+v, want the same whole body at /old then /rpc", stream, got)
		}
		for _, c := range got {
			if c.length != int64(len(c.body)) || len(c.te) != 0 {
				t.Errorf("stream=%v: %s got Content-Length %d and Transfer-Encoding %v for %d bytes, want their length", stream, c.path, c.length, c.te, len(c.body))
			}
		}
		mu.Unlock()
	}
}
