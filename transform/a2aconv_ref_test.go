package transform

// The reference of the A2A translation: the map-per-level implementation
// the one-pass writer (a2aconv.go, a2aconv_result.go, a2aconv_write.go)
// replaced, kept to hold it to (FuzzConvertSame): every body, valid or
// not, translates to the same bytes or the same error by both.

import (
	"strings"

	"github.com/tidwall/gjson"
)

// The A2A gateway's translation between the JSON-RPC dialects 0.3 and 1.0.
// Every function here reads either shape (kind-tagged or member-named
// parts, kebab or enum states, bare or wrapped results) and writes the
// target dialect's exact one, so translating is idempotent and a sloppy
// peer that mixes the two still gets one clean shape. Members the target
// has a place for (metadata, extensions, referenceTaskIds, timestamps) are
// kept as they came; members it has none for are dropped.

// refConvertRequest returns the JSON-RPC request body translated to dialect
// to: its method renamed and its params reshaped, its id and every other
// envelope member kept. tenant, when set, goes in the 1.0 params (the
// agent's interface names one). A method with no name in to is
// ErrNoCounterpart; a body nested deeper than MaxDepth is ErrTooDeep.
func refConvertRequest(body []byte, to Dialect, tenant string) ([]byte, error) {
	env, err := refObjectOf(body)
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
	env["method"] = refJSONString(name)
	if p, ok := refAsObject(env["params"]); ok {
		env["params"] = refConvParams(name, p, from, to, tenant).bytes()
	}
	return env.append(make([]byte, 0, len(body)+len(body)/4)), nil
}

// refObjectOf parses body, one JSON object no deeper than MaxDepth.
func refObjectOf(body []byte) (refJobj, error) {
	if err := CheckJSON(body); err != nil {
		return nil, err
	}
	o, ok := refAsObject(string(body))
	if !ok {
		return nil, ErrNotRPC
	}
	return o, nil
}

