package bridge

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tidwall/gjson"
)

// oneDialectAgent answers only dialect "0.3" or "1.0" methods and refuses
// the other the way the SDKs do, whatever its card claims. It records the
// methods and A2A-Version headers it saw.
type oneDialectAgent struct {
	*httptest.Server
	mu    sync.Mutex
	calls []string // "method A2A-Version"
}

func newOneDialectAgent(t *testing.T, speaks, card string, refuse func(w http.ResponseWriter, method, version string) bool) *oneDialectAgent {
	t.Helper()
	a := &oneDialectAgent{}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			fmt.Fprint(w, strings.ReplaceAll(card, "SELF", a.URL))
			return
		}
		body, _ := io.ReadAll(r.Body)
		method := gjson.GetBytes(body, "method").String()
		version := r.Header.Get("A2A-Version")
		a.mu.Lock()
		a.calls = append(a.calls, r.URL.Path+" "+method+" "+version)
		a.mu.Unlock()
		if refuse(w, method, version) {
			return
		}
		if speaks == "1.0" {
			fmt.Fprint(w, `{"jsonrpc":"2.0","id":1,"result":{"message":{"role":"ROLE_AGENT","messageId":"m","parts":[{"text":"spoke 1.0"}]}}}`)
		} else {
			fmt.Fprint(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"spoke 0.3"}]}}`)
		}
	}))
	t.Cleanup(a.Close)
	return a
}

func (a *oneDialectAgent) seen() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.calls...)
}

func rpcErr(w http.ResponseWriter, code int, msg string) {
	fmt.Fprintf(w, `{"jsonrpc":"2.0","id":1,"error":{"code":%d,"message":%q}}`, code, msg)
}

// only03 refuses 1.0 methods as a2a-go v0.3 does.
func only03(w http.ResponseWriter, method, _ string) bool {
	if !strings.Contains(method, "/") {
		rpcErr(w, -32601, "method not found")
		return true
	}
	return false
}

// only10 refuses calls without A2A-Version 1.0 as a 1.0-only @a2a-js/sdk does.
func only10(w http.ResponseWriter, method, version string) bool {
	if version != "1.0" {
		rpcErr(w, -32009, "version not supported")
		return true
	}
	if strings.Contains(method, "/") {
		rpcErr(w, -32601, "Invalid method.")
		return true
	}
	return false
}

// TestDialectSwitch: an agent answered in the wrong dialect is retried once
// in the other, at that dialect's endpoint, and the choice is remembered.
func TestDialectSwitch(t *testing.T) {
	cases := []struct {
		name, speaks, card string
		refuse             func(http.ResponseWriter, string, string) bool
		protocol           string
		want               string   // the answer
		wantCalls          []string // path, method and version of each upstream call, over two requests
	}{
		{"0.3 card, agent speaks 1.0 (-32009)", "1.0", `{"url":"SELF/rpc","protocolVersion":"0.3.0"}`, only10, "", "spoke 1.0",
			[]string{"/rpc message/send ", "/rpc SendMessage 1.0", "/rpc SendMessage 1.0"}},
		{"1.0 card, agent speaks 0.3 (-32601)", "0.3",
			`{"supportedInterfaces":[{"url":"SELF/rpc","protocolBinding":"JSONRPC","protocolVersion":"1.0"}]}`, only03, "", "spoke 0.3",
			[]string{"/rpc SendMessage 1.0", "/rpc message/send ", "/rpc message/send "}},
		{"hybrid card: 1.0 at its own endpoint", "1.0",
			`{"url":"SELF/v03","supportedInterfaces":[{"url":"SELF/v1","protocolBinding":"JSONRPC","protocolVersion":"1.0"},{"url":"SELF/v03","protocolBinding":"JSONRPC","protocolVersion":"0.3"}]}`,
			only10, "", "spoke 1.0", []string{"/v1 SendMessage 1.0", "/v1 SendMessage 1.0"}},
		{"HTTP 404 for the 1.0 endpoint switches to 0.3 at the 0.3 endpoint", "0.3",
			`{"url":"SELF/v03","supportedInterfaces":[{"url":"SELF/gone","protocolBinding":"JSONRPC","protocolVersion":"1.0"}]}`,
			func(w http.ResponseWriter, method, _ string) bool {
				if method == "SendMessage" {
					http.NotFound(w, nil)
					return true
				}
				return false
			}, "", "spoke 0.3", []string{"/gone SendMessage 1.0", "/v03 message/send ", "/v03 message/send "}},
		{"protocol pinned to 0.3 never switches", "1.0", `{"url":"SELF/rpc"}`, only10, "0.3", "",
			[]string{"/rpc message/send ", "/rpc message/send "}},
		{"protocol pinned to 1.0 overrides a 0.3 card", "1.0", `{"url":"SELF/rpc","protocolVersion":"0.3.0"}`, only10, "1.0", "spoke 1.0",
			[]string{"/rpc SendMessage 1.0", "/rpc SendMessage 1.0"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			agent := newOneDialectAgent(t, tc.speaks, tc.card, tc.refuse)
			base := startBridge(t, Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL, Protocol: tc.protocol}}})
			c := httpClient(t)
			for i := range 2 {
				res := post(t, c, base+"/v1/chat/completions", chatBody("a2a/a", false, "user", "hi"))
				if tc.want == "" {
					if res.status != 400 {
						t.Errorf("request %d: status %d, want the agent's refusal as 400: %s", i, res.status, res.body)
					}
					continue
				}
				if content, _ := completionText(t, res.body); res.status != 200 || content != tc.want {
					t.Errorf("request %d: %d %q, want 200 %q", i, res.status, content, tc.want)
				}
			}
			if got := agent.seen(); strings.Join(got, "|") != strings.Join(tc.wantCalls, "|") {
				t.Errorf("upstream calls = %q\nwant %q", got, tc.wantCalls)
			}
		})
	}
}

// TestStreamRefused: an agent whose card claims streaming but answers the
// stream call -32004 gets one send, still streamed to the client, and is
// not asked to stream again.
func TestStreamRefused(t *testing.T) {
	checkLeaks(t)
	var streams atomic.Int32
	agent := newOneDialectAgent(t, "0.3", `{"url":"SELF/rpc","capabilities":{"streaming":true}}`,
		func(w http.ResponseWriter, method, _ string) bool {
			if method == "message/stream" {
				streams.Add(1)
				w.Header().Set("Content-Type", "application/json")
				rpcErr(w, -32004, "streaming is not supported")
				return true
			}
			return false
		})
	base := startBridge(t, Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL}}})
	c := httpClient(t)
	for range 2 {
		res := post(t, c, base+"/v1/chat/completions", chatBody("a2a/a", true, "user", "hi"))
		frames, done := chunks(t, res.body)
		checkChunkStream(t, frames, done, "a2a/a")
		if content, _ := streamText(t, frames); content != "spoke 0.3" {
			t.Errorf("streamed %q, want %q", content, "spoke 0.3")
		}
	}
	if n := streams.Load(); n != 1 {
		t.Errorf("stream calls = %d, want 1 (the refusal is remembered)", n)
	}
}

// TestPollNonBlocking: an agent that returns its task still working is
// polled with tasks/get until it completes, streamed or not, backing off
// from 100 ms (100, 200, 400 ms: the polls come at 100, 300 and 700 ms).
// It runs in a synctest bubble (pipeNet): the back-off is exact.
func TestPollNonBlocking(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprint("stream=", stream), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				var polls []time.Duration
				mux := http.NewServeMux()
				mux.HandleFunc("GET /.well-known/agent-card.json", func(w http.ResponseWriter, r *http.Request) {
					fmt.Fprint(w, `{"name":"poll","protocolVersion":"0.3.0","url":"/rpc","capabilities":{"streaming":false}}`)
				})
				mux.HandleFunc("POST /rpc", func(w http.ResponseWriter, r *http.Request) {
					body, _ := io.ReadAll(r.Body)
					switch gjson.GetBytes(body, "method").String() {
					case "message/send":
						fmt.Fprint(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"T9","contextId":"C","status":{"state":"submitted"}}}`)
					case "tasks/get":
						polls = append(polls, time.Since(start))
						state, text := "working", "hal"
						if len(polls) >= 3 {
							state, text = "completed", "halfway done"
						}
						fmt.Fprintf(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"T9","contextId":"C","status":{"state":%q},"artifacts":[{"artifactId":"a","parts":[{"kind":"text","text":%q}]}]}}`, state, text)
					default:
						rpcErr(w, -32601, "method not found")
					}
				})
				pn := newPipeNet()
				agent := pn.serve(t, "agent.test:80", mux)
				base := pn.startBridge(t, Config{Agents: []AgentConfig{{Name: "a", URL: agent}}})
				start = time.Now()
				res := post(t, pn.client(t), base+"/v1/chat/completions", chatBody("a2a/a", stream, "user", "hi"))
				var content string
				if stream {
					frames, done := chunks(t, res.body)
					checkChunkStream(t, frames, done, "a2a/a")
					content, _ = streamText(t, frames)
				} else {
					content, _ = completionText(t, res.body)
				}
				want := []time.Duration{100 * time.Millisecond, 300 * time.Millisecond, 700 * time.Millisecond}
				if content != "halfway done" || fmt.Sprint(polls) != fmt.Sprint(want) || res.header.Get("X-A2A-Task-Id") != "T9" {
					t.Errorf("content %q after polls at %v (task header %q), want %q after polls at %v", content, polls, res.header.Get("X-A2A-Task-Id"), "halfway done", want)
				}
			})
		})
	}
}
