package transform

import (
	"github.com/a2a-bridge/a2a-bridge/transform/internal/jsonenc"
	"github.com/tidwall/gjson"
)

// The params of a request, and the message and parts they carry, written
// in the target dialect. Each writer emits its object's members in sorted
// order (see a2aconv_write.go).

// paramNames are the params members any method reads.
var paramNames = []string{"metadata", "message", "configuration", "id", "historyLength", "contextId", "status",
	"pageSize", "pageToken", "statusTimestampAfter", "includeArtifacts", "tenant", "taskId",
	"pushNotificationConfigId", "pushNotificationConfig"}

const (
	pMetadata = iota
	pMessage
	pConfiguration
	pID
	pHistoryLength
	pContextID
	pStatus
	pPageSize
	pPageToken
	pStatusTimestampAfter
	pIncludeArtifacts
	pTenant
	pTaskID
	pPushConfigID
	pPushConfig
	nParams
)

// convIn are the members of a request's params, and where its tenant
// comes from.
type convIn struct {
	v      [nParams][]byte
	raw    []byte // the params object
	to     Dialect
	tenant string // the agent's interface's, else the caller's goes
}

// appendTenant appends the 1.0 params' tenant: the interface's, else the
// caller's; 0.3 has none.
func (p *convIn) appendTenant(b []byte) []byte {
	if p.to != V10 {
		return b
	}
	if p.tenant != "" {
		return jsonenc.AppendString(key(b, "tenant"), p.tenant)
	}
	return keep(b, "tenant", p.v[pTenant])
}

// metadata is the params' metadata where method keeps it: in 0.3 always,
// in 1.0 only for a send and a cancel.
func (p *convIn) metadata03() []byte {
	if p.to == V03 {
		return p.v[pMetadata]
	}
	return nil
}

// convParams appends the params of method (already in dialect to) from
// dialect from. method is a name of to (MethodIn), so a 0.3 method comes
// with to V03 and a 1.0 one with V10.
func (sc *scan) convParams(b []byte, method string, raw []byte, from, to Dialect, tenant string) []byte {
	p := convIn{raw: raw, to: to, tenant: tenant}
	sc.fields(raw, paramNames, p.v[:])
	v := &p.v
	switch method {
	case "message/send", "message/stream", "SendMessage", "SendStreamingMessage":
		b = append(b, '{')
		if isObject(v[pConfiguration]) {
			b = sc.convConfiguration(key(b, "configuration"), v[pConfiguration], to)
		}
		if v[pMessage] != nil {
			b = sc.convMessage(key(b, "message"), v[pMessage], to)
		}
		b = keep(b, "metadata", v[pMetadata])
	case "tasks/get", "GetTask":
		b = keep(append(b, '{'), "historyLength", v[pHistoryLength])
		b = keep(keep(b, "id", v[pID]), "metadata", p.metadata03())
	case "tasks/cancel", "CancelTask":
		b = keep(keep(append(b, '{'), "id", v[pID]), "metadata", v[pMetadata])
	case "tasks/resubscribe", "SubscribeToTask":
		b = keep(keep(append(b, '{'), "id", v[pID]), "metadata", p.metadata03())
	case "ListTasks":
		b = append(b, '{')
		for _, i := range [...]int{pContextID, pHistoryLength, pIncludeArtifacts, pMetadata, pPageSize, pPageToken,
			pStatus, pStatusTimestampAfter} {
			b = keep(b, paramNames[i], v[i])
		}
	default:
		return sc.convPushParams(b, method, &p, from)
	}
	return append(p.appendTenant(b), '}')
}

