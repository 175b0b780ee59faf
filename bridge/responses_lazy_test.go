package bridge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/a2a-bridge/a2a-bridge/stream"
	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/google/uuid"
)

// answeringAgent answers every message with the raw JSON string text, as
// it is written: invalid UTF-8 and escapes included.
func answeringAgent(t *testing.T, text string) *faultAgent {
	return newFaultAgent(t, false, func(w http.ResponseWriter, r *http.Request) {
		_, _ = lastBody(r)
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"t1","contextId":"c1","status":{"state":"completed"},"artifacts":[{"artifactId":"a","parts":[{"kind":"text","text":"%s"}]}]}}`, text)
	})
}

// completedObject is the response object of a stream's response.completed
// event, as the bytes it was sent as.
func completedObject(t *testing.T, body []byte) []byte {
	t.Helper()
	for ev, err := range stream.Events(bytes.NewReader(body), 1<<20) {
		if err != nil {
			t.Fatalf("bridge SSE: %v", err)
		}
		if ev.Type != "response.completed" {
			continue
		}
		var e struct{ Response json.RawMessage }
		if err := json.Unmarshal(ev.Data, &e); err != nil {
			t.Fatalf("response.completed %s: %v", ev.Data, err)
		}
		return e.Response
	}
	t.Fatalf("no response.completed in %s", body)
	return nil
}

// TestResponsesStoredAsAnswered: GET /v1/responses/{id} answers the
// object the POST answered, or its stream's response.completed carried,
// byte for byte (the store keeps what it is encoded from, and encodes it
// again), whatever the answer, instructions and metadata hold; and an
// item_reference to its output message is the text that object holds.
func TestResponsesStoredAsAnswered(t *testing.T) {
	checkLeaks(t)
	for _, tc := range []struct{ name, answer, want string }{
		{"plain", `hello there`, "hello there"},
		{"escapes", `<b> & \"q\" \u2028 tab\there\nline \u00e9\ud83d\ude00`, "<b> & \"q\" \u2028 tab\there\nline é😀"},
		{"invalid utf-8", "caf\xc3 au lait \xff", "caf\ufffd au lait \ufffd"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			agent := answeringAgent(t, tc.answer)
			cfg := Config{Agents: []AgentConfig{{Name: "fixed", URL: agent.URL, Timeout: Duration{10 * time.Second}}}}
			_, base, _ := serveBridge(t, cfg, nil)
			for _, stream := range []bool{false, true} {
				res := respPost(t, base, "", fmt.Sprintf(`{"model":"a2a/fixed","stream":%t,"input":"hi","instructions":"Be <terse>.",`+
					`"metadata":{ "k" : "<v>" },"user":"u1"}`, stream))
				if res.status != 200 {
					t.Fatalf("POST (stream %t) = %d %s", stream, res.status, res.body)
				}
				answered := res.body
				if stream {
					answered = completedObject(t, res.body)
				}
				id := respID(t, answered)
				if got := respDo(t, http.MethodGet, base+"/v1/responses/"+id, ""); got.status != 200 || !bytes.Equal(got.body, answered) {
					t.Errorf("GET (stream %t) = %d\n%s\nwant the response as answered:\n%s", stream, got.status, got.body, answered)
				}
				msgID, text := outputOf(t, answered)
				if text != tc.want {
					t.Errorf("answer (stream %t) = %q, want %q", stream, text, tc.want)
				}
				ref := respPost(t, base, "", fmt.Sprintf(`{"model":"a2a/fixed","input":[{"type":"item_reference","id":%q},{"role":"user","content":"again"}]}`, msgID))
				sent := sentText(t, agent)
				turn, _ := json.Marshal(tc.want)
				respPost(t, base, "", fmt.Sprintf(`{"model":"a2a/fixed","input":[{"role":"assistant","content":%s},{"role":"user","content":"again"}]}`, turn))
				if want := sentText(t, agent); ref.status != 200 || sent != want {
					t.Errorf("item_reference (stream %t) = %d, sent the agent %q, want the turn as its object holds it: %q", stream, ref.status, sent, want)
				}
			}
		})
	}
}

// sentText is the text of the message agent was last sent.
func sentText(t *testing.T, agent *faultAgent) string {
	t.Helper()
	_, body := agent.last()
	var req struct {
		Params struct {
			Message struct{ Parts []struct{ Text string } }
		}
	}
	if err := json.Unmarshal([]byte(body), &req); err != nil || len(req.Params.Message.Parts) == 0 {
		t.Fatalf("the agent was sent %s (%v)", body, err)
	}
	return req.Params.Message.Parts[0].Text
}

