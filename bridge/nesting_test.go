package bridge

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/a2a-bridge/a2a-bridge/transform"
)

// evDone is a whole answer: a completed task with one artifact.
const evDone = `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"t1","contextId":"c1","status":{"state":"completed"},"artifacts":[{"artifactId":"a","parts":[{"kind":"text","text":"fine"}]}]}}`

// deepResult is an answer whose metadata nests past transform.MaxDepth:
// valid JSON that overflowed the goroutine stack of a recursive validator.
var deepResult = `{"jsonrpc":"2.0","id":1,"result":{"kind":"artifact-update","taskId":"t1","contextId":"c1","artifact":{"artifactId":"a","parts":[{"kind":"text","text":"x"}]},"metadata":` +
	strings.Repeat("[", 1<<20) + "1" + strings.Repeat("]", 1<<20) + `}}`

// TestNesting sends bodies nested far past transform.MaxDepth to a real
// bridge, and has a hostile agent answer with them: each is refused with
// the error its side gets (400 for the caller, 502 or an in-band error for
// the agent), and the same bridge then still answers a normal request.
// Before the bound, each of them killed the whole process with a fatal
// stack overflow.
func TestNesting(t *testing.T) {
	agent := newFaultAgent(t, true, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		deep := strings.Contains(string(body), "deep please")
		switch {
		case strings.Contains(string(body), "message/stream") && strings.Contains(string(body), "deep later"):
			sse(w, evTask, evPart, deepResult)
		case strings.Contains(string(body), "message/stream") && deep:
			sse(w, evTask, deepResult)
		case strings.Contains(string(body), "message/stream"):
			sse(w, strings.Replace(evDone, `"kind":"task"`, `"kind":"task","final":true`, 1))
		case deep:
			fmt.Fprint(w, deepResult)
		default:
			fmt.Fprint(w, evDone)
		}
	})
	base := startBridge(t, Config{Agents: []AgentConfig{{Name: "fault", URL: agent.URL, Timeout: Duration{20 * time.Second}}}})
	c := httpClient(t)
	url := base + "/v1/chat/completions"
	deepMetadata := `{"model":"a2a/fault","messages":[{"role":"user","content":"hi"}],"metadata":` +
		strings.Repeat(`{"a":`, 1<<20) + "1" + strings.Repeat("}", 1<<20) + `}`
	cases := []struct {
		name      string
		body      string
		status    int    // 200: an in-band error after the stream started
		typ, text string // the error's type, and a text its message holds
	}{
		{"6 MiB of [", strings.Repeat("[", 6<<20), 400, "invalid_request_error", "nested deeper than 128 levels"},
		{"deep metadata", deepMetadata, 400, "invalid_request_error", "nested deeper than 128 levels"},
		{"deep answer", chatBody("a2a/fault", false, "user", "deep please"), 502, "agent_error", "could not read"},
		// Before any content the stream has not started: a plain 502.
		{"deep first stream event", chatBody("a2a/fault", true, "user", "deep please"), 502, "agent_error", "could not read"},
		{"deep stream event after content", chatBody("a2a/fault", true, "user", "deep later"), 200, "agent_error", "could not read"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := post(t, c, url, tc.body)
			if res.status != tc.status {
				t.Fatalf("status = %d, want %d: %.200s", res.status, tc.status, res.body)
			}
			errBody := res.body
			if tc.status == 200 {
				errBody = inBandError(t, res.body)
			}
			e := decodeError(t, errBody)
			if e.Error.Type != tc.typ || !strings.Contains(e.Error.Message, tc.text) {
				t.Errorf("error = %+v, want type %s and a message with %q", e.Error, tc.typ, tc.text)
			}
			// The same bridge lives on, and answers.
			for _, streaming := range []bool{false, true} {
				res := post(t, c, url, chatBody("a2a/fault", streaming, "user", "hi"))
				if res.status != 200 || !strings.Contains(string(res.body), "fine") {
					t.Fatalf("after %s, a normal request (stream %t) = %d %.200s, want 200 with the answer", tc.name, streaming, res.status, res.body)
				}
			}
		})
	}
	if transform.MaxDepth != 128 {
		t.Fatalf("transform.MaxDepth = %d, want 128 (the messages above name it)", transform.MaxDepth)
	}
}
