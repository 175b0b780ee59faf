package bridge

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func get(t *testing.T, c *http.Client, url string, header ...string) result {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: b}
}

func TestAuth(t *testing.T) {
	base := startBridge(t, Config{APIKeys: Keys("sk-a", "sk-b")})
	c := httpClient(t)
	cases := []struct {
		name, path, auth string
		want             int
	}{
		{"no key", "/v1/models", "", 401},
		{"wrong key", "/v1/models", "Bearer sk-c", 401},
		{"key without Bearer", "/v1/models", "sk-a", 401},
		{"prefix of a key", "/v1/models", "Bearer sk-", 401},
		{"first key", "/v1/models", "Bearer sk-a", 200},
		{"second key", "/v1/models/a2a/echo", "Bearer sk-b", 200},
		{"healthz needs none", "/healthz", "", 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := get(t, c, base+tc.path, "Authorization", tc.auth)
			if res.status != tc.want {
				t.Fatalf("GET %s with %q = %d, want %d: %s", tc.path, tc.auth, res.status, tc.want, res.body)
			}
			if tc.want == 401 {
				if e := decodeError(t, res.body); e.Error.Type != "authentication_error" || deref(e.Error.Code) != "invalid_api_key" {
					t.Errorf("error = %+v", e.Error)
				}
			}
		})
	}
	t.Run("chat needs a key too", func(t *testing.T) {
		res := post(t, c, base+"/v1/chat/completions", chatBody("a2a/echo", false, "user", "hi"))
		if res.status != 401 {
			t.Errorf("status = %d, want 401", res.status)
		}
	})
}

func TestRequestID(t *testing.T) {
	base := startBridge(t, Config{})
	c := httpClient(t)
	if res := get(t, c, base+"/healthz", "X-Request-Id", "abc-123"); res.header.Get("X-Request-Id") != "abc-123" {
		t.Errorf("X-Request-Id = %q, want the caller's", res.header.Get("X-Request-Id"))
	}
	if res := get(t, c, base+"/healthz"); len(res.header.Get("X-Request-Id")) < 16 {
		t.Errorf("X-Request-Id = %q, want a fresh id", res.header.Get("X-Request-Id"))
	}
}

func TestUnknownPath(t *testing.T) {
	base := startBridge(t, Config{})
	res := get(t, httpClient(t), base+"/v1/embeddings")
	if e := decodeError(t, res.body); res.status != 404 || e.Error.Type != "invalid_request_error" {
		t.Errorf("GET /v1/embeddings = %d %s, want a 404 OpenAI error", res.status, res.body)
	}
}

func TestDemoAgentModels(t *testing.T) {
	base := startBridge(t, Config{})
	res := get(t, httpClient(t), base+"/v1/models")
	want := `{"object":"list","data":[{"id":"a2a/echo","object":"model","created":`
	if res.status != 200 || !strings.HasPrefix(string(res.body), want) || !strings.Contains(string(res.body), `"owned_by":"a2a-bridge"`) {
		t.Errorf("GET /v1/models = %d %s", res.status, res.body)
	}
}

// cardServer serves card (with SELF replaced by its own URL) at path, counts
// calls of the JSON-RPC endpoints it names, and answers each with a message.
func cardServer(t *testing.T, path, card string) (*httptest.Server, map[string]*atomic.Int32) {
	t.Helper()
	calls := map[string]*atomic.Int32{"/": {}, "/rpc": {}, "/v03": {}}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == path {
			fmt.Fprint(w, strings.ReplaceAll(card, "SELF", srv.URL))
			return
		}
		n, ok := calls[r.URL.Path]
		if r.Method != http.MethodPost || !ok {
			http.NotFound(w, r)
			return
		}
		n.Add(1)
		fmt.Fprint(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"ok"}]}}`)
	}))
	t.Cleanup(srv.Close)
	return srv, calls
}

// TestCardDiscovery: the endpoint comes from the card wherever it is served.
func TestCardDiscovery(t *testing.T) {
	cases := []struct {
		name, path, card, cardURL, wantCall string
	}{
		{"0.3 card at agent-card.json", "/.well-known/agent-card.json", `{"url":"SELF/rpc","protocolVersion":"0.3.0"}`, "", "/rpc"},
		{"0.2 card at agent.json only", "/.well-known/agent.json", `{"url":"SELF/rpc","protocolVersion":"0.2.5"}`, "", "/rpc"},
		{"card_url", "/cards/mine", `{"url":"/rpc"}`, "/cards/mine", "/rpc"},
		{"card advertising 0.0.0.0", "/.well-known/agent-card.json", `{"url":"http://0.0.0.0:1/rpc"}`, "", "/rpc"},
		{"no card: url is the endpoint", "/nothing", `{}`, "", "/"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, calls := cardServer(t, tc.path, tc.card)
			a := AgentConfig{Name: "a", URL: srv.URL + "/"}
			if tc.cardURL != "" {
				a.CardURL = srv.URL + tc.cardURL
			}
			base := startBridge(t, Config{Agents: []AgentConfig{a}})
			res := post(t, httpClient(t), base+"/v1/chat/completions", chatBody("a2a/a", false, "user", "hi"))
			if res.status != 200 || calls[tc.wantCall].Load() != 1 {
				t.Errorf("status %d, calls %s = %d, want 200 and one call: %s", res.status, tc.wantCall, calls[tc.wantCall].Load(), res.body)
			}
		})
	}
}

// TestCardRetried: an agent that is down at start-up still registers, and its
// card is fetched on a later request once it is up.
func TestCardRetried(t *testing.T) {
	var up atomic.Bool
	var rpc atomic.Int32
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case !up.Load():
			http.Error(w, "starting", http.StatusServiceUnavailable)
		case r.Method == http.MethodGet:
			fmt.Fprintf(w, `{"url":"%s/rpc"}`, srv.URL)
		case r.URL.Path == "/rpc":
			rpc.Add(1)
			fmt.Fprint(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"ok"}]}}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	base := startBridge(t, Config{Agents: []AgentConfig{{Name: "late", URL: srv.URL}}})
	c := httpClient(t)
	if res := get(t, c, base+"/v1/models"); res.status != 200 || !strings.Contains(string(res.body), "a2a/late") {
		t.Fatalf("models while the agent is down = %d %s", res.status, res.body)
	}
	up.Store(true)
	for i := 0; i < 100 && rpc.Load() == 0; i++ {
		res := post(t, c, base+"/v1/chat/completions", chatBody("a2a/late", false, "user", "hi"))
		if res.status == 200 {
			break
		}
		<-timeAfter(50)
	}
	if rpc.Load() == 0 {
		t.Error("the card was never fetched after the agent came up")
	}
}

func timeAfter(ms int) <-chan time.Time { return time.After(time.Duration(ms) * time.Millisecond) }
