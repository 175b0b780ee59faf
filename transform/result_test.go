package transform

import (
	"errors"
	"reflect"
	"testing"

	"github.com/tidwall/gjson"
)

// readResponseErrorTests are answers ReadResponse refuses; they also seed FuzzReadResponse.
var readResponseErrorTests = []struct {
	name    string
	body    string
	wantErr error // ErrBadResponse or an *RPCError compared by value
}{
	{"error member that is not an object", `{"jsonrpc":"2.0","id":1,"error":false}`, ErrBadResponse},
	{"a2a-go 0.3 task not found", `{"jsonrpc":"2.0","id":7,"error":{"code":-32001,"message":"task not found","data":{"error":"setup failed: task loading failed: task not found"}}}`,
		&RPCError{Code: -32001, Message: "task not found"}},
	{"a2a-js 0.3 task not found", `{"jsonrpc":"2.0","id":7,"error":{"code":-32001,"message":"Task not found: nope"}}`,
		&RPCError{Code: -32001, Message: "Task not found: nope"}},
	{"method not found", `{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"method not found"}}`,
		&RPCError{Code: -32601, Message: "method not found"}},
	{"1.0 version not supported with ErrorInfo data", `{"jsonrpc":"2.0","id":"1","error":{"code":-32009,"message":"A2A version 9.9 not supported. Supported versions: 1.0, 0.3","data":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"VERSION_NOT_SUPPORTED","domain":"a2a-protocol.org"}]}}`,
		&RPCError{Code: -32009, Message: "A2A version 9.9 not supported. Supported versions: 1.0, 0.3"}},
	{"error wins over result", `{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"internal"},"result":{"kind":"task","id":"T","status":{"state":"completed"}}}`,
		&RPCError{Code: -32603, Message: "internal"}},
	{"result missing", `{"jsonrpc":"2.0","id":1}`, ErrBadResponse},
	{"result null", `{"jsonrpc":"2.0","id":1,"result":null}`, ErrBadResponse},
	{"result a string", `{"jsonrpc":"2.0","id":1,"result":"ok"}`, ErrBadResponse},
	{"result an array", `{"jsonrpc":"2.0","id":1,"result":[{"kind":"task"}]}`, ErrBadResponse},
	{"body an array", `[{"jsonrpc":"2.0","id":1,"result":{}}]`, ErrBadResponse},
	{"invalid JSON", `{"jsonrpc":"2.0","id":1,"result":{`, ErrBadResponse},
	{"empty body", ``, ErrBadResponse},
	{"HTML error page", `<html><body>502 Bad Gateway</body></html>`, ErrBadResponse},
	{"plain text from auth middleware", `Unauthorized`, ErrBadResponse},
}

func TestReadResponseErrors(t *testing.T) {
	for _, tc := range readResponseErrorTests {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := ReadResponse([]byte(tc.body))
			if !reflect.DeepEqual(ev, Event{}) {
				t.Errorf("ReadResponse(%s) event = %+v, want the zero Event", tc.body, ev)
			}
			var want *RPCError
			if errors.As(tc.wantErr, &want) {
				var got *RPCError
				if !errors.As(err, &got) || *got != *want {
					t.Errorf("ReadResponse(%s) error = %#v, want %#v", tc.body, err, want)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("ReadResponse(%s) error = %v, want %v", tc.body, err, tc.wantErr)
			}
		})
	}
}

func TestRPCErrorMessage(t *testing.T) {
	err := &RPCError{Code: -32001, Message: "task not found"}
	if got, want := err.Error(), "agent error -32001: task not found"; got != want {
		t.Errorf("(&RPCError{-32001, task not found}).Error() = %q, want %q", got, want)
	}
}

