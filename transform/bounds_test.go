package transform

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseRequestUserBound(t *testing.T) {
	for _, tc := range []struct {
		name, user string
		ok         bool
	}{
		{"empty", `""`, true},
		{"at the bound", `"` + strings.Repeat("u", MaxName) + `"`, true},
		{"one past the bound", `"` + strings.Repeat("u", MaxName+1) + `"`, false},
		{"escapes count unescaped", `"` + strings.Repeat(`\u0075`, MaxName) + `"`, true},
		{"a 1 MiB user", `"` + strings.Repeat("u", 1<<20) + `"`, false},
		{"a long number", strings.Repeat("9", MaxName+1), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"model":"a2a/x","messages":[{"role":"user","content":"hi"}],"user":` + tc.user + `}`
			req, err := ParseRequest([]byte(body))
			var re *RequestError
			switch {
			case tc.ok && err != nil:
				t.Fatalf("ParseRequest(user %.20s…) error = %v, want nil", tc.user, err)
			case tc.ok && len(req.User) > MaxName:
				t.Fatalf("ParseRequest(user %.20s…).User is %d bytes, want at most %d", tc.user, len(req.User), MaxName)
			case !tc.ok && (!errors.As(err, &re) || re.Param != "user" || !strings.Contains(re.Msg, "at most 256 bytes")):
				t.Fatalf("ParseRequest(user %.20s…) error = %#v, want a RequestError for param user, at most 256 bytes", tc.user, err)
			}
		})
	}
}

// TestParamsValidUTF8 checks that invalid UTF-8 in any passed parameter,
// in a string or a key at any depth, reaches the agent as U+FFFD: the
// SendRequest body is valid UTF-8 and valid JSON, and the rest unchanged.
func TestParamsValidUTF8(t *testing.T) {
	for _, tc := range paramsUTF8Tests {
		t.Run(tc.name, func(t *testing.T) {
			body := paramsBody(tc.params)
			req, err := ParseRequest([]byte(body))
			if err != nil {
				t.Fatalf("ParseRequest(%q) error = %v", body, err)
			}
			if string(req.Params) != tc.want {
				t.Errorf("ParseRequest(%q).Params = %s, want %s", body, req.Params, tc.want)
			}
			checkSendRequestValid(t, req)
		})
	}
}

func paramsBody(params string) string {
	return `{"model":"a2a/x","messages":[{"role":"user","content":"hi"}],` + params + `}`
}

// paramsUTF8Tests are passed parameters with invalid UTF-8; they also seed
// FuzzParseRequest.
var paramsUTF8Tests = []struct {
	name, params, want string // want: Params as passed
}{
	{"user", "\"user\":\"a\xffb\"", "{\"user\":\"a\uFFFDb\"}"},
	{"metadata value", "\"metadata\":{\"k\":\"\xfe\xff\"}", "{\"metadata\":{\"k\":\"\uFFFD\uFFFD\"}}"},
	{"metadata key", "\"metadata\":{\"\xc3\":1,\"ok\":\"é\"}", "{\"metadata\":{\"\uFFFD\":1,\"ok\":\"é\"}}"},
	{"stop", "\"stop\":[\"a\xc3\",\"\xed\xa0\x80\",\"\"]", "{\"stop\":[\"a\uFFFD\",\"\uFFFD\uFFFD\uFFFD\",\"\"]}"},
	{"deep in metadata", "\"metadata\":{\"a\":[{\"b\":[\"\x80\"]}]}", "{\"metadata\":{\"a\":[{\"b\":[\"\uFFFD\"]}]}}"},
	{"escapes kept", `"metadata":{"k":"\u00e9\ud800\\` + "\xff\"}", `{"metadata":{"k":"\u00e9\ud800\\` + "\uFFFD\"}}"},
	{"a cut four-byte rune", "\"seed\":1,\"metadata\":{\"\xf0\x9f\":\"\xf0\x9f\x98\x80\"}", "{\"seed\":1,\"metadata\":{\"\uFFFD\uFFFD\":\"😀\"}}"},
	{"valid left as is", `"temperature":0.5,"stop":"é\n","reasoning_effort":"low"`, `{"temperature":0.5,"stop":"é\n","reasoning_effort":"low"}`},
}

// checkSendRequestValid checks that what goes to the agent for req is
// valid UTF-8 and valid JSON (encoding/json's reading), in both dialects.
func checkSendRequestValid(t *testing.T, req Request) {
	t.Helper()
	for _, d := range []Dialect{V03, V10} {
		out := SendRequest(Send{Dialect: d, RPCID: "1", MessageID: "m", Text: Flatten(req.Messages),
			Params: req.Params, Files: Files(req.Messages)})
		if !utf8.Valid(out) {
			t.Fatalf("SendRequest(%s) = %q, not valid UTF-8", d, out)
		}
		var v any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("SendRequest(%s) = %q, not valid JSON: %v", d, out, err)
		}
		if len(req.Params) > 0 && !strings.Contains(string(out), `"metadata":{"openai":`) {
			t.Fatalf("SendRequest(%s) = %s, does not carry the params", d, out)
		}
	}
}

