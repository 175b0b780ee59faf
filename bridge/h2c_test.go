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
	checkLeaks(t)
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
// one, where HTTP/1.1 takes one each. The streams' goroutines report on
// channels; every wait is bounded, so a stream that fails fails the test
// instead of hanging it.
func TestH2CStreamsShareConnections(t *testing.T) {
	checkLeaks(t)
	const streams = 50
	var mu sync.Mutex
	conns := map[string]bool{}
	protos := map[string]bool{}
	arrived := make(chan struct{}, streams)
	release := make(chan struct{})
	var releaseOnce sync.Once
	releaseAll := func() { releaseOnce.Do(func() { close(release) }) }
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
		arrived <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		fmt.Fprint(w, `data: {"jsonrpc":"2.0","id":"1","result":{"kind":"status-update","taskId":"t","contextId":"c","status":{"state":"completed","message":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"done"}]}},"final":true}}`+"\n\n")
	}))
	agent.Config.Protocols = new(http.Protocols)
	agent.Config.Protocols.SetUnencryptedHTTP2(true)
	agent.Start()
	t.Cleanup(agent.Close)
	base := startBridge(t, Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL, H2C: true, Timeout: Duration{20 * time.Second}}}})
	client := httpClient(t)
	t.Cleanup(releaseAll) // on a failure, first of all: no handler is left waiting
	type answer struct {
		res result
		err error
	}
	answers := make(chan answer, streams)
	for range streams {
		go func() {
			res, err := tryPost(client, base+"/v1/chat/completions", chatBody("a2a/a", true, "user", "hold"))
			answers <- answer{res, err}
		}()
	}
	timeout := time.After(30 * time.Second)
	got := make([]answer, 0, streams)
	for n := 0; n < streams; { // every stream is open at the agent at once
		select {
		case <-arrived:
			n++
		case a := <-answers: // a stream that ended before all arrived: it failed
			got = append(got, a)
			t.Errorf("a stream ended before all %d were open: %v %d %s", streams, a.err, a.res.status, a.res.body)
		case <-timeout:
			t.Fatalf("%d of %d streams open at the agent after 30s", n, streams)
		}
	}
	releaseAll()
	for len(got) < streams {
		select {
		case a := <-answers:
			got = append(got, a)
		case <-timeout:
			t.Fatalf("%d of %d streams answered after 30s", len(got), streams)
		}
	}
	for _, a := range got {
		if a.err != nil {
			t.Errorf("stream: %v", a.err)
			continue
		}
		frames, _ := chunks(t, a.res.body)
		if content, _ := streamText(t, frames); content != "done" {
			t.Errorf("stream answered %q, want %q", content, "done")
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(conns) > 2 || !protos["HTTP/2.0"] || len(protos) != 1 {
		t.Errorf("%d streams reached the agent over %d connections with protocols %v; want one or two HTTP/2.0 connections",
			streams, len(conns), protos)
	}
	t.Logf("%d concurrent streams over %d h2c connection(s)", streams, len(conns))
	agent.CloseClientConnections()
}
