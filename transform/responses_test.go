package transform

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseResponses(t *testing.T) {
	tests := []struct {
		name string
		body string
		want ResponsesRequest
	}{
		{"string input", `{"model":"a2a/x","input":"hi"}`, ResponsesRequest{Store: true,
			Request: Request{Model: "a2a/x", Agent: "x", IncludeUsage: true, Messages: []Message{{Role: "user", Text: "hi"}}}}},
		{"instructions and params", `{"model":"a2a/x","input":"hi","instructions":"Be terse.","temperature":0.2,"top_p":1,
			"max_output_tokens":50,"user":"u1","metadata":{"k":"v"},"store":false,"stream":true,"previous_response_id":"resp_1","tools":[]}`,
			ResponsesRequest{Instructions: "Be terse.", PreviousResponseID: "resp_1", Metadata: []byte(`{"k":"v"}`),
				Request: Request{Model: "a2a/x", Agent: "x", Stream: true, IncludeUsage: true, User: "u1",
					Params:   []byte(`{"temperature":0.2,"top_p":1,"max_tokens":50,"user":"u1","metadata":{"k":"v"}}`),
					Messages: []Message{{Role: "system", Text: "Be terse."}, {Role: "user", Text: "hi"}}}}},
		{"items", `{"model":"a2a/x","input":[
			{"role":"developer","content":"rules"},
			{"type":"message","role":"user","content":[{"type":"input_text","text":"look"},{"type":"input_image","image_url":"https://x.test/a.png"},
				{"type":"input_file","filename":"r.pdf","file_data":"data:application/pdf;base64,QUJD"}]},
			{"type":"message","role":"assistant","content":[{"type":"output_text","text":"ok"}]},
			{"type":"reasoning","summary":[]},
			{"type":"function_call","call_id":"c1","name":"f","arguments":"{}"},
			{"type":"function_call_output","call_id":"c1","output":"42"}]}`,
			ResponsesRequest{Store: true, Request: Request{Model: "a2a/x", Agent: "x", IncludeUsage: true, Messages: []Message{
				{Role: "developer", Text: "rules"},
				{Role: "user", Text: "look\n[image: https://x.test/a.png]\n[file: r.pdf]", Files: []File{
					{MediaType: "image/png", URI: "https://x.test/a.png"}, {Name: "r.pdf", MediaType: "application/pdf", Data: "QUJD"}}},
				{Role: "assistant", Text: "ok"},
				{Role: "assistant", Text: "[call f({}) id=c1]"},
				{Role: "tool", ToolCallID: "c1", Text: "42"}}}}},
		{"tools refused", `{"model":"a2a/x","input":"hi","tools":[{"type":"function","name":"f"}],"text":{"format":{"type":"json_schema"}}}`,
			ResponsesRequest{Store: true, Request: Request{Model: "a2a/x", Agent: "x", IncludeUsage: true,
				Unsupported: []string{"tools", "text.format"}, Messages: []Message{{Role: "user", Text: "hi"}}}}},
		{"item references", `{"model":"a2a/x","instructions":"Be terse.","input":[{"role":"user","content":"one"},
			{"type":"item_reference","id":"msg_1"},{"role":"user","content":"two"},{"id":"msg_2"},{"type":null,"id":"msg_3"}]}`,
			ResponsesRequest{Store: true, Instructions: "Be terse.", Refs: []ItemRef{
				{ID: "msg_1", Param: "input[1].id", at: 2}, {ID: "msg_2", Param: "input[3].id", at: 4}, {ID: "msg_3", Param: "input[4].id", at: 5}},
				Request: Request{Model: "a2a/x", Agent: "x", IncludeUsage: true, Messages: []Message{
					{Role: "system", Text: "Be terse."}, {Role: "user", Text: "one"}, {Role: "assistant"}, {Role: "user", Text: "two"},
					{Role: "assistant"}, {Role: "assistant"}}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseResponses([]byte(tc.body))
			if err != nil {
				t.Fatalf("ParseResponses(%s) error = %v", tc.body, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ParseResponses(%s) =\n%+v\nwant\n%+v", tc.body, got, tc.want)
			}
		})
	}
}

func TestParseResponsesErrors(t *testing.T) {
	tests := []struct{ name, body, param string }{
		{"no model", `{"input":"hi"}`, "model"},
		{"no input", `{"model":"a2a/x"}`, "input"},
		{"empty items", `{"model":"a2a/x","input":[]}`, "input"},
		{"bad item type", `{"model":"a2a/x","input":[{"type":"computer_call"}]}`, "input[0].type"},
		{"bad role", `{"model":"a2a/x","input":[{"role":"robot","content":"x"}]}`, "input[0].role"},
		{"bad part", `{"model":"a2a/x","input":[{"role":"user","content":[{"type":"input_audio"}]}]}`, "input[0].content[0].type"},
		{"image by file_id", `{"model":"a2a/x","input":[{"role":"user","content":[{"type":"input_image","file_id":"f"}]}]}`, "input[0].content[0].image_url"},
		{"long previous id", `{"model":"a2a/x","input":"x","previous_response_id":"` + strings.Repeat("r", MaxName+1) + `"}`, "previous_response_id"},
		{"store not bool", `{"model":"a2a/x","input":"x","store":"no"}`, "store"},
		{"reference without id", `{"model":"a2a/x","input":[{"role":"user","content":"x"},{"type":"item_reference"}]}`, "input[1].id"},
		{"reference id not a string", `{"model":"a2a/x","input":[{"type":"item_reference","id":7}]}`, "input[0].id"},
		{"reference id empty", `{"model":"a2a/x","input":[{"role":"user","content":"x"},{"type":"item_reference","id":""}]}`, "input[1].id"},
		{"reference id too long", `{"model":"a2a/x","input":[{"id":"` + strings.Repeat("m", MaxName+1) + `"}]}`, "input[0].id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseResponses([]byte(tc.body))
			var re *RequestError
			if !errors.As(err, &re) || re.Param != tc.param {
				t.Errorf("ParseResponses(%s) = %v, want a RequestError on %s", tc.body, err, tc.param)
			}
		})
	}
}

// goldenResponseMeta is the fixed meta the Responses golden files use.
var goldenResponseMeta = ResponseMeta{ID: "resp_test", MessageID: "msg_test", CreatedAt: 1700000000, Model: "a2a/x",
	Instructions: "Be terse.", Metadata: []byte(`{"k":"v"}`), Ext: &Ext{TaskID: "t1", ContextID: "c1", State: StateCompleted}}

// TestGoldenResponses encodes the response object and each stream event of
// a fixed response and compares them with testdata/golden/responses.
func TestGoldenResponses(t *testing.T) {
	u := Usage{PromptTokens: 3, CompletionTokens: 2, TotalTokens: 5}
	cases := map[string]func() []byte{
		"completed": func() []byte {
			b, _ := indentJSON(Response(goldenResponseMeta, ResponseState{Status: ResponseCompleted, Text: "Hello there", Usage: &u}))
			return b
		},
		"stream": func() []byte {
			var w sseBuffer
			ev := NewResponseEvents(goldenResponseMeta)
			_ = ev.Start(&w)
			_ = ev.Delta(&w, "Hello ")
			_ = ev.Delta(&w, "there")
			_ = ev.Completed(&w, "Hello there", Response(goldenResponseMeta, ResponseState{Status: ResponseCompleted, Text: "Hello there", Usage: &u}))
			return w.b
		},
		"failed": func() []byte {
			var w sseBuffer
			ev := NewResponseEvents(goldenResponseMeta)
			_ = ev.Start(&w)
			_ = ev.Delta(&w, "Hello ")
			_ = ev.Failed(&w, Response(goldenResponseMeta, ResponseState{Status: ResponseFailed, Text: "Hello ", Usage: &u,
				Error: []byte(`{"code":"agent_task_failed","message":"The agent's task ended failed."}`)}))
			return w.b
		},
	}
	for name, encode := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(goldenDir, "responses", name+".txtar")
			a := readArchive(t, path)
			checkGolden(t, path, a, "responses.out", encode(), func(want []byte) []byte { return want })
		})
	}
}