// convPushParams appends the params of the push-config and extended-card
// methods: 0.3 names the task "id" and the config "pushNotificationConfigId"
// and nests the config; 1.0 names them "taskId" and "id", flat.
func (sc *scan) convPushParams(b []byte, method string, p *convIn, from Dialect) []byte {
	v := &p.v
	task, cfg := v[pID], v[pPushConfigID]
	if from == V10 || method == "tasks/pushNotificationConfig/set" || method == "CreateTaskPushNotificationConfig" {
		task = v[pTaskID]
	}
	if from == V10 {
		cfg = v[pID]
	}
	config := v[pPushConfig]
	if !isObject(config) {
		config = p.raw
	}
	switch method {
	case "tasks/pushNotificationConfig/set":
		b = keep(append(b, '{'), "metadata", p.metadata03())
		b = sc.convPushConfig(key(b, "pushNotificationConfig"), config, V03, nil)
		b = keep(b, "taskId", task)
	case "CreateTaskPushNotificationConfig":
		return sc.convPushConfig(b, config, V10, &pushParams{task, p})
	case "tasks/pushNotificationConfig/get", "tasks/pushNotificationConfig/delete":
		b = keep(append(b, '{'), "id", task)
		b = keep(keep(b, "metadata", p.metadata03()), "pushNotificationConfigId", cfg)
	case "GetTaskPushNotificationConfig", "DeleteTaskPushNotificationConfig":
		b = keep(keep(append(b, '{'), "id", cfg), "taskId", task)
	case "tasks/pushNotificationConfig/list":
		b = keep(keep(append(b, '{'), "id", task), "metadata", p.metadata03())
	case "ListTaskPushNotificationConfigs":
		b = keep(keep(append(b, '{'), "pageSize", v[pPageSize]), "pageToken", v[pPageToken])
		b = keep(b, "taskId", task)
	default: // the extended card's
		b = keep(append(b, '{'), "metadata", p.metadata03())
	}
	return append(p.appendTenant(b), '}')
}

// pushParams are the members a CreateTaskPushNotificationConfig's params
// hold besides its flat config's: the task's id and the tenant.
type pushParams struct {
	task []byte
	p    *convIn
}

var pushConfigNames = []string{"authentication", "id", "token", "url"}

// convPushConfig appends a push notification config in dialect to: its
// authentication has "schemes" (a list) in 0.3, one "scheme" in 1.0. in,
// when set, are the params the config is flat in.
func (sc *scan) convPushConfig(b, c []byte, to Dialect, in *pushParams) []byte {
	var v [4][]byte
	sc.fields(c, pushConfigNames, v[:])
	b = append(b, '{')
	if isObject(v[0]) {
		b = sc.convAuth(key(b, "authentication"), v[0], to)
	}
	b = keep(b, "id", v[1])
	if in != nil {
		b = in.p.appendTenant(keep(b, "taskId", in.task))
	}
	return append(keep(keep(b, "token", v[2]), "url", v[3]), '}')
}

var authNames = []string{"credentials", "scheme", "schemes"}

// convAuth appends a push config's authentication in dialect to.
func (sc *scan) convAuth(b, a []byte, to Dialect) []byte {
	var v [3][]byte
	sc.fields(a, authNames, v[:])
	b = keep(append(b, '{'), "credentials", v[0])
	schemes := parsed(v[2])
	scheme := schemeName(parsed(v[1]))
	if scheme == "" {
		scheme = schemeName(schemes.Get("0"))
	}
	switch {
	case to == V10 && scheme != "":
		b = jsonenc.AppendString(key(b, "scheme"), scheme)
	case to == V03 && schemes.IsArray():
		b = append(key(b, "schemes"), v[2]...)
	case to == V03:
		b = append(jsonenc.AppendString(append(key(b, "schemes"), '['), scheme), ']')
	}
	return append(b, '}')
}

// schemeName is an authentication scheme's name: a JSON string, else none.
// Any other value's text taken as a name would be written as a string the
// next translation reads back unlike it (invalid UTF-8 inside it, for one).
func schemeName(r gjson.Result) string {
	if r.Type != gjson.String {
		return ""
	}
	return r.Str
}

var configurationNames = []string{"acceptedOutputModes", "historyLength", "blocking", "returnImmediately",
	"pushNotificationConfig", "taskPushNotificationConfig"}

