package bridge

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/a2a-bridge/a2a-bridge/stream"
)

// The Responses API (/v1/responses) through real clients (openai npm's
// responses.create and responses.stream, the Agents SDK on its default
// model, the AI SDK's openai(model); testdata/node/clients/responses.mjs),
// against real agents of both dialects, and the fault agent.

type respResult struct {
	OK      bool     `json:"ok"`
	Content string   `json:"content"`
	ID      string   `json:"id"`
	State   string   `json:"state"`
	Events  []string `json:"events"`
	Usage   *struct {
		Input  int `json:"input"`
		Output int `json:"output"`
	} `json:"usage"`
	Error *struct {
		Name    string `json:"name"`
		Status  int    `json:"status"`
		Message string `json:"message"`
		Code    string `json:"code"`
	} `json:"error"`
}

// respJob is one run of a Responses client.
type respJob struct {
	Client             string `json:"client"`
	BaseURL            string `json:"baseURL"`
	Model              string `json:"model"`
	Scenario           string `json:"scenario"`
	Input              string `json:"input"`
	Instructions       string `json:"instructions,omitempty"`
	PreviousResponseID string `json:"previousResponseId,omitempty"`
	FollowUp           string `json:"followUp,omitempty"` // the second turn of scenario history
}

func runResponses(t *testing.T, j respJob) respResult {
	t.Helper()
	var r respResult
	if j.Client == "openai-go" {
		runGoResponses(t, j, &r)
		return r
	}
	runNode(t, "responses.mjs", j, &r)
	return r
}

// runGoResponses runs openai-go's Responses.New / NewStreaming
// (testdata/clients/go, client "openai-go-responses").
func runGoResponses(t *testing.T, j respJob, r *respResult) {
	t.Helper()
	scenario := map[string]string{"nonstream": "nonstream", "stream": "stream-usage", "abort": "abort"}[j.Scenario]
	in, _ := json.Marshal(map[string]any{"client": "openai-go-responses", "baseURL": j.BaseURL, "model": j.Model, "scenario": scenario,
		"messages": msgs("system", j.Instructions, "user", j.Input), "previousResponseId": j.PreviousResponseID})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, goClientsBin(t))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openai-go-responses: %v\n%s", err, stderr.String())
	}
	if err := json.Unmarshal(out, r); err != nil {
		t.Fatalf("openai-go-responses printed %q: %v", out, err)
	}
}

var respClients = []string{"openai", "agents", "ai", "openai-go"}

// wantEvents is the order openai's ResponseStream and the SDKs validate.
func wantEvents(deltas int) []string {
	evs := []string{"response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"}
	for range deltas {
		evs = append(evs, "response.output_text.delta")
	}
	return append(evs, "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed")
}

// TestResponsesClients: every client, stream and not, gets the agent's
// whole answer (instructions as a system turn) and usage, from a 0.3 and a
// 1.0 agent; openai's stream sees exactly the event order of the contract.
func TestResponsesClients(t *testing.T) {
	checkLeaks(t)
	for _, p := range []peer{startJSPeer(t, "js03.mjs"), startGoPeer(t, "gov2")} {
		base := startBridge(t, agentsFor(p)) + "/v1"
		const want = "echo: system: Be terse.\nuser: say hi"
		for _, c := range respClients {
			for _, scenario := range []string{"nonstream", "stream"} {
				t.Run(p.name+"/"+c+"/"+scenario, func(t *testing.T) {
					r := runResponses(t, respJob{Client: c, BaseURL: base, Model: "a2a/" + p.name, Scenario: scenario,
						Input: "say hi", Instructions: "Be terse."})
					if !r.OK || r.Content != want {
						t.Fatalf("%s %s = %+v (error %+v), want %q", c, scenario, r, r.Error, want)
					}
					if r.Usage == nil || r.Usage.Input == 0 || r.Usage.Output == 0 {
						t.Errorf("%s %s usage = %+v, want token counts", c, scenario, r.Usage)
					}
					if !strings.HasPrefix(r.ID, "resp_") {
						t.Errorf("%s %s id = %q, want resp_…", c, scenario, r.ID)
					}
					if c == "openai" && scenario == "stream" && !slices.Equal(r.Events, wantEvents(len(r.Events)-8)) {
						t.Errorf("openai stream events = %v, want %v", r.Events, wantEvents(len(r.Events)-8))
					}
				})
			}
		}
	}
}

