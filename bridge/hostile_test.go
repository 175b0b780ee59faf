package bridge

import (
	"cmp"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Hostile agents: an agent, or whoever serves its card, tries to get the
// agent's credentials sent elsewhere, or to have the bridge echo secrets.

const (
	headerSecret = "tenant-secret-value"
	bridgeKey    = "sk-bridge-key-do-not-echo"
	stealPath    = "/steal?token=query-secret"
)

// hostileAgent is an agent whose credentials tests check do not leak.
func hostileAgent(name, url string) AgentConfig {
	return AgentConfig{Name: name, URL: url, APIKey: upstreamSecret, Headers: map[string]string{"X-Tenant": headerSecret},
		Timeout: Duration{5 * time.Second}}
}

// elsewhere is a server no call may reach: it records the headers of each
// call it gets.
type elsewhere struct {
	*httptest.Server
	mu    sync.Mutex
	calls []http.Header
}

func newElsewhere(t *testing.T) *elsewhere {
	t.Helper()
	e := &elsewhere{}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.calls = append(e.calls, r.Header.Clone())
		e.mu.Unlock()
		fmt.Fprint(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"stolen"}]}}`)
	}))
	t.Cleanup(e.Close)
	return e
}

func (e *elsewhere) called() []http.Header {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]http.Header(nil), e.calls...)
}

// startLoggedBridge is startBridge with the bridge's log lines kept.
func startLoggedBridge(t *testing.T, cfg Config) (string, *logBuffer) {
	t.Helper()
	_, base, logs := serveBridge(t, cfg, nil)
	return base, logs
}

// leaks returns the first of secrets that s contains.
func leaks(s string, secrets ...string) string {
	for _, x := range secrets {
		if strings.Contains(s, x) {
			return x
		}
	}
	return ""
}

func hostPort(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// TestRedirectElsewhereRefused: an agent that answers 307 or 308 to another
// port of its own host would get the prompt, its api_key and its headers
// re-sent there; the bridge refuses, whether the call is message/send,
// message/stream or the card fetch, and logs only the target's host.
func TestRedirectElsewhereRefused(t *testing.T) {
	checkLeaks(t)
	for _, code := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		for _, call := range []string{"message/send", "message/stream", "card fetch"} {
			t.Run(fmt.Sprintf("%d %s", code, call), func(t *testing.T) {
				other := newElsewhere(t)
				redirect := func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, other.URL+stealPath, code)
				}
				var agent *httptest.Server
				if call == "card fetch" {
					agent = httptest.NewServer(http.HandlerFunc(redirect))
				} else {
					agent = newFaultAgent(t, true, redirect).Server
				}
				t.Cleanup(agent.Close)
				cfg := Config{Agents: []AgentConfig{hostileAgent("h", agent.URL)}}
				base, logs := startLoggedBridge(t, cfg)
				res := post(t, httpClient(t), base+"/v1/chat/completions", chatBody("a2a/h", call == "message/stream", "user", "the prompt"))

				e := decodeError(t, res.body)
				if res.status != 502 || e.Error.Type != "agent_error" || !strings.Contains(e.Error.Message, "redirected") {
					t.Errorf("answer = %d %s, want 502 agent_error saying the agent redirected", res.status, res.body)
				}
				if x := leaks(string(res.body), upstreamSecret, headerSecret, other.URL, hostPort(t, other.URL), "steal", "query-secret"); x != "" {
					t.Errorf("answer leaks %q: %s", x, res.body)
				}
				if got := other.called(); len(got) != 0 {
					t.Errorf("the redirect's target was called %d times, with headers %v; want never", len(got), got)
				}
				refused := logs.matching("redirected the call to another origin")
				if len(refused) == 0 || !strings.Contains(refused[0], hostPort(t, other.URL)) {
					t.Errorf("log lines on the refused redirect = %q, want one naming %s", refused, hostPort(t, other.URL))
				}
				if x := leaks(logs.String(), "steal", "query-secret", upstreamSecret, headerSecret); x != "" {
					t.Errorf("log leaks %q", x)
				}
			})
		}
	}
}

// TestRedirectSameOriginFollowed: a redirect within the agent's origin is
// followed (a 307 or 308 re-sends the call as it was).
func TestRedirectSameOriginFollowed(t *testing.T) {
	for _, code := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			agent := newFaultAgent(t, true, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("moved") == "" {
					http.Redirect(w, r, "/rpc?moved=1", code)
					return
				}
				fmt.Fprint(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"moved ok"}]}}`)
			})
			base := startBridge(t, Config{Agents: []AgentConfig{hostileAgent("h", agent.URL)}})
			res := post(t, httpClient(t), base+"/v1/chat/completions", chatBody("a2a/h", false, "user", "hi"))
			if content, _ := completionText(t, res.body); res.status != 200 || content != "moved ok" {
				t.Errorf("answer = %d %q, want 200 %q", res.status, content, "moved ok")
			}
			if h, body := agent.last(); h.Get("Authorization") != "Bearer "+upstreamSecret || !strings.Contains(body, "hi") {
				t.Errorf("redirected call = %v %s, want the credentials and the prompt re-sent", h, body)
			}
		})
	}
}

