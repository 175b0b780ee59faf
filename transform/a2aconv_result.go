package transform

import (
	"strings"

	"github.com/tidwall/gjson"
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
	env, err := objectOf(body)
	if err != nil {
		return nil, err
	}
	if e, ok := asObject(env["error"]); ok {
		if d, ok := e["data"]; ok {
			if d = errorData(d, to); d == "" {
				delete(e, "data")
			} else {
				e["data"] = d
			}
		}
		env["error"] = e.bytes()
	}
	if r, ok := asObject(env["result"]); ok {
		env["result"] = convResult(r, to, bare)
	}
	return env.append(make([]byte, 0, len(body)+len(body)/4)), nil
}

// The kinds of A2A object a result can be, as 0.3 spells them, and their
// 1.0 wrapper members.
var resultKinds = [...][2]string{
	{"task", "task"},
	{"message", "message"},
	{"status-update", "statusUpdate"},
	{"artifact-update", "artifactUpdate"},
}

// convResult is a JSON-RPC result in dialect to.
func convResult(r jobj, to Dialect, bare bool) string {
	kind, obj := convResultKind(r)
	var out string
	switch kind {
	case "task":
		out = convTask(obj, to)
	case "message":
		out = convMessage(obj.bytes(), to)
	case "status-update":
		out = convStatusUpdate(obj, to)
	case "artifact-update":
		out = convArtifactUpdate(obj, to)
	default:
		return r.bytes()
	}
	if to == V03 || bare && kind == "task" {
		return out
	}
	for _, k := range resultKinds {
		if k[0] == kind {
			return jobj{k[1]: out}.bytes()
		}
	}
	return out
}

// convResultKind reads what r is, by the tolerant rules of the wire notes
// (§8.3): a 1.0 wrapper member, else "kind", else its shape.
func convResultKind(r jobj) (string, jobj) {
	if len(r) == 1 {
		for _, k := range resultKinds {
			if o, ok := asObject(r[k[1]]); ok {
				return k[0], o
			}
		}
	}
	kind := gjson.Parse(r["kind"]).String()
	for _, k := range resultKinds {
		if kind == k[0] {
			return kind, r
		}
	}
	_, status := r["status"]
	_, taskID := r["taskId"]
	switch {
	case status && r["id"] != "":
		return "task", r
	case taskID && r["artifact"] != "":
		return "artifact-update", r
	case taskID && status:
		return "status-update", r
	case r["role"] != "" && r["parts"] != "":
		return "message", r
	}
	return "", r
}

// convTask is a Task in dialect to.
func convTask(t jobj, to Dialect) string {
	out := jobj{}
	out.keep(t, "id", "contextId", "metadata")
	if s, ok := asObject(t["status"]); ok {
		out["status"] = convStatus(s, to).bytes()
	}
	if list, ok := asArray(t["artifacts"]); ok {
		for i := range list {
			if a, ok := asObject(list[i]); ok {
				list[i] = convArtifact(a, to)
			}
		}
		out["artifacts"] = arrayBytes(list)
	}
	if list, ok := asArray(t["history"]); ok {
		for i := range list {
			list[i] = convMessage(list[i], to)
		}
		out["history"] = arrayBytes(list)
	}
	if to == V03 {
		out["kind"] = `"task"`
	}
	return out.bytes()
}

// convStatus is a TaskStatus in dialect to.
func convStatus(s jobj, to Dialect) jobj {
	out := jobj{}
	out.keep(s, "timestamp")
	if st := ParseState(gjson.Parse(s["state"])); st != "" {
		out["state"] = jsonString(StateIn(st, to))
	}
	if m, ok := s["message"]; ok && string(m) != "null" {
		out["message"] = convMessage(m, to)
	}
	return out
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

// convArtifact is an Artifact in dialect to.
func convArtifact(a jobj, to Dialect) string {
	out := jobj{}
	out.keep(a, "artifactId", "name", "description", "metadata", "extensions")
	out["parts"] = convParts(a["parts"], to)
	return out.bytes()
}

// convStatusUpdate is a TaskStatusUpdateEvent in dialect to.
func convStatusUpdate(e jobj, to Dialect) string {
	out := jobj{}
	out.keep(e, "taskId", "contextId", "metadata")
	s, _ := asObject(e["status"])
	if s == nil {
		s = jobj{}
	}
	out["status"] = convStatus(s, to).bytes()
	if to == V10 {
		return out.bytes()
	}
	out["kind"] = `"status-update"`
	final := gjson.Parse(e["final"])
	if st := ParseState(gjson.Parse(s["state"])); !final.Exists() {
		out["final"] = "false"
		if st != "" && (st.Terminal() || st.Interrupted()) {
			out["final"] = "true"
		}
	} else {
		out["final"] = string(boolJSON(final.Bool()))
	}
	return out.bytes()
}

// convArtifactUpdate is a TaskArtifactUpdateEvent in dialect to.
func convArtifactUpdate(e jobj, to Dialect) string {
	out := jobj{}
	out.keep(e, "taskId", "contextId", "append", "lastChunk", "metadata")
	if a, ok := asObject(e["artifact"]); ok {
		out["artifact"] = convArtifact(a, to)
	}
	if to == V03 {
		out["kind"] = `"artifact-update"`
	}
	return out.bytes()
}

func boolJSON(b bool) string {
	if b {
		return "true"
	}
	return "false"
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
	if d := errorData(string(data), to); d != "" {
		return []byte(d)
	}
	return nil
}

func errorData(data string, to Dialect) string {
	if o, ok := asObject(data); ok {
		if to == V03 {
			return o.bytes()
		}
		return arrayBytes([]string{o.bytes()})
	}
	if a, ok := asArray(data); ok {
		kept := a[:0]
		for _, d := range a { // a typed detail is an object
			if _, ok := asObject(d); ok {
				kept = append(kept, d)
			}
		}
		if to == V10 {
			return arrayBytes(kept)
		}
		return jobj{"details": arrayBytes(kept)}.bytes()
	}
	return ""
}
