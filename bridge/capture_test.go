package bridge

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"
)

// logBuffer collects a bridge's JSON log lines for a test to read.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything logged so far.
func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines returns the log lines written so far.
func (b *logBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Split(strings.TrimRight(b.buf.String(), "\n"), "\n")
}

// matching returns the log lines that contain every one of subs.
func (b *logBuffer) matching(subs ...string) []string {
	var out []string
	for _, l := range b.lines() {
		all := true
		for _, s := range subs {
			all = all && strings.Contains(l, s)
		}
		if all {
			out = append(out, l)
		}
	}
	return out
}

// serveBridge is startBridge with the bridge's log captured in a logBuffer,
// and setup called on the server before it serves (to add test-only routes).
func serveBridge(t *testing.T, cfg Config, setup func(*Server)) (*Server, string, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	s, err := New(cfg, zerologTo(logs))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if setup != nil {
		setup(s)
	}
	// Registered first, so it runs after serve's stop: the log is whole.
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("bridge log:\n%s", logs)
		}
	})
	base, _ := serve(t, s)
	return s, base, logs
}

func zerologTo(b *logBuffer) zerolog.Logger { return zerolog.New(b).Level(zerolog.DebugLevel) }
