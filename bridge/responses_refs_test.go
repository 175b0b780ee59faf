package bridge

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// echoingAgent answers every message with "echo: " and the text it was sent.
func echoingAgent(t *testing.T) *faultAgent {
	return newFaultAgent(t, false, func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Params struct {
				Message struct {
					Parts []struct{ Text string }
				}
			}
		}
		_, body := lastBody(r)
		if err := json.Unmarshal([]byte(body), &req); err != nil || len(req.Params.Message.Parts) == 0 {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		text, _ := json.Marshal("echo: " + req.Params.Message.Parts[0].Text)
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"t1","contextId":"c1","status":{"state":"completed"},"artifacts":[{"artifactId":"a","parts":[{"kind":"text","text":%s}]}]}}`, text)
	})
}

// outputOf is the id and text of a response object's output message.
func outputOf(t *testing.T, body []byte) (id, text string) {
	t.Helper()
	var r struct {
		Output []struct {
			ID      string
			Content []struct{ Text string }
		}
	}
	if err := json.Unmarshal(body, &r); err != nil || len(r.Output) != 1 || len(r.Output[0].Content) != 1 {
		t.Fatalf("not a response with one output message (%v): %s", err, body)
	}
	return r.Output[0].ID, r.Output[0].Content[0].Text
}

// TestResponsesItemReference: an item_reference to the output message of
// a response of the caller's key is that message, as an assistant turn;
// to one of another key, of a store:false response, or an unknown id, it
// is 400 item_not_found naming the item.
func TestResponsesItemReference(t *testing.T) {
	checkLeaks(t)
	agent := echoingAgent(t)
	cfg := Config{APIKeys: Keys("sk-alice", "sk-bob"), Agents: []AgentConfig{{Name: "echo", URL: agent.URL, Timeout: Duration{10 * time.Second}}}}
	_, base, _ := serveBridge(t, cfg, nil)
	first := respPost(t, base, "sk-alice", `{"model":"a2a/echo","input":"hi"}`)
	msgID, text := outputOf(t, first.body)
	unstored := respPost(t, base, "sk-alice", `{"model":"a2a/echo","input":"hi","store":false}`)
	unstoredID, _ := outputOf(t, unstored.body)
	for _, item := range []string{`{"type":"item_reference","id":%q}`, `{"id":%q}`} {
		ref := fmt.Sprintf(item, msgID)
		for _, stream := range []bool{false, true} {
			res := respPost(t, base, "sk-alice", fmt.Sprintf(`{"model":"a2a/echo","stream":%t,"input":[{"role":"user","content":"hi"},%s,{"role":"user","content":"again"}]}`, stream, ref))
			want := "echo: user: hi\nassistant: " + text + "\nuser: again"
			if res.status != 200 || !strings.Contains(string(res.body), strings.ReplaceAll(want, "\n", `\n`)) {
				t.Errorf("input with %s (stream %t) = %d %s, want the referenced turn, %q", ref, stream, res.status, res.body, want)
			}
		}
	}
	for _, tc := range []struct{ name, key, id string }{
		{"another key's", "sk-bob", msgID},
		{"store false", "sk-alice", unstoredID},
		{"unknown", "sk-alice", "msg_0123456789abcdef"},
		{"a response id", "sk-alice", respID(t, first.body)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := respPost(t, base, tc.key, fmt.Sprintf(`{"model":"a2a/echo","input":[{"role":"user","content":"hi"},{"type":"item_reference","id":%q}]}`, tc.id))
			e := decodeError(t, res.body)
			if res.status != 400 || e.Error.Code == nil || *e.Error.Code != "item_not_found" || e.Error.Param == nil || *e.Error.Param != "input[1].id" ||
				!strings.Contains(e.Error.Message, tc.id) {
				t.Errorf("item_reference to %s = %d %s, want 400 item_not_found on input[1].id", tc.id, res.status, res.body)
			}
		})
	}
}

// TestResponsesHistory: the AI SDK's openai(model) and the Agents SDK
// re-send a first turn as they keep it (the AI SDK as an item_reference to
// its stored output message, the Agents SDK as its output items), and the
// agent gets the whole conversation.
func TestResponsesHistory(t *testing.T) {
	checkLeaks(t)
	agent := echoingAgent(t)
	base := startBridge(t, Config{Agents: []AgentConfig{{Name: "echo", URL: agent.URL, Timeout: Duration{10 * time.Second}}}}) + "/v1"
	const want = "echo: user: one\nassistant: echo: user: one\nuser: two"
	for _, c := range []string{"ai", "agents"} {
		t.Run(c, func(t *testing.T) {
			r := runResponses(t, respJob{Client: c, BaseURL: base, Model: "a2a/echo", Scenario: "history", Input: "one", FollowUp: "two"})
			if !r.OK || r.Content != want {
				t.Errorf("%s history = %+v (error %+v), want %q", c, r, r.Error, want)
			}
			_, body := agent.last()
			if c == "ai" && !strings.Contains(body, "assistant: echo: user: one") {
				t.Errorf("the agent got %s, want the referenced turn", body)
			}
		})
	}
}
