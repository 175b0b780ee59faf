package transform

// The reader ReadResponse replaced, kept verbatim (names suffixed Ref) as
// the reference the single-pass reader is held to: FuzzReadResponse checks
// that both return the same Event and error for every input.

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/tidwall/gjson"
)

// ReadResponseRef reads one JSON-RPC response of an agent (the whole body of a
// non-stream answer, or the data of one stream event). A JSON-RPC error is
// returned as *RPCError.
//
// A body nested deeper than MaxDepth is refused first (by nestingDepth, a
// plain loop), before gjson's validator, which recurses once per level,
// sees it.
func ReadResponseRef(body []byte) (Event, error) {
	if nestingDepth(body) > MaxDepth || !gjson.ValidBytes(body) {
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
			firstRef(&errMember, v)
		case "result":
			firstRef(&res, v)
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
	return checkIDs(ReadResultRef(res))
}

// membersRef are the top-level members of an A2A object the reader uses,
// gathered in one pass: events are read on the hot path of every stream.
type membersRef struct {
	kind, id, taskID, contextID, role, final, appendFlag, lastChunk gjson.Result
	status, artifact, artifacts, parts, metadata                    gjson.Result
	wrapped                                                         gjson.Result // 1.0: the one member's value
	wrappedKind                                                     Kind
}

// firstRef keeps the first occurrence of a member, as gjson.Get does.
func firstRef(dst *gjson.Result, v gjson.Result) {
	if !dst.Exists() {
		*dst = v
	}
}

func scanRef(v gjson.Result) membersRef {
	var m membersRef
	v.ForEach(func(k, val gjson.Result) bool {
		switch k.Str {
		case "kind":
			firstRef(&m.kind, val)
		case "id":
			firstRef(&m.id, val)
		case "taskId":
			firstRef(&m.taskID, val)
		case "contextId":
			firstRef(&m.contextID, val)
		case "role":
			firstRef(&m.role, val)
		case "final":
			firstRef(&m.final, val)
		case "append":
			firstRef(&m.appendFlag, val)
		case "lastChunk":
			firstRef(&m.lastChunk, val)
		case "status":
			firstRef(&m.status, val)
		case "artifact":
			firstRef(&m.artifact, val)
		case "artifacts":
			firstRef(&m.artifacts, val)
		case "parts":
			firstRef(&m.parts, val)
		case "metadata":
			firstRef(&m.metadata, val)
		default:
			if kind, ok := wrappersRef[k.Str]; ok && val.IsObject() && m.wrappedKind == KindUnknown {
				m.wrapped, m.wrappedKind = val, kind
			}
		}
		return true
	})
	return m
}

// ReadResultRef reads an A2A result object of any version: by wrapper member
// (1.0: "task", "message", "statusUpdate", "artifactUpdate"), then by
// "kind" (0.2/0.3), then by shape.
func ReadResultRef(res gjson.Result) Event {
	m := scanRef(res)
	if m.wrappedKind != KindUnknown {
		return readRef(m.wrappedKind, scanRef(m.wrapped))
	}
	return readRef(kindOfRef(m), m)
}

// wrappersRef are the 1.0 result members, by the kind they hold.
var wrappersRef = map[string]Kind{
	"task": KindTask, "message": KindMessage, "statusUpdate": KindStatus, "artifactUpdate": KindArtifact,
}

func kindOfRef(m membersRef) Kind {
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

func readRef(k Kind, m membersRef) Event {
	ev := Event{Kind: k, ContextID: m.contextID.String(), Usage: readUsage(m.metadata)}
	switch k {
	case KindTask:
		ev.TaskID = m.id.String()
		readStatusRef(&ev, m.status)
		m.artifacts.ForEach(func(_, a gjson.Result) bool {
			ev.Artifacts = append(ev.Artifacts, readArtifactRef(a))
			return true
		})
	case KindStatus:
		ev.TaskID = m.taskID.String()
		readStatusRef(&ev, m.status)
		ev.Final = m.final.Bool()
	case KindArtifact:
		ev.TaskID = m.taskID.String()
		ev.Artifacts = []Artifact{readArtifactRef(m.artifact)}
		// 1.0 JSON leaves out false booleans: a missing append is false.
		ev.Append = m.appendFlag.Bool()
		ev.LastChunk = m.lastChunk.Bool()
	case KindMessage:
		ev.TaskID = m.taskID.String()
		ev.Text = partsTextRef(m.parts)
		ev.Role = ParseRole(m.role.String())
	}
	return ev
}

func readStatusRef(ev *Event, status gjson.Result) {
	state, msg := pairRef(status, "state", "message")
	ev.State = ParseState(state)
	parts, role := pairRef(msg, "parts", "role")
	ev.Text = partsTextRef(parts)
	ev.Role = ParseRole(role.String())
}

func readArtifactRef(a gjson.Result) Artifact {
	id, parts := pairRef(a, "artifactId", "parts")
	return Artifact{ID: id.String(), Text: partsTextRef(parts)}
}

// pairRef returns the members k1 and k2 of v as v.Get(k1), v.Get(k2) would,
// in one pass over v: the first occurrence of each. A v that is not an
// object is left to Get, which reads it its own way.
func pairRef(v gjson.Result, k1, k2 string) (a, b gjson.Result) {
	if !v.IsObject() {
		return v.Get(k1), v.Get(k2)
	}
	v.ForEach(func(k, val gjson.Result) bool {
		switch k.Str {
		case k1:
			firstRef(&a, val)
		case k2:
			firstRef(&b, val)
		}
		return !a.Exists() || !b.Exists() // later duplicates would be ignored
	})
	return a, b
}

// partsTextRef joins the text of a part list with no separator: SDKs store
// appended chunks as extra parts of one artifact. A single part, the common
// case (one per stream event), is returned as it is: no Builder, no copy.
func partsTextRef(parts gjson.Result) string {
	var one string
	var b strings.Builder
	n := 0
	parts.ForEach(func(_, p gjson.Result) bool {
		text := PartTextRef(p)
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

// PartTextRef renders one A2A part of any version as text. Non-text parts are
// never dropped: data becomes a fenced JSON block and a file a Markdown link
// or a note of its media type and size.
func PartTextRef(p gjson.Result) string {
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

// readResponseTrickySeeds seed FuzzReadResponse with the corners where a
// hand-written reader could part from gjson's: duplicate and escaped keys,
// values of unexpected types, wrappers next to kinds, containers where
// scalars are expected, deep nesting, numbers, strings with escapes,
// invalid UTF-8 and control bytes, and bodies that are not quite JSON.
var readResponseTrickySeeds = []string{
	// Duplicate keys: the first occurrence wins, whatever its type.
	`{"result":{"kind":"task","kind":"message","id":"a","id":"b","status":{"state":"working","state":"failed"}}}`,
	`{"result":{"kind":null,"kind":"task","status":{"state":"working"},"status":{"state":"failed"}}}`,
	`{"result":1,"result":{"kind":"task","id":"T"}}`,
	`{"error":null,"error":{"code":1,"message":"m"},"result":{"kind":"task"}}`,
	`{"result":{"kind":"artifact-update","taskId":"T","artifact":{"artifactId":"a","artifactId":"b","parts":[{"text":"x"}],"parts":[{"text":"y"}]}}}`,
	`{"result":{"kind":"message","parts":[{"text":1,"text":"x"},{"text":"a","text":"b"},{"kind":"data","data":{"k":1},"text":"t"}]}}`,
	// Escaped keys and values.
	`{"r\u0065sult":{"k\u0069nd":"t\u0061sk","\u0069d":"T\n\"x\"","status":{"st\u0061te":"c\u006fmpleted","m\u0065ssage":{"p\u0061rts":[{"t\u0065xt":"\ud83d\ude00 \ud83d \ude00 \ud83d\u0041 \/\b\f\r\t\\"}],"r\u006fle":"ROLE_\u0041GENT"}}}}`,
	`{"result":{"message":{"parts":[{"text":"\u0000\u001f\u007f\u00e9\u20ac\uffff\ud800\udbff\udc00\udfff\ud800\ud800\udc00"}]}}}`,
	`{"result":{"statusUpdate":{"taskId":"T","status":{"state":"TASK_STATE_\u0057ORKING"}},"kind":"\u0074ask"}}`,
	// Non-string values where strings are expected.
	`{"result":{"kind":"task","id":12,"contextId":1.5,"status":{"state":3}}}`,
	`{"result":{"kind":"task","id":-0.5e+3,"contextId":-0,"status":{"state":-1}}}`,
	`{"result":{"kind":"task","id":1e400,"contextId":-1E-400,"status":{"state":2.5e0}}}`,
	`{"result":{"kind":"task","id":true,"contextId":false,"status":{"state":true}}}`,
	`{"result":{"kind":"task","id":null,"contextId":{"a":[1,{"b":"c"}]},"status":{"state":[1]}}}`,
	`{"result":{"kind":"task","id":[ 1 , 2 ],"contextId":{ },"status":{"state":{"x":1}}}}`,
	`{"result":{"kind":"message","role":7,"parts":[{"text":"x"}],"taskId":123456789012345678901234567890}}`,
	`{"result":{"kind":"status-update","taskId":"T","final":"TRUE","status":{"state":"Input_Required"}}}`,
	`{"result":{"kind":"status-update","taskId":"T","final":"1","status":{"state":"TASK_STATE_CANCELLED"}}}`,
	`{"result":{"kind":"artifact-update","taskId":"T","append":"t","lastChunk":0.0,"artifact":{"artifactId":1,"parts":[]}}}`,
	`{"result":{"kind":"artifact-update","taskId":"T","append":2,"lastChunk":"yes","artifact":"a"}}`,
	`{"result":{"kind":"artifact-update","taskId":"T","append":null,"lastChunk":{"x":1}}}`,
	`{"result":{"kind":"status-update","final":1e-400,"status":"working"}}`,
	// Wrappers next to kinds and shapes.
	`{"result":{"kind":"message","parts":[{"text":"a"}],"task":{"id":"T","status":{"state":"working"}}}}`,
	`{"result":{"task":1,"message":{"parts":[{"text":"m"}],"role":"agent"},"statusUpdate":{"taskId":"T"}}}`,
	`{"result":{"task":[],"task":{"id":"T2","kind":"message","task":{"id":"T3"}},"metadata":{"usage":{"prompt_tokens":1,"completion_tokens":2}}}}`,
	`{"result":{"artifactUpdate":{"taskId":"T","artifact":{"artifactId":"a","parts":[{"text":"x"}]},"metadata":{"usage":{"input_tokens":3,"output_tokens":4}}}}}`,
	`{"result":{"taskId":"T","status":{"state":"working"},"artifact":{"artifactId":"a"}}}`,
	`{"result":{"taskId":null,"status":{}}}`,
	`{"result":{"status":{"state":"working"},"parts":[]}}`,
	`{"result":{"parts":{}}}`,
	`{"result":{"kind":"telemetry","status":[],"artifact":[],"parts":{"a":{"text":"x"}}}}`,
	// Containers where others are expected.
	`{"result":{"kind":"task","artifacts":{"a":{"artifactId":"A","parts":{"p":{"text":"x"},"q":{"text":"y"}}},"b":7}}}`,
	`{"result":{"kind":"task","artifacts":"x"}}`,
	`{"result":{"kind":"task","artifacts":null}}`,
	`{"result":{"kind":"task","artifacts":[]}}`,
	`{"result":{"kind":"task","artifacts":[null,1,"s",[],[{"artifactId":"n"}],{}]}}`,
	`{"result":{"kind":"message","parts":[[{"text":"x"}],{"text":"y"},"z",3,null,{"text":{"a":1}}]}}`,
	`{"result":{"kind":"message","parts":"text"}}`,
	`{"result":{"kind":"task","status":{"state":"failed","message":"boom"}}}`,
	`{"result":{"kind":"task","status":{"state":"failed","message":[{"parts":[{"text":"x"}]}]}}}`,
	`{"result":{"kind":"task","status":{"state":"failed","message":{"parts":[{"text":"a"}],"parts":[{"text":"b"}],"role":"ROLE_USER","role":"agent"}}}}`,
	// Parts of every kind.
	`{"result":{"kind":"message","parts":[{"kind":"data","data":{"a":[1,2]}},{"kind":"file","file":{"uri":"https://x/y","name":"n"}},{"kind":"file","file":{"bytes":"aGk=","mimeType":"text/plain"}},{"url":"u","filename":"f"},{"raw":"aGVsbG8=","mediaType":"m"},{"kind":"file","data":1}]}}`,
	// Deep nesting, skipped and read.
	`{"result":{"kind":"task","history":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{}]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],"id":"T"}}`,
	`{"result":{"kind":"task","metadata":{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":[{"i":{"j":[[["k"]]]}}]}}}}}}}},"id":"T"}}`,
	`{"result":{"kind":"task","history":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{}]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],"id":"T"}}`,
	// Numbers, valid and not.
	`{"result":{"kind":"task","id":0,"x":[0,-0,0.0,-0.5e+3,1E+2,1e-2,123456789,-1.25E-7]}}`,
	`{"result":{"kind":"task","id":01}}`,
	`{"result":{"kind":"task","id":1.}}`,
	`{"result":{"kind":"task","id":.5}}`,
	`{"result":{"kind":"task","id":-}}`,
	`{"result":{"kind":"task","id":+1}}`,
	`{"result":{"kind":"task","id":1e}}`,
	`{"result":{"kind":"task","id":1e+}}`,
	`{"result":{"kind":"task","id":-a}}`,
	`{"result":{"kind":"task","id":tru}}`,
	`{"result":{"kind":"task","id":nulll}}`,
	`{"result":{"kind":"task","id":NaN}}`,
	// Strings: invalid UTF-8, control bytes, bad escapes.
	"{\"result\":{\"kind\":\"message\",\"parts\":[{\"text\":\"\xff\xfe\xc3\x28 \x7f\"}],\"\xe9\":1}}",
	"{\"result\":{\"kind\":\"message\",\"parts\":[{\"text\":\"a\x01b\"}]}}",
	"{\"result\":{\"kind\":\"message\",\"parts\":[{\"text\":\"a\tb\"}]}}",
	`{"result":{"kind":"message","parts":[{"text":"\x"}]}}`,
	`{"result":{"kind":"message","parts":[{"text":"\u12"}]}}`,
	`{"result":{"kind":"message","parts":[{"text":"\u12G4"}]}}`,
	`{"result":{"kind":"message","parts":[{"text":"\"}]}}`,
	`{"result":{"kind":"message","parts":[{"text":"\\\"\\"}]}}`,
	// Whitespace wherever JSON allows it: around every key, colon, comma and bracket.
	"{ \"jsonrpc\" : \"2.0\" , \"result\" :\t{\r\n  \"kind\" : \"artifact-update\" ,\n  \"taskId\"\t:\t\"T\" , \"append\" : true ,\n  \"artifact\" : { \"artifactId\" : \"A\" , \"parts\" : [ { \"kind\" : \"text\" , \"text\" : \"x\" } , { \"text\" : \"y\" } ] }\n}\n}\n",
	"{\n  \"result\": {\n    \"statusUpdate\": {\n      \"taskId\": \"T\",\n      \"status\": {\n        \"state\": \"TASK_STATE_WORKING\",\n        \"message\": { \"role\" : \"ROLE_AGENT\" , \"parts\" : [ { \"text\" : \"w\" } ] }\n      }\n    }\n  }\n}",
	"{ \"result\" : { \"kind\" : \"task\" , \"id\" : 1 , \"status\" : { \"state\" : \"completed\" } , \"artifacts\" : [ { \"artifactId\" : \"a\" , \"parts\" : { \"p\" : { \"text\" : \"1\" } } } , [ ] , { } ] , \"metadata\" : { \"usage\" : { \"prompt_tokens\" : 1 , \"completion_tokens\" : 2 } } } }",
	"{ \"error\" : { \"code\" : -1 , \"message\" : \"m\" } }",
	// Not quite JSON.
	`{"result":{"kind":"task"}}x`,
	`{"result":{"kind":"task"}}}`,
	`{"result":{"kind":"task"}} {}`,
	`{"result":{"kind":"task",}}`,
	`{"result":{"kind":"task"},}`,
	`{"result":{"kind" "task"}}`,
	`{"result":{"kind":"task" "id":"T"}}`,
	`{"result":{"kind":"task","history":[1,]}}`,
	`{"result":{"kind":"task","history":[,1]}}`,
	`{"result":{"kind":"task","history":[1 2]}}`,
	`{result:{}}`,
	`{"result":{'kind':'task'}}`,
	"\t\r\n {\"result\":{\"kind\":\"task\",\"id\":\"T\"}} \n\r\t",
	"\f{\"result\":{\"kind\":\"task\"}}",
	"{\"result\":{\"kind\":\"task\"}}\v",
	"\xef\xbb\xbf{\"result\":{\"kind\":\"task\"}}",
	"{\"result\":{\"kind\":\"task\"}}\x00",
	"",
	" ",
	"null",
	`"result"`,
	`[]`,
	`{}`,
	`{"result":{"kind":"task"`,
	`{"result":{"kind":"task"}`,
	`{"result"`,
	`{"result":`,
	`{"`,
	`{`,
	// JSON-RPC errors of every shape.
	`{"error":{"code":"12","message":5}}`,
	`{"error":{"code":1.5,"message":{"a":1}}}`,
	`{"error":{"code":1e30,"message":null}}`,
	`{"error":{"code":-9223372036854775809,"message":"m","message":"n"}}`,
	`{"error":{}}`,
	`{"error":[]}`,
	`{"error":"x","result":{"kind":"task"}}`,
	`{"error":0}`,
	`{"error":{"code":1,"message":"m"},"result":{"kind":"task","id":"T"}}`,
	`{"result":{"kind":"task","id":"T"},"error":{"code":1,"message":"\u00e9"}}`,
}
