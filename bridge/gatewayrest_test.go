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

// The gateway's HTTP+JSON (REST) binding, by hand-written requests against
// real 1.0 agents; the SDK clients' own REST runs are in gatewaysdk_test.go.

// restMsg is a SendMessageRequest of text, in the 1.0 shape.
func restMsg(text string) string {
	return `{"message":{"role":"ROLE_USER","messageId":"m-` + strings.ReplaceAll(text, " ", "-") + `","parts":[{"text":"` + text + `"}]}}`
}

// sseData is the data of each event of an SSE body.
func sseData(body []byte) []string {
	var out []string
	for _, line := range strings.Split(string(body), "\n") {
		if d, ok := strings.CutPrefix(line, "data: "); ok {
			out = append(out, d)
		}
	}
	return out
}

// TestGatewayREST drives every REST route through the gateway to the 1.0
// agents (a2a-go/v2, @a2a-js/sdk 1.3): send, get, list, stream, cancel and
// subscribe answer bare REST bodies (no JSON-RPC envelope), streams are
// SSE of bare StreamResponses, and the agent's port is in none of them.
func TestGatewayREST(t *testing.T) {
	checkLeaks(t)
	peers := []peer{startGoPeer(t, "gov2"), startJSPeer(t, "js10.mjs")}
	cfg := agentsFor(peers...)
	cfg.APIKeys = gwKeys
	base := startBridge(t, cfg)
	c := httpClient(t)
	auth := []string{"Authorization", "Bearer sk-ada", "Content-Type", "application/json"}
	for _, p := range peers {
		t.Run(p.name, func(t *testing.T) {
			v1 := base + "/a2a/" + p.name + "/v1"
			var seen strings.Builder
			check := func(what string, r result, status int) gjson.Result {
				t.Helper()
				seen.Write(r.body)
				if r.status != status || gjson.GetBytes(r.body, "jsonrpc").Exists() {
					t.Fatalf("%s = %d %s, want %d and a bare REST body", what, r.status, r.body, status)
				}
				return gjson.ParseBytes(r.body)
			}
			sent := check("POST message:send", post(t, c, v1+"/message:send", restMsg("hello world"), auth...), 200)
			id := sent.Get("task.id").String()
			if id == "" || !strings.Contains(sent.Raw, "echo: ") {
				t.Fatalf("message:send = %s, want {\"task\":…} with the echo", sent.Raw)
			}
			if got := check("GET tasks/{id}", get(t, c, v1+"/tasks/"+id+"?historyLength=1", auth...), 200); got.Get("id").String() != id {
				t.Errorf("GET tasks/%s = %s, want the task", id, got.Raw)
			}
			if p.name != "gov2" { // a2a-go/v2 lists tasks only for its own authenticated callers (-31401)
				list := check("GET tasks", get(t, c, v1+"/tasks", auth...), 200)
				if !strings.Contains(list.Get("tasks.#.id").Raw, id) {
					t.Errorf("GET tasks = %s, want task %s listed", list.Raw, id)
				}
				theirs := check("GET tasks (another key)", get(t, c, v1+"/tasks", "Authorization", "Bearer sk-bob"), 200)
				if strings.Contains(theirs.Raw, id) {
					t.Errorf("GET tasks by another key = %s, lists task %s", theirs.Raw, id)
				}
			}
			s := post(t, c, v1+"/message:stream", restMsg("hello there"), append(auth, "Accept", "text/event-stream")...)
			if ct := s.header.Get("Content-Type"); s.status != 200 || ct != "text/event-stream" {
				t.Fatalf("POST message:stream = %d %q %s, want 200 text/event-stream", s.status, ct, s.body)
			}
			seen.Write(s.body)
			events := sseData(s.body)
			for _, d := range events {
				ev := gjson.Parse(d)
				if !ev.Get("task").Exists() && !ev.Get("statusUpdate").Exists() && !ev.Get("artifactUpdate").Exists() && !ev.Get("message").Exists() {
					t.Errorf("stream event %s, want a bare StreamResponse", d)
				}
			}
			if len(events) < 3 || !strings.Contains(string(s.body), "there") {
				t.Errorf("message:stream: %d events %s", len(events), s.body)
			}
			asked := check("POST message:send (input)", post(t, c, v1+"/message:send", restMsg("hello MODE:input"), auth...), 200)
			aid := asked.Get("task.id").String()
			if p.name == "gov2" { // the js10 peer cancels only a task it is running (see TestGatewayJSClients)
				done := check("POST tasks/{id}:cancel", post(t, c, v1+"/tasks/"+aid+":cancel", "", auth...), 200)
				if st := done.Get("status.state").String(); st != "TASK_STATE_CANCELED" {
					t.Errorf("cancel = %s, want TASK_STATE_CANCELED", done.Raw)
				}
			}
			// A finished task: the agent refuses its subscription (js10
			// -32004, gov2 -32001), as a REST error, not as a stream.
			sub := get(t, c, v1+"/tasks/"+id+":subscribe", auth...)
			seen.Write(sub.body)
			want := map[string]int{"UNSUPPORTED_OPERATION": 400, "TASK_NOT_FOUND": 404}
			if reason := gjson.GetBytes(sub.body, "error.details.0.reason").String(); sub.status != want[reason] || sub.status == 0 {
				t.Errorf("GET tasks/{done}:subscribe = %d %s, want 400 UNSUPPORTED_OPERATION or 404 TASK_NOT_FOUND", sub.status, sub.body)
			}
			if port := portOf(t, p.url); strings.Contains(seen.String(), ":"+port) {
				t.Errorf("a REST answer names the agent's port %s:\n%s", port, seen.String())
			}
		})
	}
}

