package bridge

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a2a-bridge/a2a-bridge/stream"
	"github.com/rs/zerolog"
	"go.uber.org/goleak"
)

// The end-to-end tests run the bridge on 127.0.0.1 against real A2A agents
// built on the official SDKs (testdata/node/peers, testdata/peers/go03) and
// real OpenAI clients. `make test` installs the Node modules first.

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var repoRoot = func() string {
	wd, _ := os.Getwd()
	return filepath.Dir(wd)
}()

// peer is a running test agent process.
type peer struct {
	name     string
	url      string // base URL
	protocol string // the agent's protocol setting, when pinned
}

// startProcess runs cmd, waits for its "READY <url>" line and stops it when
// the test ends. The peers exit when their stdin closes.
func startProcess(t *testing.T, name string, cmd *exec.Cmd) peer {
	t.Helper()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		ready <- strings.TrimSpace(line)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case line := <-ready:
		u, ok := strings.CutPrefix(line, "READY ")
		if !ok {
			t.Fatalf("%s did not start: %q; stderr:\n%s", name, line, stderr.String())
		}
		return peer{name: name, url: u}
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not start in 20s; stderr:\n%s", name, stderr.String())
	}
	return peer{}
}

// startJSPeer runs a Node peer script of testdata/node/peers.
func startJSPeer(t *testing.T, script string, args ...string) peer {
	t.Helper()
	dir := filepath.Join(repoRoot, "testdata", "node")
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
		t.Fatalf("Node test modules missing: run `make test` (it runs npm ci in %s)", dir)
	}
	cmd := exec.Command("node", append([]string{filepath.Join("peers", script)}, args...)...)
	cmd.Dir = dir
	return startProcess(t, strings.TrimSuffix(script, ".mjs")+strings.Join(args, ""), cmd)
}

var goPeers struct {
	sync.Mutex
	bins map[string]string
	dir  string
}

// startGoPeer builds (once per test binary) and runs a Go peer module of
// testdata/peers; its dependencies stay in its own go.mod.
func startGoPeer(t *testing.T, module string, args ...string) peer {
	t.Helper()
	goPeers.Lock()
	bin, ok := goPeers.bins[module]
	if !ok {
		if goPeers.dir == "" {
			dir, err := os.MkdirTemp("", "a2a-bridge-peers-")
			if err != nil {
				goPeers.Unlock()
				t.Fatal(err)
			}
			goPeers.dir = dir
			goPeers.bins = map[string]string{}
		}
		bin = filepath.Join(goPeers.dir, module)
		build := exec.Command("go", "build", "-o", bin, ".")
		build.Dir = filepath.Join(repoRoot, "testdata", "peers", module)
		if out, err := build.CombinedOutput(); err != nil {
			goPeers.Unlock()
			t.Fatalf("build peer %s: %v\n%s", module, err, out)
		}
		goPeers.bins[module] = bin
	}
	goPeers.Unlock()
	return startProcess(t, module+strings.Join(args, ""), exec.Command(bin, args...))
}

