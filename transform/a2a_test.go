package transform

import (
	"encoding/json"
	"testing"
)

func TestSendRequest(t *testing.T) {
	tests := []struct {
		name string
		in   Send
		want string
	}{
		{
			name: "0.3 send: kind everywhere, role user, blocking true",
			in:   Send{Dialect: V03, RPCID: "r1", MessageID: "m1", Text: "user: hi"},
			want: `{"jsonrpc":"2.0","id":"r1","method":"message/send","params":{"message":{"kind":"message","role":"user","messageId":"m1","parts":[{"kind":"text","text":"user: hi"}]},"configuration":{"acceptedOutputModes":["text/plain"],"blocking":true}}}`,
		},
		{
			name: "0.3 send with the caller's parameters in the metadata",
			in:   Send{Dialect: V03, RPCID: "r1", MessageID: "m1", Text: "x", Params: []byte(`{"temperature":0.2,"stop":["END"]}`)},
			want: `{"jsonrpc":"2.0","id":"r1","method":"message/send","params":{"message":{"kind":"message","role":"user","messageId":"m1","parts":[{"kind":"text","text":"x"}],"metadata":{"openai":{"temperature":0.2,"stop":["END"]}}},"configuration":{"acceptedOutputModes":["text/plain"],"blocking":true}}}`,
		},
		{
			name: "1.0 send with the caller's parameters in the metadata",
			in:   Send{Dialect: V10, RPCID: "r1", MessageID: "m1", Text: "x", Params: []byte(`{"user":"u"}`)},
			want: `{"jsonrpc":"2.0","id":"r1","method":"SendMessage","params":{"message":{"role":"ROLE_USER","messageId":"m1","parts":[{"text":"x"}],"metadata":{"openai":{"user":"u"}}},"configuration":{"acceptedOutputModes":["text/plain"]}}}`,
		},
		{
			name: "0.3 continuing a context and answering a task",
			in:   Send{Dialect: V03, RPCID: "r1", MessageID: "m1", Text: "Paris", ContextID: "C1", TaskID: "T1"},
			want: `{"jsonrpc":"2.0","id":"r1","method":"message/send","params":{"message":{"kind":"message","role":"user","messageId":"m1","contextId":"C1","taskId":"T1","parts":[{"kind":"text","text":"Paris"}]},"configuration":{"acceptedOutputModes":["text/plain"],"blocking":true}}}`,
		},
		{
			name: "1.0 continuing a context",
			in:   Send{Dialect: V10, RPCID: "r1", MessageID: "m1", Text: "more", ContextID: "C1"},
			want: `{"jsonrpc":"2.0","id":"r1","method":"SendMessage","params":{"message":{"role":"ROLE_USER","messageId":"m1","contextId":"C1","parts":[{"text":"more"}]},"configuration":{"acceptedOutputModes":["text/plain"]}}}`,
		},
		{
			name: "0.3 file parts after the text",
			in: Send{Dialect: V03, RPCID: "r1", MessageID: "m1", Text: "x", Files: []File{
				{MediaType: "image/png", URI: "https://e.x/a.png"}, {Name: "n.txt", MediaType: "text/plain", Data: "aGk="}, {MediaType: "image/*", URI: "https://e.x/i"}}},
			want: `{"jsonrpc":"2.0","id":"r1","method":"message/send","params":{"message":{"kind":"message","role":"user","messageId":"m1","parts":[{"kind":"text","text":"x"},{"kind":"file","file":{"mimeType":"image/png","uri":"https://e.x/a.png"}},{"kind":"file","file":{"name":"n.txt","mimeType":"text/plain","bytes":"aGk="}},{"kind":"file","file":{"uri":"https://e.x/i"}}]},"configuration":{"acceptedOutputModes":["text/plain"],"blocking":true}}}`,
		},
		{
			name: "1.0 file parts after the text",
			in:   Send{Dialect: V10, RPCID: "r1", MessageID: "m1", Text: "", Files: []File{{MediaType: "image/png", URI: "https://e.x/a.png"}, {Name: "n.txt", MediaType: "text/plain", Data: "aGk="}}},
			want: `{"jsonrpc":"2.0","id":"r1","method":"SendMessage","params":{"message":{"role":"ROLE_USER","messageId":"m1","parts":[{"text":""},{"url":"https://e.x/a.png","mediaType":"image/png"},{"raw":"aGk=","mediaType":"text/plain","filename":"n.txt"}]},"configuration":{"acceptedOutputModes":["text/plain"]}}}`,
		},
		{
			name: "0.3 stream",
			in:   Send{Dialect: V03, Stream: true, RPCID: "r2", MessageID: "m2", Text: "user: hi"},
			want: `{"jsonrpc":"2.0","id":"r2","method":"message/stream","params":{"message":{"kind":"message","role":"user","messageId":"m2","parts":[{"kind":"text","text":"user: hi"}]},"configuration":{"acceptedOutputModes":["text/plain"],"blocking":true}}}`,
		},
		{
			name: "0.3 never sends a tenant",
			in:   Send{Dialect: V03, RPCID: "r3", MessageID: "m3", Text: "x", Tenant: "acme"},
			want: `{"jsonrpc":"2.0","id":"r3","method":"message/send","params":{"message":{"kind":"message","role":"user","messageId":"m3","parts":[{"kind":"text","text":"x"}]},"configuration":{"acceptedOutputModes":["text/plain"],"blocking":true}}}`,
		},
		{
			name: "1.0 send: ROLE_USER, no kind, no tenant when empty",
			in:   Send{Dialect: V10, RPCID: "r4", MessageID: "m4", Text: "user: hi"},
			want: `{"jsonrpc":"2.0","id":"r4","method":"SendMessage","params":{"message":{"role":"ROLE_USER","messageId":"m4","parts":[{"text":"user: hi"}]},"configuration":{"acceptedOutputModes":["text/plain"]}}}`,
		},
		{
			name: "1.0 stream with tenant",
			in:   Send{Dialect: V10, Stream: true, RPCID: "r5", MessageID: "m5", Text: "user: hi", Tenant: "acme"},
			want: `{"jsonrpc":"2.0","id":"r5","method":"SendStreamingMessage","params":{"message":{"role":"ROLE_USER","messageId":"m5","parts":[{"text":"user: hi"}]},"configuration":{"acceptedOutputModes":["text/plain"]},"tenant":"acme"}}`,
		},
		{
			name: "text with quotes, newlines and markup is escaped",
			in:   Send{Dialect: V10, RPCID: "r6", MessageID: "m6", Text: "user: say \"hi\"\n<b>&</b>"},
			want: `{"jsonrpc":"2.0","id":"r6","method":"SendMessage","params":{"message":{"role":"ROLE_USER","messageId":"m6","parts":[{"text":"user: say \"hi\"\n\u003cb\u003e\u0026\u003c/b\u003e"}]},"configuration":{"acceptedOutputModes":["text/plain"]}}}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := SendRequest(tc.in)
			if string(got) != tc.want {
				t.Errorf("SendRequest(%+v)\n = %s\nwant %s", tc.in, got, tc.want)
			}
			if !json.Valid(got) {
				t.Errorf("SendRequest(%+v) = %s, not valid JSON", tc.in, got)
			}
		})
	}
}

func TestDialect(t *testing.T) {
	tests := []struct {
		d          Dialect
		wantString string
		wantSend   string
		wantStream string
	}{
		{V03, "0.3", "message/send", "message/stream"},
		{V10, "1.0", "SendMessage", "SendStreamingMessage"},
	}
	for _, tc := range tests {
		t.Run(tc.wantString, func(t *testing.T) {
			if got := tc.d.String(); got != tc.wantString {
				t.Errorf("Dialect(%d).String() = %q, want %q", tc.d, got, tc.wantString)
			}
			if got := tc.d.Method(false); got != tc.wantSend {
				t.Errorf("Dialect(%d).Method(false) = %q, want %q", tc.d, got, tc.wantSend)
			}
			if got := tc.d.Method(true); got != tc.wantStream {
				t.Errorf("Dialect(%d).Method(true) = %q, want %q", tc.d, got, tc.wantStream)
			}
		})
	}
}

func TestGetTaskRequest(t *testing.T) {
	tests := []struct {
		name   string
		d      Dialect
		tenant string
		want   string
	}{
		{"0.3", V03, "", `{"jsonrpc":"2.0","id":"r1","method":"tasks/get","params":{"id":"T1"}}`},
		{"1.0", V10, "", `{"jsonrpc":"2.0","id":"r1","method":"GetTask","params":{"id":"T1"}}`},
		{"1.0 with tenant", V10, "acme", `{"jsonrpc":"2.0","id":"r1","method":"GetTask","params":{"id":"T1","tenant":"acme"}}`},
	}
	for _, tc := range tests {
		if got := string(GetTaskRequest(tc.d, "r1", "T1", tc.tenant)); got != tc.want {
			t.Errorf("%s: GetTaskRequest = %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestCancelTaskRequest(t *testing.T) {
	if got, want := string(CancelTaskRequest(V03, "r", "T", "")), `{"jsonrpc":"2.0","id":"r","method":"tasks/cancel","params":{"id":"T"}}`; got != want {
		t.Errorf("CancelTaskRequest(0.3) = %s, want %s", got, want)
	}
	if got, want := string(CancelTaskRequest(V10, "r", "T", "x")), `{"jsonrpc":"2.0","id":"r","method":"CancelTask","params":{"id":"T","tenant":"x"}}`; got != want {
		t.Errorf("CancelTaskRequest(1.0) = %s, want %s", got, want)
	}
}

// The request's wire shapes as structs for encoding/json: the reference
// SendRequest's appending must match byte for byte.

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

func sendRequestByJSON(s Send) []byte {
	b, _ := json.Marshal(rpcRequest{JSONRPC: "2.0", ID: s.RPCID, Method: s.Dialect.Method(s.Stream), Params: sendParams(s)})
	return b
}

func TestSendRequestMatchesJSON(t *testing.T) {
	text := "a <b> & \"q\" \\ \n\r\t \x01 \u2028 é 😀 \xff end"
	files := [][]File{nil, {{Name: "a.png", MediaType: "image/png", Data: "iVBO"}},
		{{URI: "https://x/y.pdf", MediaType: "application/*"}, {}, {Name: "<n>", Data: "AA=="}}}
	params := [][]byte{nil, []byte(`{"temperature":0.2}`), []byte(`{ "user" : "<me>&you", "stop": [ "\n" ] }`)}
	for _, d := range []Dialect{V03, V10} {
		for _, stream := range []bool{false, true} {
			for _, fs := range files {
				for _, p := range params {
					for _, ids := range [][3]string{{}, {"ctx", "task", "tenant"}, {"", "t<", ""}} {
						s := Send{Dialect: d, Stream: stream, RPCID: "r-1", MessageID: "m-1", Text: text, Params: p,
							ContextID: ids[0], TaskID: ids[1], Tenant: ids[2], Files: fs}
						if got, want := SendRequest(s), sendRequestByJSON(s); string(got) != string(want) {
							t.Errorf("SendRequest(%+v)\n = %s\nwant %s", s, got, want)
						}
					}
				}
			}
		}
	}
}
