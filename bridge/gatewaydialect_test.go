package bridge

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// A caller of one dialect in front of an agent of the other: every call
// is translated both ways (issue 14). The peers: go03 and js03 speak only
// 0.3, js10 only 1.0; gov2 is pinned to each of its two dialects, so that
// it too needs translating.

// dialectCaller speaks one dialect to the gateway, by hand.
type dialectCaller struct {
	v10  bool
	c    *http.Client
	base string // the gateway URL of the agent
}

func (d dialectCaller) method(m03, m10 string) string {
	if d.v10 {
		return m10
	}
	return m03
}

func (d dialectCaller) header(stream bool) []string {
	h := []string{}
	if d.v10 {
		h = append(h, "A2A-Version", "1.0")
	}
	if stream {
		h = append(h, "Accept", "text/event-stream")
	}
	return h
}

// message is a user message with text in the caller's own shape.
func (d dialectCaller) message(text, taskID string) string {
	task := ""
	if taskID != "" {
		task = `,"taskId":"` + taskID + `"`
	}
	if d.v10 {
		return `{"role":"ROLE_USER","messageId":"m-` + taskID + `","parts":[{"text":"` + text + `"}]` + task + `}`
	}
	return `{"kind":"message","role":"user","messageId":"m-` + taskID + `","parts":[{"kind":"text","text":"` + text + `"}]` + task + `}`
}

func (d dialectCaller) call(t *testing.T, m03, m10, params string) gjson.Result {
	t.Helper()
	r := rpcPost(t, d.c, d.base, "sk-ada", `{"jsonrpc":"2.0","id":"x1","method":"`+d.method(m03, m10)+`","params":`+params+`}`, d.header(false)...)
	res := gjson.ParseBytes(r.body)
	if r.status != 200 || res.Get("id").String() != "x1" {
		t.Fatalf("%s = %d %s, want 200 answering id x1", d.method(m03, m10), r.status, r.body)
	}
	return res
}

// cancelSettled cancels an input-required task. The a2a-go v2 agent
// answers a cancel that comes while its execution of the send still winds
// down (the send was answered at input-required) with that execution's
// result, "non-cancelable state INPUT_REQUIRED"; once the execution is
// gone the same cancel succeeds. That window is not observable from
// outside, so such an answer is retried, with a growing pause, 8 times at
// most.
func (d dialectCaller) cancelSettled(t *testing.T, id string) gjson.Result {
	t.Helper()
	for i := 1; ; i++ {
		res := d.call(t, "tasks/cancel", "CancelTask", `{"id":"`+id+`"}`)
		msg := res.Get("error.message").String()
		if i >= 8 || !strings.Contains(msg, "non-cancelable state") || !strings.Contains(msg, "INPUT_REQUIRED") {
			return res
		}
		<-time.After(time.Duration(25*i) * time.Millisecond)
	}
}

// events posts a stream method and returns its events' data.
func (d dialectCaller) events(t *testing.T, m03, m10, params string) []gjson.Result {
	t.Helper()
	r := rpcPost(t, d.c, d.base, "sk-ada", `{"jsonrpc":"2.0","id":7,"method":"`+d.method(m03, m10)+`","params":`+params+`}`, d.header(true)...)
	if ct := r.header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("%s Content-Type = %q, want text/event-stream: %s", d.method(m03, m10), ct, r.body)
	}
	var out []gjson.Result
	for _, line := range strings.Split(string(r.body), "\n") {
		if data, ok := strings.CutPrefix(line, "data: "); ok {
			out = append(out, gjson.Parse(data))
		}
	}
	return out
}

