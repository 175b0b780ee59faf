package transform

import (
	"strings"
	"unicode/utf8"
)

// ConvertResponse returns one JSON-RPC response of an agent (a whole
// answer, or the data of one stream event) translated to dialect to: its
// result a Task, Message, status or artifact update in to's shape, its
// error's data in to's shape (ErrorData). In 1.0 a result is wrapped
// ({"task": …}, {"statusUpdate": …}) but for bare: GetTask and CancelTask
// answer the bare Task. A 0.3 status update gets "final", true at a
// terminal or interrupted state, when the 1.0 agent sent none (1.0 has no
// "final"; 0.3 clients wait for it). A result of no known shape is kept as
// it came; a body nested deeper than MaxDepth is ErrTooDeep.
func ConvertResponse(body []byte, to Dialect, bare bool) ([]byte, error) {
	out, err := AppendConvertResponse(make([]byte, 0, len(body)+len(body)/4), body, to, bare)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AppendConvertResponse is ConvertResponse appending to dst, which it
// returns as it came on an error: a stream translates each event into the
// one buffer.
func AppendConvertResponse(dst, body []byte, to Dialect, bare bool) ([]byte, error) {
	env, err := objectOf(body)
	if err != nil {
		return dst, err
	}
	return appendConvertedResponse(dst, env, to, bare), nil
}

// appendConvertedResponse appends the response env, an object CheckJSON passed,
// translated (see ConvertResponse).
func appendConvertedResponse(dst, env []byte, to Dialect, bare bool) []byte {
	var buf [16]member
	b := append(dst, '{')
	for _, m := range sortedMembers(env, buf[:0]) {
		b = appendName(b, m.name)
		switch {
		case string(m.name) == "error" && isObject(m.val):
			b = convError(b, m.val, to)
		case string(m.name) == "result" && isObject(m.val):
			b = convResult(b, m.val, to, bare)
		default:
			b = append(b, m.val...)
		}
	}
	return append(b, '}')
}

// convError appends a JSON-RPC error with its data in dialect to, or
// without it if it has neither shape.
func convError(b, e []byte, to Dialect) []byte {
	var buf [16]member
	b = append(b, '{')
	for _, m := range sortedMembers(e, buf[:0]) {
		if string(m.name) != "data" {
			b = append(appendName(b, m.name), m.val...)
		} else if isObject(m.val) || isArray(m.val) {
			b = appendErrorData(appendName(b, m.name), m.val, to)
		}
	}
	return append(b, '}')
}

// The kinds of A2A object a result can be, as 0.3 spells them, and their
// 1.0 wrapper members.
var resultKinds = [...][2]string{
	{"task", "task"},
	{"message", "message"},
	{"status-update", "statusUpdate"},
	{"artifact-update", "artifactUpdate"},
}

// convResult appends a JSON-RPC result in dialect to.
func convResult(b, r []byte, to Dialect, bare bool) []byte {
	kind, wrapper, obj := resultKind(r)
	if kind == "" {
		return appendObject(b, r)
	}
	wrap := to == V10 && !(bare && kind == "task")
	if wrap {
		b = key(append(b, '{'), wrapper)
	}
	switch kind {
	case "task":
		b = convTask(b, obj, to)
	case "message":
		b = convMessage(b, obj, to)
	case "status-update":
		b = convStatusUpdate(b, obj, to)
	default:
		b = convArtifactUpdate(b, obj, to)
	}
	if wrap {
		b = append(b, '}')
	}
	return b
}

// resultNames are the members resultKind reads: the wrappers (in the
// order of resultKinds), then the kind and the shape.
var resultNames = []string{"task", "message", "statusUpdate", "artifactUpdate", "kind", "status", "id", "taskId",
	"artifact", "role", "parts"}

const (
	rKind = len(resultKinds) + iota
	rStatus
	rID
	rTaskID
	rArtifact
	rRole
	rParts
	nResult
)

// resultKind reads what r is, by the tolerant rules of the wire notes
// (§8.3): a 1.0 wrapper member (its only member), else "kind", else its
// shape. It returns the kind, its 1.0 wrapper member and the object of
// that kind.
func resultKind(r []byte) (kind, wrapper string, obj []byte) {
	var v [nResult][]byte
	var sole []byte // the one name of r's members, while they have one
	names := 0
	it, _ := objectIn(r)
	for {
		k, val, esc, ok := it.member()
		if !ok {
			break
		}
		name := k[1 : len(k)-1]
		if esc || !utf8.Valid(name) {
			name = memberName(k, esc)
		}
		switch {
		case names == 0:
			sole, names = name, 1
		case names == 1 && string(name) != string(sole):
			names = 2
		}
		for j, n := range resultNames {
			if string(name) == n {
				if v[j] == nil {
					v[j] = val
				}
				break
			}
		}
	}
	for i, k := range resultKinds {
		if names == 1 && string(sole) == k[1] && isObject(v[i]) {
			return k[0], k[1], v[i]
		}
	}
	for _, k := range resultKinds {
		if isText(v[rKind], k[0]) {
			return k[0], k[1], r
		}
	}
	switch status, taskID := v[rStatus] != nil, v[rTaskID] != nil; {
	case status && v[rID] != nil:
		return "task", "task", r
	case taskID && v[rArtifact] != nil:
		return "artifact-update", "artifactUpdate", r
	case taskID && status:
		return "status-update", "statusUpdate", r
	case v[rRole] != nil && v[rParts] != nil:
		return "message", "message", r
	}
	return "", "", r
}

var taskNames = []string{"artifacts", "contextId", "history", "id", "metadata", "status"}

// convTask appends a Task in dialect to.
func convTask(b, t []byte, to Dialect) []byte {
	var v [6][]byte
	fields(t, taskNames, v[:])
	b = append(b, '{')
	if list, ok := arrayIn(v[0]); ok {
		b = append(key(b, "artifacts"), '[')
		for a, ok := list.next(); ok; a, ok = list.next() {
			if b = sep(b); isObject(a) {
				b = convArtifact(b, a, to)
			} else {
				b = append(b, a...)
			}
		}
		b = append(b, ']')
	}
	b = keep(b, "contextId", v[1])
	if list, ok := arrayIn(v[2]); ok {
		b = append(key(b, "history"), '[')
		for m, ok := list.next(); ok; m, ok = list.next() {
			b = convMessage(sep(b), m, to)
		}
		b = append(b, ']')
	}
	b = keep(b, "id", v[3])
	if to == V03 {
		b = append(key(b, "kind"), `"task"`...)
	}
	b = keep(b, "metadata", v[4])
	if isObject(v[5]) {
		b = convStatus(key(b, "status"), statusOf(v[5]), to)
	}
	return append(b, '}')
}

var statusNames = []string{"message", "state", "timestamp"}

// statusOf reads the members of a TaskStatus convStatus writes: message,
// state, timestamp (none for s no object).
func statusOf(s []byte) (v [3][]byte) {
	fields(s, statusNames, v[:])
	return v
}

// convStatus appends a TaskStatus in dialect to.
func convStatus(b []byte, v [3][]byte, to Dialect) []byte {
	b = append(b, '{')
	if m := v[0]; m != nil && string(m) != "null" {
		b = convMessage(key(b, "message"), m, to)
	}
	if st := stateOf(v[1]); st != "" {
		b = appendState(key(b, "state"), st, to)
	}
	return append(keep(b, "timestamp", v[2]), '}')
}

// StateIn spells st in dialect to: "input-required" in 0.3,
// "TASK_STATE_INPUT_REQUIRED" in 1.0 (and "unknown" is
// "TASK_STATE_UNSPECIFIED").
func StateIn(st State, to Dialect) string {
	if to == V03 {
		return string(st)
	}
	if st == StateUnknown {
		return "TASK_STATE_UNSPECIFIED"
	}
	return "TASK_STATE_" + strings.ToUpper(strings.ReplaceAll(string(st), "-", "_"))
}

var artifactNames = []string{"artifactId", "description", "extensions", "metadata", "name", "parts"}

// convArtifact appends an Artifact in dialect to.
func convArtifact(b, a []byte, to Dialect) []byte {
	var v [6][]byte
	fields(a, artifactNames, v[:])
	b = keep(keep(append(b, '{'), "artifactId", v[0]), "description", v[1])
	b = keep(keep(keep(b, "extensions", v[2]), "metadata", v[3]), "name", v[4])
	return append(convParts(key(b, "parts"), v[5], to), '}')
}

var statusUpdateNames = []string{"contextId", "final", "metadata", "status", "taskId"}

// convStatusUpdate appends a TaskStatusUpdateEvent in dialect to.
func convStatusUpdate(b, e []byte, to Dialect) []byte {
	var v [5][]byte
	fields(e, statusUpdateNames, v[:])
	s := statusOf(v[3])
	b = keep(append(b, '{'), "contextId", v[0])
	if to == V03 {
		final := "false"
		if v[1] != nil {
			final = boolJSON(boolOf(v[1]))
		} else if st := stateOf(s[1]); st != "" && (st.Terminal() || st.Interrupted()) {
			final = "true"
		}
		b = append(append(key(b, "final"), final...), `,"kind":"status-update"`...)
	}
	b = convStatus(key(keep(b, "metadata", v[2]), "status"), s, to)
	return append(keep(b, "taskId", v[4]), '}')
}

var artifactUpdateNames = []string{"append", "artifact", "contextId", "lastChunk", "metadata", "taskId"}

// convArtifactUpdate appends a TaskArtifactUpdateEvent in dialect to.
func convArtifactUpdate(b, e []byte, to Dialect) []byte {
	var v [6][]byte
	fields(e, artifactUpdateNames, v[:])
	b = keep(append(b, '{'), "append", v[0])
	if isObject(v[1]) {
		b = convArtifact(key(b, "artifact"), v[1], to)
	}
	b = keep(b, "contextId", v[2])
	if to == V03 {
		b = append(key(b, "kind"), `"artifact-update"`...)
	}
	b = keep(keep(b, "lastChunk", v[3]), "metadata", v[4])
	return append(keep(b, "taskId", v[5]), '}')
}

// ErrorData returns a JSON-RPC error's data in dialect to, or nil to
// drop it. 1.0 data is a list of typed details (google.rpc.ErrorInfo and
// the like): a 0.3 object becomes its one element (a2a-go/v2 reads an
// element without "@type" as a Struct, and refuses an object). 0.3 data is
// an object (a2a-go v0.3 refuses a list): a 1.0 list becomes
// {"details": [...]}. Data of neither shape is dropped.
func ErrorData(data []byte, to Dialect) []byte {
	if CheckJSON(data) != nil {
		return nil
	}
	d := data[wsEnd(data, 0):]
	if !isObject(d) && !isArray(d) {
		return nil
	}
	return appendErrorData(nil, d[:valueEnd(d, 0)], to)
}

// appendErrorData appends the error data d, an object or an array, in
// dialect to (see ErrorData).
func appendErrorData(b, d []byte, to Dialect) []byte {
	if isObject(d) {
		if to == V03 {
			return appendObject(b, d)
		}
		return append(appendObject(append(b, '['), d), ']')
	}
	if to == V03 {
		b = append(b, `{"details":`...)
	}
	b = append(b, '[')
	list, _ := arrayIn(d)
	for e, ok := list.next(); ok; e, ok = list.next() {
		if isObject(e) { // a typed detail is an object
			b = append(sep(b), e...)
		}
	}
	if b = append(b, ']'); to == V03 {
		b = append(b, '}')
	}
	return b
}
