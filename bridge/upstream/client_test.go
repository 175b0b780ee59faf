package upstream

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a2a-bridge/a2a-bridge/stream"
	"github.com/a2a-bridge/a2a-bridge/transform"
)

// agent is a hand-written A2A agent: answer says what to send for each
// JSON-RPC request body; bodies records them.
type agent struct {
	mu     sync.Mutex
	bodies []string
	answer func(w http.ResponseWriter, r *http.Request, body string)
}

func (a *agent) serve(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		a.mu.Lock()
		a.bodies = append(a.bodies, string(b))
		a.mu.Unlock()
		a.answer(w, r, string(b))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func (a *agent) seen() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.bodies...)
}

func target(srv *httptest.Server) *Target {
	return &Target{Name: "a", Interface: transform.Interface{URL: srv.URL}, Card: transform.Card{Endpoint: srv.URL},
		CanSwitch: true, Streaming: true, Timeout: 5 * time.Second, HTTP: srv.Client()}
}

const (
	working   = `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"t1","contextId":"c","status":{"state":"working"}}}`
	completed = `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"t1","contextId":"c","status":{"state":"completed"},"artifacts":[{"artifactId":"a","parts":[{"kind":"text","text":"done"}]}]}}`
)

func events(t *testing.T, rp *Reply) []transform.Event {
	t.Helper()
	var evs []transform.Event
	for ev, err := range rp.All() {
		if err != nil {
			t.Fatalf("Next() error %v", err)
		}
		evs = append(evs, ev)
	}
	return evs
}

// TestPollNonBlocking: a task answered working is polled with tasks/get,
// on the injected clock, backing off, until it completes.
func TestPollNonBlocking(t *testing.T) {
	polls := 0
	a := &agent{answer: func(w http.ResponseWriter, r *http.Request, body string) {
		if strings.Contains(body, "tasks/get") {
			polls++
			if polls < 3 {
				io.WriteString(w, working)
				return
			}
			io.WriteString(w, completed)
			return
		}
		io.WriteString(w, working)
	}}
	srv := a.serve(t)
	var waits []time.Duration
	c := &Client{Wait: func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }}
	rp, err := c.Do(t.Context(), target(srv), Request{Op: OpSend, Message: transform.Send{MessageID: "m", Text: "hi"}})
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	evs := events(t, rp)
	if len(evs) != 4 || evs[3].State != transform.StateCompleted {
		t.Errorf("events = %+v, want working, 2 polls working, completed", evs)
	}
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}
	if len(waits) != len(want) || waits[0] != want[0] || waits[1] != want[1] || waits[2] != want[2] {
		t.Errorf("waits = %v, want %v", waits, want)
	}
}

// TestSwitchDialect: an agent that answers -32601 in 0.3 is tried in 1.0,
// and Switched reports it so the registry remembers.
func TestSwitchDialect(t *testing.T) {
	a := &agent{answer: func(w http.ResponseWriter, r *http.Request, body string) {
		if strings.Contains(body, "message/send") {
			io.WriteString(w, `{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"method not found"}}`)
			return
		}
		io.WriteString(w, completed)
	}}
	srv := a.serve(t)
	var switched []transform.Dialect
	c := &Client{Switched: func(_ *Target, d transform.Dialect) { switched = append(switched, d) }}
	tg := target(srv)
	rp, err := c.Do(t.Context(), tg, Request{Op: OpSend, Message: transform.Send{MessageID: "m", Text: "hi"}})
	if err != nil {
		t.Fatal(err)
	}
	rp.Close()
	if len(switched) != 1 || switched[0] != transform.V10 || tg.Dialect != transform.V10 {
		t.Errorf("Switched calls = %v, target dialect %v; want one to 1.0", switched, tg.Dialect)
	}
	if seen := a.seen(); len(seen) != 2 || !strings.Contains(seen[1], "SendMessage") {
		t.Errorf("agent saw %q, want message/send then SendMessage", seen)
	}
}

// TestStreamRefused: -32004 on message/stream falls back to message/send,
// reported through RefusedStream.
func TestStreamRefused(t *testing.T) {
	a := &agent{answer: func(w http.ResponseWriter, r *http.Request, body string) {
		if strings.Contains(body, "message/stream") {
			io.WriteString(w, `{"jsonrpc":"2.0","id":1,"error":{"code":-32004,"message":"streaming is not supported"}}`)
			return
		}
		io.WriteString(w, completed)
	}}
	srv := a.serve(t)
	refused := 0
	c := &Client{RefusedStream: func(*Target) { refused++ }}
	rp, err := c.Do(t.Context(), target(srv), Request{Op: OpStream, Message: transform.Send{MessageID: "m", Text: "hi"}})
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	if evs := events(t, rp); refused != 1 || len(evs) != 1 || rp.Streamed() {
		t.Errorf("RefusedStream calls = %d, events %d, streamed %v; want 1, 1 sent answer", refused, len(evs), rp.Streamed())
	}
}