// readResponseTests are results and stream events of both versions, as
// agents send them (trimmed); they also seed FuzzReadResponse.
var readResponseTests = []struct {
	name string
	body string
	want Event
}{
	// a2a-go v0.3.15 message/stream, captured from testdata/peers/go03.
	{"0.3 task submitted", `{"jsonrpc":"2.0","id":"s1","result":{"kind":"task","id":"T","contextId":"C","history":[{"kind":"message","messageId":"m3","parts":[{"kind":"text","text":"hi you"}],"role":"user"}],"status":{"state":"submitted"}}}`,
		Event{Kind: KindTask, TaskID: "T", ContextID: "C", State: StateSubmitted}},
	{"0.3 status-update working", `{"jsonrpc":"2.0","id":"s1","result":{"kind":"status-update","contextId":"C","final":false,"status":{"state":"working","timestamp":"2026-11-24T12:14:45.847033755Z"},"taskId":"T"}}`,
		Event{Kind: KindStatus, TaskID: "T", ContextID: "C", State: StateWorking}},
	{"0.3 artifact-update first chunk has no append", `{"jsonrpc":"2.0","id":"s1","result":{"kind":"artifact-update","artifact":{"artifactId":"A","parts":[{"kind":"text","text":"echo: "}]},"contextId":"C","taskId":"T"}}`,
		Event{Kind: KindArtifact, TaskID: "T", ContextID: "C", Artifacts: []Artifact{{ID: "A", Text: "echo: "}}}},
	{"0.3 artifact-update append", `{"jsonrpc":"2.0","id":"s1","result":{"kind":"artifact-update","append":true,"artifact":{"artifactId":"A","parts":[{"kind":"text","text":"hi "}]},"contextId":"C","taskId":"T"}}`,
		Event{Kind: KindArtifact, TaskID: "T", ContextID: "C", Append: true, Artifacts: []Artifact{{ID: "A", Text: "hi "}}}},
	{"0.3 artifact-update append lastChunk", `{"jsonrpc":"2.0","id":"s1","result":{"kind":"artifact-update","append":true,"artifact":{"artifactId":"A","parts":[{"kind":"text","text":"you"}]},"contextId":"C","lastChunk":true,"taskId":"T"}}`,
		Event{Kind: KindArtifact, TaskID: "T", ContextID: "C", Append: true, LastChunk: true, Artifacts: []Artifact{{ID: "A", Text: "you"}}}},
	{"0.3 status-update completed final", `{"jsonrpc":"2.0","id":"s1","result":{"kind":"status-update","contextId":"C","final":true,"status":{"state":"completed","timestamp":"2026-11-24T12:14:45.847035935Z"},"taskId":"T"}}`,
		Event{Kind: KindStatus, TaskID: "T", ContextID: "C", State: StateCompleted, Final: true}},
	// @a2a-js/sdk 0.3.14, MODE:snapshot: the ADK-style whole re-send.
	{"0.3 JS snapshot re-send", `{"jsonrpc":"2.0","id":"s1","result":{"kind":"artifact-update","taskId":"T","contextId":"C","append":false,"lastChunk":true,"artifact":{"artifactId":"a1","parts":[{"kind":"text","text":"echo: MODE:snapshot hi you"}]}}}`,
		Event{Kind: KindArtifact, TaskID: "T", ContextID: "C", LastChunk: true, Artifacts: []Artifact{{ID: "a1", Text: "echo: MODE:snapshot hi you"}}}},
	{"0.3 bare message", `{"jsonrpc":"2.0","id":2,"result":{"kind":"message","role":"agent","messageId":"M","contextId":"C","parts":[{"kind":"text","text":"echo: "},{"kind":"text","text":"hi"}]}}`,
		Event{Kind: KindMessage, ContextID: "C", Text: "echo: hi", Role: "agent"}},
	{"0.3 message continuing a task", `{"jsonrpc":"2.0","id":2,"result":{"kind":"message","role":"agent","messageId":"M","taskId":"T","contextId":"C","parts":[{"kind":"text","text":"ok"}]}}`,
		Event{Kind: KindMessage, TaskID: "T", ContextID: "C", Text: "ok", Role: "agent"}},
	{"0.3 working status with a progress message", `{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":"T","contextId":"C","final":false,"status":{"state":"working","message":{"kind":"message","role":"agent","messageId":"p","parts":[{"kind":"text","text":"Looking up the exchange rates..."}]}}}}`,
		Event{Kind: KindStatus, TaskID: "T", ContextID: "C", State: StateWorking, Text: "Looking up the exchange rates...", Role: "agent"}},
	// a2a-go/v2 v2.3.1 and a2a-js 1.3.0 SendStreamingMessage (notes §6).
	{"1.0 task wrapper submitted", `{"jsonrpc":"2.0","id":2,"result":{"task":{"id":"T","contextId":"C","history":[{"messageId":"m2","parts":[{"text":"hi you"}],"role":"ROLE_USER"}],"status":{"state":"TASK_STATE_SUBMITTED"}}}}`,
		Event{Kind: KindTask, TaskID: "T", ContextID: "C", State: StateSubmitted}},
	{"1.0 statusUpdate working", `{"jsonrpc":"2.0","id":2,"result":{"statusUpdate":{"contextId":"C","status":{"state":"TASK_STATE_WORKING","timestamp":"2026-11-23T23:46:48Z"},"taskId":"T"}}}`,
		Event{Kind: KindStatus, TaskID: "T", ContextID: "C", State: StateWorking}},
	{"1.0 artifactUpdate first chunk", `{"jsonrpc":"2.0","id":2,"result":{"artifactUpdate":{"artifact":{"artifactId":"A","parts":[{"text":"echo:","mediaType":"text/plain"}]},"contextId":"C","taskId":"T"}}}`,
		Event{Kind: KindArtifact, TaskID: "T", ContextID: "C", Artifacts: []Artifact{{ID: "A", Text: "echo:"}}}},
	{"1.0 artifactUpdate append", `{"jsonrpc":"2.0","id":2,"result":{"artifactUpdate":{"append":true,"artifact":{"artifactId":"A","parts":[{"text":" hi"}]},"contextId":"C","taskId":"T"}}}`,
		Event{Kind: KindArtifact, TaskID: "T", ContextID: "C", Append: true, Artifacts: []Artifact{{ID: "A", Text: " hi"}}}},
	{"1.0 artifactUpdate append lastChunk", `{"jsonrpc":"2.0","id":2,"result":{"artifactUpdate":{"append":true,"artifact":{"artifactId":"A","parts":[{"text":" you"}]},"contextId":"C","lastChunk":true,"taskId":"T"}}}`,
		Event{Kind: KindArtifact, TaskID: "T", ContextID: "C", Append: true, LastChunk: true, Artifacts: []Artifact{{ID: "A", Text: " you"}}}},
	// Notes §9: 1.0 JSON leaves out false booleans; the JS 1.3 snapshot has no append key.
	{"1.0 artifactUpdate without append key reads Append=false", `{"jsonrpc":"2.0","id":2,"result":{"artifactUpdate":{"artifact":{"artifactId":"A","parts":[{"text":"echo: hi you"}]},"contextId":"C","lastChunk":true,"taskId":"T"}}}`,
		Event{Kind: KindArtifact, TaskID: "T", ContextID: "C", LastChunk: true, Artifacts: []Artifact{{ID: "A", Text: "echo: hi you"}}}},
	{"1.0 statusUpdate completed has no final", `{"jsonrpc":"2.0","id":2,"result":{"statusUpdate":{"contextId":"C","status":{"state":"TASK_STATE_COMPLETED"},"taskId":"T"}}}`,
		Event{Kind: KindStatus, TaskID: "T", ContextID: "C", State: StateCompleted}},
	{"1.0 message wrapper ROLE_AGENT", `{"jsonrpc":"2.0","id":"1","result":{"message":{"messageId":"M","parts":[{"text":"echo: msg: yo"}],"role":"ROLE_AGENT"}}}`,
		Event{Kind: KindMessage, Text: "echo: msg: yo", Role: "agent"}},
	{"1.0 GetTask bare task", `{"jsonrpc":"2.0","id":3,"result":{"id":"T","contextId":"C","status":{"state":"TASK_STATE_INPUT_REQUIRED","message":{"role":"ROLE_AGENT","messageId":"q","parts":[{"text":"Which city?"}]}}}}`,
		Event{Kind: KindTask, TaskID: "T", ContextID: "C", State: StateInputRequired, Text: "Which city?", Role: "agent"}},
	// Shape only: no kind and no wrapper (notes §8.3).
	{"shape-only artifact update", `{"jsonrpc":"2.0","id":1,"result":{"taskId":"T","contextId":"C","append":true,"artifact":{"artifactId":"A","parts":[{"text":"x"}]}}}`,
		Event{Kind: KindArtifact, TaskID: "T", ContextID: "C", Append: true, Artifacts: []Artifact{{ID: "A", Text: "x"}}}},
	{"shape-only status update", `{"jsonrpc":"2.0","id":1,"result":{"taskId":"T","contextId":"C","final":true,"status":{"state":"failed","message":{"parts":[{"text":"boom"}]}}}}`,
		Event{Kind: KindStatus, TaskID: "T", ContextID: "C", State: StateFailed, Final: true, Text: "boom"}},
	{"shape-only task", `{"jsonrpc":"2.0","id":1,"result":{"id":"T","contextId":"C","status":{"state":"completed"},"artifacts":[{"artifactId":"A","parts":[{"text":"ok"}]}]}}`,
		Event{Kind: KindTask, TaskID: "T", ContextID: "C", State: StateCompleted, Artifacts: []Artifact{{ID: "A", Text: "ok"}}}},
	{"shape-only message", `{"jsonrpc":"2.0","id":1,"result":{"role":"agent","messageId":"M","parts":[{"text":"hi"}]}}`,
		Event{Kind: KindMessage, Text: "hi", Role: "agent"}},
	{"unknown result object", `{"jsonrpc":"2.0","id":1,"result":{}}`, Event{Kind: KindUnknown}},
	{"unknown kind, no known shape", `{"jsonrpc":"2.0","id":1,"result":{"kind":"telemetry","contextId":"C"}}`,
		Event{Kind: KindUnknown, ContextID: "C"}},
	{"null error is no error", `{"jsonrpc":"2.0","id":1,"error":null,"result":{"kind":"task","id":"T","status":{"state":"working"}}}`,
		Event{Kind: KindTask, TaskID: "T", State: StateWorking}},
	{"task with two artifacts", `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"T","contextId":"C","status":{"state":"completed"},"artifacts":[{"artifactId":"a","parts":[{"kind":"text","text":"1"},{"kind":"text","text":"2"}]},{"artifactId":"b","parts":[]}]}}`,
		Event{Kind: KindTask, TaskID: "T", ContextID: "C", State: StateCompleted, Artifacts: []Artifact{{ID: "a", Text: "12"}, {ID: "b"}}}},
}

