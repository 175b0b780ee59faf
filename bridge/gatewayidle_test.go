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

// TestGatewayIdleStreamHoldsNoPrompt: a gateway stream held open by its
// agent keeps no copy of the caller's message (the body read, gjson's copy
// of it, the prompt counted for usage), whether the call goes through as
// it came (0.3) or translated (a 1.0 caller to the 0.3 agent): with a
// 4 MiB message the live heap of the open stream stays far under its size.
func TestGatewayIdleStreamHoldsNoPrompt(t *testing.T) {
	const size = 4 << 20
	text := strings.Repeat("x", size)
	for _, tc := range []struct{ name, version, body string }{
		{"0.3", "0.3", `{"jsonrpc":"2.0","id":1,"method":"message/stream","params":{"message":{"kind":"message","messageId":"m1","role":"user","parts":[{"kind":"text","text":"` + text + `"}]}}}`},
		{"1.0 translated", "1.0", `{"jsonrpc":"2.0","id":1,"method":"SendStreamingMessage","params":{"message":{"messageId":"m1","role":"ROLE_USER","parts":[{"text":"` + text + `"}]}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			arrived, release := make(chan struct{}, 1), make(chan struct{})
			agent := httptest.NewServer(agentMux(true, func(w http.ResponseWriter, r *http.Request) {
				sse(w, evTask, evPart)
				arrived <- struct{}{}
				select {
				case <-release:
				case <-r.Context().Done():
				}
			}))
			t.Cleanup(agent.Close)
			t.Cleanup(func() { close(release) })
			cfg := Config{Agents: []AgentConfig{{Name: "held", URL: agent.URL}}, Keepalive: &Duration{time.Hour}, Usage: "estimate"}
			cfg.Limits.MaxRequestBody = 4 * size
			base := startBridge(t, cfg)
			client := httpClient(t)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			req := &spentReader{b: []byte(tc.body)}
			resp := postStream(t, client, base+"/a2a/held", req, tc.version)
			defer resp.Body.Close()
			<-arrived
			// The transport closes the request body it wrote (after which
			// the bridge lets go of its bytes) on its own goroutine, maybe
			// just after the answer came: wait for that, bounded.
			held := int64(0)
			for deadline := time.Now().Add(5 * time.Second); ; runtime.Gosched() {
				runtime.GC()
				runtime.ReadMemStats(&after)
				if held = int64(after.HeapAlloc) - int64(before.HeapAlloc); held <= size/4 || time.Now().After(deadline) {
					break
				}
			}
			if p := os.Getenv("A2A_BRIDGE_IDLE_HEAP"); p != "" { // go test -memprofilerate=1, for pprof
				if f, err := os.Create(p + "." + tc.version); err == nil {
					_ = pprof.Lookup("heap").WriteTo(f, 0)
					f.Close()
				}
			}
			if held > size/4 {
				t.Errorf("an idle gateway stream holds %d KiB, want well under its %d KiB message", held>>10, size>>10)
			}
		})
	}
}

// postStream posts a JSON-RPC stream call to url in A2A version and
// returns once its headers are in, with the body still open.
func postStream(t *testing.T, c *http.Client, url string, body io.Reader, version string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("A2A-Version", version)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		resp.Body.Close()
		t.Fatalf("POST %s = %d %q %s, want a stream", url, resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	return resp
}