// TestGatewayRESTErrors pins the REST binding's errors: google.rpc.Status
// bodies, as application/json (a2a-go/v2 reads no other), with the HTTP
// status of the error and A2A's ErrorInfo reason; another key's task is a
// 404 exactly as a task that does not exist.
func TestGatewayRESTErrors(t *testing.T) {
	p := startGoPeer(t, "gov2")
	cfg := agentsFor(p, peer{name: "other", url: p.url})
	cfg.APIKeys = append(append([]APIKey{}, gwKeys...), APIKey{Key: "sk-one", Name: "one", Agents: []string{"other"}},
		APIKey{Key: "sk-slow", Name: "slow", RPM: 1})
	base := startBridge(t, cfg)
	c := httpClient(t)
	v1 := base + "/a2a/gov2/v1"
	sent := post(t, c, v1+"/message:send", restMsg("hello world"), "Authorization", "Bearer sk-ada")
	id := gjson.GetBytes(sent.body, "task.id").String()
	if sent.status != 200 || id == "" {
		t.Fatalf("message:send = %d %s", sent.status, sent.body)
	}
	for _, tc := range []struct {
		name, method, path, key, body string
		status                        int
		grpc, reason                  string
	}{
		{"no key", "GET", "/tasks/" + id, "", "", 401, "UNAUTHENTICATED", "UNAUTHENTICATED"},
		{"wrong key", "POST", "/message:send", "sk-eve", restMsg("hi"), 401, "UNAUTHENTICATED", "UNAUTHENTICATED"},
		{"not allowed", "POST", "/message:send", "sk-one", restMsg("hi"), 403, "PERMISSION_DENIED", "UNAUTHORIZED"},
		{"another key's task", "GET", "/tasks/" + id, "sk-bob", "", 404, "NOT_FOUND", "TASK_NOT_FOUND"},
		{"another key's cancel", "POST", "/tasks/" + id + ":cancel", "sk-bob", "", 404, "NOT_FOUND", "TASK_NOT_FOUND"},
		{"another key's subscribe", "POST", "/tasks/" + id + ":subscribe", "sk-bob", "", 404, "NOT_FOUND", "TASK_NOT_FOUND"},
		{"no such task", "GET", "/tasks/t-none", "sk-ada", "", 404, "NOT_FOUND", "TASK_NOT_FOUND"},
		{"bad JSON", "POST", "/message:send", "sk-ada", `{"message":`, 400, "INVALID_ARGUMENT", "PARSE_ERROR"},
		{"body no object", "POST", "/message:send", "sk-ada", `[1]`, 400, "INVALID_ARGUMENT", "INVALID_PARAMS"},
		{"bad historyLength", "GET", "/tasks/" + id + "?historyLength=x", "sk-ada", "", 400, "INVALID_ARGUMENT", "INVALID_PARAMS"},
		{"bad pageSize", "GET", "/tasks?pageSize=x", "sk-ada", "", 400, "INVALID_ARGUMENT", "INVALID_PARAMS"},
		{"push config", "POST", "/tasks/" + id + "/pushNotificationConfigs", "sk-ada", `{}`, 400, "UNIMPLEMENTED", "PUSH_NOTIFICATION_NOT_SUPPORTED"},
		{"extended card", "GET", "/extendedAgentCard", "sk-ada", "", 400, "FAILED_PRECONDITION", "EXTENDED_AGENT_CARD_NOT_CONFIGURED"},
		{"unknown verb", "POST", "/tasks/" + id + ":steal", "sk-ada", "", 404, "NOT_FOUND", "METHOD_NOT_FOUND"},
		{"unknown call", "POST", "/message:shout", "sk-ada", restMsg("hi"), 404, "NOT_FOUND", "METHOD_NOT_FOUND"},
		{"unknown path", "GET", "/nothing/here", "sk-ada", "", 404, "NOT_FOUND", "METHOD_NOT_FOUND"},
		{"unknown agent", "POST", "/../../nobody/v1/message:send", "sk-ada", restMsg("hi"), 404, "NOT_FOUND", ""},
		{"rate limit, first", "GET", "/tasks/t-none", "sk-slow", "", 404, "NOT_FOUND", "TASK_NOT_FOUND"},
		{"rate limit", "GET", "/tasks/t-none", "sk-slow", "", 429, "RESOURCE_EXHAUSTED", ""},
		{"stream, no key", "POST", "/message:stream", "", restMsg("hi"), 401, "UNAUTHENTICATED", "UNAUTHENTICATED"},
		{"stream, another key's task", "POST", "/message:stream", "sk-bob", `{"message":{"role":"ROLE_USER","messageId":"m9","taskId":"` + id + `","parts":[{"text":"hi"}]}}`, 404, "NOT_FOUND", "TASK_NOT_FOUND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := v1 + tc.path
			if strings.HasPrefix(tc.path, "/../../") {
				u = base + "/a2a/" + strings.TrimPrefix(tc.path, "/../../")
			}
			var h []string
			if tc.key != "" {
				h = []string{"Authorization", "Bearer " + tc.key}
			}
			var r result
			if tc.method == "GET" {
				r = get(t, c, u, h...)
			} else {
				r = post(t, c, u, tc.body, append(h, "Content-Type", "application/json")...)
			}
			got := gjson.ParseBytes(r.body)
			if r.status != tc.status || got.Get("error.code").Int() != int64(tc.status) || got.Get("error.status").String() != tc.grpc ||
				got.Get("error.details.0.reason").String() != tc.reason || got.Get("error.message").String() == "" {
				t.Errorf("%s %s = %d %s, want %d %s reason %q", tc.method, tc.path, r.status, r.body, tc.status, tc.grpc, tc.reason)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("%s %s Content-Type = %q, want application/json", tc.method, tc.path, ct)
			}
			if strings.Contains(string(r.body), portOf(t, p.url)) {
				t.Errorf("answer names the agent's port: %s", r.body)
			}
			if ra := r.header.Get("Retry-After"); tc.status == 429 && ra == "" {
				t.Errorf("429 with no Retry-After")
			}
		})
	}
}