// refConvParams reshapes the params of method (already in dialect to) from
// dialect from.
func refConvParams(method string, p refJobj, from, to Dialect, tenant string) refJobj {
	out := refJobj{}
	switch method {
	case "message/send", "message/stream", "SendMessage", "SendStreamingMessage":
		out.keep(p, "metadata")
		out.set("message", refConvMessage(p["message"], to))
		if c, ok := refAsObject(p["configuration"]); ok {
			out["configuration"] = refConvConfiguration(c, to).bytes()
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
		out = refConvPushParams(method, p, from, to)
	}
	if to == V10 {
		out.keep(p, "tenant")
		if tenant != "" {
			out["tenant"] = refJSONString(tenant)
		}
	}
	return out
}

// refConvPushParams reshapes the params of the push-config and extended-card
// methods: 0.3 names the task "id" and the config "pushNotificationConfigId"
// and nests the config; 1.0 names them "taskId" and "id", flat.
func refConvPushParams(method string, p refJobj, from, to Dialect) refJobj {
	out := refJobj{}
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
		c, _ := refAsObject(p["pushNotificationConfig"])
		if c == nil {
			c = p
		}
		out["pushNotificationConfig"] = refConvPushConfig(c, V03).bytes()
	case "CreateTaskPushNotificationConfig":
		c, _ := refAsObject(p["pushNotificationConfig"])
		if c == nil {
			c = p
		}
		out = refConvPushConfig(c, V10)
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

// refConvPushConfig is a push notification config in dialect to: its
// authentication has "schemes" (a list) in 0.3, one "scheme" in 1.0.
func refConvPushConfig(c refJobj, to Dialect) refJobj {
	out := refJobj{}
	out.keep(c, "id", "url", "token")
	a, ok := refAsObject(c["authentication"])
	if !ok {
		return out
	}
	auth := refJobj{}
	auth.keep(a, "credentials")
	schemes := gjson.Parse(a["schemes"])
	scheme := schemeName(gjson.Parse(a["scheme"]))
	if scheme == "" {
		scheme = schemeName(schemes.Get("0"))
	}
	switch {
	case to == V10 && scheme != "":
		auth["scheme"] = refJSONString(scheme)
	case to == V03 && schemes.IsArray():
		auth["schemes"] = a["schemes"]
	case to == V03:
		auth["schemes"] = "[" + refJSONString(scheme) + "]"
	}
	out["authentication"] = auth.bytes()
	return out
}

// refConvConfiguration is a send's configuration in dialect to. 0.3 "blocking"
// (true when absent) is 1.0 "returnImmediately" inverted (false when
// absent); the push config is "pushNotificationConfig" in 0.3,
// "taskPushNotificationConfig" in 1.0.
func refConvConfiguration(c refJobj, to Dialect) refJobj {
	out := refJobj{}
	out.keep(c, "acceptedOutputModes", "historyLength")
	blocking := gjson.Parse(c["blocking"])
	immediate := gjson.Parse(c["returnImmediately"])
	push, ok := refAsObject(refFirstOfMembers(c, "pushNotificationConfig", "taskPushNotificationConfig"))
	if to == V10 {
		if blocking.Exists() && !blocking.Bool() || immediate.Bool() {
			out["returnImmediately"] = "true"
		}
		if ok {
			out["taskPushNotificationConfig"] = refConvPushConfig(push, V10).bytes()
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
		out["pushNotificationConfig"] = refConvPushConfig(push, V03).bytes()
	}
	return out
}

// refConvMessage is an A2A Message in dialect to; raw that is no object comes
// back as it is (the agent answers it).
func refConvMessage(raw string, to Dialect) string {
	m, ok := refAsObject(raw)
	if !ok {
		return raw
	}
	out := refJobj{}
	out.keep(m, "messageId", "contextId", "taskId", "referenceTaskIds", "extensions", "metadata")
	if r, ok := m["role"]; ok {
		out["role"] = refConvRole(r, to)
	}
	if p, ok := m["parts"]; ok {
		out["parts"] = refConvParts(p, to)
	}
	if to == V03 {
		out["kind"] = `"message"`
	}
	return out.bytes()
}

// refConvRole is a message role in dialect to: "agent" in 0.3, "ROLE_AGENT" in
// 1.0. A role neither spells is kept as it came.
func refConvRole(raw string, to Dialect) string {
	r := ParseRole(gjson.Parse(raw).String())
	if r != "user" && r != "agent" {
		return raw
	}
	if to == V10 {
		return refJSONString("ROLE_" + strings.ToUpper(r))
	}
	return refJSONString(r)
}

// refConvParts are a message's or an artifact's parts in dialect to; a part
// that is none of text, file and data is dropped.
func refConvParts(raw string, to Dialect) string {
	list, ok := refAsArray(raw)
	if !ok {
		return "[]"
	}
	out := make([]string, 0, len(list))
	for _, p := range list {
		if b := refConvPart(p, to); b != "" {
			out = append(out, b)
		}
	}
	return refArrayBytes(out)
}

// refConvPart is one part in dialect to. 0.3: {"kind":"text","text"},
// {"kind":"file","file":{"uri"|"bytes","mimeType","name"}},
// {"kind":"data","data":{…}}; 1.0: {"text"}, {"url"|"raw","mediaType",
// "filename"}, {"data"}. Read by "kind" (or 0.1's "type"), else by member.
func refConvPart(raw string, to Dialect) string {
	p, ok := refAsObject(raw)
	if !ok {
		return ""
	}
	kind := gjson.Parse(refFirstOfMembers(p, "kind", "type")).String()
	_, hasText := p["text"]
	_, hasData := p["data"]
	switch {
	case kind == "text" || kind == "" && hasText:
		return refConvTextPart(p, to)
	case kind == "file" || kind == "" && (p["file"] != "" || p["url"] != "" || p["raw"] != ""):
		return refConvFilePart(p, to)
	case kind == "data" || kind == "" && hasData:
		return refConvDataPart(p, to)
	}
	return ""
}

func refConvTextPart(p refJobj, to Dialect) string {
	out := refJobj{}
	out.keep(p, "metadata")
	if t := gjson.Parse(p["text"]); t.Type == gjson.String {
		out["text"] = p["text"]
	} else {
		out["text"] = refJSONString(t.String())
	}
	if to == V03 {
		out["kind"] = `"text"`
	} else {
		out.keep(p, "mediaType")
	}
	return out.bytes()
}

func refConvFilePart(p refJobj, to Dialect) string {
	f, _ := refAsObject(p["file"])
	if f == nil {
		f = refJobj{}
	}
	uri := refFirstOfMembers(f, "uri", "url")
	if uri == "" {
		uri = p["url"]
	}
	data := refFirstOfMembers(f, "bytes", "data")
	if data == "" {
		data = p["raw"]
	}
	mt, name := refFirstOfMembers(f, "mimeType", "mediaType"), refFirstOfMembers(f, "name", "filename")
	if mt == "" {
		mt = p["mediaType"]
	}
	if name == "" {
		name = p["filename"]
	}
	out := refJobj{}
	out.keep(p, "metadata")
	if to == V10 && uri == "" && data == "" {
		return "" // a 1.0 file part is its url or raw: one with neither would be read as no part
	}
	if to == V10 {
		out.set("url", uri)
		if uri == "" {
			out.set("raw", data)
		}
		out.set("mediaType", mt)
		out.set("filename", name)
		return out.bytes()
	}
	file := refJobj{}
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

// refConvDataPart: 1.0 data is any JSON value, 0.3 data an object, so a 1.0
// value that is no object reaches a 0.3 peer as {"value": …}.
func refConvDataPart(p refJobj, to Dialect) string {
	out := refJobj{}
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
	if _, ok := refAsObject(d); !ok {
		d = refJobj{"value": d}.bytes()
	}
	out["kind"] = `"data"`
	out["data"] = d
	return out.bytes()
}
