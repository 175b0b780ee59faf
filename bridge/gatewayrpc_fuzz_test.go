package bridge

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/a2a-bridge/a2a-bridge/transform"
)

// FuzzParseRPC: no body and no A2A-Version panics parseRPC. A refusal is
// one of the gateway's JSON-RPC errors; an accepted call has a method of
// the table, in its dialect, an id that is valid JSON, params that are an
// object or absent, and its request translates to the other dialect
// without a panic, as JSON, but for ListTasks (no 0.3 method).
func FuzzParseRPC(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(repoRoot, "testdata", "golden", "a2aconv", "request-*.txtar"))
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		_, in, _ := bytes.Cut(b, []byte("-- in.jsonl --\n"))
		in, _, _ = bytes.Cut(in, []byte("\n-- "))
		for _, line := range bytes.Split(bytes.TrimSpace(in), []byte("\n")) {
			f.Add(line, "")
			f.Add(line, "1.0")
		}
	}
	for _, s := range []string{`{"jsonrpc":`, `[{}]`, `{"id":3,"method":"message/send"}`, `{"jsonrpc":"2.0","id":{},"method":"x"}`,
		`{"jsonrpc":"2.0","id":4,"method":"tasks/send","params":{}}`, `{"jsonrpc":"2.0","id":5,"method":"tasks/get","params":[1]}`,
		`{"jsonrpc":"2.0","id":null,"method":"ListTasks"}`} {
		f.Add([]byte(s), "2.0")
	}
	f.Fuzz(func(t *testing.T, body []byte, version string) {
		r := httptest.NewRequest("POST", "/a2a/x", nil)
		r.Header["A2A-Version"] = []string{version}
		call := &rpcCall{body: body}
		if err := parseRPC(r, call); err != nil {
			var e *Error
			if !errors.As(err, &e) && !errors.Is(err, transform.ErrInvalidJSON) {
				t.Fatalf("parseRPC(%q) error = %v (%T), want a gateway Error", body, err, err)
			}
			return
		}
		m, ok := gwMethods[call.method]
		if !ok || m.dialect != call.dialect || m.op != call.op {
			t.Fatalf("parseRPC(%q) = method %q dialect %v op %v, not of the table", body, call.method, call.dialect, call.op)
		}
		if len(call.id) > 0 && !json.Valid(call.id) || call.params.Exists() && !call.params.IsObject() {
			t.Fatalf("parseRPC(%q) = id %s params %s", body, call.id, call.params.Raw)
		}
		other := transform.V10
		if call.dialect == transform.V10 {
			other = transform.V03
		}
		out, err := transform.ConvertRequest(body, other, "")
		if err == nil && !json.Valid(out) || err != nil && call.op != opList && !errors.Is(err, transform.ErrInvalidJSON) {
			t.Fatalf("ConvertRequest(%q, %v) = %q, %v", body, other, out, err)
		}
	})
}

// TestParseRPCDeep: megabytes of "[" (under the body limit) are -32700,
// not a stack overflow that kills the process: gjson's validator recursed
// once per level, and parseRPC called it first.
func TestParseRPCDeep(t *testing.T) {
	body := append([]byte(`{"jsonrpc":"2.0","id":1,"method":"message/send","params":`), bytes.Repeat([]byte("["), 15<<20)...)
	err := parseRPC(httptest.NewRequest("POST", "/a2a/x", nil), &rpcCall{body: body})
	if e := toError(err); e.RPCCode != -32700 {
		t.Errorf("parseRPC(15 MiB of [) = %v (code %d), want -32700", err, e.RPCCode)
	}
}
