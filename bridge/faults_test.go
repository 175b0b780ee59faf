package bridge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// The fault agent is hand-written on purpose: it injects what real agents
// do only when broken (hangs, cuts, garbage, HTTP errors).

const upstreamSecret = "sk-upstream-secret-do-not-leak"

// faultAgent serves handler as an agent's JSON-RPC endpoint at /rpc, with a
// 0.3 card pointing there, and records the headers of the last call.
type faultAgent struct {
	*httptest.Server
	mu     sync.Mutex
	header http.Header
	body   string
}

func newFaultAgent(t *testing.T, streaming bool, rpc http.HandlerFunc) *faultAgent {
	t.Helper()
	f := &faultAgent{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/agent-card.json", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"name":"fault","protocolVersion":"0.3.0","url":"/rpc","capabilities":{"streaming":%t}}`, streaming)
	})
	mux.HandleFunc("POST /rpc", func(w http.ResponseWriter, r *http.Request) {
		// Read the request first, as real servers do: net/http notices a
		// client that went away only once the body is consumed.
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		f.mu.Lock()
		f.header, f.body = r.Header.Clone(), string(body)
		f.mu.Unlock()
		rpc(w, r)
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

// last returns the headers and body of the last call.
func (f *faultAgent) last() (http.Header, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.header, f.body
}

// sse writes SSE frames and flushes each.
func sse(w http.ResponseWriter, frames ...string) {
	w.Header().Set("Content-Type", "text/event-stream")
	for _, f := range frames {
		fmt.Fprintf(w, "data: %s\n\n", f)
		w.(http.Flusher).Flush()
	}
}

const (
	evTask     = `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"t1","contextId":"c1","status":{"state":"submitted"}}}`
	evPart     = `{"jsonrpc":"2.0","id":1,"result":{"kind":"artifact-update","taskId":"t1","contextId":"c1","append":false,"artifact":{"artifactId":"a","parts":[{"kind":"text","text":"partial "}]}}}`
	evFailed   = `{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":"t1","contextId":"c1","final":true,"status":{"state":"failed","message":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"the tool crashed"}]}}}}`
	failedTask = `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"t1","contextId":"c1","status":{"state":"failed","message":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"the tool crashed"}]}}}}`
)

func hang(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

// TestAgentFaults checks what the client sees when an agent misbehaves:
// the status, the error type, and that no upstream URL or key leaks.
func TestAgentFaults(t *testing.T) {
	checkLeaks(t)
	cases := []struct {
		name      string
		stream    bool
		rpc       http.HandlerFunc
		status    int    // HTTP status; 200 means an in-band error after the stream started
		typ, text string // error type, and a text the message must contain
	}{
		{"hang", false, hang, 504, "agent_timeout", "did not answer in time"},
		{"hang before the first event", true, hang, 504, "agent_timeout", "did not answer in time"},
		{"hang after the first event", true, func(w http.ResponseWriter, r *http.Request) {
			sse(w, evTask, evPart)
			<-r.Context().Done()
		}, 200, "agent_timeout", "did not answer in time"},
		{"stream cut mid-way", true, func(w http.ResponseWriter, r *http.Request) { sse(w, evTask, evPart) },
			200, "agent_error", "ended before its task finished"},
		{"HTTP 401 from agent", false, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "bad token "+r.Header.Get("Authorization"), http.StatusUnauthorized)
		}, 502, "agent_error", "HTTP error"},
		{"HTTP 500 on stream", true, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		}, 502, "agent_error", "HTTP error"},
		{"garbage JSON", false, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "{not json") },
			502, "agent_error", "could not read"},
		// Nothing shown yet (only the submitted task): a plain HTTP error.
		{"garbage SSE data before any content", true, func(w http.ResponseWriter, r *http.Request) { sse(w, evTask, "{not json") },
			502, "agent_error", "could not read"},
		{"garbage SSE data after content", true, func(w http.ResponseWriter, r *http.Request) { sse(w, evTask, evPart, "{not json") },
			200, "agent_error", "could not read"},
		{"JSON-RPC internal error", false, func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"internal failure"}}`)
		}, 502, "agent_error", "internal failure"},
		{"JSON-RPC error as the stream's only answer", true, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"jsonrpc":"2.0","id":1,"error":{"code":-32001,"message":"task not found"}}`)
		}, 404, "invalid_request_error", "task not found"},
		// A task that failed is the agent's verdict: 400, which no client
		// retries (502 and 504 are for the transport).
		{"failed task", false, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, failedTask) },
			400, "agent_error", "the tool crashed"},
		{"failed task in a stream, before any content", true, func(w http.ResponseWriter, r *http.Request) { sse(w, evTask, evFailed) },
			400, "agent_error", "the tool crashed"},
		{"failed task in a stream, after content", true, func(w http.ResponseWriter, r *http.Request) { sse(w, evTask, evPart, evFailed) },
			200, "agent_error", "the tool crashed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			agent := newFaultAgent(t, true, tc.rpc)
			base := startBridge(t, Config{Agents: []AgentConfig{{Name: "fault", URL: agent.URL,
				APIKey: upstreamSecret, Timeout: Duration{300 * time.Millisecond}}}})
			res := post(t, httpClient(t), base+"/v1/chat/completions", chatBody("a2a/fault", tc.stream, "user", "hi"))
			body := string(res.body)
			if strings.Contains(body, upstreamSecret) || strings.Contains(body, agent.URL) || strings.Contains(body, "/rpc") {
				t.Errorf("answer leaks the upstream key or URL: %s", body)
			}
			if res.status != tc.status {
				t.Fatalf("status = %d, want %d: %s", res.status, tc.status, body)
			}
			errBody := res.body
			if tc.status == 200 {
				errBody = inBandError(t, res.body)
			}
			e := decodeError(t, errBody)
			if e.Error.Type != tc.typ || !strings.Contains(e.Error.Message, tc.text) {
				t.Errorf("error = %+v, want type %s and a message with %q", e.Error, tc.typ, tc.text)
			}
		})
	}
}

