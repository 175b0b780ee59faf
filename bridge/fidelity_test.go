package bridge

import (
	"io"
	"net/http"
	"testing"
)

// TestAnsweredTaskNotWrittenAgain: after an input-required task was
// answered and completed, the same request again (an SDK retrying on a
// timeout) or the same history with an edited answer starts a new task: a
// real @a2a-js/sdk agent refuses a message to a task in a terminal state.
func TestAnsweredTaskNotWrittenAgain(t *testing.T) {
	p := startJSPeer(t, "js03.mjs")
	for _, mode := range []string{"flatten", "context"} {
		for _, stream := range []bool{false, true} {
			t.Run(mode+map[bool]string{false: "/send", true: "/stream"}[stream], func(t *testing.T) {
				cfg := agentsFor(p)
				cfg.Agents[0].Conversation = mode
				base := startBridge(t, cfg)
				model := "a2a/" + p.name
				q, r1 := answer(t, base, turnsBody(model, false, "book MODE:input"))
				task := r1.header.Get("X-A2A-Task-Id")
				if q != "Which city?" {
					t.Fatalf("turn 1 = %q, want the question", q)
				}
				a, r2 := answer(t, base, turnsBody(model, stream, "book MODE:input", q, "Paris"))
				if a != "echo: user: Paris" || r2.header.Get("X-A2A-Task-Id") != task {
					t.Fatalf("answer = %q on %q, want the task %q completed", a, r2.header.Get("X-A2A-Task-Id"), task)
				}
				for _, last := range []string{"Paris", "Lyon"} { // retried as it was, then edited
					_, r := answer(t, base, turnsBody(model, stream, "book MODE:input", q, last))
					if got := r.header.Get("X-A2A-Task-Id"); got == "" || got == task {
						t.Errorf("turn 2 again with %q went to task %q, want a new task (not %q)", last, got, task)
					}
					if mode == "context" && r.header.Get("X-A2A-Context-Id") != r1.header.Get("X-A2A-Context-Id") {
						t.Errorf("turn 2 again with %q: context %q, want the conversation's %q", last,
							r.header.Get("X-A2A-Context-Id"), r1.header.Get("X-A2A-Context-Id"))
					}
				}
			})
		}
	}
}

// TestGetModelEscaped: openai-go and openai-node's models.retrieve escape
// the slash of a model id (GET /v1/models/a2a%2Fjs03).
func TestGetModelEscaped(t *testing.T) {
	base := startBridge(t, Config{})
	c := httpClient(t)
	for _, path := range []string{"/v1/models/a2a/echo", "/v1/models/a2a%2Fecho", "/v1/models/a2a%2fecho"} {
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(body) == "" {
			t.Errorf("GET %s = %d %s, want 200 and the model", path, resp.StatusCode, body)
		}
	}
	resp, err := c.Get(base + "/v1/models/a2a%2Fnone")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /v1/models/a2a%%2Fnone = %d, want 404", resp.StatusCode)
	}
}
