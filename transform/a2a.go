package transform

import (
	"encoding/json"
	"strings"

	"github.com/a2a-bridge/a2a-bridge/transform/internal/jsonenc"
)

// Dialect is the A2A protocol version an agent speaks on JSON-RPC.
type Dialect int

const (
	// V03 is A2A 0.2/0.3: "message/send", "kind" discriminators, kebab states.
	V03 Dialect = iota
	// V10 is A2A 1.0: "SendMessage", member wrappers, enum states, and the
	// A2A-Version: 1.0 header on every call.
	V10
)

func (d Dialect) String() string {
	if d == V10 {
		return "1.0"
	}
	return "0.3"
}

// Method returns the JSON-RPC method that sends a message in dialect d.
func (d Dialect) Method(streaming bool) string {
	switch {
	case d == V10 && streaming:
		return "SendStreamingMessage"
	case d == V10:
		return "SendMessage"
	case streaming:
		return "message/stream"
	}
	return "message/send"
}

// Send describes one outgoing A2A message.
type Send struct {
	Dialect   Dialect
	Stream    bool
	RPCID     string // the JSON-RPC id, echoed by the agent
	MessageID string // fresh per call: servers that de-duplicate drop repeats
	Text      string // the flattened conversation
	Tenant    string // A2A 1.0 interface tenant, when the card names one
	Params    []byte // Request.Params: sent as the message metadata {"openai": Params}
	ContextID string // the agent's context to continue, in context mode
	TaskID    string // the interrupted task this message answers
	Files     []File // sent as file parts after the text part
}

// SendRequest returns the JSON-RPC request body for s, in s.Dialect's exact
// wire shape (a2a-go 0.3 rejects parts without "kind"; 1.0 has no "kind").
// It is appended in one allocation rather than marshalled by reflection:
// byte for byte what encoding/json writes for the structs of a2a_test.go
// (TestSendRequestMatchesJSON).
func SendRequest(s Send) []byte {
	n := 320 + len(s.RPCID) + len(s.MessageID) + len(s.ContextID) + len(s.TaskID) + len(s.Tenant) +
		len(s.Params) + len(s.Text) + len(s.Text)/8
	for _, f := range s.Files {
		n += 96 + len(f.Name) + len(f.MediaType) + len(f.URI) + len(f.Data)
	}
	b := make([]byte, 0, n)
	b = append(b, `{"jsonrpc":"2.0","id":`...)
	b = jsonenc.AppendString(b, s.RPCID)
	b = append(append(append(b, `,"method":"`...), s.Dialect.Method(s.Stream)...), `","params":{"message":{`...)
	if s.Dialect == V10 {
		b = append(b, `"role":"ROLE_USER"`...)
	} else {
		b = append(b, `"kind":"message","role":"user"`...)
	}
	b = jsonenc.AppendMember(b, "messageId", s.MessageID, false)
	b = jsonenc.AppendMember(b, "contextId", s.ContextID, true)
	b = jsonenc.AppendMember(b, "taskId", s.TaskID, true)
	b = append(b, `,"parts":[`...)
	if s.Dialect == V10 {
		b = appendParts10(b, s)
	} else {
		b = appendParts03(b, s)
	}
	b = append(b, ']')
	if len(s.Params) > 0 {
		// As encoding/json writes a RawMessage: compacted, HTML escaped.
		if raw, err := json.Marshal(json.RawMessage(s.Params)); err == nil {
			b = append(append(append(b, `,"metadata":{"openai":`...), raw...), '}')
		}
	}
	if s.Dialect == V10 {
		b = append(b, `},"configuration":{"acceptedOutputModes":["text/plain"]}`...)
		b = jsonenc.AppendMember(b, "tenant", s.Tenant, true)
	} else {
		b = append(b, `},"configuration":{"acceptedOutputModes":["text/plain"],"blocking":true}`...)
	}
	return append(b, "}}"...)
}

func appendParts03(b []byte, s Send) []byte {
	b = append(b, `{"kind":"text","text":`...)
	b = append(jsonenc.AppendString(b, s.Text), '}')
	for _, f := range s.Files {
		b = append(b, `,{"kind":"file","file":`...)
		b = jsonenc.AppendObject(b, jsonenc.Member{Name: "name", Value: f.Name}, jsonenc.Member{Name: "mimeType", Value: concrete(f.MediaType)},
			jsonenc.Member{Name: "uri", Value: f.URI}, jsonenc.Member{Name: "bytes", Value: f.Data})
		b = append(b, '}')
	}
	return b
}

func appendParts10(b []byte, s Send) []byte {
	b = append(b, `{"text":`...)
	b = append(jsonenc.AppendString(b, s.Text), '}')
	for _, f := range s.Files {
		b = jsonenc.AppendObject(append(b, ','), jsonenc.Member{Name: "url", Value: f.URI}, jsonenc.Member{Name: "raw", Value: f.Data},
			jsonenc.Member{Name: "mediaType", Value: concrete(f.MediaType)}, jsonenc.Member{Name: "filename", Value: f.Name})
	}
	return b
}

type rpcRequest struct {
	JSONRPC string `json:"jsonrpc"`
	ID      string `json:"id"`
	Method  string `json:"method"`
	Params  any    `json:"params"`
}

// concrete drops a wildcard media type ("image/*"): a part names a real one or none.
func concrete(mt string) string {
	if strings.Contains(mt, "*") {
		return ""
	}
	return mt
}

// GetTaskRequest returns the JSON-RPC request that reads a task, to poll
// the task of a non-blocking agent ("tasks/get", 1.0 "GetTask").
func GetTaskRequest(d Dialect, rpcID, taskID, tenant string) []byte {
	return taskRequest(d, "tasks/get", "GetTask", rpcID, taskID, tenant)
}

// CancelTaskRequest returns the JSON-RPC request that cancels a task whose
// caller went away ("tasks/cancel", 1.0 "CancelTask").
func CancelTaskRequest(d Dialect, rpcID, taskID, tenant string) []byte {
	return taskRequest(d, "tasks/cancel", "CancelTask", rpcID, taskID, tenant)
}

func taskRequest(d Dialect, method03, method10, rpcID, taskID, tenant string) []byte {
	method := method03
	if d == V10 {
		method = method10
	}
	b, _ := json.Marshal(rpcRequest{JSONRPC: "2.0", ID: rpcID, Method: method, Params: struct {
		ID     string `json:"id"`
		Tenant string `json:"tenant,omitempty"`
	}{taskID, tenant}})
	return b
}

// SubscribeTaskRequest returns the JSON-RPC request that follows a running
// task's events again ("tasks/resubscribe", 1.0 "SubscribeToTask").
func SubscribeTaskRequest(d Dialect, rpcID, taskID, tenant string) []byte {
	return taskRequest(d, "tasks/resubscribe", "SubscribeToTask", rpcID, taskID, tenant)
}