// TestResponsesPrevious: previous_response_id continues the agent's
// context with only the new input (MODE:count says how many messages the
// context received, and what), under the default flatten mode, with every
// client; and an input-required question is answered in its own task.
func TestResponsesPrevious(t *testing.T) {
	checkLeaks(t)
	p := startJSPeer(t, "js10.mjs")
	base := startBridge(t, agentsFor(p)) + "/v1"
	for _, c := range respClients {
		for _, scenario := range []string{"nonstream", "stream"} {
			t.Run(c+"/"+scenario, func(t *testing.T) {
				job := respJob{Client: c, BaseURL: base, Model: "a2a/js10", Scenario: scenario, Input: "one MODE:count"}
				r1 := runResponses(t, job)
				if !r1.OK || r1.Content != "turn 1: user: one MODE:count" {
					t.Fatalf("turn 1 = %+v (error %+v)", r1, r1.Error)
				}
				job.Input, job.PreviousResponseID = "two MODE:count", r1.ID
				r2 := runResponses(t, job)
				if !r2.OK || r2.Content != "turn 2: user: two MODE:count" {
					t.Errorf("turn 2 = %+v (error %+v), want only the new input in the same context", r2, r2.Error)
				}
				q := runResponses(t, respJob{Client: c, BaseURL: base, Model: "a2a/js10", Scenario: scenario, Input: "book MODE:input"})
				if !q.OK || q.Content != "Which city?" {
					t.Fatalf("question = %+v (error %+v)", q, q.Error)
				}
				if c == "openai" && q.State != "input-required" {
					t.Errorf("question a2a.state = %q, want input-required", q.State)
				}
				a := runResponses(t, respJob{Client: c, BaseURL: base, Model: "a2a/js10", Scenario: scenario, Input: "Paris", PreviousResponseID: q.ID})
				if !a.OK || a.Content != "echo: user: Paris" {
					t.Errorf("answer = %+v (error %+v), want the same task completed with only the answer", a, a.Error)
				}
				qx, ax := storedExt(t, base, q.ID), storedExt(t, base, a.ID)
				if qx.State != "input-required" || ax.State != "completed" || ax.TaskID == "" || ax.TaskID != qx.TaskID {
					t.Errorf("question %+v, answer %+v: want the answer to complete the question's task", qx, ax)
				}
			})
		}
	}
}

// storedExt is the a2a member of the stored response id (GET /v1/responses/{id}).
func storedExt(t *testing.T, base, id string) (ext struct{ TaskID, State string }) {
	t.Helper()
	res := respDo(t, http.MethodGet, strings.TrimSuffix(base, "/v1")+"/v1/responses/"+id, "")
	var r struct {
		A2A struct {
			TaskID string `json:"task_id"`
			State  string `json:"state"`
		} `json:"a2a"`
	}
	if err := json.Unmarshal(res.body, &r); err != nil || res.status != 200 {
		t.Fatalf("GET %s = %d %s", id, res.status, res.body)
	}
	return struct{ TaskID, State string }{r.A2A.TaskID, r.A2A.State}
}

// respPost posts a Responses request body with key.
func respPost(t *testing.T, base, key, body string) result {
	t.Helper()
	return post(t, httpClient(t), base+"/v1/responses", body, "Authorization", "Bearer "+key)
}

