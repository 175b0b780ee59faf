package bridge

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// TestH2CAgent calls the a2a-go/v2 peer serving HTTP/2 without TLS only:
// with h2c set the answers arrive, streamed and not, in both of its
// dialects; without it the same agent cannot be reached, which proves the
// calls went over h2c.
func TestH2CAgent(t *testing.T) {
	p := startGoPeer(t, "gov2", "--h2c")
	cfg := Config{Agents: []AgentConfig{
		{Name: "h2c", URL: p.url, H2C: true, Timeout: Duration{20 * time.Second}},
		{Name: "h2c03", URL: p.url, H2C: true, Protocol: "0.3", Timeout: Duration{20 * time.Second}},
		{Name: "http1", URL: p.url, Timeout: Duration{5 * time.Second}},
	}}
	base := startBridge(t, cfg)
	client := httpClient(t)
	for _, model := range []string{"a2a/h2c", "a2a/h2c03"} {
		res := post(t, client, base+"/v1/chat/completions", chatBody(model, false, "user", "over h2c"))
		if res.status != http.StatusOK {
			t.Fatalf("%s: status %d: %s", model, res.status, res.body)
		}
		if content, finish := completionText(t, res.body); content != "echo: user: over h2c" || finish != "stop" {
			t.Errorf("%s: answer %q (%s), want %q", model, content, finish, "echo: user: over h2c")
		}
		res = post(t, client, base+"/v1/chat/completions", chatBody(model, true, "user", "MODE:snapshot streamed over h2c"))
		frames, done := chunks(t, res.body)
		checkChunkStream(t, frames, done, model)
		if content, _ := streamText(t, frames); content != "echo: user: MODE:snapshot streamed over h2c" {
			t.Errorf("%s: streamed answer %q", model, content)
		}
	}
	res := post(t, client, base+"/v1/chat/completions", chatBody("a2a/http1", false, "user", "over HTTP/1.1"))
	if res.status != http.StatusBadGateway {
		t.Errorf("HTTP/1.1 call to an h2c-only agent: status %d, want 502: %s", res.status, res.body)
	}
}

// TestH2CStreamsShareConnections holds 50 streams open at once to an h2c
// agent and counts the connections it saw: HTTP/2 multiplexes them over
// one, where HTTP/1.1 takes one each.
func TestH2CStreamsShareConnections(t *testing.T) {
	const streams = 50
	var mu sync.Mutex
	conns := map[string]bool{}
	protos := map[string]bool{}
	var arrived sync.WaitGroup
	arrived.Add(streams)
	release := make(chan struct{})
	agent := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet { // no card: the url is the endpoint
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		conns[r.RemoteAddr], protos[r.Proto] = true, true
		mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, `data: {"jsonrpc":"2.0","id":"1","result":{"kind":"status-update","taskId":"t","contextId":"c","status":{"state":"working"},"final":false}}`+"\n\n")
		w.(http.Flusher).Flush()
		arrived.Done()
		<-release
		fmt.Fprint(w, `data: {"jsonrpc":"2.0","id":"1","result":{"kind":"status-update","taskId":"t","contextId":"c","status":{"state":"completed","message":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"done"}]}},"final":true}}`+"\n\n")
	}))
	agent.Config.Protocols = new(http.Protocols)
	agent.Config.Protocols.SetUnencryptedHTTP2(true)
	agent.Start()
	defer agent.Close()
	base := startBridge(t, Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL, H2C: true, Timeout: Duration{20 * time.Second}}}})
	client := httpClient(t)
	var wg sync.WaitGroup
	answers := make(chan string, streams)
	for range streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := post(t, client, base+"/v1/chat/completions", chatBody("a2a/a", true, "user", "hold"))
			frames, _ := chunks(t, res.body)
			content, _ := streamText(t, frames)
			answers <- content
		}()
	}
	arrived.Wait() // every stream is open at the agent at once
	close(release)
	wg.Wait()
	close(answers)
	for a := range answers {
		if a != "done" {
			t.Errorf("stream answered %q, want %q", a, "done")
		}
	}
	if len(conns) > 2 || !protos["HTTP/2.0"] || len(protos) != 1 {
		t.Errorf("%d streams reached the agent over %d connections with protocols %v; want one or two HTTP/2.0 connections",
			streams, len(conns), protos)
	}
	t.Logf("%d concurrent streams over %d h2c connection(s)", streams, len(conns))
	agent.CloseClientConnections()
}
