// Command record records the exact HTTP response bodies of the Go test peers for the bridge's golden
// tests, the Go counterpart of testdata/node/record.mjs (same files, same requests):
//
//	cd testdata/peers/gov2 && go run ./record [go03 | gov2-v1 | gov2-v03 ...]   (default: all three)
//
// It builds ../go03 and this module's peer, runs each on a fixed port (so the card URLs do not change
// between recordings; the port must be free), sends each MODE of testdata/peers/MODES.md as the bridge
// would (T = "user: hello world MODE:<mode>", "user: hello world" for default; 0.3: message/send and
// message/stream with `kind` parts and configuration {acceptedOutputModes:["text/plain"], blocking:true};
// 1.0: SendMessage and SendStreamingMessage with header A2A-Version: 1.0 and 1.0 parts), and writes the
// response bodies byte for byte (after HTTP de-chunking) to ../../recordings/<target>/:
//
//	card.json                   GET of the agent card (sent with A2A-Version: 1.0, as the bridge does)
//	<mode>.send.json            message/send | SendMessage
//	<mode>.stream.sse           message/stream | SendStreamingMessage (cut: stream only)
//	nonblocking.get.json        tasks/get | GetTask of the nonblocking task, 800 ms after its send
//	input-followup.send.json    the input-required task's follow-up (same taskId), T = the flattened chat
//	input-followup.stream.sse   the same over a stream (on a second input-required task)
//	nostream.card.json          the card of -no-stream
//	nostream.stream.sse         a stream call to -no-stream (Go answers it as SSE: one -32004 error event)
//	meta.json                   per file: the request (method, text), HTTP status and Content-Type
//
// gov2-v1 and gov2-v03 are the same gov2 process seen through its two endpoints (/v1, /v03).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

type target struct {
	peer string // directory under testdata/peers
	port int
	rpc  string // JSON-RPC path
	v1   bool   // 1.0 dialect (else 0.3)
}

var targets = map[string]target{
	"go03":     {peer: "go03", port: 47203, rpc: "/invoke"},
	"gov2-v1":  {peer: "gov2", port: 47220, rpc: "/v1", v1: true},
	"gov2-v03": {peer: "gov2", port: 47220, rpc: "/v03"},
}

var order = []string{"go03", "gov2-v1", "gov2-v03"}

var modes = []string{"default", "message", "snapshot", "input", "fail", "reject", "data", "file", "progress",
	"statusonly", "echo", "nonblocking", "cut"}

const cardPath = "/.well-known/agent-card.json"

func textFor(mode string) string {
	if mode == "default" {
		return "user: hello world"
	}
	return "user: hello world MODE:" + mode
}

type metaEntry struct {
	Request     string `json:"request"`
	Note        string `json:"note,omitempty"`
	Text        string `json:"text,omitempty"`
	Status      int    `json:"status"`
	ContentType string `json:"contentType"`
}

