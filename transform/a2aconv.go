package transform

import (
	"errors"

	"github.com/tidwall/gjson"

	"github.com/a2a-bridge/a2a-bridge/transform/internal/jsonenc"
	"github.com/a2a-bridge/a2a-bridge/transform/internal/jsonwalk"
)

// The A2A gateway's translation between the JSON-RPC dialects 0.3 and 1.0.
// Every function here reads either shape (kind-tagged or member-named
// parts, kebab or enum states, bare or wrapped results) and writes the
// target dialect's exact one, so translating is idempotent and a sloppy
// peer that mixes the two still gets one clean shape. Members the target
// has a place for (metadata, extensions, referenceTaskIds, timestamps) are
// kept as they came; members it has none for are dropped.

// ErrNoCounterpart is a method of one dialect that the other has not:
// ListTasks has no 0.3 JSON-RPC method.
var ErrNoCounterpart = errors.New("the method has no counterpart in the other A2A version")

// ErrNotRPC is a body that is no JSON-RPC object.
var ErrNotRPC = errors.New("not a JSON-RPC object")

// methodPairs are the JSON-RPC methods of 0.3 and their 1.0 names.
var methodPairs = [...][2]string{
	{"message/send", "SendMessage"},
	{"message/stream", "SendStreamingMessage"},
	{"tasks/get", "GetTask"},
	{"tasks/cancel", "CancelTask"},
	{"tasks/resubscribe", "SubscribeToTask"},
	{"tasks/pushNotificationConfig/set", "CreateTaskPushNotificationConfig"},
	{"tasks/pushNotificationConfig/get", "GetTaskPushNotificationConfig"},
	{"tasks/pushNotificationConfig/list", "ListTaskPushNotificationConfigs"},
	{"tasks/pushNotificationConfig/delete", "DeleteTaskPushNotificationConfig"},
	{"agent/getAuthenticatedExtendedCard", "GetExtendedAgentCard"},
	{"", "ListTasks"},
}

// MethodIn returns the name of method in dialect to: "tasks/get" in V10
// is "GetTask", and a name already of to is itself. It reports false for
// a method neither dialect has, or one to has not (ListTasks in V03).
func MethodIn(method string, to Dialect) (string, bool) {
	for _, p := range methodPairs {
		if method == p[0] || method == p[1] {
			return p[to], p[to] != ""
		}
	}
	return "", false
}

// ConvertRequest returns the JSON-RPC request body translated to dialect
// to: its method renamed and its params reshaped, its id and every other
// envelope member kept. tenant, when set, goes in the 1.0 params (the
// agent's interface names one). A method with no name in to is
// ErrNoCounterpart; a body nested deeper than MaxDepth is ErrTooDeep.
func ConvertRequest(body []byte, to Dialect, tenant string) ([]byte, error) {
	out, err := AppendConvertRequest(make([]byte, 0, len(body)+len(body)/4), body, to, tenant)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AppendConvertRequest is ConvertRequest appending to dst, which it
// returns as it came on an error.
func AppendConvertRequest(dst, body []byte, to Dialect, tenant string) ([]byte, error) {
	env, err := objectOf(body)
	if err != nil {
		return dst, err
	}
	sc := newScan(body)
	var buf [16]member
	ms := sc.sortedMembers(env, buf[:0])
	mv := memberValue(ms, "method")
	method := methodOf(mv)
	name, ok := MethodIn(method, to)
	if !ok {
		return dst, ErrNoCounterpart
	}
	from := V03
	if n10, _ := MethodIn(method, V10); n10 == method {
		from = V10
	}
	if mv == nil { // a body with no method reads as ListTasks
		ms = sortMembers(append(ms, member{name: []byte("method")}))
	}
	b := append(dst, '{')
	for _, m := range ms {
		b = appendName(b, m.name)
		switch {
		case string(m.name) == "method":
			b = jsonenc.AppendString(b, name)
		case string(m.name) == "params" && isObject(m.val):
			b = sc.convParams(b, name, m.val, from, to, tenant)
		default:
			b = append(b, m.val...)
		}
	}
	return append(b, '}'), nil
}

// objectOf is the object body holds, once CheckJSON passed it.
func objectOf(body []byte) ([]byte, error) {
	if err := CheckJSON(body); err != nil {
		return nil, err
	}
	i := wsEnd(body, 0)
	if !isObject(body[i:]) {
		return nil, ErrNotRPC
	}
	return body[i:], nil
}

// memberValue is the value of the member name of ms, or nil.
func memberValue(ms []member, name string) []byte {
	for _, m := range ms {
		if string(m.name) == name {
			return m.val
		}
	}
	return nil
}

// methodOf is the method v names, as gjson's String reads it, without a
// copy when it is one of either dialect's.
func methodOf(v []byte) string {
	if p, ok := plainString(v); ok {
		for _, pair := range methodPairs {
			for _, n := range pair {
				if string(p) == n {
					return n
				}
			}
		}
	}
	if v == nil {
		return ""
	}
	return parsed(v).String()
}

// CheckJSON returns nil for one JSON value no deeper than MaxDepth,
// ErrTooDeep for a deeper one (before gjson, whose validator recurses per
// level and overflows the stack on megabytes of "["), and ErrInvalidJSON
// for anything else.
func CheckJSON(body []byte) error {
	if ok, deep := jsonwalk.Check(body); deep {
		return ErrTooDeep
	} else if !ok {
		return ErrInvalidJSON
	}
	return nil
}

// RPCDuplicate returns the first member that appears twice in a JSON-RPC
// request where the gateway and the agent could read different ones: in
// the envelope, its params, and params.message. The gateway reads the
// first (gjson), Go's encoding/json and JSON.parse the last, so a caller
// could pass the ownership check with its own task's id and have the
// agent read another key's: the gateway refuses such a request.
func RPCDuplicate(root gjson.Result) (string, bool) {
	for _, v := range []gjson.Result{root, root.Get("params"), root.Get("params.message")} {
		if !v.IsObject() {
			continue
		}
		if name, dup := duplicateMember(v); dup {
			return name, true
		}
	}
	return "", false
}
