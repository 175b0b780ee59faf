package bridge

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

// The contract tests pin behaviours that had no test before the upstream
// client was moved out of the chat handler (issue 12): a deliberate break
// of each went unnoticed. Each runs a real bridge against a hand-written
// agent.

// artifactPart is an artifact-update adding text to the artifact "a".
func artifactPart(text string, appendMode bool) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"result":{"kind":"artifact-update","taskId":"t1","contextId":"c1","append":%t,"artifact":{"artifactId":"a","parts":[{"kind":"text","text":%q}]}}}`,
		appendMode, text)
}

// TestStreamAgentTimeoutIsPerEvent: on a stream the agent's timeout bounds
// the wait for each event, not the stream: every event read resets it.
// Without the reset every stream would die at the timeout (5 minutes by
// default), however lively the agent. It runs at the default timeout, in a
// synctest bubble (pipeNet): the clock is fake, so 20 minutes of stream
// take no time, and the gaps are exact whatever the machine's load (a
// real-clock version, 600ms and events every 75ms, still failed under load
// when a stalled process let the timer run before the pending event).
func TestStreamAgentTimeoutIsPerEvent(t *testing.T) {
	const timeout = DefaultAgentTimeout
	const events = 20 // one a minute: the stream lasts 4 timeouts
	var want strings.Builder
	for i := range events {
		fmt.Fprintf(&want, "w%d ", i)
	}
	// lively sends an event every timeout/5 and then, after gap, the end.
	lively := func(gap time.Duration) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			// Every wait ends with the call too: a bubble whose test is
			// over must have no goroutine left, even when it failed.
			wait := func(d time.Duration) bool {
				select {
				case <-time.After(d):
					return true
				case <-r.Context().Done():
					return false
				}
			}
			sse(w, evTask)
			for i := range events {
				if !wait(timeout / 5) {
					return
				}
				sse(w, artifactPart(fmt.Sprintf("w%d ", i), i > 0))
			}
			if wait(gap) {
				sse(w, evCompleted)
			}
		}
	}
	cases := []struct {
		name    string
		gap     time.Duration // before the final event
		timeout bool          // the stream ends with an in-band agent_timeout
	}{
		{"an event a minute for 20 minutes", timeout / 5, false},
		{"a last gap just under the timeout", timeout - time.Second, false},
		{"a last gap past the timeout", timeout + time.Second, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				pn := newPipeNet()
				agent := pn.serve(t, "agent.test:80", agentMux(true, lively(tc.gap)))
				base := pn.startBridge(t, Config{Agents: []AgentConfig{{Name: "a", URL: agent, Timeout: Duration{timeout}}}})
				start := time.Now()
				res := post(t, pn.client(t), base+"/v1/chat/completions", chatBody("a2a/a", true, "user", "hi"))
				took := time.Since(start)
				if res.status != 200 {
					t.Fatalf("status = %d, want 200: %s", res.status, res.body)
				}
				if tc.timeout {
					e := decodeError(t, inBandError(t, res.body))
					if deref(e.Error.Code) != "agent_timeout" || took != events*timeout/5+timeout {
						t.Errorf("in-band error = %+v after %v, want code agent_timeout after %v", e.Error, took, events*timeout/5+timeout)
					}
					return
				}
				frames, done := chunks(t, res.body)
				if content, finish := streamText(t, frames); !done || content != want.String() || finish != "stop" {
					t.Errorf("stream = %q (finish %q, done %v) after %v, want %q (stop, done)", content, finish, done, took, want.String())
				}
			})
		})
	}
}

// agentMux is the fault agent's card and endpoint (newFaultAgent), for a
// server of the test's own.
func agentMux(streaming bool, rpc http.HandlerFunc) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/agent-card.json", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"name":"fault","protocolVersion":"0.3.0","url":"/rpc","capabilities":{"streaming":%t}}`, streaming)
	})
	mux.HandleFunc("POST /rpc", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		rpc(w, r)
	})
	return mux
}

// pipeNet is an in-memory network of HTTP servers for tests in a synctest
// bubble, whose clock moves only when every goroutine in it is blocked on
// something of the bubble: a real socket never counts, a net.Pipe does.
type pipeNet struct {
	mu        sync.Mutex
	listeners map[string]*pipeListener
}

