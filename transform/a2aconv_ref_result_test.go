package transform

// The reference translation, continued (see a2aconv_ref_test.go): the answers and events.

import (
	"github.com/tidwall/gjson"
)

// refConvertResponse returns one JSON-RPC response of an agent (a whole
// answer, or the data of one stream event) translated to dialect to: its
// result a Task, Message, status or artifact update in to's shape, its
// error's data in to's shape (ErrorData). In 1.0 a result is wrapped
// ({"task": …}, {"statusUpdate": …}) but for bare: GetTask and CancelTask
// answer the bare Task. A 0.3 status update gets "final", true at a
// terminal or interrupted state, when the 1.0 agent sent none (1.0 has no
// "final"; 0.3 clients wait for it). A result of no known shape is kept as
// it came; a body nested deeper than MaxDepth is ErrTooDeep.
func refConvertResponse(body []byte, to Dialect, bare bool) ([]byte, error) {
	env, err := refObjectOf(body)
	if err != nil {
		return nil, err
	}
	if e, ok := refAsObject(env["error"]); ok {
		if d, ok := e["data"]; ok {
			if d = refErrorData(d, to); d == "" {
				delete(e, "data")
			} else {
				e["data"] = d
			}
		}
		env["error"] = e.bytes()
	}
	if r, ok := refAsObject(env["result"]); ok {
		env["result"] = refConvResult(r, to, bare)
	}
	return env.append(make([]byte, 0, len(body)+len(body)/4)), nil
}

// The kinds of A2A object a result can be, as 0.3 spells them, and their
// 1.0 wrapper members.
var refResultKinds = [...][2]string{
	{"task", "task"},
	{"message", "message"},
	{"status-update", "statusUpdate"},
	{"artifact-update", "artifactUpdate"},
}

// refConvResult is a JSON-RPC result in dialect to.
func refConvResult(r refJobj, to Dialect, bare bool) string {
	kind, obj := refConvResultKind(r)
	var out string
	switch kind {
	case "task":
		out = refConvTask(obj, to)
	case "message":
		out = refConvMessage(obj.bytes(), to)
	case "status-update":
		out = refConvStatusUpdate(obj, to)
	case "artifact-update":
		out = refConvArtifactUpdate(obj, to)
	default:
		return r.bytes()
	}
	if to == V03 || bare && kind == "task" {
		return out
	}
	for _, k := range refResultKinds {
		if k[0] == kind {
			return refJobj{k[1]: out}.bytes()
		}
	}
	return out
}

// refConvResultKind reads what r is, by the tolerant rules of the wire notes
// (§8.3): a 1.0 wrapper member, else "kind", else its shape.
func refConvResultKind(r refJobj) (string, refJobj) {
	if len(r) == 1 {
		for _, k := range refResultKinds {
			if o, ok := refAsObject(r[k[1]]); ok {
				return k[0], o
			}
		}
	}
	kind := gjson.Parse(r["kind"]).String()
	for _, k := range refResultKinds {
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

// refConvTask is a Task in dialect to.
func refConvTask(t refJobj, to Dialect) string {
	out := refJobj{}
	out.keep(t, "id", "contextId", "metadata")
	if s, ok := refAsObject(t["status"]); ok {
		out["status"] = refConvStatus(s, to).bytes()
	}
	if list, ok := refAsArray(t["artifacts"]); ok {
		for i := range list {
			if a, ok := refAsObject(list[i]); ok {
				list[i] = refConvArtifact(a, to)
			}
		}
		out["artifacts"] = refArrayBytes(list)
	}
	if list, ok := refAsArray(t["history"]); ok {
		for i := range list {
			list[i] = refConvMessage(list[i], to)
		}
		out["history"] = refArrayBytes(list)
	}
	if to == V03 {
		out["kind"] = `"task"`
	}
	return out.bytes()
}

// refConvStatus is a TaskStatus in dialect to.
func refConvStatus(s refJobj, to Dialect) refJobj {
	out := refJobj{}
	out.keep(s, "timestamp")
	if st := ParseState(gjson.Parse(s["state"])); st != "" {
		out["state"] = refJSONString(StateIn(st, to))
	}
	if m, ok := s["message"]; ok && string(m) != "null" {
		out["message"] = refConvMessage(m, to)
	}
	return out
}

// refConvArtifact is an Artifact in dialect to.
func refConvArtifact(a refJobj, to Dialect) string {
	out := refJobj{}
	out.keep(a, "artifactId", "name", "description", "metadata", "extensions")
	out["parts"] = refConvParts(a["parts"], to)
	return out.bytes()
}

// refConvStatusUpdate is a TaskStatusUpdateEvent in dialect to.
func refConvStatusUpdate(e refJobj, to Dialect) string {
	out := refJobj{}
	out.keep(e, "taskId", "contextId", "metadata")
	s, _ := refAsObject(e["status"])
	if s == nil {
		s = refJobj{}
	}
	out["status"] = refConvStatus(s, to).bytes()
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
		out["final"] = string(refBoolJSON(final.Bool()))
	}
	return out.bytes()
}

// refConvArtifactUpdate is a TaskArtifactUpdateEvent in dialect to.
func refConvArtifactUpdate(e refJobj, to Dialect) string {
	out := refJobj{}
	out.keep(e, "taskId", "contextId", "append", "lastChunk", "metadata")
	if a, ok := refAsObject(e["artifact"]); ok {
		out["artifact"] = refConvArtifact(a, to)
	}
	if to == V03 {
		out["kind"] = `"artifact-update"`
	}
	return out.bytes()
}

func refBoolJSON(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func refErrorData(data string, to Dialect) string {
	if o, ok := refAsObject(data); ok {
		if to == V03 {
			return o.bytes()
		}
		return refArrayBytes([]string{o.bytes()})
	}
	if a, ok := refAsArray(data); ok {
		kept := a[:0]
		for _, d := range a { // a typed detail is an object
			if _, ok := refAsObject(d); ok {
				kept = append(kept, d)
			}
		}
		if to == V10 {
			return refArrayBytes(kept)
		}
		return refJobj{"details": refArrayBytes(kept)}.bytes()
	}
	return ""
}