// convConfiguration appends a send's configuration in dialect to. 0.3
// "blocking" (true when absent) is 1.0 "returnImmediately" inverted (false
// when absent); the push config is "pushNotificationConfig" in 0.3,
// "taskPushNotificationConfig" in 1.0.
func (sc *scan) convConfiguration(b, c []byte, to Dialect) []byte {
	var v [6][]byte
	sc.fields(c, configurationNames, v[:])
	blocking, immediate := v[2], boolOf(v[3])
	push := firstPresent(v[4], v[5])
	nonblocking := immediate || blocking != nil && !boolOf(blocking)
	b = keep(append(b, '{'), "acceptedOutputModes", v[0])
	if to == V10 {
		b = keep(b, "historyLength", v[1])
		if nonblocking {
			b = append(key(b, "returnImmediately"), "true"...)
		}
		if isObject(push) {
			b = sc.convPushConfig(key(b, "taskPushNotificationConfig"), push, V10, nil)
		}
		return append(b, '}')
	}
	switch {
	case nonblocking:
		b = append(key(b, "blocking"), "false"...)
	case blocking != nil:
		b = append(key(b, "blocking"), "true"...)
	}
	b = keep(b, "historyLength", v[1])
	if isObject(push) {
		b = sc.convPushConfig(key(b, "pushNotificationConfig"), push, V03, nil)
	}
	return append(b, '}')
}

// convMessage appends an A2A Message in dialect to; raw that is no object
// is appended as it is (the agent answers it).
func (sc *scan) convMessage(b, raw []byte, to Dialect) []byte {
	var f objFields
	if !sc.readObject(raw, &f) {
		return append(b, raw...)
	}
	return sc.convMessageOf(b, &f, to)
}

// convMessageOf appends the Message of members f in dialect to.
func (sc *scan) convMessageOf(b []byte, f *objFields, to Dialect) []byte {
	v := &f.v
	b = keep(keep(append(b, '{'), "contextId", v[oContextID]), "extensions", v[oExtensions])
	if to == V03 {
		b = append(key(b, "kind"), `"message"`...)
	}
	b = keep(keep(b, "messageId", v[oMessageID]), "metadata", v[oMetadata])
	if v[oParts] != nil {
		b = sc.convParts(key(b, "parts"), v[oParts], to)
	}
	b = keep(b, "referenceTaskIds", v[oReferenceTaskIDs])
	if v[oRole] != nil {
		b = sc.convRole(key(b, "role"), v[oRole], to)
	}
	return append(keep(b, "taskId", v[oTaskID]), '}')
}

// convRole appends a message role in dialect to: "agent" in 0.3,
// "ROLE_AGENT" in 1.0. A role neither spells is kept as it came.
func (sc *scan) convRole(b, raw []byte, to Dialect) []byte {
	var r string
	p, plain := plainString(raw)
	switch {
	case plain && (string(p) == "agent" || string(p) == "ROLE_AGENT"):
		r = "agent"
	case plain && (string(p) == "user" || string(p) == "ROLE_USER"):
		r = "user"
	default:
		r = ParseRole(parsed(raw).String())
	}
	switch {
	case r != "user" && r != "agent":
		return append(b, raw...)
	case to == V10 && r == "user":
		return append(b, `"ROLE_USER"`...)
	case to == V10:
		return append(b, `"ROLE_AGENT"`...)
	}
	return append(append(append(b, '"'), r...), '"')
}

// convParts appends a message's or an artifact's parts in dialect to; a
// part that is none of text, file and data is dropped.
func (sc *scan) convParts(b, raw []byte, to Dialect) []byte {
	list, ok := sc.arrayIn(raw)
	b = append(b, '[')
	for ok {
		var p []byte
		if p, ok = list.next(sc); ok {
			b = sc.convPart(b, p, to)
		}
	}
	return append(b, ']')
}

var partNames = []string{"kind", "type", "text", "data", "file", "url", "raw", "metadata", "mediaType", "filename"}

const (
	ptKind = iota
	ptType
	ptText
	ptData
	ptFile
	ptURL
	ptRaw
	ptMetadata
	ptMediaType
	ptFilename
	nPart
)