// task is the Task of a send's or get's result in the caller's dialect,
// checked to be in that dialect's shape.
func (d dialectCaller) task(t *testing.T, res gjson.Result, wrapped bool) gjson.Result {
	t.Helper()
	task := res.Get("result")
	switch {
	case d.v10 && wrapped:
		task = task.Get("task")
	case !d.v10 && task.Get("kind").String() != "task":
		t.Fatalf("result = %s, want a 0.3 task (kind task)", res.Raw)
	}
	if d.v10 && task.Get("kind").Exists() || task.Get("id").String() == "" {
		t.Fatalf("result = %s, want a %s task", res.Raw, d.dialect())
	}
	state := task.Get("status.state").String()
	if d.v10 != strings.HasPrefix(state, "TASK_STATE_") {
		t.Fatalf("task state %q, want the %s spelling: %s", state, d.dialect(), res.Raw)
	}
	task.Get("artifacts.#.parts|@flatten").ForEach(func(_, p gjson.Result) bool {
		if d.v10 == p.Get("kind").Exists() {
			t.Errorf("part %s, want a %s part", p.Raw, d.dialect())
		}
		return true
	})
	return task
}

func (d dialectCaller) dialect() string {
	if d.v10 {
		return "1.0"
	}
	return "0.3"
}

// checkEvents checks a stream's events are in the caller's dialect: 1.0
// wrapped, 0.3 with kind, and a 0.3 stream ends with final: true.
func (d dialectCaller) checkEvents(t *testing.T, evs []gjson.Result) {
	t.Helper()
	if len(evs) < 3 {
		t.Fatalf("%d events, want the task, its updates and its end", len(evs))
	}
	for _, ev := range evs {
		r := ev.Get("result")
		if ev.Get("error").Exists() || ev.Get("id").Raw != "7" {
			t.Fatalf("event %s, want a result answering id 7", ev.Raw)
		}
		if d.v10 == r.Get("kind").Exists() || d.v10 && !(r.Get("task").Exists() || r.Get("statusUpdate").Exists() || r.Get("artifactUpdate").Exists()) {
			t.Errorf("event %s, want a %s event", ev.Raw, d.dialect())
		}
	}
	last := evs[len(evs)-1].Get("result")
	if d.v10 && last.Get("statusUpdate.status.state").String() != "TASK_STATE_COMPLETED" ||
		!d.v10 && (!last.Get("final").Bool() || last.Get("status.state").String() != "completed") {
		t.Errorf("last event %s, want the completed status (final in 0.3)", last.Raw)
	}
}

// TestGatewayTranslates drives each cross pair by hand, on the wire: a
// 0.3 caller in front of 1.0 agents and a 1.0 caller in front of 0.3
// agents, for send, get, stream and cancel; answers in the caller's own
// shape (kind vs wrappers, state spellings, parts, final).
func TestGatewayTranslates(t *testing.T) {
	checkLeaks(t)
	gov2 := startGoPeer(t, "gov2")
	go03, js03, js10 := startGoPeer(t, "go03"), startJSPeer(t, "js03.mjs"), startJSPeer(t, "js10.mjs")
	cfg := agentsFor(go03, js03, js10, peer{name: "gov2-10", url: gov2.url, protocol: "1.0"}, peer{name: "gov2-03", url: gov2.url, protocol: "0.3"})
	cfg.APIKeys = gwKeys
	base := startBridge(t, cfg)
	c := httpClient(t)
	for _, tc := range []struct {
		name   string
		caller bool // 1.0
		agent  string
		cancel bool // the agent cancels an input-required task (js10 cancels only running ones)
	}{
		{"0.3 to js10", false, "js10", false},
		{"0.3 to gov2 1.0", false, "gov2-10", true},
		{"1.0 to go03", true, "go03", true},
		{"1.0 to js03", true, "js03", true},
		{"1.0 to gov2 0.3", true, "gov2-03", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := dialectCaller{v10: tc.caller, c: c, base: base + "/a2a/" + tc.agent}
			sent := d.task(t, d.call(t, "message/send", "SendMessage", `{"message":`+d.message("hello world", "")+`}`), true)
			if !strings.Contains(sent.Raw, "echo: ") {
				t.Errorf("send = %s, want the echo", sent.Raw)
			}
			got := d.task(t, d.call(t, "tasks/get", "GetTask", `{"id":"`+sent.Get("id").String()+`"}`), false)
			if got.Get("id").String() != sent.Get("id").String() {
				t.Errorf("get = %s, want task %s", got.Raw, sent.Get("id"))
			}
			d.checkEvents(t, d.events(t, "message/stream", "SendStreamingMessage", `{"message":`+d.message("hello there", "")+`}`))
			if !tc.cancel {
				return
			}
			asked := d.task(t, d.call(t, "message/send", "SendMessage", `{"message":`+d.message("hello MODE:input", "")+`}`), true)
			done := d.task(t, d.cancelSettled(t, asked.Get("id").String()), false)
			if s := strings.ToLower(done.Get("status.state").String()); !strings.Contains(s, "cancel") {
				t.Errorf("cancel = %s, want canceled", done.Raw)
			}
		})
	}
}