func newPipeNet() *pipeNet { return &pipeNet{listeners: map[string]*pipeListener{}} }

// dial connects to the listener at addr ("host:port").
func (pn *pipeNet) dial(ctx context.Context, _, addr string) (net.Conn, error) {
	pn.mu.Lock()
	l := pn.listeners[addr]
	pn.mu.Unlock()
	if l == nil {
		return nil, fmt.Errorf("dial %s: %w", addr, syscall.ECONNREFUSED)
	}
	c, s := net.Pipe()
	select {
	case l.conns <- s:
		return c, nil
	case <-l.done:
		return nil, fmt.Errorf("dial %s: %w", addr, syscall.ECONNREFUSED)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (pn *pipeNet) listen(addr string) *pipeListener {
	l := &pipeListener{addr: pipeAddr(addr), conns: make(chan net.Conn), done: make(chan struct{})}
	pn.mu.Lock()
	pn.listeners[addr] = l
	pn.mu.Unlock()
	return l
}

// serve serves h at addr until the test ends and returns its base URL.
func (pn *pipeNet) serve(t *testing.T, addr string, h http.Handler) string {
	srv := &http.Server{Handler: h}
	ln := pn.listen(addr) // before serve returns: the bridge dials it at once
	done := make(chan struct{})
	go func() { _ = srv.Serve(ln); close(done) }()
	t.Cleanup(func() { _ = srv.Close(); <-done })
	return "http://" + addr
}

// startBridge is startBridge on the pipeNet: the bridge's upstream client
// dials the pipeNet's servers.
func (pn *pipeNet) startBridge(t *testing.T, cfg Config) string {
	s, err := New(cfg, testLogger(t))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	for _, c := range []*http.Client{s.clients.HTTP1, s.clients.H2C} {
		c.Transport.(*http.Transport).DialContext = pn.dial
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	ln := pn.listen("127.0.0.1:80")
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return "http://127.0.0.1:80"
}

// client is an HTTP client on the pipeNet, without a timeout (the bubble's
// streams last fake minutes).
func (pn *pipeNet) client(t *testing.T) *http.Client {
	c := &http.Client{Transport: &http.Transport{DialContext: pn.dial}}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

type pipeListener struct {
	addr  pipeAddr
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return l.addr }

type pipeAddr string

func (a pipeAddr) Network() string { return "pipe" }
func (a pipeAddr) String() string  { return string(a) }

// TestStreamMaxAnswer: limits.max_answer bounds a streamed answer too,
// where each event is bounded only by max_event: past it the stream ends
// with an in-band error, having sent no more than the limit.
func TestStreamMaxAnswer(t *testing.T) {
	checkLeaks(t)
	const maxAnswer = 1 << 10
	agent := newFaultAgent(t, true, func(w http.ResponseWriter, r *http.Request) {
		sse(w, evTask)
		for i := range 10 { // 3,000 bytes in all, 300 an event
			sse(w, artifactPart(strings.Repeat("x", 300), i > 0))
		}
		sse(w, evCompleted)
	})
	base := startBridge(t, Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL}}, Limits: Limits{MaxAnswer: maxAnswer}})
	res := post(t, httpClient(t), base+"/v1/chat/completions", chatBody("a2a/a", true, "user", "hi"))
	if res.status != 200 {
		t.Fatalf("status = %d, want 200 and an in-band error: %s", res.status, res.body)
	}
	e := decodeError(t, inBandError(t, res.body))
	if deref(e.Error.Code) != "agent_error" || !strings.Contains(e.Error.Message, "size limit") {
		t.Errorf("in-band error = %+v, want agent_error past the size limit", e.Error)
	}
	i := strings.LastIndex(string(res.body), "data: {\"error\":")
	frames, _ := chunks(t, res.body[:i])
	if content, _ := streamText(t, frames); len(content) > maxAnswer {
		t.Errorf("streamed %d bytes of answer, want at most max_answer (%d)", len(content), maxAnswer)
	}
}

// TestShouldRetryHeader: a task the agent failed gets X-Should-Retry:
// false (asking again cannot help, and the OpenAI SDKs would retry a 5xx);
// a transport failure does not, so that SDKs retry it. Only the header is
// pinned: the status of a failed task may change.
func TestShouldRetryHeader(t *testing.T) {
	failed := func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, failedTask) }
	cases := []struct {
		name      string
		streaming bool // the agent's card
		stream    bool // the client's request
		rpc       http.HandlerFunc
		down      bool   // nothing listens at the agent's address
		want      string // X-Should-Retry
	}{
		{name: "failed task", rpc: failed, want: "false"},
		{name: "failed task streamed from one send", stream: true, rpc: failed, want: "false"},
		{name: "agent answers HTTP 500", streaming: true, rpc: func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		}},
		{name: "agent answers HTTP 500 to a stream", streaming: true, stream: true, rpc: func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		}},
		{name: "agent unreachable", down: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkLeaks(t)
			var url string
			if tc.down {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				url = "http://" + ln.Addr().String()
				ln.Close()
			} else {
				url = newFaultAgent(t, tc.streaming, tc.rpc).URL
			}
			base := startBridge(t, Config{Agents: []AgentConfig{{Name: "a", URL: url}}})
			res := post(t, httpClient(t), base+"/v1/chat/completions", chatBody("a2a/a", tc.stream, "user", "hi"))
			if got := res.header.Get("X-Should-Retry"); got != tc.want {
				t.Errorf("X-Should-Retry = %q, want %q (status %d: %s)", got, tc.want, res.status, res.body)
			}
			if tc.want == "" && res.status != http.StatusBadGateway {
				t.Errorf("status = %d, want 502 (a transport failure): %s", res.status, res.body)
			}
		})
	}
}

