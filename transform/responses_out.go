package transform

import (
	"encoding/json"
	"strconv"

	"github.com/a2a-bridge/a2a-bridge/transform/internal/jsonenc"
)

// The Responses API's objects and stream events. The caller mints the ids
// and reads the clock (ResponseMeta), so that they stay deterministic.

// ResponseMeta is what every object and event of one response shares.
type ResponseMeta struct {
	ID                 string // "resp_..."
	MessageID          string // "msg_...": the one output message
	CreatedAt          int64  // Unix seconds
	Model              string // echoed as the caller asked
	Instructions       string // null when empty
	PreviousResponseID string // null when empty
	Metadata           []byte // the caller's object; {} when nil
	Ext                *Ext   // the A2A ids, once known
}

// Response statuses.
const (
	ResponseInProgress = "in_progress"
	ResponseCompleted  = "completed"
	ResponseFailed     = "failed"
)

// ResponseState is how far a response got: its status, the text so far,
// its usage (nil while in progress) and its error ({code, message}) when
// it failed.
type ResponseState struct {
	Status string
	Text   string
	Usage  *Usage
	Error  []byte
}

type responseObject struct {
	ID                 string           `json:"id"`
	Object             string           `json:"object"`
	CreatedAt          int64            `json:"created_at"`
	Status             string           `json:"status"`
	Model              string           `json:"model"`
	Output             []outputMessage  `json:"output"`
	Usage              *responseUsage   `json:"usage"`
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

type outputMessage struct {
	Type    string       `json:"type"`
	ID      string       `json:"id"`
	Status  string       `json:"status"`
	Role    string       `json:"role"`
	Content []outputText `json:"content"`
}

type outputText struct {
	Type        string     `json:"type"`
	Text        string     `json:"text"`
	Annotations []struct{} `json:"annotations"`
}

type responseUsage struct {
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

// Response returns the response object of m as st says.
func Response(m ResponseMeta, st ResponseState) []byte {
	b, _ := json.Marshal(responseOf(m, st))
	return b
}

func responseOf(m ResponseMeta, st ResponseState) responseObject {
	o := responseObject{ID: m.ID, Object: "response", CreatedAt: m.CreatedAt, Status: st.Status, Model: m.Model,
		Output: []outputMessage{}, Error: json.RawMessage("null"), Metadata: m.Metadata, ToolChoice: "auto",
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
		o.Output = []outputMessage{outputItem(m, itemStatus, st.Text)}
	}
	if u := st.Usage; u != nil {
		o.Usage = &responseUsage{InputTokens: u.PromptTokens, OutputTokens: u.CompletionTokens, TotalTokens: u.TotalTokens}
	}
	return o
}

// outputItem is the one output message; in progress it has no part yet
// (content_part.added adds it).
func outputItem(m ResponseMeta, status, text string) outputMessage {
	o := outputMessage{Type: "message", ID: m.MessageID, Status: status, Role: "assistant", Content: []outputText{}}
	if status != ResponseInProgress {
		o.Content = []outputText{{Type: "output_text", Text: text, Annotations: []struct{}{}}}
	}
	return o
}

// DeletedResponse is the answer to DELETE /v1/responses/{id}.
func DeletedResponse(id string) []byte {
	b, _ := json.Marshal(struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Deleted bool   `json:"deleted"`
	}{id, "response", true})
	return b
}

// ResponseEvents encodes the events of one response stream, numbering
// them: each event's sequence_number is one more than the last.
type ResponseEvents struct {
	m      ResponseMeta
	seq    int
	itemID []byte // MessageID, encoded
}

// NewResponseEvents returns the encoder of m's stream events.
func NewResponseEvents(m ResponseMeta) *ResponseEvents { return &ResponseEvents{m: m} }

// Seq is the sequence number the next event gets.
func (e *ResponseEvents) Seq() int { return e.seq }

// SetExt sets the A2A ids the response objects carry from now on.
func (e *ResponseEvents) SetExt(ext *Ext) { e.m.Ext = ext }

// StreamEvent is one encoded event: its type (the SSE event name) and data.
type StreamEvent struct {
	Type string
	Data []byte
}

func (e *ResponseEvents) event(typ string, fields map[string]any) StreamEvent {
	fields["type"], fields["sequence_number"] = typ, e.seq
	e.seq++
	b, _ := json.Marshal(fields)
	return StreamEvent{typ, b}
}

// Start returns the events that open the stream, up to the empty text
// part: response.created, response.in_progress, output_item.added and
// content_part.added.
func (e *ResponseEvents) Start() []StreamEvent {
	in := responseOf(e.m, ResponseState{Status: ResponseInProgress})
	return []StreamEvent{
		e.event("response.created", map[string]any{"response": in}),
		e.event("response.in_progress", map[string]any{"response": in}),
		e.event("response.output_item.added", map[string]any{"output_index": 0, "item": outputItem(e.m, ResponseInProgress, "")}),
		e.event("response.content_part.added", e.part(map[string]any{"part": outputText{Type: "output_text", Annotations: []struct{}{}}})),
	}
}

// part adds the members that place an event in the one text part.
func (e *ResponseEvents) part(f map[string]any) map[string]any {
	f["item_id"], f["output_index"], f["content_index"] = e.m.MessageID, 0, 0
	return f
}

// Delta returns a response.output_text.delta event. It is appended, not
// marshalled from a map: it is the event of every chunk of the answer.
// The bytes are those event would write (TestGoldenResponses).
func (e *ResponseEvents) Delta(text string) StreamEvent {
	if e.itemID == nil {
		e.itemID = jsonenc.AppendString(nil, e.m.MessageID)
	}
	b := make([]byte, 0, 160+len(e.itemID)+len(text)+len(text)/8)
	b = jsonenc.AppendString(append(b, `{"content_index":0,"delta":`...), text)
	b = append(append(append(b, `,"item_id":`...), e.itemID...), `,"logprobs":[],"output_index":0,"sequence_number":`...)
	b = strconv.AppendInt(b, int64(e.seq), 10)
	e.seq++
	return StreamEvent{"response.output_text.delta", append(b, `,"type":"response.output_text.delta"}`...)}
}

// Completed returns the events that close a completed stream, ending with
// response.completed and the whole response.
func (e *ResponseEvents) Completed(text string, u Usage) []StreamEvent {
	done := outputText{Type: "output_text", Text: text, Annotations: []struct{}{}}
	return []StreamEvent{
		e.event("response.output_text.done", e.part(map[string]any{"text": text, "logprobs": []struct{}{}})),
		e.event("response.content_part.done", e.part(map[string]any{"part": done})),
		e.event("response.output_item.done", map[string]any{"output_index": 0, "item": outputItem(e.m, ResponseCompleted, text)}),
		e.event("response.completed", map[string]any{"response": responseOf(e.m, ResponseState{Status: ResponseCompleted, Text: text, Usage: &u})}),
	}
}

// Failed returns the response.failed event of a task that ended without
// an answer: errObj is the response's error, {code, message}.
func (e *ResponseEvents) Failed(text string, u Usage, errObj []byte) StreamEvent {
	st := ResponseState{Status: ResponseFailed, Text: text, Usage: &u, Error: errObj}
	return e.event("response.failed", map[string]any{"response": responseOf(e.m, st)})
}
