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
