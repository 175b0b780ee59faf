package bridge

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// The A2A gateway against real peers, by hand-written JSON-RPC: the SDK
// clients' own runs are in gatewaysdk_test.go.

// gwKeys are two keys of two callers, and a third allowed one agent only.
var gwKeys = []APIKey{{Key: "sk-ada", Name: "ada"}, {Key: "sk-bob", Name: "bob"}}

// rpcPost posts a JSON-RPC body to url with key (none when empty).
func rpcPost(t *testing.T, c *http.Client, u, key, body string, header ...string) result {
	t.Helper()
	if key != "" {
		header = append(header, "Authorization", "Bearer "+key)
	}
	return post(t, c, u, body, append(header, "Content-Type", "application/json")...)
}

// portOf is the port of a base URL.
func portOf(t *testing.T, base string) string {
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

// TestGatewayCard serves the merged card of real peers without a key: only
// the gateway's URLs, the agent's port nowhere, the security form by the
// card request's A2A-Version, ETag and Cache-Control, 304 on If-None-Match.
func TestGatewayCard(t *testing.T) {
	p := startGoPeer(t, "gov2")
	cfg := agentsFor(p)
	cfg.APIKeys = gwKeys
	base := startBridge(t, cfg)
	c := httpClient(t)
	for _, tc := range []struct {
		name, path, version, member string
	}{
		{"0.3 request", "/.well-known/agent-card.json", "", "security"},
		{"1.0 request", "/.well-known/agent-card.json", "1.0", "securityRequirements"},
		{"0.2 path", "/.well-known/agent.json", "", "security"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, c, base+"/a2a/gov2"+tc.path, "A2A-Version", tc.version)
			if r.status != 200 {
				t.Fatalf("GET card = %d %s, want 200", r.status, r.body)
			}
			if strings.Contains(string(r.body), portOf(t, p.url)) {
				t.Errorf("card names the agent's port %s: %s", portOf(t, p.url), r.body)
			}
			if got := gjson.GetBytes(r.body, "url").String(); got != base+"/a2a/gov2" {
				t.Errorf("card url = %q, want %q", got, base+"/a2a/gov2")
			}
			if !gjson.GetBytes(r.body, tc.member).Exists() {
				t.Errorf("card has no %s: %s", tc.member, r.body)
			}
			if cc := r.header.Get("Cache-Control"); cc != "max-age=300" {
				t.Errorf("Cache-Control = %q, want max-age=300", cc)
			}
			etag := r.header.Get("ETag")
			if r2 := get(t, c, base+"/a2a/gov2"+tc.path, "A2A-Version", tc.version, "If-None-Match", etag); etag == "" || r2.status != 304 {
				t.Errorf("GET card If-None-Match %q = %d, want 304", etag, r2.status)
			}
		})
	}
	if r := get(t, c, base+"/a2a/nobody/.well-known/agent-card.json"); r.status != 404 ||
		gjson.GetBytes(r.body, "error.code").Int() != -32000 {
		t.Errorf("card of an unknown agent = %d %s, want 404 and -32000", r.status, r.body)
	}
}

// TestGatewayErrors pins the JSON-RPC errors of the gateway itself: in
// HTTP 200 with the caller's id, but for its own auth and unknown agents.
func TestGatewayErrors(t *testing.T) {
	p := startGoPeer(t, "go03")
	cfg := agentsFor(p, peer{name: "other", url: p.url})
	cfg.APIKeys = append(append([]APIKey{}, gwKeys...), APIKey{Key: "sk-one", Name: "one", Agents: []string{"other"}})
	base := startBridge(t, cfg)
	c := httpClient(t)
	send := `{"jsonrpc":"2.0","id":"q7","method":"message/send","params":{"message":{"kind":"message","role":"user","messageId":"m1","parts":[{"kind":"text","text":"hi"}]}}}`
	for _, tc := range []struct {
		name, path, key, body string
		header                []string
		status                int
		code                  int64
		id                    string
	}{
		{"parse error", "/a2a/go03", "sk-ada", `{"jsonrpc":`, nil, 200, -32700, "null"},
		{"batch", "/a2a/go03", "sk-ada", `[` + send + `]`, nil, 200, -32600, "null"},
		{"no jsonrpc", "/a2a/go03", "sk-ada", `{"id":3,"method":"message/send"}`, nil, 200, -32600, "3"},
		{"bad id", "/a2a/go03", "sk-ada", `{"jsonrpc":"2.0","id":{},"method":"message/send"}`, nil, 200, -32600, "null"},
		{"unknown method", "/a2a/go03", "sk-ada", `{"jsonrpc":"2.0","id":4,"method":"tasks/steal"}`, nil, 200, -32601, "4"},
		{"params not object", "/a2a/go03", "sk-ada", `{"jsonrpc":"2.0","id":5,"method":"tasks/get","params":[1]}`, nil, 200, -32602, "5"},
		{"version", "/a2a/go03", "sk-ada", send, []string{"A2A-Version", "9.9"}, 200, -32009, `"q7"`},
		{"version query", "/a2a/go03?A2A-Version=1.0.1", "sk-ada", send, nil, 200, -32009, `"q7"`},
		{"version 0.1", "/a2a/go03", "sk-ada", strings.Replace(send, "message/send", "tasks/send", 1), nil, 200, -32009, `"q7"`},
		{"version 2.0", "/a2a/go03", "sk-ada", strings.Replace(send, "message/send", "SendMessage", 1), []string{"A2A-Version", "2.0"}, 200, -32009, `"q7"`},
		{"list tasks of a 0.3 agent", "/a2a/go03", "sk-ada", `{"jsonrpc":"2.0","id":9,"method":"ListTasks","params":{}}`, []string{"A2A-Version", "1.0"}, 200, -32004, "9"},
		{"push", "/a2a/go03", "sk-ada", `{"jsonrpc":"2.0","id":6,"method":"tasks/pushNotificationConfig/set","params":{}}`, nil, 200, -32003, "6"},
		{"no key", "/a2a/go03", "", send, nil, 401, -32000, "null"},
		{"wrong key", "/a2a/go03", "sk-eve", send, nil, 401, -32000, "null"},
		{"not allowed", "/a2a/go03", "sk-one", send, nil, 403, -32000, "null"},
		{"unknown agent", "/a2a/x", "sk-ada", send, nil, 404, -32000, "null"},
		{"alias unknown", "/v1/a2a/x/message/send", "sk-ada", send, nil, 404, -32000, "null"},
		{"task not yours", "/a2a/go03", "sk-ada", `{"jsonrpc":"2.0","id":8,"method":"tasks/get","params":{"id":"t-none"}}`, nil, 200, -32001, "8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rpcPost(t, c, base+tc.path, tc.key, tc.body, tc.header...)
			got := gjson.ParseBytes(r.body)
			if r.status != tc.status || got.Get("error.code").Int() != tc.code || got.Get("id").Raw != tc.id || got.Get("jsonrpc").String() != "2.0" {
				t.Errorf("POST %s = %d %s, want %d, code %d, id %s", tc.path, r.status, r.body, tc.status, tc.code, tc.id)
			}
			if strings.Contains(string(r.body), portOf(t, p.url)) {
				t.Errorf("answer names the agent's port: %s", r.body)
			}
		})
	}
	if r := rpcPost(t, c, base+"/a2a/x", "sk-ada", send); !strings.Contains(gjson.GetBytes(r.body, "error.message").String(), `agent "x" is not registered`) {
		t.Errorf("unknown agent message = %s", r.body)
	}
}