// bigText is an answer larger than what the loopback's socket buffers
// hold (4 MiB to send, a few hundred KiB to receive for a reader that
// does not read): the bridge's write of it blocks until the client reads,
// or fails once it hangs up.
var bigText = strings.Repeat("x", 16<<20)

// TestNoCancelForFinishedTask: a client that goes away makes the bridge
// send tasks/cancel for a task still running, and only then: a task that
// completed, or that waits for the client's answer (input-required, to be
// continued later), is left alone.
//
// Deterministic: the agent's answer is too big for the socket buffers, so
// the bridge is still writing the event that finished the task (already
// read and handled) when the client hangs up; the write fails, and
// net/http cancels the request's context before it returns. stop waits for
// the handler, and so for any tasks/cancel, before the count.
func TestNoCancelForFinishedTask(t *testing.T) {
	task := func(state string) string {
		return fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"t1","contextId":"c1","status":{"state":%q},"artifacts":[{"artifactId":"a","parts":[{"kind":"text","text":%q}]}]}}`,
			state, bigText)
	}
	cases := []struct {
		name   string
		events []string // after them the agent waits until the bridge hangs up
		cancel bool     // the agent must see tasks/cancel
	}{
		{"running task", []string{evTask, artifactPart(bigText, false)}, true},
		{"completed task", []string{task("completed")}, false},
		{"input-required task", []string{task("input-required")}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkLeaks(t)
			var mu sync.Mutex
			var cancels []string
			agent := newFaultAgent(t, true, func(w http.ResponseWriter, r *http.Request) {
				if _, body := lastBody(r); strings.Contains(body, `"tasks/cancel"`) {
					mu.Lock()
					cancels = append(cancels, body)
					mu.Unlock()
					fmt.Fprint(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"t1","status":{"state":"canceled"}}}`)
					return
				}
				sse(w, tc.events...)
				<-r.Context().Done()
			})
			base, stop := startBridgeStop(t, Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL}},
				Limits: Limits{MaxEvent: 32 << 20, MaxAnswer: 32 << 20}, Server: ServerConfig{ShutdownGrace: Duration{10 * time.Second}}})
			hangUpAfterHeaders(t, base, chatBody("a2a/a", true, "user", "long job"))
			stop() // every handler has returned, and sent its tasks/cancel if any
			mu.Lock()
			defer mu.Unlock()
			switch {
			case tc.cancel && (len(cancels) != 1 || !strings.Contains(cancels[0], `"params":{"id":"t1"}`)):
				t.Errorf("tasks/cancel calls = %q, want one for t1", cancels)
			case !tc.cancel && len(cancels) != 0:
				t.Errorf("tasks/cancel calls = %q, want none (%s)", cancels, tc.name)
			}
		})
	}
}

