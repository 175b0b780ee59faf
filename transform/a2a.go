package transform

import (
	"encoding/json"
	"strings"
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
func SendRequest(s Send) []byte {
	b, _ := json.Marshal(rpcRequest{
		JSONRPC: "2.0",
		ID:      s.RPCID,
		Method:  s.Dialect.Method(s.Stream),
		Params:  sendParams(s),
	})
	return b
}

type rpcRequest struct {
	JSONRPC string `json:"jsonrpc"`
	ID      string `json:"id"`
	Method  string `json:"method"`
	Params  any    `json:"params"`
}

type part03 struct {
	Kind string  `json:"kind"`
	Text *string `json:"text,omitempty"`
	File *file03 `json:"file,omitempty"`
}

type file03 struct {
	Name     string `json:"name,omitempty"`
	MimeType string `json:"mimeType,omitempty"`
	URI      string `json:"uri,omitempty"`
	Bytes    string `json:"bytes,omitempty"`
}

type message03 struct {
	Kind      string   `json:"kind"`
	Role      string   `json:"role"`
	MessageID string   `json:"messageId"`
	ContextID string   `json:"contextId,omitempty"`
	TaskID    string   `json:"taskId,omitempty"`
	Parts     []part03 `json:"parts"`
	Metadata  *openAI  `json:"metadata,omitempty"`
}

// openAI is the message metadata that carries the caller's parameters.
type openAI struct {
	OpenAI json.RawMessage `json:"openai"`
}

func metadata(params []byte) *openAI {
	if len(params) == 0 {
		return nil
	}
	return &openAI{OpenAI: params}
}

type config03 struct {
	AcceptedOutputModes []string `json:"acceptedOutputModes"`
	Blocking            bool     `json:"blocking"`
}

type part10 struct {
	Text      *string `json:"text,omitempty"`
	URL       string  `json:"url,omitempty"`
	Raw       string  `json:"raw,omitempty"`
	MediaType string  `json:"mediaType,omitempty"`
	Filename  string  `json:"filename,omitempty"`
}

// concrete drops a wildcard media type ("image/*"): a part names a real one or none.
func concrete(mt string) string {
	if strings.Contains(mt, "*") {
		return ""
	}
	return mt
}

func parts03(s Send) []part03 {
	ps := []part03{{Kind: "text", Text: &s.Text}}
	for _, f := range s.Files {
		ps = append(ps, part03{Kind: "file", File: &file03{Name: f.Name, MimeType: concrete(f.MediaType), URI: f.URI, Bytes: f.Data}})
	}
	return ps
}

func parts10(s Send) []part10 {
	ps := []part10{{Text: &s.Text}}
	for _, f := range s.Files {
		ps = append(ps, part10{URL: f.URI, Raw: f.Data, MediaType: concrete(f.MediaType), Filename: f.Name})
	}
	return ps
}

type message10 struct {
	Role      string   `json:"role"`
	MessageID string   `json:"messageId"`
	ContextID string   `json:"contextId,omitempty"`
	TaskID    string   `json:"taskId,omitempty"`
	Parts     []part10 `json:"parts"`
	Metadata  *openAI  `json:"metadata,omitempty"`
}

type config10 struct {
	AcceptedOutputModes []string `json:"acceptedOutputModes"`
}

var textModes = []string{"text/plain"}

func sendParams(s Send) any {
	if s.Dialect == V10 {
		return struct {
			Message       message10 `json:"message"`
			Configuration config10  `json:"configuration"`
			Tenant        string    `json:"tenant,omitempty"`
		}{
			Message: message10{Role: "ROLE_USER", MessageID: s.MessageID, ContextID: s.ContextID, TaskID: s.TaskID,
				Parts: parts10(s), Metadata: metadata(s.Params)},
			Configuration: config10{AcceptedOutputModes: textModes},
			Tenant:        s.Tenant,
		}
	}
	return struct {
		Message       message03 `json:"message"`
		Configuration config03  `json:"configuration"`
	}{
		Message: message03{Kind: "message", Role: "user", MessageID: s.MessageID, ContextID: s.ContextID, TaskID: s.TaskID,
			Parts: parts03(s), Metadata: metadata(s.Params)},
		Configuration: config03{AcceptedOutputModes: textModes, Blocking: true},
	}
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