func TestReadResponse(t *testing.T) {
	for _, tc := range readResponseTests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadResponse([]byte(tc.body))
			if err != nil {
				t.Fatalf("ReadResponse(%s) error = %v, want nil", tc.body, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ReadResponse(%s)\n = %+v\nwant %+v", tc.body, got, tc.want)
			}
		})
	}
}

// TestReadResponseOutcomes pins the fields bridge decides an answer's fate
// by (failed → error, input-required → the question as content).
func TestReadResponseOutcomes(t *testing.T) {
	tests := []struct {
		name                          string
		body                          string
		wantState                     State
		wantText, wantTask, wantCtx   string
		wantTerminal, wantInterrupted bool
		wantFailed                    bool
	}{
		{"completed", `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"T","contextId":"C","status":{"state":"completed"}}}`,
			StateCompleted, "", "T", "C", true, false, false},
		{"0.3 failed with reason", `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"T","contextId":"C","status":{"state":"failed","message":{"kind":"message","role":"agent","messageId":"e","parts":[{"kind":"text","text":"upstream quota exceeded"}]}}}}`,
			StateFailed, "upstream quota exceeded", "T", "C", true, false, true},
		{"1.0 failed with reason", `{"jsonrpc":"2.0","id":1,"result":{"task":{"id":"T","contextId":"C","status":{"state":"TASK_STATE_FAILED","message":{"role":"ROLE_AGENT","messageId":"e","parts":[{"text":"tool crashed"}]}}}}}`,
			StateFailed, "tool crashed", "T", "C", true, false, true},
		{"rejected", `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"T","contextId":"C","status":{"state":"rejected","message":{"parts":[{"kind":"text","text":"not allowed"}]}}}}`,
			StateRejected, "not allowed", "T", "C", true, false, true},
		{"canceled", `{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":"T","contextId":"C","final":true,"status":{"state":"canceled"}}}`,
			StateCanceled, "", "T", "C", true, false, true},
		{"0.3 proto cancelled spelling", `{"jsonrpc":"2.0","id":1,"result":{"task":{"id":"T","contextId":"C","status":{"state":"TASK_STATE_CANCELLED"}}}}`,
			StateCanceled, "", "T", "C", true, false, true},
		{"input-required with question", `{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":"T","contextId":"C","final":true,"status":{"state":"input-required","message":{"kind":"message","role":"agent","messageId":"q","parts":[{"kind":"text","text":"Which currency?"}]}}}}`,
			StateInputRequired, "Which currency?", "T", "C", false, true, false},
		{"auth-required", `{"jsonrpc":"2.0","id":1,"result":{"statusUpdate":{"taskId":"T","contextId":"C","status":{"state":"TASK_STATE_AUTH_REQUIRED","message":{"parts":[{"text":"Sign in at https://example.com/auth"}]}}}}}`,
			StateAuthRequired, "Sign in at https://example.com/auth", "T", "C", false, true, false},
		{"unspecified state", `{"jsonrpc":"2.0","id":1,"result":{"task":{"id":"T","contextId":"C","status":{"state":"TASK_STATE_UNSPECIFIED"}}}}`,
			StateUnknown, "", "T", "C", true, false, true},
		{"working", `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"T","contextId":"C","status":{"state":"working"}}}`,
			StateWorking, "", "T", "C", false, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := ReadResponse([]byte(tc.body))
			if err != nil {
				t.Fatalf("ReadResponse(%s) error = %v, want nil", tc.body, err)
			}
			if ev.State != tc.wantState || ev.Text != tc.wantText || ev.TaskID != tc.wantTask || ev.ContextID != tc.wantCtx {
				t.Errorf("ReadResponse(%s) = State %q Text %q TaskID %q ContextID %q, want %q %q %q %q",
					tc.body, ev.State, ev.Text, ev.TaskID, ev.ContextID, tc.wantState, tc.wantText, tc.wantTask, tc.wantCtx)
			}
			if got := [3]bool{ev.State.Terminal(), ev.State.Interrupted(), ev.State.Failed()}; got != [3]bool{tc.wantTerminal, tc.wantInterrupted, tc.wantFailed} {
				t.Errorf("State %q Terminal, Interrupted, Failed = %v, want %v", ev.State, got, [3]bool{tc.wantTerminal, tc.wantInterrupted, tc.wantFailed})
			}
			if got := answerOf(ev); got != tc.wantText {
				t.Errorf("answerOf(%+v) = %q, want %q", ev, got, tc.wantText)
			}
		})
	}
}

