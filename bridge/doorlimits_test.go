package bridge

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// The keys' allow-lists and the rate limits hold on every front door, not
// only on chat: a door that looked agents up by name alone would let a key
// call an agent it may not, or past its limit.

const gwSend = `{"jsonrpc":"2.0","id":"q7","method":"message/send","params":{"message":{"kind":"message","role":"user","messageId":"m1","parts":[{"kind":"text","text":"hi"}]}}}`

// TestResponsesObeyAllowList: /v1/responses refuses an agent the key may not
// call with 403 agent_not_allowed, as chat does.
func TestResponsesObeyAllowList(t *testing.T) {
	answer := func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, evDone) }
	x, y := newFaultAgent(t, false, answer), newFaultAgent(t, false, answer)
	cfg := Config{APIKeys: []APIKey{{Key: "sk-only-x", Name: "only-x", Agents: []string{"x"}}},
		Agents: []AgentConfig{{Name: "x", URL: x.URL}, {Name: "y", URL: y.URL}}}
	base := startBridge(t, cfg)
	c := httpClient(t)
	auth := []string{"Authorization", "Bearer sk-only-x"}
	if res := post(t, c, base+"/v1/responses", `{"model":"a2a/x","input":"hi"}`, auth...); res.status != 200 {
		t.Errorf("responses to x = %d %s, want 200", res.status, res.body)
	}
	res := post(t, c, base+"/v1/responses", `{"model":"a2a/y","input":"hi"}`, auth...)
	if code := gjson.GetBytes(res.body, "error.code").String(); res.status != 403 || code != "agent_not_allowed" {
		t.Errorf("responses to y = %d %s, want 403 agent_not_allowed", res.status, res.body)
	}
	if _, body := y.last(); body != "" {
		t.Errorf("agent y was called: %s", body)
	}
}

// TestGatewayRateLimits: on /a2a/..., a key's rpm and an agent's rpm are
// enforced; past them the answer is HTTP 429 with a JSON-RPC error -32000,
// the caller's id and Retry-After.
func TestGatewayRateLimits(t *testing.T) {
	answer := func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, evDone) }
	x, y := newFaultAgent(t, false, answer), newFaultAgent(t, false, answer)
	cfg := Config{APIKeys: []APIKey{{Key: "sk-one-a-minute", RPM: 1}, {Key: "sk-free"}},
		Agents: []AgentConfig{{Name: "x", URL: x.URL}, {Name: "y", URL: y.URL, RPM: 1}}}
	base := startBridge(t, cfg)
	c := httpClient(t)
	// The key's limit refuses before the body is read (it covers every
	// route), so its error has the id null, as JSON-RPC has it for an id
	// not read; the agent's limit refuses after the parse, with the id.
	limited := func(name, path, key, id string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(gwSend))
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, resp)
		if resp.StatusCode != 429 || gjson.Get(body, "error.code").Int() != -32000 || gjson.Get(body, "id").Raw != id ||
			resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s = %d %s (Retry-After %q), want 429 with JSON-RPC -32000, id %s and Retry-After",
				name, resp.StatusCode, body, resp.Header.Get("Retry-After"), id)
		}
	}
	ok := func(name, path, key string) {
		t.Helper()
		if res := post(t, c, base+path, gwSend, "Authorization", "Bearer "+key); res.status != 200 || gjson.GetBytes(res.body, "error").Exists() {
			t.Errorf("%s = %d %s, want 200 with a result", name, res.status, res.body)
		}
	}
	ok("the limited key's first call", "/a2a/x", "sk-one-a-minute")
	limited("the limited key's second call", "/a2a/x", "sk-one-a-minute", "null")
	ok("the limited agent's first call", "/a2a/y", "sk-free")
	limited("the limited agent's second call", "/a2a/y", "sk-free", `"q7"`)
	ok("another agent for the free key", "/a2a/x", "sk-free")
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}
