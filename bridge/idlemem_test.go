package bridge

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"
)

// TestIdleStreamHeap bounds the live heap an idle stream costs (its agent
// holding it open after the first content), this process's whole heap
// divided by the streams: the bridge's share, and the test's agent's and
// client's. The prompt is 8 KiB: a stream that kept copies of it (the
// transport's copy of the A2A request, the inbound body) would show them.
func TestIdleStreamHeap(t *testing.T) {
	if raceOn {
		t.Skip("the race detector's shadow memory and pool drops change the heap")
	}
	const n = 100
	agent := newHeldAgent(t)
	cfg := Config{Agents: []AgentConfig{{Name: "held", URL: agent.URL}}, Keepalive: &Duration{time.Hour}}
	base := startBridge(t, cfg)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}}
	t.Cleanup(client.CloseIdleConnections)
	body := chatBody("a2a/held", true, "user", strings.Repeat("lorem ipsum ", 8<<10/12))
	open := func() *http.Response {
		resp, err := client.Post(base+"/v1/chat/completions", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatalf("POST stream: %v", err)
		}
		if resp.StatusCode != 200 {
			resp.Body.Close()
			t.Fatalf("held stream = %d, want 200", resp.StatusCode)
		}
		<-agent.arrived
		return resp
	}
	open().Body.Close() // the card read, the pools warm
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	resps := make([]*http.Response, 0, n)
	for range n {
		resps = append(resps, open())
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if p := os.Getenv("A2A_BRIDGE_IDLE_HEAP"); p != "" { // go test -memprofilerate=1, for pprof
		if f, err := os.Create(p); err == nil {
			_ = pprof.Lookup("heap").WriteTo(f, 0)
			f.Close()
		}
	}
	close(agent.release)
	for _, r := range resps {
		r.Body.Close()
	}
	perStream := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / n
	t.Logf("live heap per idle stream: %d B (bridge, agent and client); stacks %d B", perStream, (int64(after.StackInuse)-int64(before.StackInuse))/n)
	if max := int64(150 << 10); perStream > max { // 2x the 75 KiB measured
		t.Errorf("live heap per idle stream = %d B, want at most %d", perStream, max)
	}
}

// TestIdleStreamHoldsNoPrompt: a stream held open by its agent holds no
// copy of its conversation (the parsed request, the A2A request, the
// flattened prompt): with a 4 MiB message the live heap of the open
// stream stays far under its size.
func TestIdleStreamHoldsNoPrompt(t *testing.T) {
	const size = 4 << 20
	agent, arrived := newStreamHolder(t)
	cfg := Config{Agents: []AgentConfig{{Name: "held", URL: agent}}, Keepalive: &Duration{time.Hour}, Usage: "estimate"}
	cfg.Limits.MaxRequestBody = 4 * size
	base := startBridge(t, cfg)
	client := httpClient(t)
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	// The client's own transport keeps its request as long as the answer
	// is read: its body lets go of its bytes once sent.
	body := &spentReader{b: []byte(chatBody("a2a/held", true, "user", strings.Repeat("x", size)))}
	resp, err := client.Post(base+"/v1/chat/completions", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d, want 200", resp.StatusCode)
	}
	<-arrived
	held := heldHeap(&before, size/4, "")
	if held > size/4 {
		t.Errorf("an idle stream holds %d KiB, want well under its %d KiB conversation", held>>10, size>>10)
	}
}

// newStreamHolder starts an agent that answers a stream with its first
// content and holds it open until the test ends; arrived gets a value
// once it has. It keeps nothing of the request.
func newStreamHolder(t *testing.T) (url string, arrived <-chan struct{}) {
	in, release := make(chan struct{}, 1), make(chan struct{})
	agent := httptest.NewServer(agentMux(true, func(w http.ResponseWriter, r *http.Request) {
		sse(w, evTask, evPart)
		in <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(agent.Close)
	t.Cleanup(func() { close(release) })
	return agent.URL, in
}

// heldHeap returns the live heap grown since before, once it is at most
// bound or after 5 s. The transport closes the request body it wrote
// (after which the bridge lets go of its bytes) on its own goroutine,
// maybe just after the answer came: the wait is for that. With
// A2A_BRIDGE_IDLE_HEAP set (go test -memprofilerate=1), the heap profile
// is written there, its name ending in suffix.
func heldHeap(before *runtime.MemStats, bound int64, suffix string) int64 {
	var after runtime.MemStats
	held := int64(0)
	for deadline := time.Now().Add(5 * time.Second); ; runtime.Gosched() {
		runtime.GC()
		runtime.ReadMemStats(&after)
		if held = int64(after.HeapAlloc) - int64(before.HeapAlloc); held <= bound || time.Now().After(deadline) {
			break
		}
	}
	if p := os.Getenv("A2A_BRIDGE_IDLE_HEAP"); p != "" {
		if f, err := os.Create(p + suffix); err == nil {
			_ = pprof.Lookup("heap").WriteTo(f, 0)
			f.Close()
		}
	}
	return held
}

// spentReader reads b once, and lets go of it at its end.
type spentReader struct{ b []byte }

func (r *spentReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		r.b = nil
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	if len(r.b) == 0 {
		r.b = nil
	}
	return n, nil
}