// gwRESTResult is what the REST runs print: gwclient's "gov2rest"
// (testdata/peers/gov2/gwclient/rest.go) and a2a-rest.mjs.
type gwRESTResult struct {
	OK           bool     `json:"ok"`
	Error        string   `json:"error"`
	Received     string   `json:"received"`
	Paths        []string `json:"paths"`
	MissingError string   `json:"missingError"`
	// a2a-go/v2's
	SendID      string   `json:"sendID"`
	Events      int      `json:"events"`
	GetID       string   `json:"getID"`
	ListIDs     []string `json:"listIDs"`
	ListError   string   `json:"listError"`
	SubEvents   int      `json:"subEvents"`
	SubState    string   `json:"subState"`
	CancelState string   `json:"cancelState"`
	// @a2a-js/sdk's
	Send      map[string]any   `json:"send"`
	Stream    []map[string]any `json:"stream"`
	Get       map[string]any   `json:"get"`
	List      map[string]any   `json:"list"`
	Subscribe []map[string]any `json:"subscribe"`
	Cancel    map[string]any   `json:"cancel"`
}

// TestGatewayRESTClients runs the real REST clients, a2a-go/v2 v2.3.1's
// HTTP+JSON transport and @a2a-js/sdk 1.3's RestTransport, each alone and
// built from the merged card, through the gateway with a key to the 1.0
// agents: send, stream, get, list, subscribe to a running task, cancel, and
// a task that does not exist (the SDK's own not-found error). Every call
// after the card went to the REST routes, and the agent's port is in
// nothing the client received.
func TestGatewayRESTClients(t *testing.T) {
	checkLeaks(t)
	peers := []peer{startGoPeer(t, "gov2"), startJSPeer(t, "js10.mjs")}
	cfg := agentsFor(peers...)
	cfg.APIKeys = gwKeys
	base := startBridge(t, cfg)
	for _, tc := range []struct {
		sdk   string
		agent peer
		// noCancel: the js10 peer cancels only a task it is running
		// (see TestGatewayJSClients); noList: a2a-go/v2 lists tasks
		// only for callers it authenticated itself (-31401).
		noCancel, noList bool
	}{
		{"gov2rest", peers[0], false, true}, {"gov2rest", peers[1], true, false},
		{"js13rest", peers[0], false, true}, {"js13rest", peers[1], true, false},
	} {
		t.Run(tc.sdk+"/"+tc.agent.name, func(t *testing.T) {
			job := map[string]any{"sdk": tc.sdk, "url": base + "/a2a/" + tc.agent.name, "apiKey": "sk-ada", "noCancel": tc.noCancel}
			var r gwRESTResult
			if tc.sdk == "js13rest" {
				job["url"] = job["url"].(string) + "/" // the JS resolver appends .well-known/… to the URL's directory
				runNode(t, "a2a-rest.mjs", job, &r)
				r.SendID, r.GetID, r.Events, r.SubEvents = stringOf(r.Send["id"]), stringOf(r.Get["id"]), len(r.Stream), len(r.Subscribe)
				for _, task := range anyList(r.List["tasks"]) {
					r.ListIDs = append(r.ListIDs, stringOf(task["id"]))
				}
				if s, _ := r.Cancel["status"].(map[string]any); s != nil {
					r.CancelState = strings.ToLower(stringOf(s["state"]))
				}
			} else {
				runGWClient(t, job, &r)
			}
			if !r.OK {
				t.Fatalf("%s via the gateway's REST binding to %s: %s\nreceived:\n%s", tc.sdk, tc.agent.name, r.Error, r.Received)
			}
			if port := portOf(t, tc.agent.url); strings.Contains(r.Received, ":"+port) {
				t.Errorf("the client received the agent's port %s:\n%s", port, r.Received)
			}
			for _, p := range r.Paths {
				if !strings.Contains(p, "/a2a/"+tc.agent.name+"/v1/") && !strings.Contains(p, "/.well-known/") {
					t.Errorf("%s called %s, want only the REST routes under /a2a/%s/v1/", tc.sdk, p, tc.agent.name)
				}
			}
			if r.SendID == "" || r.GetID != r.SendID || r.Events < 3 || r.SubEvents < 1 {
				t.Errorf("%s: send %q, get %q, %d stream events, %d subscribe events", tc.sdk, r.SendID, r.GetID, r.Events, r.SubEvents)
			}
			if !tc.noList && !strings.Contains(strings.Join(r.ListIDs, " "), r.SendID) {
				t.Errorf("%s: list %v (%s), want the sent task %s", tc.sdk, r.ListIDs, r.ListError, r.SendID)
			}
			if !tc.noCancel && !strings.Contains(r.CancelState, "cancel") && r.CancelState != "5" { // JS: the enum's number
				t.Errorf("%s: cancel state %q, want canceled", tc.sdk, r.CancelState)
			}
			if !strings.Contains(strings.ToLower(r.MissingError), "not found") && !strings.Contains(r.MissingError, "TaskNotFound") {
				t.Errorf("%s: get of a missing task: %q, want the SDK's task-not-found error", tc.sdk, r.MissingError)
			}
		})
	}
}

