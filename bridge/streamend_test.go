package bridge

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// TestStreamEndOneWrite: a chat or Responses stream's last frames go out
// with the end of the chunked body in one write to the connection, not a
// flush of their own followed by net/http's write of the end.
func TestStreamEndOneWrite(t *testing.T) {
	checkLeaks(t)
	agent := newFaultAgent(t, true, func(w http.ResponseWriter, r *http.Request) { sse(w, evTask, evPart, evCompleted) })
	for _, tc := range []struct{ name, path, body, last string }{
		{"chat", "/v1/chat/completions", chatBody("a2a/a", true, "user", "hi"), "data: [DONE]\n\n"},
		{"responses", "/v1/responses", `{"model":"a2a/a","input":"hi","stream":true}`, `"type":"response.completed"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL}}}, testLogger(t))
			if err != nil {
				t.Fatal(err)
			}
			inner, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ln := &lastWriteListener{Listener: inner}
			base, _ := serveOn(t, s, ln)
			c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			t.Cleanup(c.CloseIdleConnections)
			resp, err := c.Post(base+tc.path, "application/json", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(b), tc.last) {
				t.Fatalf("POST %s = %d %s, want a stream ending in %s", tc.path, resp.StatusCode, b, tc.last)
			}
			last := ln.last()
			if !bytes.HasSuffix(last, []byte("0\r\n\r\n")) || !bytes.Contains(last, []byte(tc.last)) {
				t.Errorf("the connection's last write = %q, want %s and the chunked end together", last, tc.last)
			}
		})
	}
}

// lastWriteListener keeps what its connections wrote last.
type lastWriteListener struct {
	net.Listener
	mu sync.Mutex
	b  []byte
}

func (l *lastWriteListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &lastWriteConn{Conn: c, l: l}, nil
}

func (l *lastWriteListener) last() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b
}

type lastWriteConn struct {
	net.Conn
	l *lastWriteListener
}

func (c *lastWriteConn) Write(p []byte) (int, error) {
	c.l.mu.Lock()
	c.l.b = append(c.l.b[:0], p...)
	c.l.mu.Unlock()
	return c.Conn.Write(p)
}
