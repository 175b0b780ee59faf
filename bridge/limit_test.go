package bridge

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

const evCompleted = `{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":"t1","contextId":"c1","final":true,"status":{"state":"completed"}}}`

// heldAgent is a streaming agent that starts every stream at once (its first
// content) and then holds it open until release is closed; arrived gets one
// value per call.
type heldAgent struct {
	*faultAgent
	arrived chan struct{}
	release chan struct{}
}

func newHeldAgent(t *testing.T) *heldAgent {
	h := &heldAgent{arrived: make(chan struct{}, 1024), release: make(chan struct{})}
	h.faultAgent = newFaultAgent(t, true, func(w http.ResponseWriter, r *http.Request) {
		// The bridge starts a client's stream on the first content.
		sse(w, evTask, evPart)
		h.arrived <- struct{}{}
		select {
		case <-h.release:
			sse(w, evCompleted)
		case <-r.Context().Done():
		}
	})
	return h
}

// openStream starts a chat stream through the bridge and returns once its
// headers are in, with the body still open.
func openStream(t *testing.T, c *http.Client, base string) *http.Response {
	t.Helper()
	resp, err := c.Post(base+"/v1/chat/completions", "application/json", strings.NewReader(chatBody("a2a/held", true, "user", "hi")))
	if err != nil {
		t.Fatalf("POST stream: %v", err)
	}
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("held stream = %d %s, want 200", resp.StatusCode, b)
	}
	return resp
}

// try sends one request (from any goroutine) and reads its whole answer;
// closed reports the server's Connection: close.
func try(c *http.Client, method, url, body string) (res result, closed bool, err error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return res, false, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return res, false, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return result{resp.StatusCode, resp.Header, b}, resp.Close, err
}

// overloaded sends one request and checks it is refused as past
// server.max_concurrent.
func overloaded(c *http.Client, method, url, body string) error {
	res, closed, err := try(c, method, url, body)
	if err != nil {
		return err
	}
	var e openAIError
	if res.status != http.StatusServiceUnavailable {
		return fmt.Errorf("status = %d, want 503: %s", res.status, res.body)
	}
	if err := json.Unmarshal(res.body, &e); err != nil || e.Error.Type != "overloaded" || deref(e.Error.Code) != "overloaded" {
		return fmt.Errorf("body = %s, want an OpenAI error of type and code overloaded", res.body)
	}
	if got := res.header.Get("Retry-After"); got != "1" {
		return fmt.Errorf("Retry-After = %q, want 1", got)
	}
	if !closed {
		return fmt.Errorf("connection kept open, want Connection: close")
	}
	return nil
}

// finish reads a held stream to its end, which it reaches only after the
// bridge's handler returned (the chunked body ends after it).
func finish(t *testing.T, resp *http.Response) {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read held stream: %v", err)
	}
	if _, done := chunks(t, b); !done {
		t.Errorf("held stream did not end with [DONE]: %s", b)
	}
}

// quickClient fails a request that is not answered at once (the refusal
// must not wait for a slot), instead of the default 30 s.
func quickClient(t *testing.T) *http.Client {
	c := httpClient(t)
	c.Timeout = 10 * time.Second
	return c
}

// TestMaxConcurrent: past server.max_concurrent requests in flight, the next
// is refused at once with 503 overloaded; /healthz still answers; a slot
// freed is a request served.
func TestMaxConcurrent(t *testing.T) {
	checkLeaks(t)
	agent := newHeldAgent(t)
	_, base, _ := serveBridge(t, Config{Agents: []AgentConfig{{Name: "held", URL: agent.URL}},
		Server: ServerConfig{MaxConcurrent: 2}}, nil)
	c := quickClient(t)
	held := []*http.Response{openStream(t, c, base), openStream(t, c, base)}
	<-agent.arrived
	<-agent.arrived

	if err := overloaded(c, http.MethodPost, base+"/v1/chat/completions", chatBody("a2a/held", true, "user", "hi")); err != nil {
		t.Errorf("third request: %v", err)
	}
	if err := overloaded(c, http.MethodGet, base+"/v1/models", ""); err != nil {
		t.Errorf("GET /v1/models past the bound: %v", err)
	}
	if res := get(t, c, base+"/healthz"); res.status != 200 {
		t.Errorf("GET /healthz past the bound = %d %s, want 200", res.status, res.body)
	}

	close(agent.release)
	for _, resp := range held {
		finish(t, resp)
	}
	res := post(t, c, base+"/v1/chat/completions", chatBody("a2a/held", false, "user", "hi"))
	if res.status != 200 {
		t.Errorf("request once the held ones ended = %d %s, want 200", res.status, res.body)
	}
}