func respDo(t *testing.T, method, url, key string) result {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := httpClient(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return result{status: res.StatusCode, header: res.Header, body: b}
}

func respID(t *testing.T, body []byte) string {
	t.Helper()
	var r struct{ ID, Object string }
	if err := json.Unmarshal(body, &r); err != nil || r.Object != "response" {
		t.Fatalf("not a response object (%v): %s", err, body)
	}
	return r.ID
}

// TestResponsesStore: a stored response is continued and retrieved by its
// own key only; an unknown, another key's or a store:false id is 400
// previous_response_not_found; GET and DELETE answer 404 not_found for it,
// and DELETE forgets a response.
func TestResponsesStore(t *testing.T) {
	p := startJSPeer(t, "js03.mjs")
	cfg := agentsFor(p)
	cfg.APIKeys = Keys("sk-alice", "sk-bob")
	base := startBridge(t, cfg)
	first := respPost(t, base, "sk-alice", `{"model":"a2a/js03","input":"hi"}`)
	id := respID(t, first.body)
	unstored := respID(t, respPost(t, base, "sk-alice", `{"model":"a2a/js03","input":"hi","store":false}`).body)
	for _, tc := range []struct{ name, key, id string }{
		{"unknown", "sk-alice", "resp_nope"},
		{"another key's", "sk-bob", id},
		{"store false", "sk-alice", unstored},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := respPost(t, base, tc.key, fmt.Sprintf(`{"model":"a2a/js03","input":"again","previous_response_id":%q}`, tc.id))
			e := decodeError(t, res.body)
			if res.status != 400 || e.Error.Code == nil || *e.Error.Code != "previous_response_not_found" ||
				e.Error.Param == nil || *e.Error.Param != "previous_response_id" {
				t.Errorf("POST previous %s = %d %s, want 400 previous_response_not_found", tc.id, res.status, res.body)
			}
			if got := respDo(t, http.MethodGet, base+"/v1/responses/"+tc.id, tc.key); got.status != 404 || !bytes.Contains(got.body, []byte(`"code":"not_found"`)) {
				t.Errorf("GET %s = %d %s, want 404 not_found", tc.id, got.status, got.body)
			}
		})
	}
	if got := respDo(t, http.MethodGet, base+"/v1/responses/"+id, "sk-alice"); got.status != 200 || !bytes.Equal(got.body, first.body) {
		t.Errorf("GET own = %d %s, want the response as POST answered it: %s", got.status, got.body, first.body)
	}
	if got := respDo(t, http.MethodDelete, base+"/v1/responses/"+id, "sk-bob"); got.status != 404 {
		t.Errorf("DELETE another key's = %d %s, want 404", got.status, got.body)
	}
	del := respDo(t, http.MethodDelete, base+"/v1/responses/"+id, "sk-alice")
	if want := `{"id":"` + id + `","object":"response","deleted":true}`; del.status != 200 || string(del.body) != want {
		t.Errorf("DELETE = %d %s, want %s", del.status, del.body, want)
	}
	for _, m := range []string{http.MethodGet, http.MethodDelete} {
		if got := respDo(t, m, base+"/v1/responses/"+id, "sk-alice"); got.status != 404 {
			t.Errorf("%s after DELETE = %d %s, want 404", m, got.status, got.body)
		}
	}
}

// sseEvent is one event of a Responses stream.
type sseEvent struct {
	name string
	data map[string]any
}

