package bridge

import (
	"net/http"
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
	if max := int64(160 << 10); perStream > max { // 2x the 84 KiB measured
		t.Errorf("live heap per idle stream = %d B, want at most %d", perStream, max)
	}
}