// testLogger writes the bridge's log lines to the test log.
func testLogger(t *testing.T) zerolog.Logger {
	return zerolog.New(zerolog.ConsoleWriter{Out: tWriter{t}, NoColor: true}).Level(zerolog.DebugLevel)
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// startBridge serves a bridge for cfg on 127.0.0.1 and returns its base URL.
// It is shut down, and its goroutines gone, when the test ends.
func startBridge(t *testing.T, cfg Config) string {
	t.Helper()
	base, _ := startBridgeStop(t, cfg)
	return base
}

// startBridgeStop is startBridge that also returns stop, which shuts the bridge
// down and returns once every request in flight has ended: whatever a
// request did upstream (a tasks/cancel) is done by then. stop may be called
// more than once; the test's end calls it too.
func startBridgeStop(t *testing.T, cfg Config) (base string, stop func()) {
	t.Helper()
	s, err := New(cfg, testLogger(t))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return serve(t, s)
}

// serve serves s on a port of 127.0.0.1 and returns its base URL and stop,
// as startBridgeStop does.
func serve(t *testing.T, s *Server) (base string, stop func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveOn(t, s, ln)
}

// serveOn is serve on the listener ln.
func serveOn(t *testing.T, s *Server, ln net.Listener) (base string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Serve: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return "http://" + ln.Addr().String(), stop
}

// checkLeaks fails t if goroutines that were not there when it was called
// are still running once the test and its cleanups are done. Call it first
// in every test that streams, so that its check runs after the cleanups
// that stop the test's servers and clients (cleanups run last first).
// goleak retries for about a second, enough for closed connections' read
// and write loops to end. TestMain's check stays: it catches a leak this
// one was not called for.
func checkLeaks(t *testing.T) {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
}

// agentsFor is a config with one agent per peer, named after the peer.
func agentsFor(peers ...peer) Config {
	var cfg Config
	for _, p := range peers {
		cfg.Agents = append(cfg.Agents, AgentConfig{Name: p.name, URL: p.url, Protocol: p.protocol, Timeout: Duration{20 * time.Second}})
	}
	return cfg
}

// httpClient is a client whose idle connections are closed when the test
// ends, so the leak check sees no keep-alive goroutines.
func httpClient(t *testing.T) *http.Client {
	c := &http.Client{Transport: &http.Transport{}, Timeout: 30 * time.Second}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

type result struct {
	status int
	header http.Header
	body   []byte
}

// post sends body to the bridge's path and reads the whole answer.
func post(t *testing.T, c *http.Client, url, body string, header ...string) result {
	t.Helper()
	res, err := tryPost(c, url, body, header...)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// tryPost is post for goroutines other than the test's, which must not
// call t.Fatal: it returns the error instead.
func tryPost(c *http.Client, url, body string, header ...string) (result, error) {
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return result{}, err
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		return result{}, fmt.Errorf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return result{}, fmt.Errorf("read answer: %v", err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// chunks decodes an OpenAI SSE answer into its data frames; done reports
// whether it ended with [DONE].
func chunks(t *testing.T, body []byte) (frames []map[string]any, done bool) {
	t.Helper()
	for ev, err := range stream.Events(bytes.NewReader(body), 1<<20) {
		if err != nil {
			t.Fatalf("bridge SSE: %v", err)
		}
		if done {
			t.Fatalf("frame after [DONE]: %s", ev.Data)
		}
		if string(ev.Data) == "[DONE]" {
			done = true
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(ev.Data, &m); err != nil {
			t.Fatalf("frame %q is not JSON: %v", ev.Data, err)
		}
		frames = append(frames, m)
	}
	return frames, done
}

// streamText is the content of a chunk stream and its last finish_reason.
func streamText(t *testing.T, frames []map[string]any) (content, finish string) {
	t.Helper()
	var b strings.Builder
	for _, f := range frames {
		choices, _ := f["choices"].([]any)
		if len(choices) == 0 {
			continue
		}
		ch := choices[0].(map[string]any)
		delta, _ := ch["delta"].(map[string]any)
		if s, ok := delta["content"].(string); ok {
			b.WriteString(s)
		}
		if fr, ok := ch["finish_reason"].(string); ok {
			finish = fr
		}
	}
	return b.String(), finish
}

// completionText is the content and finish_reason of a chat.completion.
func completionText(t *testing.T, body []byte) (content, finish string) {
	t.Helper()
	var c struct {
		Object  string `json:"object"`
		Choices []struct {
			Message struct {
				Role    string  `json:"role"`
				Content *string `json:"content"`
			} `json:"message"`
			FinishReason string `json:"finish_reason"`
		} `json:"choices"`
	}
	if err := json.Unmarshal(body, &c); err != nil || c.Object != "chat.completion" || len(c.Choices) != 1 || c.Choices[0].Message.Content == nil {
		t.Fatalf("not a chat.completion with one choice (%v): %s", err, body)
	}
	if c.Choices[0].Message.Role != "assistant" {
		t.Errorf("role = %q, want assistant", c.Choices[0].Message.Role)
	}
	return *c.Choices[0].Message.Content, c.Choices[0].FinishReason
}

// openAIError is the {"error":{...}} body every error must have.
type openAIError struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    *string `json:"code"`
	} `json:"error"`
}

func decodeError(t *testing.T, body []byte) openAIError {
	t.Helper()
	var e openAIError
	var raw map[string]map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatalf("error body is not JSON: %s", body)
	}
	for _, k := range []string{"message", "type", "param", "code"} {
		if _, ok := raw["error"][k]; !ok {
			t.Errorf("error body lacks error.%s: %s", k, body)
		}
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Error.Message == "" || e.Error.Type == "" {
		t.Fatalf("not an OpenAI error body (%v): %s", err, body)
	}
	return e
}

// runNode runs a Node client script of testdata/node/clients with job as
// its stdin and decodes its one JSON line of output into out.
func runNode(t *testing.T, script string, job any, out any) {
	t.Helper()
	in, _ := json.Marshal(job)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join("clients", script))
	cmd.Dir = filepath.Join(repoRoot, "testdata", "node")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, stderr.String())
	}
	if err := json.Unmarshal(stdout, out); err != nil {
		t.Fatalf("node %s printed %q: %v", script, stdout, err)
	}
}