func respEvents(t *testing.T, body []byte) []sseEvent {
	t.Helper()
	var out []sseEvent
	for ev, err := range stream.Events(bytes.NewReader(body), 1<<20) {
		if err != nil {
			t.Fatalf("bridge SSE: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(ev.Data, &m); err != nil {
			t.Fatalf("event %q is not JSON: %v", ev.Data, err)
		}
		if m["type"] != ev.Type {
			t.Errorf("event: %q carries type %v", ev.Type, m["type"])
		}
		if seq, _ := m["sequence_number"].(float64); int(seq) != len(out) {
			t.Errorf("event %d has sequence_number %v", len(out), m["sequence_number"])
		}
		out = append(out, sseEvent{ev.Type, m})
	}
	return out
}

// TestResponsesFaults: a task that fails before any text is a plain HTTP
// error, stream or not; one that fails after its first text ends the
// stream with response.failed (error.code agent_task_failed), a cut stream
// with an error event; never response.completed.
func TestResponsesFaults(t *testing.T) {
	checkLeaks(t)
	fault := newFaultAgent(t, true, func(w http.ResponseWriter, r *http.Request) {
		_, body := lastBody(r)
		switch {
		case strings.Contains(body, "fail late"):
			sse(w, evTask, evPart, evFailed)
		case strings.Contains(body, "cut"):
			sse(w, evTask, evPart)
		case strings.Contains(body, `"message/stream"`):
			sse(w, evTask, evFailed)
		default:
			fmt.Fprint(w, failedTask)
		}
	})
	base := startBridge(t, Config{Agents: []AgentConfig{{Name: "fault", URL: fault.URL, Timeout: Duration{20 * time.Second}}}})
	for _, stream := range []bool{false, true} {
		res := respPost(t, base, "", fmt.Sprintf(`{"model":"a2a/fault","input":"do it","stream":%t}`, stream))
		e := decodeError(t, res.body)
		if res.status != 400 || e.Error.Code == nil || *e.Error.Code != "agent_task_failed" || !strings.Contains(e.Error.Message, "the tool crashed") {
			t.Errorf("failed task (stream %t) = %d %s, want a plain 400 agent_task_failed", stream, res.status, res.body)
		}
	}
	for _, tc := range []struct{ input, last, code string }{
		{"fail late", "response.failed", "agent_task_failed"},
		{"cut", "error", "agent_error"},
	} {
		res := respPost(t, base, "", `{"model":"a2a/fault","input":"`+tc.input+`","stream":true}`)
		evs := respEvents(t, res.body)
		if len(evs) < 5 || evs[0].name != "response.created" || evs[4].name != "response.output_text.delta" {
			t.Fatalf("%s: events %v, want the stream started with the text", tc.input, evs)
		}
		last := evs[len(evs)-1]
		code := last.data["code"]
		if resp, ok := last.data["response"].(map[string]any); ok {
			code = resp["error"].(map[string]any)["code"]
			if resp["status"] != "failed" {
				t.Errorf("%s: response.status = %v, want failed", tc.input, resp["status"])
			}
		}
		if last.name != tc.last || code != tc.code {
			t.Errorf("%s: last event %s %v, want %s with code %s", tc.input, last.name, last.data, tc.last, tc.code)
		}
		for _, ev := range evs {
			if ev.name == "response.completed" {
				t.Errorf("%s: a response.completed for a task that did not complete", tc.input)
			}
		}
	}
	// openai's ResponseStream, the Agents SDK's default model and the AI
	// SDK's openai(model) raise each: a failed task before any text (a
	// plain HTTP error), after text (response.failed), a cut stream (an
	// error event); never a success with the partial text. The Agents
	// SDK's error is its own ModelBehaviorError, without the agent's words
	// (it drops response.error); the others carry them.
	for _, c := range []string{"openai", "agents", "ai"} {
		for _, tc := range []struct{ scenario, input, says string }{
			{"nonstream", "do it", "the tool crashed"},
			{"stream", "do it", "the tool crashed"},
			{"stream", "fail late", "the tool crashed"},
			{"stream", "cut", "stream ended before its task finished"},
		} {
			r := runResponses(t, respJob{Client: c, BaseURL: base + "/v1", Model: "a2a/fault", Scenario: tc.scenario, Input: tc.input})
			switch {
			case r.OK || r.Error == nil:
				t.Errorf("%s %s %q = %+v, want an error", c, tc.scenario, tc.input, r)
			case c != "agents" && !strings.Contains(r.Error.Message, tc.says):
				t.Errorf("%s %s %q error = %+v, want it to say %q", c, tc.scenario, tc.input, r.Error, tc.says)
			}
		}
	}
}

// TestResponsesAbort: a client that aborts a Responses stream gets the
// agent's task cancelled.
func TestResponsesAbort(t *testing.T) {
	checkLeaks(t)
	fault := newCountingAgent(t)
	base := startBridge(t, Config{Agents: []AgentConfig{{Name: "fault", URL: fault.URL, Timeout: Duration{20 * time.Second}}}}) + "/v1"
	for _, c := range []string{"openai", "agents", "ai"} {
		t.Run(c, func(t *testing.T) {
			r := runResponses(t, respJob{Client: c, BaseURL: base, Model: "a2a/fault", Scenario: "abort", Input: "long job"})
			if !r.OK || r.Content != "partial " {
				t.Fatalf("%s abort = %+v (error %+v), want the first text", c, r, r.Error)
			}
			select {
			case <-fault.cancels:
			case <-time.After(5 * time.Second):
				t.Fatalf("%s abort: the agent never saw tasks/cancel", c)
			}
		})
	}
}