// TestMaxConcurrentFlood: far more requests than the bound; every one past
// it is refused, and /healthz answers throughout.
func TestMaxConcurrentFlood(t *testing.T) {
	checkLeaks(t)
	const bound, total = 50, 300
	agent := newHeldAgent(t)
	_, base, _ := serveBridge(t, Config{Agents: []AgentConfig{{Name: "held", URL: agent.URL}},
		Server: ServerConfig{MaxConcurrent: bound}}, nil)
	c := quickClient(t)
	var held []*http.Response
	for range bound {
		held = append(held, openStream(t, c, base))
		<-agent.arrived
	}
	results := make(chan error, total-bound)
	for range total - bound {
		go func() {
			results <- overloaded(c, http.MethodPost, base+"/v1/chat/completions", chatBody("a2a/held", true, "user", "hi"))
		}()
	}
	if res := get(t, c, base+"/healthz"); res.status != 200 {
		t.Errorf("GET /healthz under the flood = %d, want 200", res.status)
	}
	refused := 0
	for range total - bound {
		if err := <-results; err != nil {
			t.Errorf("request past the bound: %v", err)
			continue
		}
		refused++
	}
	if refused != total-bound {
		t.Errorf("refused %d of %d requests past the bound", refused, total-bound)
	}
	close(agent.release)
	for _, resp := range held {
		finish(t, resp)
	}
	if res := post(t, c, base+"/v1/chat/completions", chatBody("a2a/held", false, "user", "hi")); res.status != 200 {
		t.Errorf("request after the flood = %d %s, want 200", res.status, res.body)
	}
}

func TestConcurrencyFor(t *testing.T) {
	tests := []struct {
		name      string
		want      int
		soft      uint64
		perReq    int
		wantBound int
	}{
		{"plenty of files", 8000, 20000, 2, 8000},
		{"unlimited", 8000, ^uint64(0), 2, 8000},
		{"default soft limit", 8000, 1024, 2, (1024 - fdReserve) / 2},
		{"demo calls itself: three a request", 8000, 20000, 3, (20000 - fdReserve) / 3},
		{"configured below what fits", 2, 1024, 2, 2},
		{"tiny soft limit keeps a floor", 8000, 100, 2, minConcurrent},
		{"floor never raises a smaller setting", 3, 100, 2, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := concurrencyFor(tc.want, tc.soft, tc.perReq); got != tc.wantBound {
				t.Errorf("concurrencyFor(%d, %d, %d) = %d, want %d", tc.want, tc.soft, tc.perReq, got, tc.wantBound)
			}
		})
	}
}

// TestMaxConcurrentFollowsOpenFiles: under a soft open-files limit too small
// for the default, New lowers the bound and says so.
func TestMaxConcurrentFollowsOpenFiles(t *testing.T) {
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Skipf("getrlimit: %v", err)
	}
	low := syscall.Rlimit{Cur: 1000, Max: old.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Skipf("setrlimit: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old) })
	logs := &logBuffer{}
	s, err := New(Config{Agents: []AgentConfig{{Name: "a", URL: "http://127.0.0.1:1"}}}, zerologTo(logs))
	if err != nil {
		t.Fatal(err)
	}
	if want := (1000 - fdReserve) / 2; s.maxConcurrent != want {
		t.Errorf("maxConcurrent under a soft limit of 1000 = %d, want %d", s.maxConcurrent, want)
	}
	if got := logs.matching(`"level":"warn"`, "max_concurrent", `"open_files":1000`); len(got) != 1 {
		t.Errorf("log lines on the lowered bound = %q, want one warning naming max_concurrent and open_files", logs.lines())
	}
	// The demo agent alone (make run on a fresh machine): said, not warned.
	demoLogs := &logBuffer{}
	if _, err := New(Config{}, zerologTo(demoLogs)); err != nil {
		t.Fatal(err)
	}
	if got := demoLogs.matching(`"level":"info"`, "max_concurrent", `"open_files":1000`); len(got) != 1 {
		t.Errorf("demo log lines on the lowered bound = %q, want one info line", demoLogs.lines())
	}
}
