package bridge

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The rest of the fault matrix: rate limits, forbidden, endless and huge
// answers, slow clients, and shutdown with streams in flight. Each row
// checks the exact answer and that the bridge keeps serving; TestMain
// checks that no goroutine is left.

func stillServing(t *testing.T, base string) {
	t.Helper()
	if res := get(t, httpClient(t), base+"/healthz"); res.status != 200 {
		t.Errorf("bridge no longer serving: %d", res.status)
	}
}

func TestRateLimitPassesThrough(t *testing.T) {
	checkLeaks(t)
	agent := newFaultAgent(t, true, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	})
	base := startBridge(t, Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL, APIKey: upstreamSecret}}})
	for _, stream := range []bool{false, true} {
		res := post(t, httpClient(t), base+"/v1/chat/completions", chatBody("a2a/a", stream, "user", "hi"))
		e := decodeError(t, res.body)
		if res.status != 429 || res.header.Get("Retry-After") != "7" || e.Error.Type != "rate_limit_exceeded" {
			t.Errorf("stream=%v: %d Retry-After %q %s, want 429 with Retry-After 7", stream, res.status, res.header.Get("Retry-After"), res.body)
		}
	}
	stillServing(t, base)
}

func TestForbiddenAgentHidesKey(t *testing.T) {
	agent := newFaultAgent(t, true, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "forbidden for "+r.Header.Get("Authorization"), http.StatusForbidden)
	})
	base := startBridge(t, Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL, APIKey: upstreamSecret}}})
	res := post(t, httpClient(t), base+"/v1/chat/completions", chatBody("a2a/a", false, "user", "hi"))
	if res.status != 502 || strings.Contains(string(res.body), upstreamSecret) || strings.Contains(string(res.body), agent.URL) {
		t.Errorf("%d %s, want 502 without the key or URL", res.status, res.body)
	}
	stillServing(t, base)
}

// TestEndlessAndHugeAnswers: an event that never ends and a 1 GB answer are
// cut at the configured bounds, with a 502, reading only about that much.
func TestEndlessAndHugeAnswers(t *testing.T) {
	checkLeaks(t)
	var written atomic.Int64
	endless := func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("Accept"), "event-stream") {
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = io.WriteString(w, "data: ")
		} else {
			_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"message","parts":[{"kind":"text","text":"`)
		}
		chunk := []byte(strings.Repeat("a", 64<<10))
		for written.Load() < 1<<30 { // 1 GB, unless the bridge hangs up first
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}
	agent := newFaultAgent(t, true, endless)
	cfg := Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL}}, Limits: Limits{MaxEvent: 256 << 10, MaxAnswer: 1 << 20}}
	base := startBridge(t, cfg)
	for _, stream := range []bool{false, true} {
		written.Store(0)
		start := time.Now()
		res := post(t, httpClient(t), base+"/v1/chat/completions", chatBody("a2a/a", stream, "user", "hi"))
		e := decodeError(t, res.body)
		if res.status != 502 || !strings.Contains(e.Error.Message, "size limit") {
			t.Errorf("stream=%v: %d %s, want 502 past the size limit", stream, res.status, res.body)
		}
		if w := written.Load(); w > 64<<20 {
			t.Errorf("stream=%v: the agent got to write %d MiB before the bridge hung up", stream, w>>20)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("stream=%v: took %v", stream, d)
		}
	}
	stillServing(t, base)
}

// TestSlowClientsAreCut: a client that trickles its headers or its body is
// cut by the server's read timeouts instead of holding a connection.
func TestSlowClientsAreCut(t *testing.T) {
	cfg := Config{Server: ServerConfig{ReadHeaderTimeout: Duration{300 * time.Millisecond}, ReadBodyTimeout: Duration{300 * time.Millisecond}}}
	base := startBridge(t, cfg)
	addr := strings.TrimPrefix(base, "http://")
	cases := []struct{ name, sent string }{
		{"headers never finished", "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: appl"},
		{"body never finished", "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"model\":"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			start := time.Now()
			if _, err := io.WriteString(conn, tc.sent); err != nil {
				t.Fatal(err)
			}
			_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			got, err := io.ReadAll(conn) // ends when the server closes the connection
			if d := time.Since(start); err != nil || d > 3*time.Second {
				t.Errorf("connection held %v (err %v), want it cut after about 300ms", d, err)
			}
			if len(got) > 0 && !strings.HasPrefix(string(got), "HTTP/1.1 408") {
				t.Errorf("answer %q, want nothing or a 408", got)
			}
		})
	}
	stillServing(t, base)
}

// TestShutdownDrains: on SIGTERM (Serve's context ends) a stream in flight
// finishes, new connections are refused, and Serve returns nil. Channels
// order it: the stream is under way at the agent when shutdown begins, and
// finishes once the listener is closed.
func TestShutdownDrains(t *testing.T) {
	checkLeaks(t)
	streaming, finish := make(chan struct{}), make(chan struct{})
	agent := newFaultAgent(t, true, func(w http.ResponseWriter, r *http.Request) {
		sse(w, evTask, evPart)
		close(streaming)
		select {
		case <-finish:
		case <-r.Context().Done():
			return
		}
		sse(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":"t1","contextId":"c1","final":true,"status":{"state":"completed"}}}`)
	})
	s, err := New(Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL}}, Server: ServerConfig{ShutdownGrace: Duration{5 * time.Second}}}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &closeNotifyListener{Listener: inner, closed: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()
	type answer struct {
		res result
		err error
	}
	got := make(chan answer, 1)
	client := httpClient(t)
	go func() {
		res, err := tryPost(client, base+"/v1/chat/completions", chatBody("a2a/a", true, "user", "hi"))
		got <- answer{res, err}
	}()
	timeout := time.After(10 * time.Second)
	select {
	case <-streaming: // still streaming when shutdown begins
	case <-timeout:
		t.Fatal("the stream did not reach the agent in 10s")
	}
	cancel() // SIGTERM
	select {
	case <-ln.closed:
	case <-timeout:
		t.Fatal("the listener was not closed in 10s of shutdown")
	}
	if conn, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		conn.Close()
		t.Error("a new connection was accepted while draining")
	}
	close(finish)
	var a answer
	select {
	case a = <-got:
	case <-timeout:
		t.Fatal("the stream in flight did not end in 10s")
	}
	if a.err != nil {
		t.Fatalf("stream in flight: %v", a.err)
	}
	frames, done := chunks(t, a.res.body)
	if content, _ := streamText(t, frames); !done || content != "partial " {
		t.Errorf("stream in flight = %q (done %v), want it finished", content, done)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return")
	}
}

// closeNotifyListener closes closed once it is closed itself.
type closeNotifyListener struct {
	net.Listener
	once   sync.Once
	closed chan struct{}
}

func (l *closeNotifyListener) Close() error {
	err := l.Listener.Close()
	l.once.Do(func() { close(l.closed) })
	return err
}

// TestDrainingAnswers503: a request that still reaches a draining bridge
// (on a connection it had) gets 503 service_unavailable.
func TestDrainingAnswers503(t *testing.T) {
	s, err := New(Config{}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	s.draining.Store(true)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/v1/models", nil)
	s.Handler().ServeHTTP(rec, req)
	if e := decodeError(t, rec.Body.Bytes()); rec.Code != 503 || e.Error.Type != "service_unavailable" {
		t.Errorf("%d %s, want 503 service_unavailable", rec.Code, rec.Body.Bytes())
	}
}
