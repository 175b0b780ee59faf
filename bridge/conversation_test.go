package bridge

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tidwall/gjson"
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
	checkLeaks(t)
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
	cfg.APIKeys = Keys("sk-alice", "sk-bob")
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
	checkLeaks(t)
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
	cfg.APIKeys = Keys("sk-alice", "sk-bob")
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

// startServer is startBridge that also returns the server, for a test to
// look at what it keeps.
func startServer(t *testing.T, cfg Config) (*Server, string) {
	t.Helper()
	s, err := New(cfg, testLogger(t))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	base, _ := serve(t, s)
	return s, base
}

// keyBytes is how many keys cs holds, and their bytes in all.
func keyBytes(cs *conversations) (n, size int) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for k, e := range cs.items {
		size += len(k.owner) + len(k.name) + len(e.conv.ContextID) + len(e.conv.TaskID)
	}
	return len(cs.items), size
}

// askingAgent answers every new message with a task of its own that asks a
// question (input-required), and a message to a task by completing it.
func askingAgent(t *testing.T) *faultAgent {
	var n atomic.Int64
	return newFaultAgent(t, false, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if task := gjson.GetBytes(body, "params.message.taskId").String(); task != "" {
			fmt.Fprintf(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":%q,"contextId":%q,"status":{"state":"completed"},`+
				`"artifacts":[{"artifactId":"a","parts":[{"kind":"text","text":%q}]}]}}`,
				task, gjson.GetBytes(body, "params.message.contextId").String(), "done "+task)
			return
		}
		i := n.Add(1)
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"t%d","contextId":"c%d","status":{"state":"input-required",`+
			`"message":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"Which city?"}]}}}}`, i, i)
	})
}

// TestFloodKeepsOtherKeysTasks: a key sending many one-off conversations
// (three times conversations.max_entries) cannot push out another key's
// tasks waiting for an answer: they are continued, by their task id and
// by their turns.
func TestFloodKeepsOtherKeysTasks(t *testing.T) {
	const maxEntries = 30
	agent := askingAgent(t)
	base := startBridge(t, Config{APIKeys: Keys("sk-flood", "sk-bob"), Conversations: ConversationsConfig{MaxEntries: maxEntries},
		Agents: []AgentConfig{{Name: "ask", URL: agent.URL}}})
	c := httpClient(t)
	ask := func(key, body string, header ...string) result {
		t.Helper()
		res := post(t, c, base+"/v1/chat/completions", body, append([]string{"Authorization", "Bearer " + key}, header...)...)
		if res.status != 200 {
			t.Fatalf("%s: status %d: %s", key, res.status, res.body)
		}
		return res
	}
	byID := ask("sk-bob", turnsBody("a2a/ask", false, "book a train")).header.Get("X-A2A-Task-Id")
	byTurns := ask("sk-bob", turnsBody("a2a/ask", false, "book a room")).header.Get("X-A2A-Task-Id")
	for i := range 3 * maxEntries {
		ask("sk-flood", turnsBody("a2a/ask", false, fmt.Sprint("one-off ", i)))
	}
	cases := []struct {
		name, body string
		header     []string
		task       string
	}{
		{"by X-A2A-Task-Id", turnsBody("a2a/ask", false, "Paris"), []string{"X-A2A-Task-Id", byID}, byID},
		{"by its turns", turnsBody("a2a/ask", false, "book a room", "Which city?", "Lyon"), nil, byTurns},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := post(t, c, base+"/v1/chat/completions", tc.body, append([]string{"Authorization", "Bearer sk-bob"}, tc.header...)...)
			if res.status != 200 {
				t.Fatalf("status %d: %s, want task %s continued", res.status, res.body, tc.task)
			}
			if content, _ := completionText(t, res.body); content != "done "+tc.task || res.header.Get("X-A2A-Task-Id") != tc.task {
				t.Errorf("answer %q on task %q, want %q on the waiting task", content, res.header.Get("X-A2A-Task-Id"), "done "+tc.task)
			}
		})
	}
}

// nameAgent answers each message with a context id of maxName bytes of its
// own: a well-behaved agent with the longest names the bridge keeps.
func nameAgent(t *testing.T) *faultAgent {
	var n atomic.Int64
	return newFaultAgent(t, false, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"message","role":"agent","messageId":"m","contextId":"%0*d",`+
			`"parts":[{"kind":"text","text":"ok"}]}}`, maxName, n.Add(1))
	})
}