// convPart appends one part in dialect to, after a comma unless it is the
// first. 0.3: {"kind":"text","text"},
// {"kind":"file","file":{"uri"|"bytes","mimeType","name"}},
// {"kind":"data","data":{…}}; 1.0: {"text"}, {"url"|"raw","mediaType",
// "filename"}, {"data"}. Read by "kind" (or 0.1's "type"), else by member.
func (sc *scan) convPart(b, raw []byte, to Dialect) []byte {
	var v [nPart][]byte
	if !sc.fields(raw, partNames, v[:]) {
		return b
	}
	kind := firstPresent(v[ptKind], v[ptType])
	untyped := isText(kind, "")
	switch {
	case isText(kind, "text") || untyped && v[ptText] != nil:
		return sc.convTextPart(sep(b), &v, to)
	case isText(kind, "file") || untyped && (v[ptFile] != nil || v[ptURL] != nil || v[ptRaw] != nil):
		if to == V10 && !sc.fileContent(&v) {
			return b // a 1.0 file part is its url or raw: one with neither would be read as no part
		}
		return sc.convFilePart(sep(b), &v, to)
	case isText(kind, "data") || untyped && v[ptData] != nil:
		return sc.convDataPart(sep(b), &v, to)
	}
	return b
}

func (sc *scan) convTextPart(b []byte, v *[nPart][]byte, to Dialect) []byte {
	b = append(b, '{')
	if to == V03 {
		b = append(key(b, "kind"), `"text"`...)
	} else {
		b = keep(b, "mediaType", v[ptMediaType])
	}
	b = key(keep(b, "metadata", v[ptMetadata]), "text")
	switch t := v[ptText]; {
	case t == nil:
		b = append(b, `""`...)
	case t[0] == '"':
		b = append(b, t...)
	default:
		b = jsonenc.AppendString(b, parsed(t).String())
	}
	return append(b, '}')
}

var fileNames = []string{"uri", "url", "bytes", "data", "mimeType", "mediaType", "name", "filename"}

// fileContent reports whether a file part has a url or bytes, in either
// dialect's members.
func (sc *scan) fileContent(v *[nPart][]byte) bool {
	var f [8][]byte
	sc.fields(v[ptFile], fileNames, f[:])
	return firstPresent(f[0], f[1], v[ptURL]) != nil || firstPresent(f[2], f[3], v[ptRaw]) != nil
}

func (sc *scan) convFilePart(b []byte, v *[nPart][]byte, to Dialect) []byte {
	var f [8][]byte
	sc.fields(v[ptFile], fileNames, f[:])
	uri, data := firstPresent(f[0], f[1], v[ptURL]), firstPresent(f[2], f[3], v[ptRaw])
	mt, name := firstPresent(f[4], f[5], v[ptMediaType]), firstPresent(f[6], f[7], v[ptFilename])
	if uri != nil {
		data = nil
	}
	b = append(b, '{')
	if to == V10 {
		b = keep(keep(b, "filename", name), "mediaType", mt)
		b = keep(keep(b, "metadata", v[ptMetadata]), "raw", data)
		return append(keep(b, "url", uri), '}')
	}
	b = keep(keep(append(key(b, "file"), '{'), "bytes", data), "mimeType", mt)
	b = append(keep(keep(b, "name", name), "uri", uri), '}')
	b = append(key(b, "kind"), `"file"`...)
	return append(keep(b, "metadata", v[ptMetadata]), '}')
}

// convDataPart: 1.0 data is any JSON value, 0.3 data an object, so a 1.0
// value that is no object reaches a 0.3 peer as {"value": …}.
func (sc *scan) convDataPart(b []byte, v *[nPart][]byte, to Dialect) []byte {
	d := v[ptData]
	if d == nil {
		d = []byte("{}")
	}
	b = key(append(b, '{'), "data")
	if to == V10 {
		b = keep(append(b, d...), "mediaType", v[ptMediaType])
		return append(keep(b, "metadata", v[ptMetadata]), '}')
	}
	if isObject(d) {
		b = append(b, d...)
	} else {
		b = append(append(append(b, `{"value":`...), d...), '}')
	}
	b = append(key(b, "kind"), `"data"`...)
	return append(keep(b, "metadata", v[ptMetadata]), '}')
}
