package bridge

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// dialectPeers starts one agent per SDK and protocol version. Go peers are
// added by goDialectPeers.
func dialectPeers(t *testing.T) []peer {
	t.Helper()
	return append([]peer{startJSPeer(t, "js02.mjs"), startJSPeer(t, "js03.mjs"), startJSPeer(t, "js10.mjs")}, goDialectPeers(t)...)
}

// lifecycleCases: one row per agent behaviour of testdata/peers/MODES.md,
// with what the OpenAI client must see. T is what the agent receives, the
// flattened conversation "user: <text>"; R = "echo: " + T.
var lifecycleCases = []struct {
	mode       string
	want       func(r string) string // the content, for answers
	status     int                   // 0: 200 with content; else the error status
	code, text string                // the error's code and a text of its message
	state      string                // the a2a.state in the body
	sendOnly   bool                  // the mode only makes sense without streaming
	streamOnly bool
}{
	{mode: "", want: same, state: "completed"},
	{mode: "MODE:message", want: same},
	{mode: "MODE:snapshot", want: same, state: "completed"},
	{mode: "MODE:input", want: fixed("Which city?"), state: "input-required"},
	// A task that ends failed or rejected before any content is a plain
	// HTTP error, streamed or not, of a status no client retries.
	{mode: "MODE:fail", status: 400, code: "agent_task_failed", text: "the tool crashed"},
	{mode: "MODE:reject", status: 403, code: "agent_task_rejected", text: "I will not do that"},
	{mode: "MODE:data", want: fixed("result:\n```json\n{\"answer\":42}\n```\n"), state: "completed"},
	{mode: "MODE:file", want: fixed("[report.pdf](https://example.invalid/report.pdf)[tiny.txt: text/plain, 5 bytes inline]"), state: "completed"},
	{mode: "MODE:progress", want: same, state: "completed"},
	{mode: "MODE:statusonly", want: same, state: "completed"},
	{mode: "MODE:echo", want: same, state: "completed"},
	{mode: "MODE:nonblocking", want: same, state: "completed", sendOnly: true},
	{mode: "MODE:cut", status: 502, code: "agent_error", text: "ended before its task finished", streamOnly: true},
}

func same(r string) string { return r }

func fixed(s string) func(string) string { return func(string) string { return s } }

// TestAgentBehaviours runs every row against every real SDK agent, each
// dialect, streamed and not: the README's table, proven.
func TestAgentBehaviours(t *testing.T) {
	checkLeaks(t)
	peers := dialectPeers(t)
	base := startBridge(t, agentsFor(peers...))
	c := httpClient(t)
	for _, p := range peers {
		for _, tc := range lifecycleCases {
			for _, stream := range []bool{false, true} {
				if (stream && tc.sendOnly) || (!stream && tc.streamOnly) {
					continue
				}
				name := p.name + "/" + strings.TrimPrefix(tc.mode, "MODE:") + map[bool]string{false: "/send", true: "/stream"}[stream]
				t.Run(name, func(t *testing.T) {
					text := "hello world " + tc.mode
					res := post(t, c, base+"/v1/chat/completions", chatBody("a2a/"+p.name, stream, "user", text))
					checkBehaviour(t, res, "a2a/"+p.name, stream, tc.want, tc.status, tc.code, tc.text, tc.state, "echo: user: "+text)
				})
			}
		}
	}
}

func checkBehaviour(t *testing.T, res result, model string, stream bool, want func(string) string, status int, code, text, state, r string) {
	t.Helper()
	errBody := res.body
	switch {
	case status >= 500 && stream && res.status == 200:
		// A transport fault after the content started: in-band.
		errBody = inBandError(t, res.body)
	case status != 0:
		if res.status != status {
			t.Fatalf("status = %d, want %d: %s", res.status, status, res.body)
		}
	}
	if status != 0 {
		e := decodeError(t, errBody)
		if deref(e.Error.Code) != code || !strings.Contains(e.Error.Message, text) {
			t.Errorf("error = %+v, want code %s and a message with %q", e.Error, code, text)
		}
		return
	}
	if res.status != 200 {
		t.Fatalf("status = %d: %s", res.status, res.body)
	}
	var content, finish string
	var last map[string]any
	if stream {
		frames, done := chunks(t, res.body)
		checkChunkStream(t, frames, done, model)
		content, finish = streamText(t, frames)
		last = frames[len(frames)-1]
	} else {
		content, finish = completionText(t, res.body)
		_ = json.Unmarshal(res.body, &last)
	}
	if content != want(r) || finish != "stop" {
		t.Errorf("content = %q (finish %q), want %q (stop)", content, finish, want(r))
	}
	if state != "" {
		ext, _ := last["a2a"].(map[string]any)
		if ext["state"] != state || ext["task_id"] == "" || res.header.Get("X-A2A-Task-Id") == "" {
			t.Errorf("a2a = %v, X-A2A-Task-Id %q; want state %s and the task id", ext, res.header.Get("X-A2A-Task-Id"), state)
		}
	}
}

// TestNoStreamAgents: agents whose card says streaming:false still stream
// to the client, from one send.
func TestNoStreamAgents(t *testing.T) {
	checkLeaks(t)
	peers := []peer{startJSPeer(t, "js03.mjs", "--no-stream"), startJSPeer(t, "js10.mjs", "--no-stream"),
		startGoPeer(t, "go03", "-no-stream"), startGoPeer(t, "gov2", "-no-stream")}
	base := startBridge(t, agentsFor(peers...))
	c := httpClient(t)
	for _, p := range peers {
		t.Run(p.name, func(t *testing.T) {
			res := post(t, c, base+"/v1/chat/completions", chatBody("a2a/"+p.name, true, "user", "one shot"))
			checkBehaviour(t, res, "a2a/"+p.name, true, same, 0, "", "", "completed", "echo: user: one shot")
		})
	}
}

// TestShowProgress: with show_progress, working status messages stream as content.
func TestShowProgress(t *testing.T) {
	checkLeaks(t)
	p := startJSPeer(t, "js03.mjs")
	cfg := agentsFor(p)
	cfg.Agents[0].ShowProgress = true
	base := startBridge(t, cfg)
	res := post(t, httpClient(t), base+"/v1/chat/completions", chatBody("a2a/js03", true, "user", "go MODE:progress"))
	checkBehaviour(t, res, "a2a/js03", true, func(r string) string { return "Looking things up…\nAlmost there…\n" + r }, 0, "", "", "completed",
		"echo: user: go MODE:progress")
}

// TestDialectSwitchRealAgent: a 1.0-only agent called in 0.3 first (its card
// is not read: card_url points nowhere useful) answers -32009, and the
// bridge switches to 1.0 with the A2A-Version header.
func TestDialectSwitchRealAgent(t *testing.T) {
	checkLeaks(t)
	p := startJSPeer(t, "js10.mjs")
	base := startBridge(t, Config{Agents: []AgentConfig{{Name: "js10", URL: p.url + "/a2a/jsonrpc", CardURL: p.url + "/none",
		Timeout: Duration{20 * time.Second}}}})
	for _, stream := range []bool{false, true} {
		res := post(t, httpClient(t), base+"/v1/chat/completions", chatBody("a2a/js10", stream, "user", "hi"))
		checkBehaviour(t, res, "a2a/js10", stream, same, 0, "", "", "completed", "echo: user: hi")
	}
}
