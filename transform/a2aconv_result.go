package transform

import (
	"strings"
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
	sc := newScan(body)
	return sc.appendConvertedResponse(dst, env, to, bare), nil
}

// appendConvertedResponse appends the response env, an object CheckJSON passed,
// translated (see ConvertResponse).
func (sc *scan) appendConvertedResponse(dst, env []byte, to Dialect, bare bool) []byte {
	var buf [16]member
	b := append(dst, '{')
	for _, m := range sc.sortedMembers(env, buf[:0]) {
		b = appendName(b, m.name)
		switch {
		case string(m.name) == "error" && isObject(m.val):
			b = sc.convError(b, m.val, to)
		case string(m.name) == "result" && isObject(m.val):
			b = sc.convResult(b, m.val, to, bare)
		default:
			b = append(b, m.val...)
		}
	}
	return append(b, '}')
}

// convError appends a JSON-RPC error with its data in dialect to, or
// without it if it has neither shape.
func (sc *scan) convError(b, e []byte, to Dialect) []byte {
	var buf [16]member
	b = append(b, '{')
	for _, m := range sc.sortedMembers(e, buf[:0]) {
		if string(m.name) != "data" {
			b = append(appendName(b, m.name), m.val...)
		} else if isObject(m.val) || isArray(m.val) {
			b = sc.appendErrorData(appendName(b, m.name), m.val, to)
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
func (sc *scan) convResult(b, r []byte, to Dialect, bare bool) []byte {
	var f, inner objFields
	sc.readObject(r, &f)
	kind, wrapper, obj := resultKind(&f, r)
	if kind == "" {
		return sc.appendObject(b, r)
	}
	if &obj[0] != &r[0] { // a 1.0 wrapper's object
		sc.readObject(obj, &inner)
	} else {
		inner = f
	}
	wrap := to == V10 && (!bare || kind != "task")
	if wrap {
		b = key(append(b, '{'), wrapper)
	}
	switch kind {
	case "task":
		b = sc.convTask(b, &inner, to)
	case "message":
		b = sc.convMessageOf(b, &inner, to)
	case "status-update":
		b = sc.convStatusUpdate(b, &inner, to)
	default:
		b = sc.convArtifactUpdate(b, &inner, to)
	}
	if wrap {
		b = append(b, '}')
	}
	return b
}

// resultKind reads what the result r (its members f) is, by the tolerant
// rules of the wire notes (§8.3): a 1.0 wrapper member (its only member),
// else "kind", else its shape. It returns the kind, its 1.0 wrapper member
// and the object of that kind.
func resultKind(f *objFields, r []byte) (kind, wrapper string, obj []byte) {
	v := &f.v
	for i, k := range resultKinds {
		if f.names == 1 && string(f.sole) == k[1] && isObject(v[i]) {
			return k[0], k[1], v[i]
		}
	}
	for _, k := range resultKinds {
		if isText(v[oKind], k[0]) {
			return k[0], k[1], r
		}
	}
	switch status, taskID := v[oStatus] != nil, v[oTaskID] != nil; {
	case status && v[oID] != nil:
		return "task", "task", r
	case taskID && v[oArtifact] != nil:
		return "artifact-update", "artifactUpdate", r
	case taskID && status:
		return "status-update", "statusUpdate", r
	case v[oRole] != nil && v[oParts] != nil:
		return "message", "message", r
	}
	return "", "", r
}

// convTask appends a Task in dialect to.
func (sc *scan) convTask(b []byte, f *objFields, to Dialect) []byte {
	v := &f.v
	b = append(b, '{')
	if list, ok := sc.arrayIn(v[oArtifacts]); ok {
		b = append(key(b, "artifacts"), '[')
		for a, ok := list.next(sc); ok; a, ok = list.next(sc) {
			if b = sep(b); isObject(a) {
				b = sc.convArtifact(b, a, to)
			} else {
				b = append(b, a...)
			}
		}
		b = append(b, ']')
	}
	b = keep(b, "contextId", v[oContextID])
	if list, ok := sc.arrayIn(v[oHistory]); ok {
		b = append(key(b, "history"), '[')
		for m, ok := list.next(sc); ok; m, ok = list.next(sc) {
			b = sc.convMessage(sep(b), m, to)
		}
		b = append(b, ']')
	}
	b = keep(b, "id", v[oID])
	if to == V03 {
		b = append(key(b, "kind"), `"task"`...)
	}
	b = keep(b, "metadata", v[oMetadata])
	if isObject(v[oStatus]) {
		b = sc.convStatus(key(b, "status"), sc.statusOf(v[oStatus]), to)
	}
	return append(b, '}')
}

var statusNames = []string{"message", "state", "timestamp"}

// statusOf reads the members of a TaskStatus convStatus writes: message,
// state, timestamp (none for s no object).
func (sc *scan) statusOf(s []byte) (v [3][]byte) {
	sc.fields(s, statusNames, v[:])
	return v
}

// convStatus appends a TaskStatus in dialect to.
func (sc *scan) convStatus(b []byte, v [3][]byte, to Dialect) []byte {
	b = append(b, '{')
	if m := v[0]; m != nil && string(m) != "null" {
		b = sc.convMessage(key(b, "message"), m, to)
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
func (sc *scan) convArtifact(b, a []byte, to Dialect) []byte {
	var v [6][]byte
	sc.fields(a, artifactNames, v[:])
	b = keep(keep(append(b, '{'), "artifactId", v[0]), "description", v[1])
	b = keep(keep(keep(b, "extensions", v[2]), "metadata", v[3]), "name", v[4])
	return append(sc.convParts(key(b, "parts"), v[5], to), '}')
}

// convStatusUpdate appends a TaskStatusUpdateEvent in dialect to.
func (sc *scan) convStatusUpdate(b []byte, f *objFields, to Dialect) []byte {
	v := &f.v
	s := sc.statusOf(v[oStatus])
	b = keep(append(b, '{'), "contextId", v[oContextID])
	if to == V03 {
		final := "false"
		if v[oFinal] != nil {
			final = boolJSON(boolOf(v[oFinal]))
		} else if st := stateOf(s[1]); st != "" && (st.Terminal() || st.Interrupted()) {
			final = "true"
		}
		b = append(append(key(b, "final"), final...), `,"kind":"status-update"`...)
	}
	b = sc.convStatus(key(keep(b, "metadata", v[oMetadata]), "status"), s, to)
	return append(keep(b, "taskId", v[oTaskID]), '}')
}

// convArtifactUpdate appends a TaskArtifactUpdateEvent in dialect to.
func (sc *scan) convArtifactUpdate(b []byte, f *objFields, to Dialect) []byte {
	v := &f.v
	b = keep(append(b, '{'), "append", v[oAppend])
	if isObject(v[oArtifact]) {
		b = sc.convArtifact(key(b, "artifact"), v[oArtifact], to)
	}
	b = keep(b, "contextId", v[oContextID])
	if to == V03 {
		b = append(key(b, "kind"), `"artifact-update"`...)
	}
	b = keep(keep(b, "lastChunk", v[oLastChunk]), "metadata", v[oMetadata])
	return append(keep(b, "taskId", v[oTaskID]), '}')
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
	sc := newScan(data)
	return sc.appendErrorData(nil, d, to)
}

// appendErrorData appends the error data d, an object or an array, in
// dialect to (see ErrorData).
func (sc *scan) appendErrorData(b, d []byte, to Dialect) []byte {
	if isObject(d) {
		if to == V03 {
			return sc.appendObject(b, d)
		}
		return append(sc.appendObject(append(b, '['), d), ']')
	}
	if to == V03 {
		b = append(b, `{"details":`...)
	}
	b = append(b, '[')
	list, _ := sc.arrayIn(d)
	for e, ok := list.next(sc); ok; e, ok = list.next(sc) {
		if isObject(e) { // a typed detail is an object
			b = append(sep(b), e...)
		}
	}
	if b = append(b, ']'); to == V03 {
		b = append(b, '}')
	}
	return b
}