func TestPartText(t *testing.T) {
	tests := []struct {
		name string
		part string
		want string
	}{
		{"0.3 text", `{"kind":"text","text":"hi"}`, "hi"},
		{"1.0 text with mediaType", `{"text":"hi","mediaType":"text/plain"}`, "hi"},
		{"0.1 typed text", `{"type":"text","text":"hi"}`, "hi"},
		{"empty text", `{"kind":"text","text":""}`, ""},
		{"0.3 data object", `{"kind":"data","data":{"a":1}}`, "\n```json\n{\"a\":1}\n```\n"},
		{"1.0 data array", `{"data":[1,2],"mediaType":"application/json"}`, "\n```json\n[1,2]\n```\n"},
		{"0.3 file by uri", `{"kind":"file","file":{"uri":"https://example.com/a.png","mimeType":"image/png","name":"a.png"}}`, "[a.png](https://example.com/a.png)"},
		{"0.3 file by uri without name", `{"kind":"file","file":{"uri":"https://example.com/a.png"}}`, "[file](https://example.com/a.png)"},
		{"0.3 file inline bytes", `{"kind":"file","file":{"bytes":"aGVsbG8=","mimeType":"text/plain","name":"h.txt"}}`, "[h.txt: text/plain, 5 bytes inline]"},
		{"0.3 file inline bytes two pads", `{"kind":"file","file":{"bytes":"aGk=","name":"h"}}`, "[h: application/octet-stream, 2 bytes inline]"},
		{"0.3 file inline bytes no pad", `{"kind":"file","file":{"bytes":"aGVsbG8h","name":"h"}}`, "[h: application/octet-stream, 6 bytes inline]"},
		{"1.0 file by url", `{"url":"https://example.com/d.csv","mediaType":"text/csv","filename":"d.csv"}`, "[d.csv](https://example.com/d.csv)"},
		{"1.0 file raw", `{"raw":"aGVsbG8=","mediaType":"text/plain","filename":"h.txt"}`, "[h.txt: text/plain, 5 bytes inline]"},
		{"file with neither uri nor bytes", `{"kind":"file","file":{"name":"x"}}`, ""},
		{"sloppy file.data is not a data part", `{"kind":"file","file":{"data":"aGk=","name":"x"}}`, ""},
		{"unknown part", `{"kind":"video","src":"x"}`, ""},
		{"empty object", `{}`, ""},
		{"not an object", `"hi"`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := PartText(gjson.Parse(tc.part)); got != tc.want {
				t.Errorf("PartText(%s) = %q, want %q", tc.part, got, tc.want)
			}
		})
	}
}