// inBandError checks a stream that failed after it started: it must end
// with one frame that starts exactly with {"error": (go-openai looks for
// that prefix) and no [DONE], so that no client takes it for success.
func inBandError(t *testing.T, body []byte) []byte {
	t.Helper()
	s := string(body)
	if strings.Contains(s, "[DONE]") {
		t.Errorf("a failed stream ended with [DONE]: %s", s)
	}
	i := strings.LastIndex(s, "data: {\"error\":")
	if i < 0 || !strings.HasSuffix(s, "}\n\n") {
		t.Fatalf("stream does not end with an in-band error frame: %s", s)
	}
	if !strings.HasPrefix(s, "data: {\"id\":") {
		t.Errorf("stream did not start with a chunk: %s", s)
	}
	return []byte(strings.TrimSuffix(s[i+len("data: "):], "\n\n"))
}

// TestAgentDown: nothing listens at the agent's address.
func TestAgentDown(t *testing.T) {
	checkLeaks(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	base := startBridge(t, Config{Agents: []AgentConfig{{Name: "down", URL: url}}})
	for _, stream := range []bool{false, true} {
		res := post(t, httpClient(t), base+"/v1/chat/completions", chatBody("a2a/down", stream, "user", "hi"))
		e := decodeError(t, res.body)
		if res.status != 502 || e.Error.Type != "agent_error" || strings.Contains(string(res.body), ln.Addr().String()) {
			t.Errorf("stream=%v: %d %s, want 502 agent_error without the address", stream, res.status, res.body)
		}
	}
}

// TestUpstreamCredentials: the agent's api_key and headers are sent upstream.
func TestUpstreamCredentials(t *testing.T) {
	agent := newFaultAgent(t, true, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"ok"}]}}`)
	})
	base := startBridge(t, Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL, APIKey: upstreamSecret,
		Headers: map[string]string{"X-Tenant": "blue"}}}})
	res := post(t, httpClient(t), base+"/v1/chat/completions", chatBody("a2a/a", false, "user", "hi"))
	if res.status != 200 {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	h, _ := agent.last()
	if h.Get("Authorization") != "Bearer "+upstreamSecret || h.Get("X-Tenant") != "blue" {
		t.Errorf("upstream headers = %v, want the agent's bearer key and X-Tenant", h)
	}
}

// TestStreamFromNonStreamingAgent: a card with streaming:false gets one
// message/send, delivered as a valid SSE stream.
func TestStreamFromNonStreamingAgent(t *testing.T) {
	checkLeaks(t)
	agent := newFaultAgent(t, false, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8") // as a2a-go 0.3 does
		fmt.Fprint(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"t","contextId":"c","status":{"state":"completed"},"artifacts":[{"artifactId":"a","parts":[{"kind":"text","text":"one "},{"kind":"text","text":"shot"}]}]}}`)
	})
	base := startBridge(t, Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL}}})
	res := post(t, httpClient(t), base+"/v1/chat/completions", chatBody("a2a/a", true, "user", "hi"))
	frames, done := chunks(t, res.body)
	checkChunkStream(t, frames, done, "a2a/a")
	if content, _ := streamText(t, frames); content != "one shot" {
		t.Errorf("content = %q, want %q", content, "one shot")
	}
	if _, call := agent.last(); !strings.Contains(call, `"method":"message/send"`) {
		t.Errorf("upstream call = %s, want message/send", call)
	}
}

