package bridge

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// realPeers starts one agent per official SDK, named after it.
func realPeers(t *testing.T) []peer {
	t.Helper()
	return []peer{startJSPeer(t, "js03.mjs"), startGoPeer(t, "go03")}
}

func chatBody(model string, stream bool, msgs ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"model":%q,"stream":%t,"messages":[`, model, stream)
	for i := 0; i+1 < len(msgs); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"role":%q,"content":%q}`, msgs[i], msgs[i+1])
	}
	b.WriteString("]}")
	return b.String()
}

// TestRealAgents runs every core behaviour against each real SDK agent,
// streamed and not. The agents answer "echo: " + exactly the text they
// received, so each case also proves what reached the agent.
func TestRealAgents(t *testing.T) {
	checkLeaks(t)
	peers := realPeers(t)
	base := startBridge(t, agentsFor(peers...))
	client := httpClient(t)
	cases := []struct {
		name string
		msgs []string // role, content pairs
		want string   // the answer: "echo: " + the flattened conversation
	}{
		{"single user turn", []string{"user", "hello world"}, "echo: user: hello world"},
		{"multi-turn flattening keeps every turn in order",
			[]string{"system", "Be terse.", "user", "What is 2+2?", "assistant", "4", "user", "And 3+3?\nThanks."},
			"echo: system: Be terse.\nuser: What is 2+2?\nassistant: 4\nuser: And 3+3?\n  Thanks."},
		{"bare Message reply", []string{"user", "MODE:message hi"}, "echo: user: MODE:message hi"},
		{"snapshot re-send is shown once", []string{"user", "MODE:snapshot one two three"}, "echo: user: MODE:snapshot one two three"},
	}
	for _, p := range peers {
		model := "a2a/" + p.name
		for _, tc := range cases {
			t.Run(p.name+"/"+tc.name+"/nonstream", func(t *testing.T) {
				res := post(t, client, base+"/v1/chat/completions", chatBody(model, false, tc.msgs...))
				if res.status != http.StatusOK {
					t.Fatalf("status = %d, want 200: %s", res.status, res.body)
				}
				content, finish := completionText(t, res.body)
				if content != tc.want || finish != "stop" {
					t.Errorf("answer = %q (finish %q), want %q (stop)", content, finish, tc.want)
				}
			})
			t.Run(p.name+"/"+tc.name+"/stream", func(t *testing.T) {
				res := post(t, client, base+"/v1/chat/completions", chatBody(model, true, tc.msgs...))
				if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/event-stream") {
					t.Fatalf("status = %d, content type %q, want 200 text/event-stream: %s", res.status, res.header.Get("Content-Type"), res.body)
				}
				frames, done := chunks(t, res.body)
				checkChunkStream(t, frames, done, model)
				content, finish := streamText(t, frames)
				if content != tc.want || finish != "stop" {
					t.Errorf("streamed answer = %q (finish %q), want %q (stop)", content, finish, tc.want)
				}
			})
		}
		t.Run(p.name+"/unknown model and malformed body", func(t *testing.T) {
			for _, tc := range []struct {
				body   string
				status int
			}{
				{chatBody(model+"-nope", false, "user", "hi"), 404},
				{chatBody(model+"-nope", true, "user", "hi"), 404},
				{`{"model":"` + model + `","messages":[{"role":"user","content":"hi"}`, 400},
				{`{"model":"` + model + `","stream":true,"messages":{"role":"user"}}`, 400},
			} {
				res := post(t, client, base+"/v1/chat/completions", tc.body)
				if e := decodeError(t, res.body); res.status != tc.status {
					t.Errorf("%s: status %d (%+v), want %d", tc.body, res.status, e.Error, tc.status)
				}
			}
		})
		t.Run(p.name+"/task ids reach the caller", func(t *testing.T) {
			res := post(t, client, base+"/v1/chat/completions", chatBody(model, false, "user", "ids"))
			if res.header.Get("X-A2A-Task-Id") == "" || res.header.Get("X-A2A-Context-Id") == "" {
				t.Errorf("X-A2A-Task-Id/X-A2A-Context-Id headers missing: %v", res.header)
			}
			if !strings.Contains(string(res.body), `"a2a":{"task_id":"`+res.header.Get("X-A2A-Task-Id")) {
				t.Errorf("body lacks the a2a extension with the task id: %s", res.body)
			}
		})
	}
}