// sseBuffer writes events as the bridge does: "event:" then "data:" lines.
type sseBuffer struct{ b []byte }

func (s *sseBuffer) Begin(typ string) []byte {
	return append(append(append(s.b, "event: "...), typ...), "\ndata: "...)
}

func (s *sseBuffer) End(b []byte) error {
	s.b = append(b, "\n\n"...)
	return nil
}

// TestResolveRefs: each reference's place gets the text its id names; an
// id the lookup does not know is an *ItemRefError naming its param.
func TestResolveRefs(t *testing.T) {
	known := map[string]string{"msg_1": "first answer", "msg_2": "second"}
	lookup := func(id string) (string, bool) { t, ok := known[id]; return t, ok }
	r, err := ParseResponses([]byte(`{"model":"a2a/x","input":[{"role":"user","content":"q"},{"type":"item_reference","id":"msg_2"},{"id":"msg_1"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.ResolveRefs(lookup); err != nil {
		t.Fatalf("ResolveRefs = %v", err)
	}
	want := []Message{{Role: "user", Text: "q"}, {Role: "assistant", Text: "second"}, {Role: "assistant", Text: "first answer"}}
	if !reflect.DeepEqual(r.Messages, want) {
		t.Errorf("ResolveRefs: messages %+v, want %+v", r.Messages, want)
	}
	r, _ = ParseResponses([]byte(`{"model":"a2a/x","input":[{"id":"msg_1"},{"type":"item_reference","id":"msg_9"}]}`))
	var re *ItemRefError
	if err := r.ResolveRefs(lookup); !errors.As(err, &re) || re.Ref.Param != "input[1].id" || re.Ref.ID != "msg_9" {
		t.Errorf("ResolveRefs(unknown msg_9) = %v, want an ItemRefError on input[1].id", err)
	}
}

// TestOutputMessage reads back the output message of a response object.
func TestOutputMessage(t *testing.T) {
	m := ResponseMeta{ID: "resp_1", MessageID: "msg_1", Model: "a2a/x"}
	for _, tc := range []struct {
		name     string
		st       ResponseState
		id, text string
		ok       bool
	}{
		{"completed", ResponseState{Status: ResponseCompleted, Text: "hi <there>\n"}, "msg_1", "hi <there>\n", true},
		{"in progress", ResponseState{Status: ResponseInProgress}, "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, text, ok := OutputMessage(Response(m, tc.st))
			if id != tc.id || text != tc.text || ok != tc.ok {
				t.Errorf("OutputMessage(%s) = %q, %q, %v, want %q, %q, %v", tc.name, id, text, ok, tc.id, tc.text, tc.ok)
			}
		})
	}
}