// TestFreshMessageID: servers that de-duplicate by messageId would drop a
// repeated one, so every call gets its own.
func TestFreshMessageID(t *testing.T) {
	agent := newFaultAgent(t, true, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"ok"}]}}`)
	})
	base := startBridge(t, Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL}}})
	c := httpClient(t)
	seen := map[string]bool{}
	for range 3 {
		post(t, c, base+"/v1/chat/completions", chatBody("a2a/a", false, "user", "same words"))
		_, body := agent.last()
		id := gjson.Get(body, "params.message.messageId").String()
		if id == "" || seen[id] {
			t.Fatalf("messageId %q empty or repeated in %s", id, body)
		}
		seen[id] = true
	}
}

// TestRequestFields: parameters reach the agent under metadata.openai;
// fields an agent cannot honour are refused, or ignored with a warning.
func TestRequestFields(t *testing.T) {
	agent := newFaultAgent(t, true, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"ok"}]}}`)
	})
	base := startBridge(t, Config{Agents: []AgentConfig{{Name: "strict", URL: agent.URL}, {Name: "lax", URL: agent.URL, IgnoreUnsupported: true}}})
	c := httpClient(t)
	res := post(t, c, base+"/v1/chat/completions", `{"model":"a2a/strict","temperature":0.3,"max_tokens":50,"stop":"END","user":"u1","metadata":{"k":"v"},"messages":[{"role":"user","content":"hi"}]}`)
	_, body := agent.last()
	if res.status != 200 || gjson.Get(body, "params.message.metadata.openai").Raw != `{"temperature":0.3,"max_tokens":50,"stop":"END","user":"u1","metadata":{"k":"v"}}` {
		t.Errorf("status %d, upstream metadata %s", res.status, gjson.Get(body, "params.message.metadata").Raw)
	}
	tools := `{"model":"a2a/%s","tools":[{"type":"function","function":{"name":"f"}}],"messages":[{"role":"user","content":"hi"}]}`
	res = post(t, c, base+"/v1/chat/completions", fmt.Sprintf(tools, "strict"))
	if e := decodeError(t, res.body); res.status != 400 || deref(e.Error.Param) != "tools" {
		t.Errorf("tools on a strict agent: %d %s, want 400 param tools", res.status, res.body)
	}
	res = post(t, c, base+"/v1/chat/completions", fmt.Sprintf(tools, "lax"))
	if res.status != 200 || res.header.Get("X-A2A-Bridge-Warning") != "ignored: tools" {
		t.Errorf("tools on a lax agent: %d, warning %q", res.status, res.header.Get("X-A2A-Bridge-Warning"))
	}
	res = post(t, c, base+"/v1/chat/completions", `{"model":"a2a/lax","n":3,"messages":[{"role":"user","content":"hi"}]}`)
	if e := decodeError(t, res.body); res.status != 400 || deref(e.Error.Param) != "n" {
		t.Errorf("n=3: %d %s, want 400 param n", res.status, res.body)
	}
}