// TestGatewayDialectSDKs runs the real SDK clients through the gateway in
// front of agents of the other dialect: @a2a-js/sdk 0.3.14 and a2a-go
// v0.3.15 (0.3) in front of js10 and gov2 pinned to 1.0; @a2a-js/sdk 1.3.0
// and a2a-go/v2 v2.3.1 (1.0) in front of go03, js03 and gov2 pinned to
// 0.3: card, send, stream, get, cancel, each read by the SDK's own
// decoder; the agent's port in nothing they received.
func TestGatewayDialectSDKs(t *testing.T) {
	checkLeaks(t)
	gov2 := startGoPeer(t, "gov2")
	go03, js03, js10 := startGoPeer(t, "go03"), startJSPeer(t, "js03.mjs"), startJSPeer(t, "js10.mjs")
	pinned10, pinned03 := peer{name: "gov2-10", url: gov2.url, protocol: "1.0"}, peer{name: "gov2-03", url: gov2.url, protocol: "0.3"}
	cfg := agentsFor(go03, js03, js10, pinned10, pinned03)
	cfg.APIKeys = gwKeys
	base := startBridge(t, cfg)
	for _, tc := range []struct {
		sdk      string
		agent    peer
		noCancel bool // js10 cancels only a task it is running
	}{
		{"js0.3", js10, true}, {"js0.3", pinned10, false},
		{"js1.3", go03, false}, {"js1.3", js03, false}, {"js1.3", pinned03, false},
		{"go03", pinned10, false},
		{"gov2", go03, false}, {"gov2", js03, false}, {"gov2", pinned03, false},
	} {
		t.Run(tc.sdk+"/"+tc.agent.name, func(t *testing.T) {
			var received string
			if js, ok := strings.CutPrefix(tc.sdk, "js"); ok {
				var r struct {
					gwSDKResult
					Resubscribe      []map[string]any `json:"resubscribe"`
					ResubscribeError string           `json:"resubscribeError"`
				}
				runNode(t, "a2a-gateway.mjs", map[string]any{"sdk": js, "url": base + "/a2a/" + tc.agent.name + "/", "apiKey": "sk-ada", "noCancel": tc.noCancel, "resubscribe": true}, &r)
				if !r.OK {
					t.Fatalf("@a2a-js/sdk %s via the gateway to %s: %s\nreceived:\n%s", js, tc.agent.name, r.Error, r.Received)
				}
				if !strings.Contains(r.Received, "echo: ") || len(r.Stream) < 3 || r.Get["id"] != r.Send["id"] || r.Get["id"] == nil {
					t.Errorf("send/stream/get answers missing: %d events, get %v of sent %v\n%s", len(r.Stream), r.Get["id"], r.Send["id"], r.Received)
				}
				if s, _ := r.Cancel["status"].(map[string]any); !tc.noCancel && (s == nil || !strings.Contains(strings.ToLower(stringOf(s["state"])), "cancel") && stringOf(s["state"]) != "5") {
					t.Errorf("cancelTask status = %v, want canceled", r.Cancel["status"])
				}
				if n := len(r.Resubscribe); n < 2 || !isTaskEvent(r.Resubscribe[0]) || !strings.Contains(strings.ToLower(fmt.Sprint(r.Resubscribe[n-1])), "completed") && !strings.Contains(fmt.Sprint(r.Resubscribe[n-1]), "state:3") {
					t.Errorf("resubscribeTask = %v (%s), want the Task first and the completed status last", r.Resubscribe, r.ResubscribeError)
				}
				received = r.Received
			} else {
				r := runGoClient(t, tc.sdk, base+"/a2a/"+tc.agent.name)
				if r.Events < 3 || r.GetID != r.SendID || !strings.Contains(r.CancelState, "cancel") {
					t.Errorf("a2a-go %s: %d events, get %q of sent %q, cancel %q", tc.sdk, r.Events, r.GetID, r.SendID, r.CancelState)
				}
				if r.ResubEvents < 2 || r.ResubFirst != "*a2a.Task" || !strings.Contains(r.ResubState, "completed") {
					t.Errorf("a2a-go %s re-attach: %d events, first %s, last state %q, want the Task first and completed", tc.sdk, r.ResubEvents, r.ResubFirst, r.ResubState)
				}
				received = r.Received
			}
			if port := portOf(t, tc.agent.url); strings.Contains(received, ":"+port) {
				t.Errorf("the client received the agent's port %s:\n%s", port, received)
			}
		})
	}
}

