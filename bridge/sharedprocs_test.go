package bridge

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tidwall/gjson"
)

// buildBridge builds ./cmd/a2a-bridge into a directory of t's.
func buildBridge(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "a2a-bridge")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/a2a-bridge")
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/a2a-bridge: %v\n%s", err, out)
	}
	return bin
}

// startBridgeProcess runs the a2a-bridge command bin on a free port of
// 127.0.0.1 with the config file text yaml (and listen), and stops it
// (SIGINT: a graceful shutdown) when the test ends.
func startBridgeProcess(t *testing.T, bin, yaml string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	path := writeYAML(t, "listen: "+addr+"\n"+yaml)
	cmd := exec.Command(bin, "--config", path)
	w := &readyWriter{ready: make(chan struct{}), marker: "a2a-bridge serving"}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exit := make(chan error, 1)
	go func() { exit <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		if err := <-exit; err != nil {
			t.Errorf("a2a-bridge on %s: %v\n%s", addr, err, w.String())
		}
	})
	select {
	case <-w.ready:
	case err := <-exit:
		exit <- err
		t.Fatalf("a2a-bridge did not start: %v\n%s", err, w.String())
	}
	return "http://" + addr
}

// TestSharedProcesses: two a2a-bridge processes on one Redis are one
// bridge to their callers: chat turn 2 and the answer to an input-required
// task through B continue what A began; a response stored through A is
// continued through B; a gateway task made through A is the key's on B
// and no other key's; a key with rpm 10 gets exactly 10 of 20 calls over both.
func TestSharedProcesses(t *testing.T) {
	rs := startRedis(t)
	p := startJSPeer(t, "js03.mjs")
	yaml := "api_keys: [sk-alice, sk-bob, {key: sk-team, name: team, rpm: 10}]\n" +
		"redis: {url: '" + rs.url() + "'}\n" +
		"agents:\n  - {name: js03, url: '" + p.url + "', conversation: context}\n"
	bin := buildBridge(t)
	a, b := startBridgeProcess(t, bin, yaml), startBridgeProcess(t, bin, yaml)
	c := httpClient(t)
	alice := []string{"Authorization", "Bearer sk-alice"}
	named := append([]string{"X-A2A-Context-Id", "proc-1"}, alice...)
	if a1, _ := answer(t, a, turnsBody("a2a/js03", false, "hi MODE:count"), named...); a1 != "turn 1: user: hi MODE:count" {
		t.Errorf("turn 1 on A = %q", a1)
	}
	if a2, _ := answer(t, b, turnsBody("a2a/js03", false, "again MODE:count"), named...); a2 != "turn 2: user: again MODE:count" {
		t.Errorf("turn 2 on B = %q, want A's context continued", a2)
	}
	q, _ := answer(t, a, turnsBody("a2a/js03", false, "book MODE:input"), alice...)
	if ans, _ := answer(t, b, turnsBody("a2a/js03", false, "book MODE:input", q, "Paris"), alice...); ans != "echo: user: Paris" {
		t.Errorf("answer on B = %q, want A's task answered", ans)
	}
	id := respID(t, respPost(t, a, "sk-alice", `{"model":"a2a/js03","input":"one MODE:count"}`).body)
	next := respPost(t, b, "sk-alice", fmt.Sprintf(`{"model":"a2a/js03","input":"two MODE:count","previous_response_id":%q}`, id))
	if got := gjson.GetBytes(next.body, "output.0.content.0.text").String(); got != "turn 2: user: two MODE:count" {
		t.Errorf("previous_response_id on B = %d %s, want turn 2", next.status, next.body)
	}
	send := rpcPost(t, c, a+"/a2a/js03", "sk-alice", `{"jsonrpc":"2.0","id":1,"method":"message/send","params":{"message":`+
		`{"kind":"message","role":"user","messageId":"m1","parts":[{"kind":"text","text":"hello MODE:input"}]}}}`)
	getTask := `{"jsonrpc":"2.0","id":2,"method":"tasks/get","params":{"id":"` + gjson.GetBytes(send.body, "result.id").String() + `"}}`
	if g := rpcPost(t, c, b+"/a2a/js03", "sk-alice", getTask); !gjson.GetBytes(g.body, "result.id").Exists() {
		t.Errorf("tasks/get on B by the owner = %s", g.body)
	}
	if g := rpcPost(t, c, b+"/a2a/js03", "sk-bob", getTask); gjson.GetBytes(g.body, "error.code").Int() != -32001 {
		t.Errorf("tasks/get on B by another key = %s, want -32001", g.body)
	}
	codes := map[int]int{}
	for i := range 20 {
		codes[get(t, c, []string{a, b}[i%2]+"/v1/models", "Authorization", "Bearer sk-team").status]++
	}
	if codes[200] != 10 || codes[429] != 10 {
		t.Errorf("20 calls of an rpm 10 key over two processes: %v, want 10 200s and 10 429s", codes)
	}
}