// TestErrorBodyKept: a JSON-RPC error in HTTP 400 is an *RPCError that is
// its code's sentinel, with its data and status; Raw keeps the body whole.
func TestErrorBodyKept(t *testing.T) {
	const body = `{"jsonrpc":"2.0","id":1,"error":{"code":-32001,"message":"no task x at secret.internal","data":{"taskId":"x"}}}`
	a := &agent{answer: func(w http.ResponseWriter, r *http.Request, _ string) {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, body)
	}}
	srv := a.serve(t)
	tg := target(srv)
	tg.Redact = func(s string) string { return strings.ReplaceAll(s, "secret.internal", "[redacted]") }
	c := &Client{}
	_, err := c.Do(t.Context(), tg, Request{Op: OpGet, TaskID: "x"})
	var rpc *RPCError
	if !errors.As(err, &rpc) || !errors.Is(err, ErrTaskNotFound) || rpc.HTTPStatus != 400 ||
		string(rpc.Data) != `{"taskId":"x"}` || rpc.Message != "no task x at [redacted]" {
		t.Errorf("Do(get) error = %#v, want a redacted -32001 with its data and status 400", err)
	}
	raw, err := c.Raw(t.Context(), tg, []byte(`{"jsonrpc":"2.0","id":1,"method":"tasks/get","params":{"id":"x"}}`), false)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if raw.Status != 400 || string(raw.Body) != body {
		t.Errorf("Raw = %d %s, want 400 and the body as sent", raw.Status, raw.Body)
	}
}

// TestCancelIfGone: a caller that goes away while the task runs gets the
// task cancelled on Close; a task that ended is left alone.
func TestCancelIfGone(t *testing.T) {
	for _, tc := range []struct {
		name   string
		first  string
		cancel bool
	}{
		{"running", working, true},
		{"finished", completed, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &agent{answer: func(w http.ResponseWriter, r *http.Request, body string) { io.WriteString(w, tc.first) }}
			srv := a.serve(t)
			ctx, cancel := context.WithCancel(t.Context())
			c := &Client{Wait: func(ctx context.Context, d time.Duration) error { <-ctx.Done(); return ctx.Err() }}
			rp, err := c.Do(ctx, target(srv), Request{Op: OpSend, Message: transform.Send{MessageID: "m", Text: "hi"}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := rp.Next(); err != nil {
				t.Fatal(err)
			}
			cancel()
			rp.Close()
			got := strings.Contains(strings.Join(a.seen(), "\n"), "tasks/cancel")
			if got != tc.cancel {
				t.Errorf("tasks/cancel sent = %v, want %v (agent saw %q)", got, tc.cancel, a.seen())
			}
		})
	}
}

// TestCodes: every code of the table maps to its sentinel and back.
func TestCodes(t *testing.T) {
	for _, c := range Codes {
		if got := ErrorOf(c.Code); got != c.Err {
			t.Errorf("ErrorOf(%d) = %v, want %v", c.Code, got, c.Err)
		}
		if got, ok := CodeOf(&RPCError{Code: c.Code}); !ok || got != c.Code || !errors.Is(&RPCError{Code: c.Code}, c.Err) {
			t.Errorf("CodeOf(RPCError %d) = %d, %v, want the code, and errors.Is its sentinel", c.Code, got, ok)
		}
	}
	if len(Codes) != 14 {
		t.Errorf("len(Codes) = %d, want 14", len(Codes))
	}
}

// TestRawFrames: a stream passed through yields each event's data as sent,
// and an event past MaxEvent ends it with stream.ErrEventTooLarge.
func TestRawFrames(t *testing.T) {
	a := &agent{answer: func(w http.ResponseWriter, r *http.Request, _ string) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: "+working+"\n\n")
		io.WriteString(w, "data: "+strings.Repeat("x", 300)+"\n\n")
	}}
	srv := a.serve(t)
	c := &Client{MaxEvent: 256}
	raw, err := c.Raw(t.Context(), target(srv), []byte(`{}`), true)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var frames []string
	var last error
	for data, err := range raw.Frames() {
		if err != nil {
			last = err
			break
		}
		frames = append(frames, string(data))
	}
	if !raw.Streamed() || len(frames) != 1 || frames[0] != working || !errors.Is(last, stream.ErrEventTooLarge) {
		t.Errorf("Frames() = %q then %v, want the first event then ErrEventTooLarge", frames, last)
	}
}
