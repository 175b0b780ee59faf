package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// convertLine translates one JSON line of a golden file to dialect to, as
// its kind (the comment's first word) says: a request, a response, or a
// bare response (GetTask, CancelTask). An error is written as its text.
func convertLine(kind string, line []byte, to Dialect) []byte {
	var out []byte
	var err error
	switch kind {
	case "request":
		out, err = ConvertRequest(line, to, "")
	default:
		out, err = ConvertResponse(line, to, kind == "bare")
	}
	if err != nil {
		return []byte("error: " + err.Error())
	}
	return out
}

// TestGoldenA2AConv translates each JSON line of testdata/golden/a2aconv
// (requests written by hand, answers and events recorded from the peers)
// to 0.3 and to 1.0, and compares with the to-0.3.jsonl and to-1.0.jsonl
// sections. Every output is valid JSON, and translating it again changes
// nothing (the functions read either dialect).
func TestGoldenA2AConv(t *testing.T) {
	for _, path := range goldenFiles(t, "a2aconv") {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			a := readArchive(t, path)
			kind, _, _ := strings.Cut(string(a.Comment), ":")
			in := bytes.Split(bytes.TrimSpace(a.mustGet(t, "in.jsonl")), []byte("\n"))
			for _, to := range []Dialect{V03, V10} {
				var got bytes.Buffer
				for _, line := range in {
					out := convertLine(kind, line, to)
					if !bytes.HasPrefix(out, []byte("error: ")) {
						if !json.Valid(out) {
							t.Errorf("convert(%s, %v) = %s, not valid JSON", line, to, out)
						}
						if again := convertLine(kind, out, to); !bytes.Equal(again, out) {
							t.Errorf("convert(convert(%s, %v)) = %s, want %s (idempotent)", line, to, again, out)
						}
					}
					got.Write(out)
					got.WriteByte('\n')
				}
				checkGolden(t, path, a, "to-"+to.String()+".jsonl", got.Bytes(), func(want []byte) []byte { return want })
			}
		})
	}
}

// TestMethodIn pins the method names of both dialects.
func TestMethodIn(t *testing.T) {
	for _, tc := range []struct {
		name, method string
		to           Dialect
		want         string
		ok           bool
	}{
		{"send to 1.0", "message/send", V10, "SendMessage", true},
		{"stream to 0.3", "SendStreamingMessage", V03, "message/stream", true},
		{"same dialect", "tasks/get", V03, "tasks/get", true},
		{"resubscribe", "tasks/resubscribe", V10, "SubscribeToTask", true},
		{"extended card", "GetExtendedAgentCard", V03, "agent/getAuthenticatedExtendedCard", true},
		{"push list", "tasks/pushNotificationConfig/list", V10, "ListTaskPushNotificationConfigs", true},
		{"list tasks in 0.3", "ListTasks", V03, "", false},
		{"list tasks in 1.0", "ListTasks", V10, "ListTasks", true},
		{"legacy", "tasks/send", V10, "", false},
		{"empty", "", V03, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, ok := MethodIn(tc.method, tc.to); got != tc.want || ok != tc.ok {
				t.Errorf("MethodIn(%q, %v) = %q, %v, want %q, %v", tc.method, tc.to, got, ok, tc.want, tc.ok)
			}
		})
	}
}

// TestConvertRefuses pins the bodies the translation refuses, without
// crashing: too deep, no JSON, no object, a method of no counterpart.
func TestConvertRefuses(t *testing.T) {
	deep := strings.Repeat(`{"a":`, MaxDepth+1) + "1" + strings.Repeat("}", MaxDepth+1)
	for _, tc := range []struct {
		name string
		body string
		want error
	}{
		{"too deep", `{"jsonrpc":"2.0","method":"message/send","params":` + deep + `}`, ErrTooDeep},
		{"no JSON", `{"jsonrpc":`, ErrInvalidJSON},
		{"no object", `[1]`, ErrNotRPC},
		{"list tasks", `{"jsonrpc":"2.0","id":1,"method":"ListTasks"}`, ErrNoCounterpart},
		{"unknown method", `{"jsonrpc":"2.0","id":1,"method":"tasks/steal"}`, ErrNoCounterpart},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ConvertRequest([]byte(tc.body), V03, ""); !errors.Is(err, tc.want) {
				t.Errorf("ConvertRequest(%.40s) error = %v, want %v", tc.body, err, tc.want)
			}
		})
	}
	if _, err := ConvertResponse([]byte(`{"result":`+deep+`}`), V10, false); !errors.Is(err, ErrTooDeep) {
		t.Errorf("ConvertResponse(too deep) error = %v, want ErrTooDeep", err)
	}
}

// TestConvertTenant: a tenant the agent's interface names goes in the 1.0
// params, and never in 0.3 ones.
func TestConvertTenant(t *testing.T) {
	body := []byte(`{"jsonrpc":"2.0","id":1,"method":"tasks/get","params":{"id":"t"}}`)
	out, err := ConvertRequest(body, V10, "acme")
	if err != nil || gjson.GetBytes(out, "params.tenant").String() != "acme" {
		t.Errorf("ConvertRequest(tasks/get, V10, acme) = %s, %v, want params.tenant acme", out, err)
	}
	out, _ = ConvertRequest(out, V03, "acme")
	if gjson.GetBytes(out, "params.tenant").Exists() {
		t.Errorf("ConvertRequest(GetTask, V03) = %s, want no tenant", out)
	}
}

// TestStateIn pins every state's spelling in both dialects.
func TestStateIn(t *testing.T) {
	for _, st := range numbered {
		for _, to := range []Dialect{V03, V10} {
			got := StateIn(st, to)
			if back := ParseState(gjson.Parse(`"` + got + `"`)); back != st {
				t.Errorf("ParseState(StateIn(%s, %v) = %s) = %s, want %s", st, to, got, back, st)
			}
		}
	}
	if got := StateIn(StateInputRequired, V10); got != "TASK_STATE_INPUT_REQUIRED" {
		t.Errorf("StateIn(input-required, 1.0) = %s, want TASK_STATE_INPUT_REQUIRED", got)
	}
}
