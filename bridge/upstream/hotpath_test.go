package upstream

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

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
