package transform

import (
	"errors"
	"strings"

	"github.com/tidwall/gjson"

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
	env, err := objectOf(body)
	if err != nil {
		return nil, err
	}
	method := gjson.Parse(env["method"]).String()
	name, ok := MethodIn(method, to)
	if !ok {
		return nil, ErrNoCounterpart
	}
	from := V03
	if n10, _ := MethodIn(method, V10); n10 == method {
		from = V10
	}
	env["method"] = jsonString(name)
	if p, ok := asObject(env["params"]); ok {
		env["params"] = convParams(name, p, from, to, tenant).bytes()
	}
	return env.append(make([]byte, 0, len(body)+len(body)/4)), nil
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

// objectOf parses body, one JSON object no deeper than MaxDepth.
func objectOf(body []byte) (jobj, error) {
	if err := CheckJSON(body); err != nil {
		return nil, err
	}
	o, ok := asObject(string(body))
	if !ok {
		return nil, ErrNotRPC
	}
	return o, nil
}

// convParams reshapes the params of method (already in dialect to) from
// dialect from.
func convParams(method string, p jobj, from, to Dialect, tenant string) jobj {
	out := jobj{}
	switch method {
	case "message/send", "message/stream", "SendMessage", "SendStreamingMessage":
		out.keep(p, "metadata")
		out.set("message", convMessage(p["message"], to))
		if c, ok := asObject(p["configuration"]); ok {
			out["configuration"] = convConfiguration(c, to).bytes()
		}
	case "tasks/get", "GetTask":
		out.keep(p, "id", "historyLength")
		if to == V03 {
			out.keep(p, "metadata")
		}
	case "tasks/cancel", "CancelTask":
		out.keep(p, "id", "metadata")
	case "tasks/resubscribe", "SubscribeToTask":
		out.keep(p, "id")
		if to == V03 {
			out.keep(p, "metadata")
		}
	case "ListTasks":
		out.keep(p, "contextId", "status", "pageSize", "pageToken", "historyLength", "statusTimestampAfter", "includeArtifacts", "metadata")
	default:
		out = convPushParams(method, p, from, to)
	}
	if to == V10 {
		out.keep(p, "tenant")
		if tenant != "" {
			out["tenant"] = jsonString(tenant)
		}
	}
	return out
}

// convPushParams reshapes the params of the push-config and extended-card
// methods: 0.3 names the task "id" and the config "pushNotificationConfigId"
// and nests the config; 1.0 names them "taskId" and "id", flat.
func convPushParams(method string, p jobj, from, to Dialect) jobj {
	out := jobj{}
	task, cfg := p["id"], p["pushNotificationConfigId"]
	if from == V10 || method == "tasks/pushNotificationConfig/set" || method == "CreateTaskPushNotificationConfig" {
		task = p["taskId"]
	}
	if from == V10 {
		cfg = p["id"]
	}
	switch method {
	case "tasks/pushNotificationConfig/set":
		out.set("taskId", task)
		c, _ := asObject(p["pushNotificationConfig"])
		if c == nil {
			c = p
		}
		out["pushNotificationConfig"] = convPushConfig(c, V03).bytes()
	case "CreateTaskPushNotificationConfig":
		c, _ := asObject(p["pushNotificationConfig"])
		if c == nil {
			c = p
		}
		out = convPushConfig(c, V10)
		out.set("taskId", task)
	case "tasks/pushNotificationConfig/get", "tasks/pushNotificationConfig/delete":
		out.set("id", task)
		out.set("pushNotificationConfigId", cfg)
	case "GetTaskPushNotificationConfig", "DeleteTaskPushNotificationConfig":
		out.set("taskId", task)
		out.set("id", cfg)
	case "tasks/pushNotificationConfig/list":
		out.set("id", task)
	case "ListTaskPushNotificationConfigs":
		out.set("taskId", task)
		out.keep(p, "pageSize", "pageToken")
	}
	if to == V03 {
		out.keep(p, "metadata")
	}
	return out
}

// convPushConfig is a push notification config in dialect to: its
// authentication has "schemes" (a list) in 0.3, one "scheme" in 1.0.
func convPushConfig(c jobj, to Dialect) jobj {
	out := jobj{}
	out.keep(c, "id", "url", "token")
	a, ok := asObject(c["authentication"])
	if !ok {
		return out
	}
	auth := jobj{}
	auth.keep(a, "credentials")
	schemes := gjson.Parse(a["schemes"])
	scheme := gjson.Parse(a["scheme"]).String()
	if scheme == "" {
		scheme = schemes.Get("0").String()
	}
	switch {
	case to == V10 && scheme != "":
		auth["scheme"] = jsonString(scheme)
	case to == V03 && schemes.IsArray():
		auth["schemes"] = a["schemes"]
	case to == V03:
		auth["schemes"] = "[" + jsonString(scheme) + "]"
	}
	out["authentication"] = auth.bytes()
	return out
}

// convConfiguration is a send's configuration in dialect to. 0.3 "blocking"
// (true when absent) is 1.0 "returnImmediately" inverted (false when
// absent); the push config is "pushNotificationConfig" in 0.3,
// "taskPushNotificationConfig" in 1.0.
func convConfiguration(c jobj, to Dialect) jobj {
	out := jobj{}
	out.keep(c, "acceptedOutputModes", "historyLength")
	blocking := gjson.Parse(c["blocking"])
	immediate := gjson.Parse(c["returnImmediately"])
	push, ok := asObject(firstOfMembers(c, "pushNotificationConfig", "taskPushNotificationConfig"))
	if to == V10 {
		if blocking.Exists() && !blocking.Bool() || immediate.Bool() {
			out["returnImmediately"] = "true"
		}
		if ok {
			out["taskPushNotificationConfig"] = convPushConfig(push, V10).bytes()
		}
		return out
	}
	switch {
	case immediate.Bool() || blocking.Exists() && !blocking.Bool():
		out["blocking"] = "false"
	case blocking.Exists():
		out["blocking"] = "true"
	}
	if ok {
		out["pushNotificationConfig"] = convPushConfig(push, V03).bytes()
	}
	return out
}

// convMessage is an A2A Message in dialect to; raw that is no object comes
// back as it is (the agent answers it).
func convMessage(raw string, to Dialect) string {
	m, ok := asObject(raw)
	if !ok {
		return raw
	}
	out := jobj{}
	out.keep(m, "messageId", "contextId", "taskId", "referenceTaskIds", "extensions", "metadata")
	if r, ok := m["role"]; ok {
		out["role"] = convRole(r, to)
	}
	if p, ok := m["parts"]; ok {
		out["parts"] = convParts(p, to)
	}
	if to == V03 {
		out["kind"] = `"message"`
	}
	return out.bytes()
}

// convRole is a message role in dialect to: "agent" in 0.3, "ROLE_AGENT" in
// 1.0. A role neither spells is kept as it came.
func convRole(raw string, to Dialect) string {
	r := ParseRole(gjson.Parse(raw).String())
	if r != "user" && r != "agent" {
		return raw
	}
	if to == V10 {
		return jsonString("ROLE_" + strings.ToUpper(r))
	}
	return jsonString(r)
}

// convParts are a message's or an artifact's parts in dialect to; a part
// that is none of text, file and data is dropped.
func convParts(raw string, to Dialect) string {
	list, ok := asArray(raw)
	if !ok {
		return "[]"
	}
	out := make([]string, 0, len(list))
	for _, p := range list {
		if b := convPart(p, to); b != "" {
			out = append(out, b)
		}
	}
	return arrayBytes(out)
}

// convPart is one part in dialect to. 0.3: {"kind":"text","text"},
// {"kind":"file","file":{"uri"|"bytes","mimeType","name"}},
// {"kind":"data","data":{…}}; 1.0: {"text"}, {"url"|"raw","mediaType",
// "filename"}, {"data"}. Read by "kind" (or 0.1's "type"), else by member.
func convPart(raw string, to Dialect) string {
	p, ok := asObject(raw)
	if !ok {
		return ""
	}
	kind := gjson.Parse(firstOfMembers(p, "kind", "type")).String()
	_, hasText := p["text"]
	_, hasData := p["data"]
	switch {
	case kind == "text" || kind == "" && hasText:
		return convTextPart(p, to)
	case kind == "file" || kind == "" && (p["file"] != "" || p["url"] != "" || p["raw"] != ""):
		return convFilePart(p, to)
	case kind == "data" || kind == "" && hasData:
		return convDataPart(p, to)
	}
	return ""
}

func convTextPart(p jobj, to Dialect) string {
	out := jobj{}
	out.keep(p, "metadata")
	if t := gjson.Parse(p["text"]); t.Type == gjson.String {
		out["text"] = p["text"]
	} else {
		out["text"] = jsonString(t.String())
	}
	if to == V03 {
		out["kind"] = `"text"`
	} else {
		out.keep(p, "mediaType")
	}
	return out.bytes()
}

func convFilePart(p jobj, to Dialect) string {
	f, _ := asObject(p["file"])
	if f == nil {
		f = jobj{}
	}
	uri := firstOfMembers(f, "uri", "url")
	if uri == "" {
		uri = p["url"]
	}
	data := firstOfMembers(f, "bytes", "data")
	if data == "" {
		data = p["raw"]
	}
	mt, name := firstOfMembers(f, "mimeType", "mediaType"), firstOfMembers(f, "name", "filename")
	if mt == "" {
		mt = p["mediaType"]
	}
	if name == "" {
		name = p["filename"]
	}
	out := jobj{}
	out.keep(p, "metadata")
	if to == V10 {
		out.set("url", uri)
		if uri == "" {
			out.set("raw", data)
		}
		out.set("mediaType", mt)
		out.set("filename", name)
		return out.bytes()
	}
	file := jobj{}
	file.set("uri", uri)
	if uri == "" {
		file.set("bytes", data)
	}
	file.set("mimeType", mt)
	file.set("name", name)
	out["kind"] = `"file"`
	out["file"] = file.bytes()
	return out.bytes()
}

// convDataPart: 1.0 data is any JSON value, 0.3 data an object, so a 1.0
// value that is no object reaches a 0.3 peer as {"value": …}.
func convDataPart(p jobj, to Dialect) string {
	out := jobj{}
	out.keep(p, "metadata")
	d := p["data"]
	if d == "" {
		d = "{}"
	}
	if to == V10 {
		out["data"] = d
		out.keep(p, "mediaType")
		return out.bytes()
	}
	if _, ok := asObject(d); !ok {
		d = jobj{"value": d}.bytes()
	}
	out["kind"] = `"data"`
	out["data"] = d
	return out.bytes()
}