// TestGatewayPassThrough sends, gets and streams through the gateway to
// real agents of both dialects, on every route, in the agent's dialect
// (and both of gov2's): answers whole, the caller's id, SSE per event.
func TestGatewayPassThrough(t *testing.T) {
	checkLeaks(t)
	gov2 := startGoPeer(t, "gov2")
	peers := []peer{startGoPeer(t, "go03"), gov2, startJSPeer(t, "js03.mjs"), startJSPeer(t, "js10.mjs")}
	base := startBridge(t, agentsFor(peers...))
	c := httpClient(t)
	for _, tc := range []struct{ agent, path, send, get, stream, version string }{
		{"go03", "/a2a/go03", "message/send", "tasks/get", "message/stream", ""},
		{"js03", "/a2a/js03/message/send", "message/send", "tasks/get", "message/stream", ""},
		{"gov2 1.0", "/a2a/gov2", "SendMessage", "GetTask", "SendStreamingMessage", "1.0"},
		{"gov2 0.3", "/v1/a2a/gov2/message/send", "message/send", "tasks/get", "message/stream", ""},
		{"js10", "/a2a/js10", "SendMessage", "GetTask", "SendStreamingMessage", "1.0"},
	} {
		t.Run(tc.agent, func(t *testing.T) {
			h := []string{"A2A-Version", tc.version}
			msg := `{"kind":"message","role":"user","messageId":"m-` + tc.send + `","parts":[{"kind":"text","text":"hello world"}]}`
			if tc.version == "1.0" {
				msg = `{"role":"ROLE_USER","messageId":"m-1","parts":[{"text":"hello world"}]}`
			}
			r := rpcPost(t, c, base+tc.path, "", `{"jsonrpc":"2.0","id":11,"method":"`+tc.send+`","params":{"message":`+msg+`}}`, h...)
			res := gjson.ParseBytes(r.body)
			task := res.Get("result")
			if task.Get("task").Exists() {
				task = task.Get("task")
			}
			if r.status != 200 || res.Get("id").Raw != "11" || task.Get("id").String() == "" || !strings.Contains(string(r.body), "echo:") {
				t.Fatalf("%s = %d %s", tc.send, r.status, r.body)
			}
			g := rpcPost(t, c, base+tc.path, "", `{"jsonrpc":"2.0","id":"g","method":"`+tc.get+`","params":{"id":"`+task.Get("id").String()+`"}}`, h...)
			if gjson.GetBytes(g.body, "id").String() != "g" || !strings.Contains(string(g.body), task.Get("id").String()) || gjson.GetBytes(g.body, "error").Exists() {
				t.Errorf("%s = %s", tc.get, g.body)
			}
			s := rpcPost(t, c, base+tc.path, "", `{"jsonrpc":"2.0","id":12,"method":"`+tc.stream+`","params":{"message":`+msg+`}}`, append(h, "Accept", "text/event-stream")...)
			if ct := s.header.Get("Content-Type"); ct != "text/event-stream" {
				t.Fatalf("%s Content-Type = %q, want text/event-stream: %s", tc.stream, ct, s.body)
			}
			var n int
			for _, line := range strings.Split(string(s.body), "\n") {
				data, ok := strings.CutPrefix(line, "data: ")
				if !ok {
					continue
				}
				n++
				if !json.Valid([]byte(data)) || gjson.Get(data, "id").Raw != "12" || gjson.Get(data, "error").Exists() {
					t.Errorf("%s event = %s, want a JSON-RPC response to id 12", tc.stream, data)
				}
			}
			if n < 3 {
				t.Errorf("%s: %d events, want the task, its updates and its end: %s", tc.stream, n, s.body)
			}
		})
	}
}