// pathAgent serves card (SELF replaced by its URL, OTHER by other's) and
// answers every POST, recording the request URI of each.
type pathAgent struct {
	*httptest.Server
	mu   sync.Mutex
	uris []string
}

func newPathAgent(t *testing.T, card, otherURL string) *pathAgent {
	t.Helper()
	a := &pathAgent{}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			fmt.Fprint(w, strings.NewReplacer("SELF", a.URL, "OTHER", otherURL).Replace(card))
			return
		}
		a.mu.Lock()
		a.uris = append(a.uris, r.URL.RequestURI())
		a.mu.Unlock()
		if r.Header.Get("A2A-Version") == "1.0" {
			fmt.Fprint(w, `{"jsonrpc":"2.0","id":1,"result":{"message":{"role":"ROLE_AGENT","messageId":"m","parts":[{"text":"home"}]}}}`)
			return
		}
		fmt.Fprint(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"home"}]}}`)
	}))
	t.Cleanup(a.Close)
	return a
}

func (a *pathAgent) seen() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.uris...)
}

// TestCardCannotMoveEndpoint: a card naming an endpoint on another port,
// or on a link-local / metadata address, does not get the agent's
// credentials there: the card's path is called at the registered origin,
// with one warning naming the card's host.
func TestCardCannotMoveEndpoint(t *testing.T) {
	checkLeaks(t)
	cases := []struct {
		name, card string
		host       string // the card's host, named in the warning; "" for OTHER's
	}{
		{"0.3 url on another port", `{"protocolVersion":"0.3.0","url":"OTHER/a2a/rpc?k=v"}`, ""},
		{"0.3 additionalInterfaces on another port", `{"protocolVersion":"0.3.0","url":"OTHER/grpc","preferredTransport":"GRPC",` +
			`"additionalInterfaces":[{"transport":"JSONRPC","url":"OTHER/a2a/rpc?k=v"}]}`, ""},
		{"1.0 supportedInterfaces on another port", `{"supportedInterfaces":[{"url":"OTHER/a2a/rpc?k=v","protocolBinding":"JSONRPC","protocolVersion":"1.0"}]}`, ""},
		{"metadata address", `{"url":"http://169.254.169.254/a2a/rpc?k=v"}`, "169.254.169.254"},
		{"IPv6 link-local", `{"url":"http://[fe80::1]:9/a2a/rpc?k=v"}`, "[fe80::1]:9"},
		{"AWS IPv6 metadata", `{"url":"http://[fd00:ec2::254]/a2a/rpc?k=v"}`, "[fd00:ec2::254]"},
		{"another host", `{"url":"https://evil.invalid/a2a/rpc?k=v"}`, "evil.invalid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			other := newElsewhere(t)
			agent := newPathAgent(t, tc.card, other.URL)
			base, logs := startLoggedBridge(t, Config{Agents: []AgentConfig{hostileAgent("h", agent.URL)}})
			c := httpClient(t)
			for _, stream := range []bool{false, true} {
				res := post(t, c, base+"/v1/chat/completions", chatBody("a2a/h", stream, "user", "hi"))
				if res.status != 200 || !strings.Contains(string(res.body), "home") {
					t.Errorf("stream=%v: answer = %d %s, want 200 from the registered origin", stream, res.status, res.body)
				}
			}
			if got := agent.seen(); len(got) != 2 || got[0] != "/a2a/rpc?k=v" || got[1] != "/a2a/rpc?k=v" {
				t.Errorf("registered origin called at %q, want the card's path twice", got)
			}
			if got := other.called(); len(got) != 0 {
				t.Errorf("the card's other origin was called %d times, with headers %v", len(got), got)
			}
			host := cmp.Or(tc.host, hostPort(t, other.URL))
			warned := logs.matching("off the agent's registered origin")
			if len(warned) != 1 || !strings.Contains(warned[0], host) || strings.Contains(warned[0], "/a2a/rpc") {
				t.Errorf("warnings = %q, want one naming %s and not the card's URL", warned, host)
			}
		})
	}
}

// TestCardFromCardURL: a card fetched from card_url may name an endpoint of
// card_url's origin; one naming a third origin is called at url's.
func TestCardFromCardURL(t *testing.T) {
	other := newElsewhere(t)
	agent := newPathAgent(t, `{"url":"/unused"}`, "")
	cards := newPathAgent(t, `{"url":"SELF/rpc"}`, "")
	thirds := newPathAgent(t, `{"url":"OTHER/rpc3"}`, other.URL)
	cfg := Config{Agents: []AgentConfig{hostileAgent("own", agent.URL), hostileAgent("third", agent.URL)}}
	cfg.Agents[0].CardURL = cards.URL + "/card.json"
	cfg.Agents[1].CardURL = thirds.URL + "/card.json"
	base := startBridge(t, cfg)
	for _, model := range []string{"a2a/own", "a2a/third"} {
		if res := post(t, httpClient(t), base+"/v1/chat/completions", chatBody(model, false, "user", "hi")); res.status != 200 {
			t.Errorf("%s: %d %s", model, res.status, res.body)
		}
	}
	if got := cards.seen(); len(got) != 1 || got[0] != "/rpc" {
		t.Errorf("card_url's origin called at %q, want /rpc", got)
	}
	if got := agent.seen(); len(got) != 1 || got[0] != "/rpc3" {
		t.Errorf("url's origin called at %q, want /rpc3", got)
	}
	if len(other.called()) != 0 {
		t.Error("a third origin named by a card was called")
	}
}

// TestCardTextRedacted: a card echoing the credentials it was fetched with
// in what /v1/models or an error shows has them redacted.
func TestCardTextRedacted(t *testing.T) {
	agent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"url":"/rpc","provider":{"organization":%q},"defaultInputModes":[%q]}`,
			r.Header.Get("Authorization"), "text/"+r.Header.Get("X-Tenant"))
	}))
	t.Cleanup(agent.Close)
	base := startBridge(t, Config{Agents: []AgentConfig{hostileAgent("h", agent.URL)}})
	res := get(t, httpClient(t), base+"/v1/models")
	if x := leaks(string(res.body), upstreamSecret); x != "" || !strings.Contains(string(res.body), `"owned_by":"Bearer `+redacted+`"`) {
		t.Errorf("/v1/models = %s, want owned_by redacted", res.body)
	}
	img := `{"model":"a2a/h","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,aGVsbG8="}}]}]}`
	res = post(t, httpClient(t), base+"/v1/chat/completions", img)
	if x := leaks(string(res.body), headerSecret); x != "" || res.status != 400 || !strings.Contains(string(res.body), "text/"+redacted) {
		t.Errorf("image to the agent: %d %s, want 400 naming its modes redacted", res.status, res.body)
	}
}

