package transform

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// The reference of the Responses encoders (responses_out.go): the structs
// and maps encoding/json writes the same bytes for. The appended encoders
// must match them byte for byte, whatever the strings.

type refResponse struct {
	ID                 string           `json:"id"`
	Object             string           `json:"object"`
	CreatedAt          int64            `json:"created_at"`
	Status             string           `json:"status"`
	Model              string           `json:"model"`
	Output             []refMessage     `json:"output"`
	Usage              *refUsage        `json:"usage"`
	Error              json.RawMessage  `json:"error"`
	IncompleteDetails  *json.RawMessage `json:"incomplete_details"`
	Instructions       *string          `json:"instructions"`
	PreviousResponseID *string          `json:"previous_response_id"`
	Metadata           json.RawMessage  `json:"metadata"`
	ParallelToolCalls  bool             `json:"parallel_tool_calls"`
	ToolChoice         string           `json:"tool_choice"`
	Tools              []struct{}       `json:"tools"`
	A2A                *Ext             `json:"a2a,omitempty"`
}

type refMessage struct {
	Type    string    `json:"type"`
	ID      string    `json:"id"`
	Status  string    `json:"status"`
	Role    string    `json:"role"`
	Content []refText `json:"content"`
}

type refText struct {
	Type        string     `json:"type"`
	Text        string     `json:"text"`
	Annotations []struct{} `json:"annotations"`
}