// isTaskEvent reports whether a stream event the JS SDK returned is a
// Task: 0.3 {"kind":"task"}, 1.x {"payload":{"$case":"task"}} or the Task.
func isTaskEvent(ev map[string]any) bool {
	if p, ok := ev["payload"].(map[string]any); ok {
		return p["$case"] == "task"
	}
	return ev["kind"] == "task" || ev["kind"] == nil && ev["status"] != nil && ev["id"] != nil
}

// gwResubResult is gwclient's answer with its re-attach.
type gwResubResult struct {
	gwGoResult
	ResubEvents int    `json:"resubEvents"`
	ResubFirst  string `json:"resubFirst"`
	ResubState  string `json:"resubState"`
}

// runGoClient runs testdata/peers/gov2/gwclient (a2a-go sdk "go03" or
// "gov2") against the gateway URL u, with the key sk-ada, re-attach
// included.
func runGoClient(t *testing.T, sdk, u string) gwResubResult {
	t.Helper()
	in, _ := json.Marshal(map[string]any{"sdk": sdk, "url": u, "apiKey": "sk-ada", "resubscribe": true})
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, gwClientBin(t))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	var r gwResubResult
	if err != nil || json.Unmarshal(stdout, &r) != nil {
		t.Fatalf("gwclient: %v %s\n%s", err, stdout, stderr.String())
	}
	if !r.OK {
		t.Fatalf("a2a-go %s via the gateway to %s: %s\nreceived:\n%s", sdk, u, r.Error, r.Received)
	}
	return r
}

// TestGatewayTranslatesSubscribe re-attaches to a running task across
// dialects: tasks/resubscribe of a 0.3 caller in front of 1.0 agents,
// SubscribeToTask of a 1.0 caller in front of 0.3 agents. The stream
// starts with the Task (1.0 requires it; a2a-go v0.3's resubscribe starts
// with the updates, so the gateway fetches it first) and ends with the
// completed status (final: true for 0.3). MODE:nonblocking answers the
// send at once and completes about 300 ms later: a subscribe that comes
// after the task ended (the machine busy) is answered as an ended task,
// and the pair is tried again, at most three times.
func TestGatewayTranslatesSubscribe(t *testing.T) {
	checkLeaks(t)
	gov2 := startGoPeer(t, "gov2")
	go03, js03, js10 := startGoPeer(t, "go03"), startJSPeer(t, "js03.mjs"), startJSPeer(t, "js10.mjs")
	cfg := agentsFor(go03, js03, js10, peer{name: "gov2-10", url: gov2.url, protocol: "1.0"})
	cfg.APIKeys = gwKeys
	base := startBridge(t, cfg)
	c := httpClient(t)
	for _, tc := range []struct {
		name   string
		caller bool // 1.0
		agent  string
	}{
		{"0.3 to js10", false, "js10"},
		{"0.3 to gov2 1.0", false, "gov2-10"},
		{"1.0 to go03", true, "go03"},
		{"1.0 to js03", true, "js03"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := dialectCaller{v10: tc.caller, c: c, base: base + "/a2a/" + tc.agent}
			var evs []gjson.Result
			for try := range 3 {
				if try > 0 {
					t.Logf("try %d: the task had ended before the subscribe", try)
				}
				sent := d.task(t, d.call(t, "message/send", "SendMessage", `{"message":`+d.message("hello MODE:nonblocking", "")+`}`), true)
				evs = d.events(t, "tasks/resubscribe", "SubscribeToTask", `{"id":"`+sent.Get("id").String()+`"}`)
				if len(evs) > 1 || len(evs) == 1 && !evs[0].Get("error").Exists() {
					break // in time; else the task had ended: again
				}
			}
			if len(evs) == 0 {
				t.Fatal("no events")
			}
			first := evs[0].Get("result")
			if tc.caller && !first.Get("task.id").Exists() || !tc.caller && first.Get("kind").String() != "task" {
				t.Errorf("first event %s, want the %s Task", evs[0].Raw, d.dialect())
			}
			d.checkEvents(t, evs)
		})
	}
}