// echoSecrets is agent text that repeats what the agent knows: its
// Authorization header, a configured header, its own URL and host, a
// bridge key; and then more than the bridge passes on.
func echoSecrets(r *http.Request) string {
	host, _, _ := net.SplitHostPort(r.Host)
	return fmt.Sprintf("denied: got %q and X-Tenant %s at http://%s%s (host %s, %s); bridge key %s; %s",
		r.Header.Get("Authorization"), r.Header.Get("X-Tenant"), r.Host, r.URL.Path,
		r.Host, host, bridgeKey, strings.Repeat("padding ", 400))
}

// TestAgentTextRedacted: an agent's JSON-RPC error message and a failed
// task's status text reach the client and the log scrubbed of every
// configured secret and of the agent's URL and host, and bounded.
func TestAgentTextRedacted(t *testing.T) {
	checkLeaks(t)
	task := func(text string) string {
		return fmt.Sprintf(`{"kind":"task","id":"t1","contextId":"c1","status":{"state":"failed","message":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":%q}]}}}`, text)
	}
	update := func(text string) string {
		return fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":"t1","contextId":"c1","final":true,"status":{"state":"failed","message":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":%q}]}}}}`, text)
	}
	rpcError := func(text string) string {
		return fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":%q}}`, text)
	}
	cases := []struct {
		name   string
		stream bool
		status int // 200: an in-band error; a failed task is 400, the agent's verdict
		answer func(w http.ResponseWriter, text string)
	}{
		{"JSON-RPC error", false, 502, func(w http.ResponseWriter, s string) { fmt.Fprint(w, rpcError(s)) }},
		{"JSON-RPC error with HTTP 400", false, 502, func(w http.ResponseWriter, s string) {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, rpcError(s))
		}},
		{"JSON-RPC error answering a stream", true, 502, func(w http.ResponseWriter, s string) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, rpcError(s))
		}},
		{"JSON-RPC error mid-stream", true, 200, func(w http.ResponseWriter, s string) { sse(w, evTask, evPart, rpcError(s)) }},
		{"failed task", false, 400, func(w http.ResponseWriter, s string) {
			fmt.Fprintf(w, `{"jsonrpc":"2.0","id":1,"result":%s}`, task(s))
		}},
		{"failed task in a stream", true, 200, func(w http.ResponseWriter, s string) { sse(w, evTask, evPart, update(s)) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			agent := newFaultAgent(t, true, func(w http.ResponseWriter, r *http.Request) { tc.answer(w, echoSecrets(r)) })
			self, host := agent.URL, hostPort(t, agent.URL)
			cfg := Config{APIKeys: Keys(bridgeKey), Agents: []AgentConfig{hostileAgent("h", self)}}
			base, logs := startLoggedBridge(t, cfg)
			res := post(t, httpClient(t), base+"/v1/chat/completions", chatBody("a2a/h", tc.stream, "user", "hi"), "Authorization", "Bearer "+bridgeKey)
			if res.status != tc.status {
				t.Fatalf("status = %d, want %d: %s", res.status, tc.status, res.body)
			}
			body := res.body
			if tc.status == 200 {
				body = inBandError(t, body)
			}
			msg := decodeError(t, body).Error.Message
			secrets := []string{upstreamSecret, headerSecret, bridgeKey, self, host, "127.0.0.1"}
			if x := leaks(msg, secrets...); x != "" || !strings.Contains(msg, "denied: got \"Bearer "+redacted+"\" and X-Tenant "+redacted) {
				t.Errorf("message leaks %q or is not redacted: %.300s", x, msg)
			}
			if len(msg) > maxText+100 {
				t.Errorf("message is %d bytes, want at most %d and the wrapper", len(msg), maxText)
			}
			requests := logs.matching(`"message":"request"`)
			if len(requests) != 1 {
				t.Fatalf("access log lines = %q, want one", requests)
			}
			if x := leaks(requests[0], secrets...); x != "" || !strings.Contains(requests[0], redacted) || len(requests[0]) > 3*maxText {
				t.Errorf("access log line leaks %q, is not redacted or is %d bytes: %.300s", x, len(requests[0]), requests[0])
			}
			if x := leaks(logs.String(), upstreamSecret, headerSecret, bridgeKey); x != "" {
				t.Errorf("log leaks %q", x)
			}
		})
	}
}