// TestFileParts: images and files go to the agent as A2A file parts when
// its card accepts their media type; otherwise the client gets a 400 that
// says the agent takes text only.
func TestFileParts(t *testing.T) {
	agent := newFaultAgent(t, true, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"seen"}]}}`)
	})
	imageCard := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"url":%q,"defaultInputModes":["text/plain","image/*"]}`, agent.URL+"/rpc")
	}))
	t.Cleanup(imageCard.Close)
	base := startBridge(t, Config{Agents: []AgentConfig{{Name: "text", URL: agent.URL}, {Name: "vision", URL: agent.URL, CardURL: imageCard.URL}}})
	c := httpClient(t)
	body := `{"model":"a2a/%s","messages":[{"role":"user","content":[{"type":"text","text":"what is it?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,aGVsbG8="}}]}]}`
	res := post(t, c, base+"/v1/chat/completions", fmt.Sprintf(body, "vision"))
	_, up := agent.last()
	if res.status != 200 || gjson.Get(up, "params.message.parts.1").Raw != `{"kind":"file","file":{"mimeType":"image/png","bytes":"aGVsbG8="}}` {
		t.Errorf("status %d, upstream parts %s", res.status, gjson.Get(up, "params.message.parts").Raw)
	}
	res = post(t, c, base+"/v1/chat/completions", fmt.Sprintf(body, "text"))
	if e := decodeError(t, res.body); res.status != 400 || deref(e.Error.Code) != "unsupported_content" || !strings.Contains(e.Error.Message, "takes text only") {
		t.Errorf("image to a text-only agent: %d %s", res.status, res.body)
	}
}

// TestFilePartsRealAgents: the official SDKs accept the file parts the
// bridge sends, in both dialects (a2a-go rejects malformed parts). Their
// cards say text only, so a card server re-serves each card with image
// input allowed.
func TestFilePartsRealAgents(t *testing.T) {
	for _, p := range []peer{startGoPeer(t, "go03"), startGoPeer(t, "gov2"), startJSPeer(t, "js10.mjs")} {
		t.Run(p.name, func(t *testing.T) {
			card := get(t, httpClient(t), p.url+"/.well-known/agent-card.json", "A2A-Version", "1.0")
			var m map[string]any
			if err := json.Unmarshal(card.body, &m); err != nil {
				t.Fatal(err)
			}
			m["defaultInputModes"] = []string{"text/plain", "image/png", "application/pdf"}
			modes, _ := json.Marshal(m)
			cards := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(modes) }))
			t.Cleanup(cards.Close)
			base := startBridge(t, Config{Agents: []AgentConfig{{Name: "a", URL: p.url, CardURL: cards.URL + "/.well-known/agent-card.json"}}})
			body := `{"model":"a2a/a","messages":[{"role":"user","content":[{"type":"text","text":"look"},` +
				`{"type":"image_url","image_url":{"url":"https://example.invalid/cat.png"}},` +
				`{"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0="}}]}]}`
			res := post(t, httpClient(t), base+"/v1/chat/completions", body)
			content, _ := completionText(t, res.body)
			if res.status != 200 || !strings.HasPrefix(content, "echo: user: look\n  [image: https://example.invalid/cat.png]") {
				t.Errorf("%d %q", res.status, content)
			}
		})
	}
}