// anyList is v as a list of objects.
func anyList(v any) []map[string]any {
	var out []map[string]any
	l, _ := v.([]any)
	for _, x := range l {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// runGWClient runs gwclient (gwClientBin) on job and decodes what it printed.
func runGWClient(t *testing.T, job map[string]any, out any) {
	t.Helper()
	in, _ := json.Marshal(job)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, gwClientBin(t))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil || json.Unmarshal(stdout, out) != nil {
		t.Fatalf("gwclient: %v %s\n%s", err, stdout, stderr.String())
	}
}

// TestGatewayRESTBadAgent: an agent whose answer is no JSON-RPC response,
// which the JSON-RPC door relays as it came, is a 502 on the REST binding
// (its stream too, when its first event is such), never a bare body or
// event of the agent's garbage.
func TestGatewayRESTBadAgent(t *testing.T) {
	checkLeaks(t)
	agent := newAgent10(t, true, func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("Accept"), "event-stream") {
			sse(w, "not json", ev10Task)
			return
		}
		fmt.Fprint(w, `{"no":"result"}`)
	})
	base := startBridge(t, Config{Agents: []AgentConfig{{Name: "a10", URL: agent.URL}}})
	c := httpClient(t)
	for _, route := range []string{"message:send", "message:stream"} {
		r := post(t, c, base+"/a2a/a10/v1/"+route, restMsg("hi"), "Content-Type", "application/json")
		if r.status != 502 || gjson.GetBytes(r.body, "error.code").Int() != 502 || strings.Contains(string(r.body), "not json") {
			t.Errorf("POST %s to a garbling agent = %d %s, want 502 and a google.rpc.Status", route, r.status, r.body)
		}
	}
}