// checkChunkStream checks the shape OpenAI clients rely on: every frame a
// chunk of one id, the role first, finish_reason null until the last
// content chunk, then [DONE].
func checkChunkStream(t *testing.T, frames []map[string]any, done bool, model string) {
	t.Helper()
	if !done {
		t.Error("stream did not end with data: [DONE]")
	}
	if len(frames) < 2 {
		t.Fatalf("only %d chunks", len(frames))
	}
	id := frames[0]["id"]
	for i, f := range frames {
		if f["object"] != "chat.completion.chunk" || f["id"] != id || f["model"] != model {
			t.Errorf("frame %d = %v, want a chunk of id %v for %s", i, f, id, model)
		}
		choices := f["choices"].([]any)
		ch := choices[0].(map[string]any)
		last := i == len(frames)-1
		if fr := ch["finish_reason"]; (fr == nil) == last {
			t.Errorf("frame %d finish_reason = %v (last frame: %v)", i, fr, last)
		}
	}
	first := frames[0]["choices"].([]any)[0].(map[string]any)["delta"].(map[string]any)
	if first["role"] != "assistant" || first["content"] != "" {
		t.Errorf("first delta = %v, want role assistant and empty content", first)
	}
}

// TestClientErrors checks what a caller sees for its own mistakes.
func TestClientErrors(t *testing.T) {
	checkLeaks(t)
	js := startJSPeer(t, "js03.mjs")
	cfg := agentsFor(js)
	cfg.Limits.MaxRequestBody = 4096
	base := startBridge(t, cfg)
	client := httpClient(t)
	cases := []struct {
		name, body       string
		status           int
		typ, code, param string
	}{
		{"unknown model", chatBody("a2a/nobody", false, "user", "hi"), 404, "invalid_request_error", "model_not_found", "model"},
		{"model without a2a/ prefix", chatBody("gpt-4o", false, "user", "hi"), 404, "invalid_request_error", "model_not_found", "model"},
		{"malformed JSON", `{"model":"a2a/js03","messages":[`, 400, "invalid_request_error", "", ""},
		{"not an object", `[1,2]`, 400, "invalid_request_error", "", ""},
		{"missing messages", `{"model":"a2a/js03"}`, 400, "invalid_request_error", "", "messages"},
		{"empty messages", `{"model":"a2a/js03","messages":[]}`, 400, "invalid_request_error", "", "messages"},
		{"bad role", `{"model":"a2a/js03","messages":[{"role":"robot","content":"x"}]}`, 400, "invalid_request_error", "", "messages[0].role"},
		{"audio part", `{"model":"a2a/js03","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"AA==","format":"wav"}}]}]}`,
			400, "invalid_request_error", "", "messages[0].content[0].type"},
		{"body too large", chatBody("a2a/js03", false, "user", strings.Repeat("x", 5000)), 413, "invalid_request_error", "request_too_large", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, stream := range []bool{false, true} {
				body := tc.body
				if stream {
					body = strings.Replace(body, `"stream":false`, `"stream":true`, 1)
				}
				res := post(t, client, base+"/v1/chat/completions", body)
				if res.status != tc.status {
					t.Fatalf("stream=%v: status = %d, want %d: %s", stream, res.status, tc.status, res.body)
				}
				e := decodeError(t, res.body)
				if e.Error.Type != tc.typ || deref(e.Error.Code) != tc.code || deref(e.Error.Param) != tc.param {
					t.Errorf("stream=%v: error = %+v, want type %q code %q param %q", stream, e.Error, tc.typ, tc.code, tc.param)
				}
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestFormEncodedBody: curl -d sends application/x-www-form-urlencoded; the
// body is JSON all the same.
func TestFormEncodedBody(t *testing.T) {
	base := startBridge(t, Config{})
	res := post(t, httpClient(t), base+"/v1/chat/completions", chatBody("a2a/echo", false, "user", "hi"),
		"Content-Type", "application/x-www-form-urlencoded")
	if content, _ := completionText(t, res.body); res.status != 200 || content != "hi" {
		t.Errorf("demo echo = %d %q, want 200 \"hi\"", res.status, content)
	}
}
