package bridge

import (
	"io"
	"net/http"
	"runtime"
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
			agent, arrived := newStreamHolder(t)
			cfg := Config{Agents: []AgentConfig{{Name: "held", URL: agent}}, Keepalive: &Duration{time.Hour}, Usage: "estimate"}
			cfg.Limits.MaxRequestBody = 4 * size
			base := startBridge(t, cfg)
			client := httpClient(t)
			var before runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			req := &spentReader{b: []byte(tc.body)}
			resp := postStream(t, client, base+"/a2a/held", req, tc.version)
			defer resp.Body.Close()
			<-arrived
			held := heldHeap(&before, size/4, "."+tc.version)
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