type refUsage struct {
	InputTokens        int `json:"input_tokens"`
	InputTokensDetails struct {
		CachedTokens int `json:"cached_tokens"`
	} `json:"input_tokens_details"`
	OutputTokens        int `json:"output_tokens"`
	OutputTokensDetails struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"output_tokens_details"`
	TotalTokens int `json:"total_tokens"`
}

func refResponseOf(m ResponseMeta, st ResponseState) refResponse {
	o := refResponse{ID: m.ID, Object: "response", CreatedAt: m.CreatedAt, Status: st.Status, Model: m.Model,
		Output: []refMessage{}, Error: json.RawMessage("null"), Metadata: m.Metadata, ToolChoice: "auto",
		Tools: []struct{}{}, A2A: m.Ext}
	if len(o.Metadata) == 0 {
		o.Metadata = json.RawMessage("{}")
	}
	if len(st.Error) > 0 {
		o.Error = st.Error
	}
	if m.Instructions != "" {
		o.Instructions = &m.Instructions
	}
	if m.PreviousResponseID != "" {
		o.PreviousResponseID = &m.PreviousResponseID
	}
	if st.Status != ResponseInProgress && (st.Status == ResponseCompleted || st.Text != "") {
		itemStatus := "completed"
		if st.Status != ResponseCompleted {
			itemStatus = "incomplete"
		}
		o.Output = []refMessage{refItem(m, itemStatus, st.Text)}
	}
	if u := st.Usage; u != nil {
		o.Usage = &refUsage{InputTokens: u.PromptTokens, OutputTokens: u.CompletionTokens, TotalTokens: u.TotalTokens}
	}
	return o
}

func refItem(m ResponseMeta, status, text string) refMessage {
	o := refMessage{Type: "message", ID: m.MessageID, Status: status, Role: "assistant", Content: []refText{}}
	if status != ResponseInProgress {
		o.Content = []refText{{Type: "output_text", Text: text, Annotations: []struct{}{}}}
	}
	return o
}

// refEvents are the events of a stream of deltas that ends as st says
// (completed or failed), as encoding/json writes them from maps.
func refEvents(m ResponseMeta, deltas []string, st ResponseState) string {
	var b strings.Builder
	seq := 0
	event := func(typ string, fields map[string]any) {
		fields["type"], fields["sequence_number"] = typ, seq
		seq++
		j, err := json.Marshal(fields)
		if err != nil {
			panic(err)
		}
		fmt.Fprintf(&b, "event: %s\ndata: %s\n\n", typ, j)
	}
	part := func(f map[string]any) map[string]any {
		f["item_id"], f["output_index"], f["content_index"] = m.MessageID, 0, 0
		return f
	}
	in := refResponseOf(m, ResponseState{Status: ResponseInProgress})
	event("response.created", map[string]any{"response": in})
	event("response.in_progress", map[string]any{"response": in})
	event("response.output_item.added", map[string]any{"output_index": 0, "item": refItem(m, ResponseInProgress, "")})
	event("response.content_part.added", part(map[string]any{"part": refText{Type: "output_text", Annotations: []struct{}{}}}))
	for _, d := range deltas {
		event("response.output_text.delta", part(map[string]any{"delta": d, "logprobs": []struct{}{}}))
	}
	if st.Status == ResponseFailed {
		event("response.failed", map[string]any{"response": refResponseOf(m, st)})
		return b.String()
	}
	done := refText{Type: "output_text", Text: st.Text, Annotations: []struct{}{}}
	event("response.output_text.done", part(map[string]any{"text": st.Text, "logprobs": []struct{}{}}))
	event("response.content_part.done", part(map[string]any{"part": done}))
	event("response.output_item.done", map[string]any{"output_index": 0, "item": refItem(m, ResponseCompleted, st.Text)})
	event("response.completed", map[string]any{"response": refResponseOf(m, st)})
	return b.String()
}

// events encodes the stream refEvents describes with ResponseEvents.
func events(m ResponseMeta, deltas []string, st ResponseState) string {
	var w sseBuffer
	e := NewResponseEvents(m)
	_ = e.Start(&w)
	for _, d := range deltas {
		_ = e.Delta(&w, d)
	}
	final := Response(m, st)
	if st.Status == ResponseFailed {
		_ = e.Failed(&w, final)
	} else {
		_ = e.Completed(&w, st.Text, final)
	}
	return string(w.b)
}

// responseOutCases are metas and states that take each branch of the
// encoders, with strings encoding/json escapes.
var responseOutCases = []struct {
	name string
	m    ResponseMeta
	st   ResponseState
	// deltas are the texts streamed before st
	deltas []string
}{
	{"bare", ResponseMeta{ID: "resp_1", MessageID: "msg_1", Model: "a2a/x"}, ResponseState{Status: ResponseCompleted}, nil},
	{"all", goldenResponseMeta, ResponseState{Status: ResponseCompleted, Text: "Hello there", Usage: &Usage{PromptTokens: 3, CompletionTokens: 2, TotalTokens: 5}},
		[]string{"Hello ", "there"}},
	{"escapes", ResponseMeta{ID: "resp_<&>", MessageID: "msg_\"q\"", CreatedAt: -1, Model: "a2a/\u2028x", Instructions: "tab\there\n", PreviousResponseID: "resp_\xff",
		Metadata: []byte(`{"a":"\u003cb\u003e"}`), Ext: &Ext{ContextID: "c\u2029"}},
		ResponseState{Status: ResponseCompleted, Text: "<a & b>\u2028\"quoted\"\n\ttab\xff é😀", Usage: &Usage{}}, []string{"<a & b>\u2028", "\"quoted\"\n\ttab\xff é😀"}},
	{"empty ext", ResponseMeta{ID: "resp_1", MessageID: "msg_1", Model: "a2a/x", Ext: &Ext{}}, ResponseState{Status: ResponseCompleted, Text: "x"}, []string{"x"}},
	{"failed with text", goldenResponseMeta, ResponseState{Status: ResponseFailed, Text: "Hello ", Usage: &Usage{PromptTokens: 1},
		Error: []byte(`{"code":"agent_task_failed","message":"it \u003cfailed\u003e"}`)}, []string{"Hello "}},
	{"failed bare", goldenResponseMeta, ResponseState{Status: ResponseFailed, Error: []byte(`{"code":"x","message":"y"}`)}, nil},
	{"in progress", goldenResponseMeta, ResponseState{Status: ResponseInProgress, Text: "ignored"}, nil},
}

// TestResponseMatchesJSON: the response object and every stream event
// are what encoding/json writes for the reference structs and maps.
func TestResponseMatchesJSON(t *testing.T) {
	for _, tc := range responseOutCases {
		t.Run(tc.name, func(t *testing.T) {
			want, err := json.Marshal(refResponseOf(tc.m, tc.st))
			if err != nil {
				t.Fatal(err)
			}
			if got := Response(tc.m, tc.st); string(got) != string(want) {
				t.Errorf("Response(%+v, %+v) =\n%s\nwant\n%s", tc.m, tc.st, got, want)
			}
			if tc.st.Status == ResponseInProgress {
				return
			}
			if got, want := events(tc.m, tc.deltas, tc.st), refEvents(tc.m, tc.deltas, tc.st); got != want {
				t.Errorf("events of %s =\n%s\nwant\n%s", tc.name, got, want)
			}
		})
	}
}

// FuzzResponseEvents holds the appended response object and events to
// encoding/json's, for any strings (metadata is a valid object, as
// ParseResponses gives it, compacted).
func FuzzResponseEvents(f *testing.F) {
	for _, tc := range responseOutCases {
		f.Add(tc.m.ID, tc.m.Model, tc.m.Instructions, tc.m.PreviousResponseID, string(tc.m.Metadata), tc.st.Text, tc.st.Status == ResponseFailed)
	}
	f.Fuzz(func(t *testing.T, id, model, instructions, prev, metadata, text string, failed bool) {
		var meta []byte
		if json.Valid([]byte(metadata)) && strings.HasPrefix(strings.TrimSpace(metadata), "{") {
			meta, _ = json.Marshal(json.RawMessage(metadata))
		}
		m := ResponseMeta{ID: id, MessageID: "msg_" + id, Model: model, Instructions: instructions, PreviousResponseID: prev,
			Metadata: meta, Ext: &Ext{TaskID: id, ContextID: prev, State: State(model)}}
		st := ResponseState{Status: ResponseCompleted, Text: text, Usage: &Usage{PromptTokens: len(id), CompletionTokens: len(text)}}
		if failed {
			st.Status, st.Error = ResponseFailed, []byte(`{"code":"agent_task_failed","message":"failed"}`)
		}
		want, _ := json.Marshal(refResponseOf(m, st))
		if got := Response(m, st); string(got) != string(want) {
			t.Fatalf("Response =\n%s\nwant\n%s", got, want)
		}
		deltas := []string{text[:len(text)/2], text[len(text)/2:]}
		if got, want := events(m, deltas, st), refEvents(m, deltas, st); got != want {
			t.Fatalf("events =\n%s\nwant\n%s", got, want)
		}
	})
}