// TestGatewayDialectOwnership: a task made by one key through a
// translated call is the key's in both dialects: another key's get,
// cancel and subscribe, in either dialect, are answered as for a task that
// does not exist; the owner reaches it in either.
func TestGatewayDialectOwnership(t *testing.T) {
	checkLeaks(t)
	cfg := agentsFor(startGoPeer(t, "go03"))
	cfg.APIKeys = gwKeys
	base := startBridge(t, cfg)
	c := httpClient(t)
	u := base + "/a2a/go03"
	v10 := dialectCaller{v10: true, c: c, base: u}
	task := v10.task(t, v10.call(t, "message/send", "SendMessage", `{"message":`+v10.message("hello MODE:input", "")+`}`), true)
	id := task.Get("id").String()
	for _, d := range []dialectCaller{v10, {c: c, base: u}} {
		h := d.header(false)
		missing := rpcPost(t, c, u, "sk-bob", `{"jsonrpc":"2.0","id":2,"method":"`+d.method("tasks/get", "GetTask")+`","params":{"id":"no-such-task"}}`, h...)
		for _, m := range [][2]string{{"tasks/get", "GetTask"}, {"tasks/cancel", "CancelTask"}, {"tasks/resubscribe", "SubscribeToTask"}} {
			got := rpcPost(t, c, u, "sk-bob", `{"jsonrpc":"2.0","id":2,"method":"`+d.method(m[0], m[1])+`","params":{"id":"`+id+`"}}`, h...)
			body := strings.TrimSpace(strings.TrimPrefix(string(got.body), "data: "))
			if body != string(missing.body) || gjson.Get(body, "error.code").Int() != -32001 {
				t.Errorf("bob's %s (%s) = %s, want as for no task: %s", d.method(m[0], m[1]), d.dialect(), body, missing.body)
			}
		}
		if g := d.task(t, d.call(t, "tasks/get", "GetTask", `{"id":"`+id+`"}`), false); g.Get("id").String() != id {
			t.Errorf("ada's %s (%s) = %s, want her task", d.method("tasks/get", "GetTask"), d.dialect(), g.Raw)
		}
	}
}

