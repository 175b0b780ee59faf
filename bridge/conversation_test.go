package bridge

import (
	"encoding/json"
	"strings"
	"testing"
)

// turnsBody is a chat request of alternating user/assistant turns.
func turnsBody(model string, stream bool, turns ...string) string {
	var msgs []string
	for i, t := range turns {
		role := "user"
		if i%2 == 1 {
			role = "assistant"
		}
		msgs = append(msgs, role, t)
	}
	return chatBody(model, stream, msgs...)
}

// answer posts one request and returns its content and response headers.
func answer(t *testing.T, base, body string, header ...string) (string, result) {
	t.Helper()
	res := post(t, httpClient(t), base+"/v1/chat/completions", body, header...)
	if res.status != 200 {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	if strings.Contains(body, `"stream":true`) {
		frames, done := chunks(t, res.body)
		content, _ := streamText(t, frames)
		if !done {
			t.Fatalf("stream did not finish: %s", res.body)
		}
		return content, res
	}
	content, _ := completionText(t, res.body)
	return content, res
}

// TestContextMode: with conversation: context, the agent keeps the context
// and receives only the turns it has not seen (MODE:count makes it say how
// many messages it received in its context, and what).
func TestContextMode(t *testing.T) {
	for _, p := range []peer{startJSPeer(t, "js03.mjs"), startJSPeer(t, "js10.mjs"), startGoPeer(t, "go03"), startGoPeer(t, "gov2")} {
		t.Run(p.name, func(t *testing.T) {
			cfg := agentsFor(p)
			cfg.Agents[0].Conversation = "context"
			base := startBridge(t, cfg)
			model := "a2a/" + p.name
			a1, r1 := answer(t, base, turnsBody(model, false, "hi MODE:count"))
			if a1 != "turn 1: user: hi MODE:count" {
				t.Fatalf("turn 1 = %q", a1)
			}
			a2, r2 := answer(t, base, turnsBody(model, true, "hi MODE:count", a1, "again MODE:count"))
			if a2 != "turn 2: user: again MODE:count" {
				t.Errorf("turn 2 = %q, want only the new turn in the same context", a2)
			}
			if r1.header.Get("X-A2A-Context-Id") == "" || r2.header.Get("X-A2A-Context-Id") != r1.header.Get("X-A2A-Context-Id") {
				t.Errorf("contexts %q then %q, want one", r1.header.Get("X-A2A-Context-Id"), r2.header.Get("X-A2A-Context-Id"))
			}
			// The curl way: send back the X-A2A-Context-Id it was given, with only the new message.
			a3, _ := answer(t, base, turnsBody(model, false, "third MODE:count"), "X-A2A-Context-Id", r1.header.Get("X-A2A-Context-Id"))
			if a3 != "turn 3: user: third MODE:count" {
				t.Errorf("turn 3 by header = %q", a3)
			}
		})
	}
}

// TestFlattenModeIsStateless: the default mode sends everything, each call
// in a new context.
func TestFlattenModeIsStateless(t *testing.T) {
	p := startJSPeer(t, "js03.mjs")
	base := startBridge(t, agentsFor(p))
	a1, _ := answer(t, base, turnsBody("a2a/js03", false, "hi MODE:count"))
	a2, _ := answer(t, base, turnsBody("a2a/js03", false, "hi MODE:count", a1, "again MODE:count"))
	want := "turn 1: user: hi MODE:count\nassistant: " + a1 + "\nuser: again MODE:count"
	if a2 != want {
		t.Errorf("turn 2 = %q, want %q", a2, want)
	}
}

// TestContextsScopedByKey: two API keys naming the same conversation never
// share a context.
func TestContextsScopedByKey(t *testing.T) {
	p := startJSPeer(t, "js03.mjs")
	cfg := agentsFor(p)
	cfg.Agents[0].Conversation = "context"
	cfg.APIKeys = []string{"sk-alice", "sk-bob"}
	base := startBridge(t, cfg)
	say := func(key, text string) string {
		a, _ := answer(t, base, turnsBody("a2a/js03", false, text), "Authorization", "Bearer "+key, "X-A2A-Context-Id", "conv-1")
		return a
	}
	steps := []struct{ key, text, want string }{
		{"sk-alice", "a1 MODE:count", "turn 1: user: a1 MODE:count"},
		{"sk-alice", "a2 MODE:count", "turn 2: user: a2 MODE:count"},
		{"sk-bob", "b1 MODE:count", "turn 1: user: b1 MODE:count"},
		{"sk-alice", "a3 MODE:count", "turn 3: user: a3 MODE:count"},
		{"sk-bob", "b2 MODE:count", "turn 2: user: b2 MODE:count"},
	}
	for _, s := range steps {
		if got := say(s.key, s.text); got != s.want {
			t.Errorf("%s says %q: %q, want %q", s.key, s.text, got, s.want)
		}
	}
}

// TestInputRequiredContinuation: input-required, then the answer goes to
// the same task, which completes; a terminal task is never written to
// again. In both modes, streamed and not, on 0.3 and 1.0 agents.
func TestInputRequiredContinuation(t *testing.T) {
	for _, p := range []peer{startJSPeer(t, "js03.mjs"), startJSPeer(t, "js10.mjs"), startGoPeer(t, "go03"), startGoPeer(t, "gov2")} {
		for _, mode := range []string{"flatten", "context"} {
			t.Run(p.name+"/"+mode, func(t *testing.T) {
				cfg := agentsFor(p)
				cfg.Agents[0].Conversation = mode
				base := startBridge(t, cfg)
				model := "a2a/" + p.name
				q, r1 := answer(t, base, turnsBody(model, false, "book MODE:input"))
				task := r1.header.Get("X-A2A-Task-Id")
				if q != "Which city?" || ext2State(t, r1) != "input-required" {
					t.Fatalf("turn 1 = %q (%s)", q, ext2State(t, r1))
				}
				a2, r2 := answer(t, base, turnsBody(model, true, "book MODE:input", q, "Paris"))
				if a2 != "echo: user: Paris" || r2.header.Get("X-A2A-Task-Id") != task {
					t.Errorf("answer = %q on task %q, want %q on the same task %q", a2, r2.header.Get("X-A2A-Task-Id"), "echo: user: Paris", task)
				}
				_, r3 := answer(t, base, turnsBody(model, false, "book MODE:input", q, "Paris", a2, "thanks"))
				if r3.header.Get("X-A2A-Task-Id") == task {
					t.Error("a completed task was written to again")
				}
				// Named by its context id, the conversation's finished task is not written to either.
				_, r4 := answer(t, base, turnsBody(model, false, "more"), "X-A2A-Context-Id", r1.header.Get("X-A2A-Context-Id"))
				if r4.header.Get("X-A2A-Task-Id") == task {
					t.Error("a completed task was written to again through its context id")
				}
			})
		}
	}
}

// TestTaskHeader: X-A2A-Task-Id names the task to answer explicitly; a task
// the caller's key has not seen is 404.
func TestTaskHeader(t *testing.T) {
	p := startJSPeer(t, "js03.mjs")
	cfg := agentsFor(p)
	cfg.APIKeys = []string{"sk-alice", "sk-bob"}
	base := startBridge(t, cfg)
	_, r1 := answer(t, base, turnsBody("a2a/js03", false, "book MODE:input"), "Authorization", "Bearer sk-alice")
	task := r1.header.Get("X-A2A-Task-Id")
	a, r2 := answer(t, base, turnsBody("a2a/js03", false, "Lyon"), "Authorization", "Bearer sk-alice", "X-A2A-Task-Id", task)
	if a != "echo: user: Lyon" || r2.header.Get("X-A2A-Task-Id") != task {
		t.Errorf("answer by task header = %q on %q", a, r2.header.Get("X-A2A-Task-Id"))
	}
	for _, tc := range []struct{ key, task string }{{"sk-bob", task}, {"sk-alice", "no-such-task"}} {
		res := post(t, httpClient(t), base+"/v1/chat/completions", turnsBody("a2a/js03", false, "x"),
			"Authorization", "Bearer "+tc.key, "X-A2A-Task-Id", tc.task)
		if e := decodeError(t, res.body); res.status != 404 || deref(e.Error.Code) != "task_not_found" {
			t.Errorf("%s with task %q: %d %s, want 404 task_not_found", tc.key, tc.task, res.status, res.body)
		}
	}
}

func ext2State(t *testing.T, r result) string {
	t.Helper()
	var body struct {
		A2A struct{ State string } `json:"a2a"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatalf("%v: %s", err, r.body)
	}
	return body.A2A.State
}