type peer struct {
	base  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

// start runs bin on t.port and waits for its READY line.
func start(bin string, t target, extra ...string) (*peer, error) {
	cmd := exec.Command(bin, append([]string{"-port", fmt.Sprint(t.port)}, extra...)...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	base, ok := strings.CutPrefix(strings.TrimSpace(line), "READY ")
	if err != nil || !ok {
		stdin.Close()
		cmd.Wait()
		return nil, fmt.Errorf("%s: no READY line (got %q, %v)", bin, line, err)
	}
	return &peer{base: base, cmd: cmd, stdin: stdin}, nil
}

// stop closes the peer's stdin (its exit signal) and waits for it.
func (p *peer) stop() {
	p.stdin.Close()
	p.cmd.Wait()
}

type recorder struct {
	t    target
	dir  string
	meta map[string]metaEntry
}

func (r *recorder) messageParams(id, text, taskID string) map[string]any {
	msg := map[string]any{"messageId": id}
	if taskID != "" {
		msg["taskId"] = taskID
	}
	if r.t.v1 {
		msg["role"] = "ROLE_USER"
		msg["parts"] = []any{map[string]any{"text": text}}
		return map[string]any{"message": msg, "configuration": map[string]any{"acceptedOutputModes": []string{"text/plain"}}}
	}
	msg["kind"] = "message"
	msg["role"] = "user"
	msg["parts"] = []any{map[string]any{"kind": "text", "text": text}}
	return map[string]any{"message": msg,
		"configuration": map[string]any{"acceptedOutputModes": []string{"text/plain"}, "blocking": true}}
}

type call struct {
	method string
	params map[string]any
	text   string
	stream bool
	get    bool // GET the card instead
	note   string
}

// record makes one request and writes its response body to file; it returns the body.
func (r *recorder) record(base, file string, c call) string {
	var req *http.Request
	var err error
	if c.get {
		req, err = http.NewRequest(http.MethodGet, base+cardPath, nil)
	} else {
		body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": c.method, "params": c.params})
		req, err = http.NewRequest(http.MethodPost, base+r.t.rpc, bytes.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
			if c.stream {
				req.Header.Set("Accept", "text/event-stream")
			}
		}
	}
	if err != nil {
		log.Fatal(err)
	}
	if c.get || r.t.v1 {
		req.Header.Set("A2A-Version", "1.0")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatalf("%s: %v", file, err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	note := c.note
	if err != nil { // MODE:cut: the peer drops the connection mid-stream; keep what arrived
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			log.Fatalf("%s: %v", file, err)
		}
		note = strings.TrimPrefix(note+"; ", "; ") + "connection dropped mid-body (" + err.Error() + ")"
	}
	if err := os.WriteFile(filepath.Join(r.dir, file), body, 0o644); err != nil {
		log.Fatal(err)
	}
	request := c.method
	if c.get {
		request = "GET " + cardPath
	}
	r.meta[file] = metaEntry{Request: request, Note: note, Text: c.text, Status: res.StatusCode,
		ContentType: res.Header.Get("Content-Type")}
	return string(body)
}

var taskIDRe = regexp.MustCompile(`"(?:kind":"task","id|task":\{"id)":"([^"]+)"`)

// taskIDOf returns the id of the first Task in a send result or stream (0.3: result.kind=task; 1.0: result.task).
func taskIDOf(body string) string {
	m := taskIDRe.FindStringSubmatch(body)
	if m == nil {
		log.Fatalf("no task in %.200s", body)
	}
	return m[1]
}

func recordTarget(name, bin string, root string) {
	t := targets[name]
	r := &recorder{t: t, dir: filepath.Join(root, name), meta: map[string]metaEntry{}}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		log.Fatal(err)
	}
	send, stream, getTask := "message/send", "message/stream", "tasks/get"
	if t.v1 {
		send, stream, getTask = "SendMessage", "SendStreamingMessage", "GetTask"
	}

	p, err := start(bin, t)
	if err != nil {
		log.Fatal(err)
	}
	r.record(p.base, "card.json", call{get: true})
	for _, mode := range modes {
		text := textFor(mode)
		chat := text + "\nassistant: Which city?\nuser: Paris"
		if mode != "cut" {
			body := r.record(p.base, mode+".send.json", call{method: send, text: text,
				params: r.messageParams("rec-"+mode+"-send", text, "")})
			switch mode {
			case "nonblocking":
				time.Sleep(800 * time.Millisecond)
				r.record(p.base, "nonblocking.get.json", call{method: getTask, note: "GetTask 800 ms after the send",
					params: map[string]any{"id": taskIDOf(body)}})
			case "input":
				r.record(p.base, "input-followup.send.json", call{method: send, text: chat, note: "same taskId",
					params: r.messageParams("rec-input-followup-send", chat, taskIDOf(body))})
			}
		}
		if mode != "nonblocking" {
			body := r.record(p.base, mode+".stream.sse", call{method: stream, text: text, stream: true,
				params: r.messageParams("rec-"+mode+"-stream", text, "")})
			if mode == "input" {
				r.record(p.base, "input-followup.stream.sse", call{method: stream, text: chat, stream: true,
					note: "same taskId", params: r.messageParams("rec-input-followup-stream", chat, taskIDOf(body))})
			}
		}
	}
	p.stop()

	q, err := start(bin, t, "-no-stream")
	if err != nil {
		log.Fatal(err)
	}
	r.record(q.base, "nostream.card.json", call{get: true, note: "-no-stream"})
	text := textFor("default")
	r.record(q.base, "nostream.stream.sse", call{method: stream, text: text, stream: true, note: "-no-stream",
		params: r.messageParams("rec-nostream-stream", text, "")})
	q.stop()

	names := make([]string, 0, len(r.meta))
	for k := range r.meta {
		names = append(names, k)
	}
	sort.Strings(names)
	var b bytes.Buffer // an object with sorted keys, 2-space indent, like record.mjs
	b.WriteString("{\n")
	for i, k := range names {
		v, _ := json.MarshalIndent(r.meta[k], "  ", "  ")
		kj, _ := json.Marshal(k)
		fmt.Fprintf(&b, "  %s: %s", kj, v)
		if i < len(names)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	if err := os.WriteFile(filepath.Join(r.dir, "meta.json"), b.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d files in %s\n", name, len(r.meta), r.dir)
}

func main() {
	log.SetFlags(0)
	here, err := os.Getwd() // testdata/peers/gov2
	if err != nil {
		log.Fatal(err)
	}
	if filepath.Base(here) != "gov2" {
		log.Fatal("run from testdata/peers/gov2: go run ./record")
	}
	peers := filepath.Dir(here)
	root := filepath.Join(filepath.Dir(peers), "recordings")

	wanted := os.Args[1:]
	if len(wanted) == 0 {
		wanted = order
	}
	tmp, err := os.MkdirTemp("", "a2a-record-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	bins := map[string]string{}
	for _, name := range wanted {
		t, ok := targets[name]
		if !ok {
			log.Fatalf("unknown target %s; known: %s", name, strings.Join(order, " "))
		}
		if bins[t.peer] == "" {
			bin := filepath.Join(tmp, t.peer)
			build := exec.Command("go", "build", "-o", bin, ".")
			build.Dir = filepath.Join(peers, t.peer)
			build.Stdout, build.Stderr = os.Stderr, os.Stderr
			if err := build.Run(); err != nil {
				log.Fatalf("build %s: %v", t.peer, err)
			}
			bins[t.peer] = bin
		}
		recordTarget(name, bins[t.peer], root)
	}
}