// TestGatewayDialectErrors: an agent's errors reach the caller in the
// caller's dialect: error data an object for 0.3 (a2a-go v0.3 cannot read
// the 1.0 list that a2a-go/v2's 0.3 endpoint sends), a list for 1.0; a cut
// stream ends with an error event after events in the caller's shape.
func TestGatewayDialectErrors(t *testing.T) {
	checkLeaks(t)
	go03, gov2 := startGoPeer(t, "go03"), startGoPeer(t, "gov2")
	base := startBridge(t, agentsFor(go03, gov2))
	c := httpClient(t)
	for _, tc := range []struct {
		name, agent string
		v10         bool
		array       bool // error.data a list
	}{
		{"0.3 to gov2's 0.3 endpoint", "gov2", false, false},
		{"1.0 to go03", "go03", true, true},
		{"1.0 to gov2", "gov2", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := dialectCaller{v10: tc.v10, c: c, base: base + "/a2a/" + tc.agent}
			r := rpcPost(t, c, d.base, "", `{"jsonrpc":"2.0","id":2,"method":"`+d.method("tasks/get", "GetTask")+`","params":{"id":"no-such-task"}}`, d.header(false)...)
			e := gjson.GetBytes(r.body, "error")
			if e.Get("code").Int() != -32001 || e.Get("data").IsArray() != tc.array || !e.Get("data").IsArray() && !e.Get("data").IsObject() {
				t.Errorf("%s = %s, want -32001 with data a list %v", d.method("tasks/get", "GetTask"), r.body, tc.array)
			}
		})
	}
	d := dialectCaller{v10: true, c: c, base: base + "/a2a/go03"}
	r := rpcPost(t, c, d.base, "", `{"jsonrpc":"2.0","id":9,"method":"SendStreamingMessage","params":{"message":`+d.message("hello MODE:cut", "")+`}}`, d.header(true)...)
	frames := strings.Split(strings.TrimSpace(string(r.body)), "\n\n")
	for _, f := range frames[:len(frames)-1] {
		if ev := gjson.Get(strings.TrimPrefix(f, "data: "), "result"); ev.Get("kind").Exists() || !ev.Get("task").Exists() && !ev.Get("statusUpdate").Exists() && !ev.Get("artifactUpdate").Exists() {
			t.Errorf("event %s, want a 1.0 event", f)
		}
	}
	if last := strings.TrimPrefix(frames[len(frames)-1], "data: "); len(frames) < 3 || gjson.Get(last, "error.code").Int() != -32603 || gjson.Get(last, "id").Raw != "9" {
		t.Errorf("cut stream = %s, want 1.0 events then a JSON-RPC error for id 9", r.body)
	}
}

// TestGatewayDuplicateMembers: a request naming a member twice is -32600,
// never passed on. The gateway reads the first "id" and the agent (Go's
// encoding/json, JSON.parse) the last, so bob could name his own task
// first, pass the ownership check, and read ada's.
func TestGatewayDuplicateMembers(t *testing.T) {
	checkLeaks(t)
	cfg := agentsFor(startGoPeer(t, "go03"))
	cfg.APIKeys = gwKeys
	base := startBridge(t, cfg)
	c := httpClient(t)
	u := base + "/a2a/go03"
	send := func(key string) string {
		r := rpcPost(t, c, u, key, `{"jsonrpc":"2.0","id":1,"method":"message/send","params":{"message":{"kind":"message","role":"user","messageId":"m-`+key+`","parts":[{"kind":"text","text":"hello MODE:input"}]}}}`)
		id := gjson.GetBytes(r.body, "result.id").String()
		if id == "" {
			t.Fatalf("send = %s, want a task", r.body)
		}
		return id
	}
	ada, bob := send("sk-ada"), send("sk-bob")
	for _, tc := range []struct{ name, body string }{
		{"params id", `{"jsonrpc":"2.0","id":2,"method":"tasks/get","params":{"id":"` + bob + `","id":"` + ada + `"}}`},
		{"message taskId", `{"jsonrpc":"2.0","id":2,"method":"message/send","params":{"message":{"kind":"message","role":"user","messageId":"m2","taskId":"` + bob + `","taskId":"` + ada + `","parts":[{"kind":"text","text":"Paris"}]}}}`},
		{"params", `{"jsonrpc":"2.0","id":2,"method":"tasks/get","params":{"id":"` + bob + `"},"params":{"id":"` + ada + `"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rpcPost(t, c, u, "sk-bob", tc.body)
			if gjson.GetBytes(r.body, "error.code").Int() != -32600 || strings.Contains(string(r.body), ada) {
				t.Errorf("bob's request naming ada's task twice = %s, want -32600", r.body)
			}
		})
	}
}
