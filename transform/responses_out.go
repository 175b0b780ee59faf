package transform

import (
	"encoding/json"
	"strconv"

	"github.com/a2a-bridge/a2a-bridge/transform/internal/jsonenc"
)

// The Responses API's objects and stream events. The caller mints the ids
// and reads the clock (ResponseMeta), so that they stay deterministic.
//
// They are written by appending, as the chat answers are
// (completion_append.go), not through encoding/json: a stream writes a
// dozen events around its deltas, each of which would cost a map, a
// reflection walk and a buffer of its own. The output is byte for byte
// what encoding/json writes for the structs of responses_out_test.go
// (TestResponseMatchesJSON, FuzzResponseEvents); its members are in the
// order those structs, and for the events the maps encoding/json sorts,
// give them.

// ResponseMeta is what every object and event of one response shares.
type ResponseMeta struct {
	ID                 string // "resp_..."
	MessageID          string // "msg_...": the one output message
	CreatedAt          int64  // Unix seconds
	Model              string // echoed as the caller asked
	Instructions       string // null when empty
	PreviousResponseID string // null when empty
	// Metadata is the caller's object as encoding/json writes it
	// (ResponsesRequest.Metadata is); {} when nil.
	Metadata []byte
	Ext      *Ext // the A2A ids, once known
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

// Response returns the response object of m as st says, in one
// allocation.
func Response(m ResponseMeta, st ResponseState) []byte {
	return appendResponse(make([]byte, 0, ResponseSize(m, st)), m, st)
}

// AppendResponse appends the response object of m as st says to b, as
// Response returns it: the bridge encodes a response's answer into a
// buffer it reuses, and keeps m and st, not the bytes, of a stored one.
func AppendResponse(b []byte, m ResponseMeta, st ResponseState) []byte {
	return appendResponse(b, m, st)
}

// ResponseSize is a buffer size that holds the response object of m as
// st says (Response's).
func ResponseSize(m ResponseMeta, st ResponseState) int {
	return responseSize(m, st.Text) + len(st.Error)
}

// responseSize is a buffer size that holds the response object of m with
// text, and any event around it (an eighth more for escapes).
func responseSize(m ResponseMeta, text string) int {
	n := 704 + len(m.ID) + len(m.MessageID) + len(m.Model) + len(m.Instructions) + len(m.PreviousResponseID) + len(m.Metadata) +
		len(text) + len(text)/8
	if m.Ext != nil {
		n += len(m.Ext.TaskID) + len(m.Ext.ContextID)
	}
	return n
}

// appendResponse appends the response object of m as st says.
func appendResponse(b []byte, m ResponseMeta, st ResponseState) []byte {
	b = jsonenc.AppendString(append(b, `{"id":`...), m.ID)
	b = strconv.AppendInt(append(b, `,"object":"response","created_at":`...), m.CreatedAt, 10)
	b = jsonenc.AppendString(append(b, `,"status":`...), st.Status)
	b = jsonenc.AppendString(append(b, `,"model":`...), m.Model)
	b = append(b, `,"output":[`...)
	if st.Status != ResponseInProgress && (st.Status == ResponseCompleted || st.Text != "") {
		itemStatus := ResponseCompleted
		if st.Status != ResponseCompleted {
			itemStatus = "incomplete"
		}
		b = appendOutputItem(b, m, itemStatus, st.Text)
	}
	b = append(b, `],"usage":`...)
	if u := st.Usage; u != nil {
		b = strconv.AppendInt(append(b, `{"input_tokens":`...), int64(u.PromptTokens), 10)
		b = strconv.AppendInt(append(b, `,"input_tokens_details":{"cached_tokens":0},"output_tokens":`...), int64(u.CompletionTokens), 10)
		b = strconv.AppendInt(append(b, `,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":`...), int64(u.TotalTokens), 10)
		b = append(b, '}')
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"error":`...)
	if len(st.Error) > 0 {
		b = append(b, st.Error...)
	} else {
		b = append(b, "null"...)
	}
	b = appendOrNull(append(b, `,"incomplete_details":null,"instructions":`...), m.Instructions)
	b = appendOrNull(append(b, `,"previous_response_id":`...), m.PreviousResponseID)
	b = append(b, `,"metadata":`...)
	if len(m.Metadata) > 0 {
		b = append(b, m.Metadata...)
	} else {
		b = append(b, "{}"...)
	}
	b = append(b, `,"parallel_tool_calls":false,"tool_choice":"auto","tools":[]`...)
	if m.Ext != nil {
		b = jsonenc.AppendObject(append(b, `,"a2a":`...),
			jsonenc.Member{Name: "task_id", Value: m.Ext.TaskID}, jsonenc.Member{Name: "context_id", Value: m.Ext.ContextID}, jsonenc.Member{Name: "state", Value: string(m.Ext.State)})
	}
	return append(b, '}')
}

// appendOrNull appends s as a string, or null when it is empty.
func appendOrNull(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return jsonenc.AppendString(b, s)
}

// appendOutputItem appends the one output message; in progress it has no
// part yet (content_part.added adds it).
func appendOutputItem(b []byte, m ResponseMeta, status, text string) []byte {
	b = jsonenc.AppendString(append(b, `{"type":"message","id":`...), m.MessageID)
	b = jsonenc.AppendString(append(b, `,"status":`...), status)
	b = append(b, `,"role":"assistant","content":[`...)
	if status != ResponseInProgress {
		b = appendOutputText(b, text)
	}
	return append(b, "]}"...)
}

// appendOutputText appends an output_text part holding text.
func appendOutputText(b []byte, text string) []byte {
	b = jsonenc.AppendString(append(b, `{"type":"output_text","text":`...), text)
	return append(b, `,"annotations":[]}`...)
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

// EventBuffer is where ResponseEvents writes: Begin returns a buffer
// ending where the data of an event named typ starts, End takes back that
// buffer with the data appended. The bridge's SSE writer is one ("event:"
// then "data:" lines); encoding into its buffer spares each event an
// allocation and a copy.
type EventBuffer interface {
	Begin(typ string) []byte
	End(b []byte) error
}

// ResponseEvents encodes the events of one response stream, numbering
// them: each event's sequence_number is one more than the last.
type ResponseEvents struct {
	m      ResponseMeta
	seq    int
	itemID []byte // "item_id":MessageID, encoded once, in itemBuf if it fits
	// itemBuf holds the item_id member of a message id the bridge mints
	// (msg_ and 32 hex digits): no allocation of its own.
	itemBuf [64]byte
}

// The events' types, the SSE event names.
const (
	evCreated    = "response.created"
	evInProgress = "response.in_progress"
	evItemAdded  = "response.output_item.added"
	evPartAdded  = "response.content_part.added"
	evDelta      = "response.output_text.delta"
	evTextDone   = "response.output_text.done"
	evPartDone   = "response.content_part.done"
	evItemDone   = "response.output_item.done"
	evCompleted  = "response.completed"
	evFailed     = "response.failed"
)

// NewResponseEvents returns the encoder of m's stream events.
func NewResponseEvents(m ResponseMeta) *ResponseEvents {
	e := &ResponseEvents{m: m}
	e.itemID = jsonenc.AppendString(append(e.itemBuf[:0], `"item_id":`...), m.MessageID)
	return e
}

// Seq is the sequence number the next event gets.
func (e *ResponseEvents) Seq() int { return e.seq }

// appendSeq appends the next sequence_number member.
func (e *ResponseEvents) appendSeq(b []byte) []byte {
	b = strconv.AppendInt(append(b, `"sequence_number":`...), int64(e.seq), 10)
	e.seq++
	return b
}

// end appends the members that end most events, their number and type,
// and hands the event to w.
func (e *ResponseEvents) end(w EventBuffer, b []byte, typ string) error {
	return w.End(appendType(e.appendSeq(b), typ))
}

// appendType appends the type member and ends the event.
func appendType(b []byte, typ string) []byte {
	return append(append(append(b, `,"type":"`...), typ...), `"}`...)
}

// part appends the members that place an event in the one text part, up
// to output_index; logprobs, when the event has them, sorts in between.
func (e *ResponseEvents) part(b []byte, logprobs bool) []byte {
	b = append(append(b, `{"content_index":0,`...), e.itemID...)
	if logprobs {
		b = append(b, `,"logprobs":[]`...)
	}
	return append(b, `,"output_index":0,`...)
}

// wrap writes the event typ that carries a response object: obj, or the
// object of m as st says when obj is nil.
func (e *ResponseEvents) wrap(w EventBuffer, typ string, obj []byte, m *ResponseMeta, st ResponseState) error {
	b := append(w.Begin(typ), `{"response":`...)
	if obj != nil {
		b = append(b, obj...)
	} else {
		b = appendResponse(b, *m, st)
	}
	return e.end(w, append(b, ','), typ)
}

// Start writes the events that open the stream, up to the empty text
// part: response.created, response.in_progress (each with the response
// object of e's meta, in progress), output_item.added and
// content_part.added.
func (e *ResponseEvents) Start(w EventBuffer) error {
	in := ResponseState{Status: ResponseInProgress}
	for _, typ := range [...]string{evCreated, evInProgress} {
		if err := e.wrap(w, typ, nil, &e.m, in); err != nil {
			return err
		}
	}
	b := appendOutputItem(append(w.Begin(evItemAdded), `{"item":`...), e.m, ResponseInProgress, "")
	if err := e.end(w, append(b, `,"output_index":0,`...), evItemAdded); err != nil {
		return err
	}
	b = appendOutputText(append(e.part(w.Begin(evPartAdded), false), `"part":`...), "")
	return e.end(w, append(b, ','), evPartAdded)
}

// Delta writes a response.output_text.delta event, the event of every
// chunk of the answer.
func (e *ResponseEvents) Delta(w EventBuffer, text string) error {
	b := jsonenc.AppendString(append(w.Begin(evDelta), `{"content_index":0,"delta":`...), text)
	b = append(append(append(b, ','), e.itemID...), `,"logprobs":[],"output_index":0,`...)
	return e.end(w, b, evDelta)
}

// Completed writes the events that close a completed stream of text:
// output_text.done, content_part.done, output_item.done, and
// response.completed, which carries final, the object of the whole
// response (Response) as it is stored.
func (e *ResponseEvents) Completed(w EventBuffer, text string, final []byte) error {
	if err := e.closeText(w, text); err != nil {
		return err
	}
	return e.wrap(w, evCompleted, final, nil, ResponseState{})
}

// Complete writes the events Completed writes, with the object of m as st
// (completed) says in response.completed, encoded straight into w: the
// same bytes as Completed(w, st.Text, Response(m, st)), without that copy.
func (e *ResponseEvents) Complete(w EventBuffer, m ResponseMeta, st ResponseState) error {
	if err := e.closeText(w, st.Text); err != nil {
		return err
	}
	return e.wrap(w, evCompleted, nil, &m, st)
}

// closeText writes output_text.done, content_part.done and
// output_item.done, the events that close the text part and the item.
func (e *ResponseEvents) closeText(w EventBuffer, text string) error {
	b := jsonenc.AppendString(append(e.appendSeq(e.part(w.Begin(evTextDone), true)), `,"text":`...), text)
	if err := w.End(appendType(b, evTextDone)); err != nil {
		return err
	}
	b = appendOutputText(append(e.part(w.Begin(evPartDone), false), `"part":`...), text)
	if err := e.end(w, append(b, ','), evPartDone); err != nil {
		return err
	}
	b = appendOutputItem(append(w.Begin(evItemDone), `{"item":`...), e.m, ResponseCompleted, text)
	return e.end(w, append(b, `,"output_index":0,`...), evItemDone)
}

// Failed writes the response.failed event of a task that ended without
// an answer: final is the response object, failed (Response).
func (e *ResponseEvents) Failed(w EventBuffer, final []byte) error {
	return e.wrap(w, evFailed, final, nil, ResponseState{})
}

// Fail writes the response.failed event with the object of m as st
// (failed) says, encoded straight into w: Failed(w, Response(m, st)).
func (e *ResponseEvents) Fail(w EventBuffer, m ResponseMeta, st ResponseState) error {
	return e.wrap(w, evFailed, nil, &m, st)
}