// TestNameHeaders: X-A2A-Context-Id and X-A2A-Task-Id are names the bridge
// keeps and echoes: over maxName bytes, or not plain text, they are a 400
// naming the header and the bound, never echoing the value.
func TestNameHeaders(t *testing.T) {
	agent := nameAgent(t)
	base := startBridge(t, Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL, Conversation: "context"}}})
	long := strings.Repeat("n", maxName+1)
	cases := []struct {
		name   string
		header []string
		status int
		param  string // the header named, for a 400
	}{
		{"context name at the bound", []string{"X-A2A-Context-Id", strings.Repeat("n", maxName)}, 200, ""},
		{"context name over the bound", []string{"X-A2A-Context-Id", long}, 400, "X-A2A-Context-Id"},
		{"task id over the bound", []string{"X-A2A-Task-Id", long}, 400, "X-A2A-Task-Id"},
		{"unknown task id at the bound", []string{"X-A2A-Task-Id", strings.Repeat("t", maxName)}, 404, "X-A2A-Task-Id"},
		{"context name over the bound with a task id", []string{"X-A2A-Task-Id", "t1", "X-A2A-Context-Id", long}, 400, "X-A2A-Context-Id"},
		{"tab in a context name", []string{"X-A2A-Context-Id", "a\tb"}, 400, "X-A2A-Context-Id"},
		{"C1 control in a task id", []string{"X-A2A-Task-Id", "a\u0085b"}, 400, "X-A2A-Task-Id"},
		{"context name not UTF-8", []string{"X-A2A-Context-Id", "a\xffb"}, 400, "X-A2A-Context-Id"},
		{"non-ASCII context name", []string{"X-A2A-Context-Id", "conversación-1"}, 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := post(t, httpClient(t), base+"/v1/chat/completions", turnsBody("a2a/a", false, "hi"), tc.header...)
			if res.status != tc.status {
				t.Fatalf("status %d: %s, want %d", res.status, res.body, tc.status)
			}
			if tc.status == 200 {
				return
			}
			e := decodeError(t, res.body)
			if deref(e.Error.Param) != tc.param || e.Error.Type != "invalid_request_error" {
				t.Errorf("error %s, want invalid_request_error with param %s", res.body, tc.param)
			}
			if tc.status == 400 && (!strings.Contains(e.Error.Message, tc.param) || !strings.Contains(e.Error.Message, fmt.Sprint(maxName)) ||
				strings.Contains(e.Error.Message, "nnnn") || strings.Contains(e.Error.Message, `a\tb`)) {
				t.Errorf("message %q, want the header and the bound named, the value not echoed", e.Error.Message)
			}
		})
	}
}

// TestNamesBoundedInMemory: however many conversations come with the
// longest names allowed, what the bridge keeps of them stays within
// conversations.max_entries entries of bounded keys; a 1 MB name is
// refused and not kept.
func TestNamesBoundedInMemory(t *testing.T) {
	const maxEntries, calls = 64, 300
	agent := nameAgent(t)
	s, base := startServer(t, Config{Conversations: ConversationsConfig{MaxEntries: maxEntries},
		Agents: []AgentConfig{{Name: "a", URL: agent.URL, Conversation: "context"}}})
	c := httpClient(t)
	// An entry: its key (scope, agent, "ctx:" and a name) and the agent's ids it holds.
	perEntry := len("\x00a\x00ctx:") + 2*maxName
	for i := range calls {
		name := fmt.Sprintf("%0*d", maxName, i)
		if res := post(t, c, base+"/v1/chat/completions", turnsBody("a2a/a", false, "hi"), "X-A2A-Context-Id", name); res.status != 200 {
			t.Fatalf("call %d: status %d: %s", i, res.status, res.body)
		}
		if n, size := keyBytes(s.convs); n > maxEntries || size > n*perEntry {
			t.Fatalf("after call %d: %d entries of %d bytes, want at most %d of %d bytes each", i, n, size, maxEntries, perEntry)
		}
	}
	n, size := keyBytes(s.convs)
	for _, h := range []string{"X-A2A-Context-Id", "X-A2A-Task-Id"} {
		res := post(t, c, base+"/v1/chat/completions", turnsBody("a2a/a", false, "hi"), h, strings.Repeat("m", 1_000_000))
		if e := decodeError(t, res.body); res.status != 400 || deref(e.Error.Param) != h || len(res.body) > 1000 {
			t.Errorf("1 MB %s: status %d, %d bytes: %.300s, want a short 400 naming it", h, res.status, len(res.body), res.body)
		}
	}
	if n2, size2 := keyBytes(s.convs); n2 != n || size2 != size {
		t.Errorf("after the 1 MB names: %d entries of %d bytes, want %d of %d: nothing kept", n2, size2, n, size)
	}
}

// TestLongAgentIDsNotKept: an agent's ids are names the bridge keeps and
// echoes too: one over maxName bytes is neither kept nor put in a header.
func TestLongAgentIDsNotKept(t *testing.T) {
	id := strings.Repeat("i", 100_000)
	agent := newFaultAgent(t, false, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":%q,"contextId":"c1","status":{"state":"input-required",`+
			`"message":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"Which city?"}]}}}}`, id)
	})
	s, base := startServer(t, Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL}}})
	res := post(t, httpClient(t), base+"/v1/chat/completions", turnsBody("a2a/a", false, "book"))
	if res.status != 200 && res.status != 502 { // 502 where the agent's ids are refused as it answers
		t.Errorf("status %d: %.300s", res.status, res.body)
	}
	if got := res.header.Get("X-A2A-Task-Id"); len(got) > maxName {
		t.Errorf("X-A2A-Task-Id of %d bytes echoed, want at most %d", len(got), maxName)
	}
	if n, size := keyBytes(s.convs); n != 0 {
		t.Errorf("%d entries of %d bytes kept, want none", n, size)
	}
}