func TestReadResponseIDBounds(t *testing.T) {
	for _, tc := range idTests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadResponse([]byte(tc.body))
			if tc.ok != (err == nil) || !tc.ok && !errors.Is(err, ErrBadResponse) {
				t.Fatalf("ReadResponse(%.60q…) error = %v, want ErrBadResponse: %t", tc.body, err, !tc.ok)
			}
			checkReadResponseRef(t, []byte(tc.body))
		})
	}
}

var idPastBound, idAtBound = strings.Repeat("i", MaxName+1), strings.Repeat("i", MaxName)

// idTests are answers with ids at and past their bounds; they also seed
// FuzzReadResponse.
var idTests = []struct {
	name, body string
	ok         bool
}{
	{"ids at the bound", `{"result":{"kind":"task","id":"` + idAtBound + `","contextId":"` + idAtBound + `","status":{"state":"working"}}}`, true},
	{"a long task id", `{"result":{"kind":"task","id":"` + idPastBound + `","status":{"state":"working"}}}`, false},
	{"a long context id", `{"result":{"kind":"message","contextId":"` + idPastBound + `","parts":[{"text":"x"}]}}`, false},
	{"a long taskId of a status update", `{"result":{"kind":"status-update","taskId":"` + idPastBound + `","status":{"state":"working"}}}`, false},
	{"a long artifact id", `{"result":{"kind":"artifact-update","taskId":"t","artifact":{"artifactId":"` + idPastBound + `","parts":[{"text":"x"}]}}}`, false},
	{"a long id of a task's second artifact", `{"result":{"kind":"task","id":"t","artifacts":[{"artifactId":"a"},{"artifactId":"` + idPastBound + `"}]}}`, false},
	{"a long 1.0 wrapped id", `{"result":{"task":{"id":"` + idPastBound + `","status":{"state":"TASK_STATE_WORKING"}}}}`, false},
	{"an escaped long id", `{"result":{"kind":"task","id":"` + strings.Repeat(`\u0069`, MaxName+1) + `"}}`, false},
	{"a newline in a task id", `{"result":{"kind":"task","id":"t\n1"}}`, false},
	{"a raw DEL in a context id", "{\"result\":{\"kind\":\"task\",\"id\":\"t\",\"contextId\":\"c\x7f\"}}", false},
	{"an escaped NUL in an artifact id", `{"result":{"kind":"artifact-update","taskId":"t","artifact":{"artifactId":"a\u0000"}}}`, false},
	{"a container id with newlines", "{\"result\":{\"kind\":\"task\",\"id\":{\n\"a\":1}}}", false},
	{"a tab in a message id is not kept, so not checked", `{"result":{"kind":"message","messageId":"m\t","parts":[{"text":"x"}]}}`, true},
	{"a long id of a kind not read is not kept", `{"result":{"kind":"message","id":"` + idPastBound + `","parts":[{"text":"x"}]}}`, true},
	{"unicode is no control", `{"result":{"kind":"task","id":"tâche-é","contextId":"\u0085"}}`, true},
}
