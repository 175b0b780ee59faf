package transform

// The reference of the A2A translation: the map-per-level implementation
// the one-pass writer (a2aconv.go, a2aconv_result.go, a2aconv_write.go)
// replaced, kept to hold it to (FuzzConvertSame): every body, valid or
// not, translates to the same bytes or the same error by both.

import (
	"slices"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/a2a-bridge/a2a-bridge/transform/internal/jsonenc"
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

// refJobj is one JSON object, its members raw JSON text: the translation
// descends only where a dialect differs, and copies the rest as it came.
// The raw values are substrings of the one string the body was read into
// (gjson's), so reading a level copies nothing.
type refJobj map[string]string

// refAsObject reads raw, JSON its caller checked (CheckJSON), as an object;
// false for anything else. The first of duplicate members wins, as gjson
// reads them everywhere else.
func refAsObject(raw string) (refJobj, bool) {
	r := gjson.Parse(raw)
	if !r.IsObject() {
		return nil, false
	}
	o := make(refJobj, 8)
	r.ForEach(func(k, v gjson.Result) bool {
		// A name's invalid UTF-8 is U+FFFD, written as such: the same bytes
		// whether the name came raw or already escaped (\ufffd).
		name := strings.ToValidUTF8(k.Str, "\uFFFD")
		if _, dup := o[name]; !dup {
			o[name] = v.Raw
		}
		return true
	})
	return o, true
}

// refAsArray reads raw as an array; false for anything else.
func refAsArray(raw string) ([]string, bool) {
	r := gjson.Parse(raw)
	if !r.IsArray() {
		return nil, false
	}
	var a []string
	r.ForEach(func(_, v gjson.Result) bool {
		a = append(a, v.Raw)
		return true
	})
	return a, true
}

// keep copies the members names of src that src has.
func (o refJobj) keep(src refJobj, names ...string) {
	for _, n := range names {
		if v, ok := src[n]; ok {
			o[n] = v
		}
	}
}

// set sets member n to v unless v is empty (no member).
func (o refJobj) set(n string, v string) {
	if v != "" {
		o[n] = v
	}
}

// refFirstOfMembers returns the first of the members names that o has, or "".
func refFirstOfMembers(o refJobj, names ...string) string {
	for _, n := range names {
		if v, ok := o[n]; ok {
			return v
		}
	}
	return ""
}

// bytes is o as JSON text: members in sorted order (deterministic, for
// the goldens), values as they came.
func (o refJobj) bytes() string {
	n := 2
	for k, v := range o {
		n += len(k) + len(v) + 4
	}
	return string(o.append(make([]byte, 0, n)))
}

func (o refJobj) append(b []byte) []byte {
	var small [16]string // A2A objects have a dozen members at most: no allocation
	keys := small[:0]
	for k := range o {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(jsonenc.AppendString(b, k), ':')
		b = append(b, o[k]...)
	}
	return append(b, '}')
}

func refArrayBytes(a []string) string {
	n := 2 + len(a)
	for _, v := range a {
		n += len(v)
	}
	b := make([]byte, 0, n)
	b = append(b, '[')
	for i, v := range a {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, v...)
	}
	return string(append(b, ']'))
}

// refJSONString is s as a JSON string.
func refJSONString(s string) string { return string(jsonenc.AppendString(nil, s)) }
