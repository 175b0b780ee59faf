package bridge

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// The keepalive on a slow agent is TestKeepaliveCadence's (keepalive_test.go),
// on the fake clock of a synctest bubble.

// dechunk undoes HTTP/1.1 chunked transfer encoding.
func dechunk(t *testing.T, s string) string {
	t.Helper()
	var out strings.Builder
	r := bufio.NewReader(strings.NewReader(s))
	for {
		var size int
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("chunked body: %v in %q", err, s)
		}
		if _, err := fmt.Sscanf(strings.TrimSpace(line), "%x", &size); err != nil || size == 0 {
			return out.String()
		}
		chunk := make([]byte, size+2)
		if _, err := io.ReadFull(r, chunk); err != nil {
			t.Fatal(err)
		}
		out.Write(chunk[:size])
	}
}

// TestKeepaliveSDKs: keepalive comments never corrupt what the SDKs parse.
func TestKeepaliveSDKs(t *testing.T) {
	checkLeaks(t)
	p := startJSPeer(t, "js03.mjs")
	cfg := agentsFor(p)
	cfg.Keepalive = &Duration{200 * time.Millisecond}
	base := startBridge(t, cfg)
	const want = "echo: user: wait MODE:slow"

	oc := openai.DefaultConfig("unused")
	oc.BaseURL = base + "/v1"
	oc.HTTPClient = httpClient(t)
	content, finish := goOpenAIStream(t, openai.NewClientWithConfig(oc), openai.ChatCompletionRequest{
		Model: "a2a/js03", Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "wait MODE:slow"}}})
	if content != want || finish != openai.FinishReasonStop {
		t.Errorf("go-openai streamed %q finish %q through keepalives, want %q stop", content, finish, want)
	}

	var r nodeResult
	runNode(t, "openai-chat.mjs", map[string]any{"baseURL": base + "/v1", "scenario": "stream",
		"request": map[string]any{"model": "a2a/js03", "messages": []map[string]string{{"role": "user", "content": "wait MODE:slow"}}}}, &r)
	if !r.OK || r.Content != want {
		t.Errorf("openai npm streamed %+v, want %q", r, want)
	}
}

// TestClientGoneCancelsTask: a client that disconnects mid-stream makes the
// agent see tasks/cancel for its task within a second, and the bridge keeps
// no goroutine behind (checkLeaks).
func TestClientGoneCancelsTask(t *testing.T) {
	checkLeaks(t)
	type cancelCall struct {
		body string
		at   time.Time
	}
	cancelled := make(chan cancelCall, 1)
	agent := newFaultAgent(t, true, func(w http.ResponseWriter, r *http.Request) {
		_, body := lastBody(r)
		if strings.Contains(body, `"tasks/cancel"`) {
			select {
			case cancelled <- cancelCall{body, time.Now()}:
			default: // a second cancel: the test reads only the first
			}
			fmt.Fprint(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"t1","status":{"state":"canceled"}}}`)
			return
		}
		sse(w, evTask, evPart)
		<-r.Context().Done()
	})
	base := startBridge(t, Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL}}})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/chat/completions",
		strings.NewReader(chatBody("a2a/a", true, "user", "long job")))
	c := httpClient(t)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(resp.Body).ReadString('\n') // the stream has started
	if !strings.HasPrefix(line, "data: ") {
		t.Fatalf("first line %q", line)
	}
	gone := time.Now()
	cancel()
	resp.Body.Close()
	select {
	case call := <-cancelled:
		if d := call.at.Sub(gone); d > time.Second {
			t.Errorf("tasks/cancel came %v after the client left, want within 1s", d)
		}
		if !strings.Contains(call.body, `"params":{"id":"t1"}`) {
			t.Errorf("cancel request %s, want the task t1", call.body)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the agent never saw tasks/cancel")
	}
}

// lastBody is the body the fault agent read for r.
func lastBody(r *http.Request) (http.Header, string) {
	b, _ := io.ReadAll(r.Body)
	return r.Header, string(b)
}
