package bridge

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/tidwall/gjson"
)

// FuzzRESTStream feeds the REST binding's writer an event stream of the
// JSON-RPC door (whatever an agent's frames made of it), written in
// pieces split at NUL: no panic, and the client gets either one error
// answer (an HTTP status and its google.rpc.Status) or an SSE stream of
// keepalive comments, bare one-line JSON events and error events, never
// a line the door did not mean as an event.
func FuzzRESTStream(f *testing.F) {
	for _, seed := range []string{
		"data: " + ev10Task + "\n\n: keepalive\n\ndata: " + ev10Done + "\n\n",
		"data: " + ev10Task + "\n\n\x00data: {\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32001,\"message\":\"gone\"}}\n\n",
		"data: {\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32603,\"message\":\"x\"}}\n\n",
		"da\x00ta: {\"result\":{\"a\":\n1}}\n\n",
		": hi\ndata: garbage\n\n",
		"data: not json\n\n",
		"event: x\ndata: {\"result\":1}\n\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/a2a/a/v1/message:stream", nil)
		req = req.WithContext(context.WithValue(req.Context(), infoKey{}, &reqInfo{}))
		w := &restWriter{ResponseWriter: rec, c: echo.New().NewContext(req, rec)}
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		for _, piece := range strings.Split(in, "\x00") {
			if _, err := w.Write([]byte(piece)); err != nil {
				t.Fatalf("Write(%q) = %v", piece, err)
			}
		}
		w.finish()
		body := rec.Body.Bytes()
		if rec.Code != http.StatusOK {
			if !json.Valid(body) || gjson.GetBytes(body, "error.code").Int() != int64(rec.Code) || rec.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("error answer %d %q %s, want a google.rpc.Status of its status", rec.Code, rec.Header().Get("Content-Type"), body)
			}
			return
		}
		if len(body) > 0 && !bytes.HasSuffix(body, []byte("\n\n")) {
			t.Fatalf("stream %q does not end with a whole event", body)
		}
		for _, ev := range strings.Split(strings.TrimSuffix(string(body), "\n\n"), "\n\n") {
			data, isErr := strings.CutPrefix(ev, "event: error\n")
			switch {
			case ev == "":
			case strings.HasPrefix(ev, ":") && !strings.Contains(ev, "\n"):
			case strings.HasPrefix(data, "data: ") && !strings.Contains(data, "\n"):
				d := strings.TrimPrefix(data, "data: ")
				if !json.Valid([]byte(d)) || isErr && !gjson.Get(d, "error.code").Exists() {
					t.Fatalf("event %q: want one line of JSON, a google.rpc.Status in an error event", ev)
				}
			default:
				t.Fatalf("event %q in %q: want a comment, a data event or an error event", ev, body)
			}
		}
	})
}
