package upstream

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/google/uuid"
)

// countingConn counts the writes made on a connection.
type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// TestCallWrites: a call with a small body goes out in one write, headers
// and body together (the transport flushed the headers of a body of
// requestBody's type first); a large one is still let go of (see
// TestHeldStreamLetsGoOfBody) and takes more.
func TestCallWrites(t *testing.T) {
	var got atomic.Int64 // bytes of body the agent read
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		got.Store(n)
		_, _ = io.WriteString(w, completed)
	}))
	t.Cleanup(srv.Close)
	var writes atomic.Int64
	tr := newTransport()
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countingConn{c, &writes}, nil
	}
	t.Cleanup(tr.CloseIdleConnections)
	tg := target(srv)
	tg.HTTP = &http.Client{Transport: tr}
	for _, tc := range []struct {
		name      string
		text      string
		oneWrite  bool
		wantBytes int // at least
	}{
		{"small", "hello", true, 1},
		{"large", strings.Repeat("x", 8<<10), false, 8 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			writes.Store(0)
			rp, err := (&Client{}).Do(context.Background(), tg, Request{Op: OpSend, Message: transform.Send{MessageID: "m", Text: tc.text}})
			if err != nil {
				t.Fatalf("Do(%s) error %v", tc.name, err)
			}
			rp.Close()
			if n := got.Load(); n < int64(tc.wantBytes) {
				t.Errorf("Do(%s): the agent read %d bytes of body, want at least %d", tc.name, n, tc.wantBytes)
			}
			if n := writes.Load(); tc.oneWrite && n != 1 {
				t.Errorf("Do(%s) took %d writes, want 1", tc.name, n)
			}
		})
	}
}

// TestIsSSE: the Content-Types known without parsing read as
// mime.ParseMediaType reads them.
func TestIsSSE(t *testing.T) {
	for _, tc := range []struct {
		ct   string
		want bool
	}{
		{"text/event-stream", true},
		{"text/event-stream; charset=utf-8", true},
		{"Text/Event-Stream", true},
		{"application/json", false},
		{"", false},
		{"text/plain", false},
		{"text/plain; charset=utf-8", false},
		{"application/json; charset=utf-8", false},
	} {
		resp := &http.Response{Header: http.Header{}}
		if tc.ct != "" {
			resp.Header.Set("Content-Type", tc.ct)
		}
		if got := isSSE(resp); got != tc.want {
			t.Errorf("isSSE(%q) = %v, want %v", tc.ct, got, tc.want)
		}
	}
}

// TestNewUUID: a random version 4 UUID in its canonical form, in one
// allocation.
func TestNewUUID(t *testing.T) {
	s := NewUUID()
	u, err := uuid.Parse(s)
	if err != nil || u.String() != s || u.Version() != 4 || u.Variant() != uuid.RFC4122 {
		t.Errorf("NewUUID() = %q (%v), want a canonical version 4 UUID", s, err)
	}
	if s2 := NewUUID(); s2 == s {
		t.Errorf("NewUUID() twice = %q, want two ids", s)
	}
	if !raceEnabled {
		if n := testing.AllocsPerRun(100, func() { NewUUID() }); n != 1 {
			t.Errorf("NewUUID() allocations = %v, want 1", n)
		}
	}
}

// TestStreamCallAllocs: a stream call's per-event timeout is its context,
// the callback that cancels it, and the timer (with Quiet: what Quiet
// makes), with no closures around them.
func TestStreamCallAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	ctx := context.Background()
	n := testing.AllocsPerRun(100, func() {
		var cl call
		cl.start(&Client{}, ctx, time.Minute, true)
		cl.touch()
		cl.release()
	})
	if n > 5 { // the cancelCtx and its cancel func, fire, the time.Timer, the timerTimeout
		t.Errorf("a stream call's start, touch and release: allocations = %v, want 5", n)
	}
}

// TestStreamCallTimeout: a stream's per-event timeout fires once the wait
// for an event passes d, its context ended by ErrAgentTimeout, and release
// stops it.
func TestStreamCallTimeout(t *testing.T) {
	var cl call
	cl.start(&Client{}, context.Background(), time.Millisecond, true)
	defer cl.release()
	<-cl.ctx.Done()
	if err := context.Cause(cl.ctx); !errors.Is(err, ErrAgentTimeout) {
		t.Errorf("Cause(stream call ctx) = %v, want ErrAgentTimeout", err)
	}
	var quiet call
	var stopped bool
	quiet.start(&Client{Quiet: func(context.Context, time.Duration, func()) Timeout { return stopTimeout{&stopped} }}, context.Background(), time.Minute, true)
	quiet.release()
	if !stopped || quiet.ctx.Err() == nil {
		t.Errorf("release() of a stream call: its Timeout stopped %v, its context %v, want stopped and ended", stopped, quiet.ctx.Err())
	}
}

type stopTimeout struct{ stopped *bool }

func (stopTimeout) Touch()  {}
func (s stopTimeout) Stop() { *s.stopped = true }
