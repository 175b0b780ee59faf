package transform

import (
	"bytes"
	"encoding/json"
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
	method := gjson.ParseBytes(env["method"]).String()
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
	return env.bytes(), nil
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

// objectOf parses body, one JSON object no deeper than MaxDepth.
func objectOf(body []byte) (jobj, error) {
	if err := CheckJSON(body); err != nil {
		return nil, err
	}
	o, ok := asObject(body)
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
	schemes := gjson.ParseBytes(a["schemes"])
	scheme := gjson.ParseBytes(a["scheme"]).String()
	if scheme == "" {
		scheme = schemes.Get("0").String()
	}
	switch {
	case to == V10 && scheme != "":
		auth["scheme"] = jsonString(scheme)
	case to == V03 && schemes.IsArray():
		auth["schemes"] = a["schemes"]
	case to == V03:
		auth["schemes"], _ = json.Marshal([]string{scheme})
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
	blocking := gjson.ParseBytes(c["blocking"])
	immediate := gjson.ParseBytes(c["returnImmediately"])
	push, ok := asObject(firstOfMembers(c, "pushNotificationConfig", "taskPushNotificationConfig"))
	if to == V10 {
		if blocking.Exists() && !blocking.Bool() || immediate.Bool() {
			out["returnImmediately"] = json.RawMessage("true")
		}
		if ok {
			out["taskPushNotificationConfig"] = convPushConfig(push, V10).bytes()
		}
		return out
	}
	switch {
	case immediate.Bool() || blocking.Exists() && !blocking.Bool():
		out["blocking"] = json.RawMessage("false")
	case blocking.Exists():
		out["blocking"] = json.RawMessage("true")
	}
	if ok {
		out["pushNotificationConfig"] = convPushConfig(push, V03).bytes()
	}
	return out
}

// convMessage is an A2A Message in dialect to; raw that is no object comes
// back as it is (the agent answers it).
func convMessage(raw json.RawMessage, to Dialect) json.RawMessage {
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
		out["kind"] = json.RawMessage(`"message"`)
	}
	return out.bytes()
}

// convRole is a message role in dialect to: "agent" in 0.3, "ROLE_AGENT" in
// 1.0. A role neither spells is kept as it came.
func convRole(raw json.RawMessage, to Dialect) json.RawMessage {
	r := ParseRole(gjson.ParseBytes(raw).String())
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
func convParts(raw json.RawMessage, to Dialect) json.RawMessage {
	list, ok := asArray(raw)
	if !ok {
		return json.RawMessage("[]")
	}
	out := make([]json.RawMessage, 0, len(list))
	for _, p := range list {
		if b := convPart(p, to); b != nil {
			out = append(out, b)
		}
	}
	return arrayBytes(out)
}

// convPart is one part in dialect to. 0.3: {"kind":"text","text"},
// {"kind":"file","file":{"uri"|"bytes","mimeType","name"}},
// {"kind":"data","data":{…}}; 1.0: {"text"}, {"url"|"raw","mediaType",
// "filename"}, {"data"}. Read by "kind" (or 0.1's "type"), else by member.
func convPart(raw json.RawMessage, to Dialect) json.RawMessage {
	p, ok := asObject(raw)
	if !ok {
		return nil
	}
	kind := gjson.ParseBytes(firstOfMembers(p, "kind", "type")).String()
	_, hasText := p["text"]
	_, hasData := p["data"]
	switch {
	case kind == "text" || kind == "" && hasText:
		return convTextPart(p, to)
	case kind == "file" || kind == "" && (p["file"] != nil || p["url"] != nil || p["raw"] != nil):
		return convFilePart(p, to)
	case kind == "data" || kind == "" && hasData:
		return convDataPart(p, to)
	}
	return nil
}

func convTextPart(p jobj, to Dialect) json.RawMessage {
	out := jobj{}
	out.keep(p, "metadata")
	out["text"] = jsonString(gjson.ParseBytes(p["text"]).String())
	if to == V03 {
		out["kind"] = json.RawMessage(`"text"`)
	} else {
		out.keep(p, "mediaType")
	}
	return out.bytes()
}

func convFilePart(p jobj, to Dialect) json.RawMessage {
	f, _ := asObject(p["file"])
	if f == nil {
		f = jobj{}
	}
	uri := firstOfMembers(f, "uri", "url")
	if uri == nil {
		uri = p["url"]
	}
	data := firstOfMembers(f, "bytes", "data")
	if data == nil {
		data = p["raw"]
	}
	mt, name := firstOfMembers(f, "mimeType", "mediaType"), firstOfMembers(f, "name", "filename")
	if mt == nil {
		mt = p["mediaType"]
	}
	if name == nil {
		name = p["filename"]
	}
	out := jobj{}
	out.keep(p, "metadata")
	if to == V10 {
		out.set("url", uri)
		if uri == nil {
			out.set("raw", data)
		}
		out.set("mediaType", mt)
		out.set("filename", name)
		return out.bytes()
	}
	file := jobj{}
	file.set("uri", uri)
	if uri == nil {
		file.set("bytes", data)
	}
	file.set("mimeType", mt)
	file.set("name", name)
	out["kind"] = json.RawMessage(`"file"`)
	out["file"] = file.bytes()
	return out.bytes()
}

// convDataPart: 1.0 data is any JSON value, 0.3 data an object, so a 1.0
// value that is no object reaches a 0.3 peer as {"value": …}.
func convDataPart(p jobj, to Dialect) json.RawMessage {
	out := jobj{}
	out.keep(p, "metadata")
	d := p["data"]
	if d == nil {
		d = json.RawMessage("{}")
	}
	if to == V10 {
		out["data"] = d
		out.keep(p, "mediaType")
		return out.bytes()
	}
	if _, ok := asObject(d); !ok {
		d = jobj{"value": d}.bytes()
	}
	out["kind"] = json.RawMessage(`"data"`)
	out["data"] = d
	return out.bytes()
}

// jobj is one JSON object, its members raw: the translation descends only
// where a dialect differs, and copies the rest as it came.
type jobj map[string]json.RawMessage

// asObject parses raw as an object; false for anything else.
func asObject(raw json.RawMessage) (jobj, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, false
	}
	var o jobj
	if json.Unmarshal(raw, &o) != nil {
		return nil, false
	}
	return o, o != nil
}

// asArray parses raw as an array; false for anything else.
func asArray(raw json.RawMessage) ([]json.RawMessage, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '[' {
		return nil, false
	}
	var a []json.RawMessage
	if json.Unmarshal(raw, &a) != nil {
		return nil, false
	}
	return a, true
}

// keep copies the members names of src that src has.
func (o jobj) keep(src jobj, names ...string) {
	for _, n := range names {
		if v, ok := src[n]; ok {
			o[n] = v
		}
	}
}

// set sets member n to v unless v is nil.
func (o jobj) set(n string, v json.RawMessage) {
	if v != nil {
		o[n] = v
	}
}

// firstOfMembers returns the first of the members names that o has, or nil.
func firstOfMembers(o jobj, names ...string) json.RawMessage {
	for _, n := range names {
		if v, ok := o[n]; ok {
			return v
		}
	}
	return nil
}

// bytes is o as JSON: members in sorted order (deterministic, for the
// goldens), HTML characters unescaped, as the peers wrote them.
func (o jobj) bytes() json.RawMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if enc.Encode(map[string]json.RawMessage(o)) != nil {
		return json.RawMessage("{}")
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

func arrayBytes(a []json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if enc.Encode(a) != nil {
		return json.RawMessage("[]")
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}