// TestRespMeta: a response's ids are resp_ and msg_ with the same 32 hex
// digits of a random UUID, the agent's messageId a UUID of its own; the
// names echoed equal the request's, copied out of its body.
func TestRespMeta(t *testing.T) {
	body := []byte(`{"model":"a2a/x","input":"hi","instructions":"Be terse.","previous_response_id":"resp_0"}`)
	rreq, err := transform.ParseResponses(body)
	if err != nil {
		t.Fatal(err)
	}
	messageID, m := respMeta(&rreq)
	hexID := regexp.MustCompile(`^resp_([0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15})$`).FindStringSubmatch(m.ID)
	if hexID == nil || m.MessageID != "msg_"+hexID[1] {
		t.Errorf("respMeta ids = %q, %q, want resp_ and msg_ with the hex digits of one UUID", m.ID, m.MessageID)
	}
	if u, err := uuid.Parse(messageID); err != nil || u.Version() != 4 || u.String() != messageID || strings.Contains(m.ID, strings.ReplaceAll(messageID, "-", "")) {
		t.Errorf("respMeta messageId = %q (%v), want a random UUID of its own", messageID, err)
	}
	in := func(s, of string) bool {
		p, q := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(of)))
		return p >= q && p+uintptr(len(s)) <= q+uintptr(len(of))
	}
	for _, name := range []struct{ got, want string }{{m.Model, rreq.Model}, {m.Instructions, rreq.Instructions}, {m.PreviousResponseID, rreq.PreviousResponseID}} {
		if name.got != name.want || in(name.got, name.want) {
			t.Errorf("respMeta name = %q, want %q, copied", name.got, name.want)
		}
	}
	if other, m2 := respMeta(&rreq); other == messageID || m2.ID == m.ID {
		t.Errorf("respMeta twice = %q %q, %q %q, want new ids", messageID, m.ID, other, m2.ID)
	}
}

// FuzzStoredResponse holds a response the bridge's store keeps as meta and
// text to one kept as its object (as the shared state keeps it): the same
// object, and the same output message, for any text.
func FuzzStoredResponse(f *testing.F) {
	for _, s := range []string{"", "hello", "<&>\u2028\"\\\n\t\x00", "caf\xc3", "\xed\xa0\x80", "é😀"} {
		f.Add(s, "Be terse.")
	}
	f.Fuzz(func(t *testing.T, text, instructions string) {
		m := transform.ResponseMeta{ID: "resp_1", MessageID: "msg_1", CreatedAt: 1, Model: "a2a/x", Instructions: instructions,
			Ext: &transform.Ext{TaskID: "t", ContextID: "c", State: "completed"}}
		u := transform.Usage{PromptTokens: 1, CompletionTokens: 2, TotalTokens: 3}
		obj := transform.Response(m, transform.ResponseState{Status: transform.ResponseCompleted, Text: text, Usage: &u})
		kept := storedResponse{final: storedFinal{meta: m, text: text, usage: u}}
		shared := storedResponse{Body: obj}
		if got := kept.body(); !bytes.Equal(got, obj) {
			t.Fatalf("body() = %s, want %s", got, obj)
		}
		id, got, ok := kept.outputMessage()
		wantID, want, wantOK := shared.outputMessage()
		if id != wantID || got != want || ok != wantOK {
			t.Fatalf("outputMessage() = %q %q %t, want %q %q %t", id, got, ok, wantID, want, wantOK)
		}
	})
}

// TestSharedResponsesStoredAsAnswered: with the shared state (redis.url),
// a response answered through replica A, stream or not, reads back
// through replica B as it was answered, and an item_reference to it
// there is its text.
func TestSharedResponsesStoredAsAnswered(t *testing.T) {
	checkLeaks(t)
	rs := startRedis(t)
	agent := answeringAgent(t, `<b> & \u2028 tab\there`)
	r := replicas(t, rs, Config{Agents: []AgentConfig{{Name: "fixed", URL: agent.URL, Timeout: Duration{10 * time.Second}}}}, 2)
	for _, stream := range []bool{false, true} {
		res := respPost(t, r[0], "", fmt.Sprintf(`{"model":"a2a/fixed","stream":%t,"input":"hi","instructions":"Be <terse>."}`, stream))
		if res.status != 200 {
			t.Fatalf("POST on A (stream %t) = %d %s", stream, res.status, res.body)
		}
		answered := res.body
		if stream {
			answered = completedObject(t, res.body)
		}
		if got := respDo(t, http.MethodGet, r[1]+"/v1/responses/"+respID(t, answered), ""); got.status != 200 || !bytes.Equal(got.body, answered) {
			t.Errorf("GET on B (stream %t) = %d\n%s\nwant the response as A answered it:\n%s", stream, got.status, got.body, answered)
		}
		msgID, text := outputOf(t, answered)
		ref := respPost(t, r[1], "", fmt.Sprintf(`{"model":"a2a/fixed","input":[{"type":"item_reference","id":%q},{"role":"user","content":"again"}]}`, msgID))
		sent := sentText(t, agent)
		turn, _ := json.Marshal(text)
		respPost(t, r[1], "", fmt.Sprintf(`{"model":"a2a/fixed","input":[{"role":"assistant","content":%s},{"role":"user","content":"again"}]}`, turn))
		if want := sentText(t, agent); ref.status != 200 || sent != want {
			t.Errorf("item_reference on B (stream %t) = %d, sent the agent %q, want the turn %q", stream, ref.status, sent, want)
		}
	}
}
