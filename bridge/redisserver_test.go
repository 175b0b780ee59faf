package bridge

import (
	"bytes"
	"net"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// redisServer is a real redis-server (Debian's package; make redis-deps)
// on a free port of 127.0.0.1, without persistence, stopped when the test
// ends. kill and start stop and restart it on the same port (an outage).
type redisServer struct {
	t    testing.TB
	port int
	cmd  *exec.Cmd
	exit chan struct{}
}

// startRedis starts a redis-server for t.
func startRedis(t testing.TB) *redisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatal("redis-server is not installed: make redis-deps (apt-get install -y redis-server)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	r := &redisServer{t: t, port: port}
	r.start()
	t.Cleanup(r.kill)
	return r
}

// url is the server's redis.url.
func (r *redisServer) url() string { return "redis://127.0.0.1:" + strconv.Itoa(r.port) + "/0" }

// start runs redis-server on r's port and returns once it accepts
// connections (it says so on stdout).
func (r *redisServer) start() {
	r.t.Helper()
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "notice")
	w := &readyWriter{ready: make(chan struct{}), marker: "Ready to accept connections"}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.cmd, r.exit = cmd, make(chan struct{})
	exit := r.exit
	go func() { _ = cmd.Wait(); close(exit) }()
	select {
	case <-w.ready:
	case <-exit:
		r.t.Fatalf("redis-server did not start:\n%s", w.String())
	}
}

// readyWriter keeps a process's output and closes ready once it writes
// marker (redis-server: that it accepts connections).
type readyWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	ready  chan struct{}
	marker string
	said   bool
}

func (w *readyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if !w.said && strings.Contains(w.buf.String(), w.marker) {
		w.said = true
		close(w.ready)
	}
	return len(p), nil
}

func (w *readyWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// kill stops redis-server at once (SIGKILL), as a crash would; again is a no-op.
func (r *redisServer) kill() {
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	<-r.exit
	r.cmd = nil
}

// awaitDialProbe makes t's end wait, before the leak check, for go-redis's
// dial prober: after PoolSize failed dials in a row it starts a goroutine
// that dials once a second until one succeeds or, after Close, until its
// next wake-up. Call it right after checkLeaks.
func awaitDialProbe(t *testing.T) {
	t.Cleanup(func() {
		deadline := time.Now().Add(3 * time.Second)
		buf := make([]byte, 1<<20)
		for time.Now().Before(deadline) {
			if n := runtime.Stack(buf, true); !bytes.Contains(buf[:n], []byte("(*ConnPool).tryDial")) {
				return
			}
			time.Sleep(20 * time.Millisecond) // its wake-up is a second's sleep: nothing to wait on
		}
	})
}