// answerOf is what a client is told of a whole result: the Translator's
// answer, or the agent's reason when its task failed.
func answerOf(ev Event) string {
	tr := &Translator{}
	_, err := tr.Feed(ev)
	var te *TaskError
	if errors.As(err, &te) {
		return te.Text
	}
	_, _ = tr.Finish()
	return tr.Text()
}

// TestReadResponseAllocs pins what reading the common events allocates:
// one arena holding every string the Event keeps, and for an artifact
// update or a task with an answer the Artifacts slice.
func TestReadResponseAllocs(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want float64
	}{
		{"0.3 status-update", benchStatusEvent("working", false), 1},
		{"0.3 artifact-update", benchArtifactEvent("The quick brown fox", true, false), 2},
		{"0.3 artifact-update with escapes", benchArtifactEvent("line\n\"quoted\" \u00e9\U0001F600", true, false), 2},
		{"0.3 task", benchTask(64, 64), 2},
		{"1.0 artifactUpdate", []byte(`{"jsonrpc":"2.0","id":2,"result":{"artifactUpdate":{"append":true,"artifact":{"artifactId":"A","parts":[{"text":" hi"}]},"contextId":"C","taskId":"T"}}}`), 2},
		{"1.0 statusUpdate with a message", []byte(`{"jsonrpc":"2.0","id":1,"result":{"statusUpdate":{"taskId":"T","contextId":"C","status":{"state":"TASK_STATE_INPUT_REQUIRED","message":{"role":"ROLE_AGENT","parts":[{"text":"Which city?"}]}}}}}`), 1},
		{"0.3 message", []byte(`{"jsonrpc":"2.0","id":2,"result":{"kind":"message","role":"agent","messageId":"M","taskId":"T","contextId":"C","parts":[{"kind":"text","text":"ok"}]}}`), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := testing.AllocsPerRun(100, func() {
				if _, err := ReadResponse(tc.body); err != nil {
					t.Fatal(err)
				}
			}); got != tc.want {
				t.Errorf("ReadResponse(%s) allocates %v times, want %v", tc.body, got, tc.want)
			}
		})
	}
}
