package transform

import (
	"cmp"
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
	var errMember, res gjson.Result
	// ParseBytes copies the body once, and every string of the Event shares
	// that copy: they outlive body, which the SSE decoder reuses for the
	// next event. gjson has no safe in-place parse of bytes: GetBytes also
	// copies each result it returns, so copying only the strings kept (ids,
	// text) would cost one allocation each instead of one per event.
	gjson.ParseBytes(body).ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "error":
			first(&errMember, v)
		case "result":
			first(&res, v)
		}
		return true
	})
	if errMember.IsObject() {
		return Event{}, &RPCError{Code: errMember.Get("code").Int(), Message: errMember.Get("message").String()}
	} else if errMember.Exists() && errMember.Type != gjson.Null {
		return Event{}, ErrBadResponse
	}
	if !res.IsObject() {
		return Event{}, ErrBadResponse
	}
	return ReadResult(res), nil
}

// members are the top-level members of an A2A object the reader uses,
// gathered in one pass: events are read on the hot path of every stream.
type members struct {
	kind, id, taskID, contextID, role, final, appendFlag, lastChunk gjson.Result
	status, artifact, artifacts, parts, metadata                    gjson.Result
	wrapped                                                         gjson.Result // 1.0: the one member's value
	wrappedKind                                                     Kind
}

// first keeps the first occurrence of a member, as gjson.Get does.
func first(dst *gjson.Result, v gjson.Result) {
	if !dst.Exists() {
		*dst = v
	}
}

func scan(v gjson.Result) members {
	var m members
	v.ForEach(func(k, val gjson.Result) bool {
		switch k.Str {
		case "kind":
			first(&m.kind, val)
		case "id":
			first(&m.id, val)
		case "taskId":
			first(&m.taskID, val)
		case "contextId":
			first(&m.contextID, val)
		case "role":
			first(&m.role, val)
		case "final":
			first(&m.final, val)
		case "append":
			first(&m.appendFlag, val)
		case "lastChunk":
			first(&m.lastChunk, val)
		case "status":
			first(&m.status, val)
		case "artifact":
			first(&m.artifact, val)
		case "artifacts":
			first(&m.artifacts, val)
		case "parts":
			first(&m.parts, val)
		case "metadata":
			first(&m.metadata, val)
		default:
			if kind, ok := wrappers[k.Str]; ok && val.IsObject() && m.wrappedKind == KindUnknown {
				m.wrapped, m.wrappedKind = val, kind
			}
		}
		return true
	})
	return m
}

// ReadResult reads an A2A result object of any version: by wrapper member
// (1.0: "task", "message", "statusUpdate", "artifactUpdate"), then by
// "kind" (0.2/0.3), then by shape.
func ReadResult(res gjson.Result) Event {
	m := scan(res)
	if m.wrappedKind != KindUnknown {
		return read(m.wrappedKind, scan(m.wrapped))
	}
	return read(kindOf(m), m)
}

// wrappers are the 1.0 result members, by the kind they hold.
var wrappers = map[string]Kind{
	"task": KindTask, "message": KindMessage, "statusUpdate": KindStatus, "artifactUpdate": KindArtifact,
}

func kindOf(m members) Kind {
	switch m.kind.String() {
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
	case m.artifact.IsObject():
		return KindArtifact
	case m.taskID.Exists() && m.status.IsObject():
		return KindStatus
	case m.status.IsObject():
		return KindTask
	case m.parts.IsArray():
		return KindMessage
	}
	return KindUnknown
}

func read(k Kind, m members) Event {
	ev := Event{Kind: k, ContextID: m.contextID.String(), Usage: readUsage(m.metadata)}
	switch k {
	case KindTask:
		ev.TaskID = m.id.String()
		readStatus(&ev, m.status)
		m.artifacts.ForEach(func(_, a gjson.Result) bool {
			ev.Artifacts = append(ev.Artifacts, readArtifact(a))
			return true
		})
	case KindStatus:
		ev.TaskID = m.taskID.String()
		readStatus(&ev, m.status)
		ev.Final = m.final.Bool()
	case KindArtifact:
		ev.TaskID = m.taskID.String()
		ev.Artifacts = []Artifact{readArtifact(m.artifact)}
		// 1.0 JSON leaves out false booleans: a missing append is false.
		ev.Append = m.appendFlag.Bool()
		ev.LastChunk = m.lastChunk.Bool()
	case KindMessage:
		ev.TaskID = m.taskID.String()
		ev.Text = partsText(m.parts)
		ev.Role = ParseRole(m.role.String())
	}
	return ev
}

func readStatus(ev *Event, status gjson.Result) {
	state, msg := pair(status, "state", "message")
	ev.State = ParseState(state)
	parts, role := pair(msg, "parts", "role")
	ev.Text = partsText(parts)
	ev.Role = ParseRole(role.String())
}

func readArtifact(a gjson.Result) Artifact {
	id, parts := pair(a, "artifactId", "parts")
	return Artifact{ID: id.String(), Text: partsText(parts)}
}

// pair returns the members k1 and k2 of v as v.Get(k1), v.Get(k2) would,
// in one pass over v: the first occurrence of each. A v that is not an
// object is left to Get, which reads it its own way.
func pair(v gjson.Result, k1, k2 string) (a, b gjson.Result) {
	if !v.IsObject() {
		return v.Get(k1), v.Get(k2)
	}
	v.ForEach(func(k, val gjson.Result) bool {
		switch k.Str {
		case k1:
			first(&a, val)
		case k2:
			first(&b, val)
		}
		return !a.Exists() || !b.Exists() // later duplicates would be ignored
	})
	return a, b
}

// partsText joins the text of a part list with no separator: SDKs store
// appended chunks as extra parts of one artifact. A single part, the common
// case (one per stream event), is returned as it is: no Builder, no copy.
func partsText(parts gjson.Result) string {
	var one string
	var b strings.Builder
	n := 0
	parts.ForEach(func(_, p gjson.Result) bool {
		text := PartText(p)
		switch n++; n {
		case 1:
			one = text
		case 2:
			// The parts' JSON is longer than their text (unless files or
			// data render longer; the Builder grows then): one allocation.
			b.Grow(len(parts.Raw))
			b.WriteString(one)
			fallthrough
		default:
			b.WriteString(text)
		}
		return true
	})
	if n > 1 {
		return b.String()
	}
	return one
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
	name := cmp.Or(f.Get("name").String(), f.Get("filename").String(), "file")
	if uri := cmp.Or(f.Get("uri").String(), f.Get("url").String()); uri != "" {
		return fmt.Sprintf("[%s](%s)", name, uri)
	}
	if raw := cmp.Or(f.Get("bytes").String(), f.Get("raw").String()); raw != "" {
		media := cmp.Or(f.Get("mimeType").String(), f.Get("mediaType").String(), "application/octet-stream")
		return fmt.Sprintf("[%s: %s, %d bytes inline]", name, media, decodedLen(raw))
	}
	return ""
}