// hangUpAfterHeaders sends a chat request on a connection of its own,
// reads the response headers and resets the connection, the rest unread.
func hangUpAfterHeaders(t *testing.T, base, body string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	br := bufio.NewReader(conn)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("response headers: %v", err)
		}
		if line == "\r\n" {
			break
		}
	}
	// Linger 0: close resets the connection at once, as a client that
	// crashed or was killed does.
	_ = conn.(*net.TCPConn).SetLinger(0)
}

// TestCommittedStreamGetsNoErrorBody: once a stream started, its status is
// final and the only error a client sees is the stream's own: one in-band
// error frame, and after it nothing. The error handler must not append a
// JSON error body to a committed response.
func TestCommittedStreamGetsNoErrorBody(t *testing.T) {
	t.Run("agent fails mid-stream", func(t *testing.T) {
		checkLeaks(t)
		agent := newFaultAgent(t, true, func(w http.ResponseWriter, r *http.Request) { sse(w, evTask, evPart, evFailed) })
		base := startBridge(t, Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL}}})
		res := post(t, httpClient(t), base+"/v1/chat/completions", chatBody("a2a/a", true, "user", "hi"))
		if n := strings.Count(string(res.body), `data: {"error":`); res.status != 200 || n != 1 {
			t.Fatalf("status %d with %d in-band error frames, want 200 and one: %s", res.status, n, res.body)
		}
		inBandError(t, res.body) // the last frame, nothing after it
		onlyFrames(t, string(res.body))
	})
	// A client that half-closes its connection is gone for net/http (the
	// request's context ends) but still reads: whatever the bridge writes
	// after the stream started reaches it.
	t.Run("client half-closes mid-stream", func(t *testing.T) {
		checkLeaks(t)
		agent := newFaultAgent(t, true, func(w http.ResponseWriter, r *http.Request) {
			if _, body := lastBody(r); strings.Contains(body, `"tasks/cancel"`) {
				fmt.Fprint(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"t1","status":{"state":"canceled"}}}`)
				return
			}
			sse(w, evTask, evPart)
			<-r.Context().Done()
		})
		base := startBridge(t, Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL}}})
		sse := halfCloseMidStream(t, base, chatBody("a2a/a", true, "user", "hi"))
		if strings.Contains(sse, `{"error":`) {
			t.Errorf("a stream whose client left got an error after it started: %q", sse)
		}
		onlyFrames(t, sse)
	})
}

// onlyFrames checks that an SSE body holds nothing but frames and comments.
func onlyFrames(t *testing.T, body string) {
	t.Helper()
	if !strings.HasSuffix(body, "\n\n") {
		t.Errorf("stream ends with %q, not the end of a frame", body[max(0, len(body)-80):])
	}
	for block := range strings.SplitSeq(strings.TrimSuffix(body, "\n\n"), "\n\n") {
		if !strings.HasPrefix(block, "data: ") && !strings.HasPrefix(block, ": ") {
			t.Errorf("stream holds %q, neither a data frame nor a comment", block)
		}
	}
}

// halfCloseMidStream sends a stream request, reads up to its first data
// frame, closes its side of the connection and reads the rest: the SSE
// body, de-chunked.
func halfCloseMidStream(t *testing.T, base, body string) string {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	var got strings.Builder
	buf := make([]byte, 4096)
	for !strings.Contains(got.String(), "data: ") {
		n, err := conn.Read(buf)
		got.Write(buf[:n])
		if err != nil {
			t.Fatalf("read the stream's start: %v after %q", err, got.String())
		}
	}
	if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(conn)
	if err != nil {
		t.Fatalf("read the stream after the half-close: %v", err)
	}
	got.Write(rest)
	head, chunked, ok := strings.Cut(got.String(), "\r\n\r\n")
	if !ok || !strings.HasPrefix(head, "HTTP/1.1 200") {
		t.Fatalf("answer %q, want a 200 stream", got.String())
	}
	return dechunk(t, chunked)
}
