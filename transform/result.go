package transform

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tidwall/gjson"
)

// Kind says what an A2A result or stream event is.
type Kind int

const (
	KindUnknown  Kind = iota
	KindTask          // a Task
	KindMessage       // a bare agent Message: the whole answer
	KindStatus        // a TaskStatusUpdateEvent
	KindArtifact      // a TaskArtifactUpdateEvent
)

// Event is one A2A result or stream event, read from any protocol version.
type Event struct {
	Kind      Kind
	TaskID    string
	ContextID string
	State     State  // normalised task state, for KindTask and KindStatus
	Final     bool   // 0.3 "final": the last event of a stream
	Text      string // KindMessage: its text; KindTask/KindStatus: status.message text
	Role      string // the role of that message, normalised: "agent", "user"
	Artifacts []Artifact
	Append    bool   // KindArtifact: the parts add to a known artifact
	LastChunk bool   // KindArtifact
	Usage     *Usage // token usage the agent reported in its metadata, if any
}

// Artifact is an artifact's id and the text of its parts.
type Artifact struct {
	ID   string
	Text string
}

// RPCError is a JSON-RPC error answered by an agent.
type RPCError struct {
	Code    int64
	Message string
}

func (e *RPCError) Error() string { return fmt.Sprintf("agent error %d: %s", e.Code, e.Message) }

// ErrBadResponse is returned for an agent answer that is not a JSON-RPC
// response carrying a result or an error.
var ErrBadResponse = errors.New("agent answer is not a valid JSON-RPC response")

// ReadResponse reads one JSON-RPC response of an agent (the whole body of a
// non-stream answer, or the data of one stream event). A JSON-RPC error is
// returned as *RPCError.
func ReadResponse(body []byte) (Event, error) {
	if !gjson.ValidBytes(body) {
		return Event{}, ErrBadResponse
	}
	root := gjson.ParseBytes(body)
	if e := root.Get("error"); e.IsObject() {
		return Event{}, &RPCError{Code: e.Get("code").Int(), Message: e.Get("message").String()}
	} else if e.Exists() && e.Type != gjson.Null {
		return Event{}, ErrBadResponse
	}
	res := root.Get("result")
	if !res.IsObject() {
		return Event{}, ErrBadResponse
	}
	return ReadResult(res), nil
}

// ReadResult reads an A2A result object of any version: by wrapper member
// (1.0: "task", "message", "statusUpdate", "artifactUpdate"), then by
// "kind" (0.2/0.3), then by shape.
func ReadResult(res gjson.Result) Event {
	for _, w := range wrappers {
		if v := res.Get(w.member); v.IsObject() {
			return read(w.kind, v)
		}
	}
	return read(kindOf(res), res)
}

var wrappers = []struct {
	member string
	kind   Kind
}{
	{"task", KindTask}, {"message", KindMessage}, {"statusUpdate", KindStatus}, {"artifactUpdate", KindArtifact},
}

func kindOf(v gjson.Result) Kind {
	switch v.Get("kind").String() {
	case "task":
		return KindTask
	case "message":
		return KindMessage
	case "status-update":
		return KindStatus
	case "artifact-update":
		return KindArtifact
	}
	switch {
	case v.Get("artifact").IsObject():
		return KindArtifact
	case v.Get("taskId").Exists() && v.Get("status").IsObject():
		return KindStatus
	case v.Get("status").IsObject():
		return KindTask
	case v.Get("parts").IsArray():
		return KindMessage
	}
	return KindUnknown
}

func read(k Kind, v gjson.Result) Event {
	ev := Event{Kind: k, ContextID: v.Get("contextId").String(), Usage: readUsage(v.Get("metadata"))}
	switch k {
	case KindTask:
		ev.TaskID = v.Get("id").String()
		ev.State = ParseState(v.Get("status.state"))
		ev.Text = partsText(v.Get("status.message.parts"))
		ev.Role = ParseRole(v.Get("status.message.role").String())
		v.Get("artifacts").ForEach(func(_, a gjson.Result) bool {
			ev.Artifacts = append(ev.Artifacts, readArtifact(a))
			return true
		})
	case KindStatus:
		ev.TaskID = v.Get("taskId").String()
		ev.State = ParseState(v.Get("status.state"))
		ev.Text = partsText(v.Get("status.message.parts"))
		ev.Role = ParseRole(v.Get("status.message.role").String())
		ev.Final = v.Get("final").Bool()
	case KindArtifact:
		ev.TaskID = v.Get("taskId").String()
		ev.Artifacts = []Artifact{readArtifact(v.Get("artifact"))}
		// 1.0 JSON leaves out false booleans: a missing append is false.
		ev.Append = v.Get("append").Bool()
		ev.LastChunk = v.Get("lastChunk").Bool()
	case KindMessage:
		ev.TaskID = v.Get("taskId").String()
		ev.Text = partsText(v.Get("parts"))
		ev.Role = ParseRole(v.Get("role").String())
	}
	return ev
}

func readArtifact(a gjson.Result) Artifact {
	return Artifact{ID: a.Get("artifactId").String(), Text: partsText(a.Get("parts"))}
}

// partsText joins the text of a part list with no separator: SDKs store
// appended chunks as extra parts of one artifact.
func partsText(parts gjson.Result) string {
	var b strings.Builder
	parts.ForEach(func(_, p gjson.Result) bool {
		b.WriteString(PartText(p))
		return true
	})
	return b.String()
}

// PartText renders one A2A part of any version as text. Non-text parts are
// never dropped: data becomes a fenced JSON block and a file a Markdown link
// or a note of its media type and size.
func PartText(p gjson.Result) string {
	if t := p.Get("text"); t.Type == gjson.String {
		return t.Str
	}
	if d := p.Get("data"); d.Exists() && p.Get("kind").String() != "file" {
		return "\n```json\n" + d.Raw + "\n```\n"
	}
	f := p.Get("file")
	if !f.IsObject() {
		f = p // 1.0: url/raw/filename/mediaType on the part itself
	}
	name := firstNonEmpty(f.Get("name").String(), f.Get("filename").String(), "file")
	if uri := firstNonEmpty(f.Get("uri").String(), f.Get("url").String()); uri != "" {
		return fmt.Sprintf("[%s](%s)", name, uri)
	}
	if raw := firstNonEmpty(f.Get("bytes").String(), f.Get("raw").String()); raw != "" {
		media := firstNonEmpty(f.Get("mimeType").String(), f.Get("mediaType").String(), "application/octet-stream")
		// Base64 padding carries no data: "aGVsbG8=" is 5 bytes, not 6.
		return fmt.Sprintf("[%s: %s, %d bytes inline]", name, media, len(strings.TrimRight(raw, "="))*3/4)
	}
	return ""
}
