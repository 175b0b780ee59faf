package bridge

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The clients users reach for besides openai-node, LangChain.js and
// go-openai, each on its default settings (retries included), driven
// through the cases every client the README names must pass: non-stream,
// stream with usage, a failing task (run exactly once), an input-required
// turn and a client abort (the agent sees tasks/cancel). The Node ones are
// testdata/node/clients/sdks.mjs; the Go ones (openai-go, langchaingo) the
// module testdata/clients/go, whose dependencies stay out of the bridge's.

type sdkClient struct {
	name    string
	node    bool // else the Go module
	noUsage bool // the client reports no usage on a stream
}

var sdkClients = []sdkClient{
	{name: "ai-openai", node: true},
	{name: "ai-compat", node: true},
	{name: "agents", node: true},
	{name: "llamaindex", node: true, noUsage: true},
	{name: "openai4", node: true},
	{name: "openai-go"},
	{name: "langchaingo"},
}

type sdkResult struct {
	OK      bool   `json:"ok"`
	Content string `json:"content"`
	Usage   *struct {
		Input  int `json:"input"`
		Output int `json:"output"`
	} `json:"usage"`
	Error *struct {
		Name    string `json:"name"`
		Status  int    `json:"status"`
		Message string `json:"message"`
	} `json:"error"`
}

// runSDK runs client c on job and returns its one-line result.
func runSDK(t *testing.T, c sdkClient, job map[string]any) sdkResult {
	t.Helper()
	job["client"] = c.name
	var r sdkResult
	if c.node {
		runNode(t, "sdks.mjs", job, &r)
		return r
	}
	in, _ := json.Marshal(job)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, goClientsBin(t))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", c.name, err, stderr.String())
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%s printed %q: %v", c.name, out, err)
	}
	return r
}

var goClients struct {
	sync.Mutex
	bin string
}

// goClientsBin builds testdata/clients/go once per test binary.
func goClientsBin(t *testing.T) string {
	t.Helper()
	goClients.Lock()
	defer goClients.Unlock()
	if goClients.bin != "" {
		return goClients.bin
	}
	dir, err := os.MkdirTemp("", "a2a-bridge-clients-")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "clients")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = filepath.Join(repoRoot, "testdata", "clients", "go")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build testdata/clients/go: %v\n%s", err, out)
	}
	goClients.bin = bin
	return bin
}

func msgs(pairs ...string) []map[string]string {
	var out []map[string]string
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, map[string]string{"role": pairs[i], "content": pairs[i+1]})
	}
	return out
}

// countingAgent is a fault agent that counts its message calls: a failed
// task (as a Task, or submitted then failed on a stream), or, for "long
// job", a stream that starts and then waits, with tasks/cancel recorded.
type countingAgent struct {
	*faultAgent
	calls   atomic.Int32
	cancels chan struct{} // one per tasks/cancel seen
}

func newCountingAgent(t *testing.T) *countingAgent {
	a := &countingAgent{cancels: make(chan struct{}, 64)}
	a.faultAgent = newFaultAgent(t, true, func(w http.ResponseWriter, r *http.Request) {
		_, body := lastBody(r)
		switch {
		case strings.Contains(body, `"tasks/cancel"`):
			select {
			case a.cancels <- struct{}{}:
			default:
			}
			fmt.Fprint(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"t1","contextId":"c1","status":{"state":"canceled"}}}`)
		case strings.Contains(body, "long job"):
			a.calls.Add(1)
			sse(w, evTask, evPart)
			<-r.Context().Done()
		case strings.Contains(body, `"message/stream"`):
			a.calls.Add(1)
			sse(w, evTask, evFailed)
		default:
			a.calls.Add(1)
			fmt.Fprint(w, failedTask)
		}
	})
	return a
}

func TestSDKClients(t *testing.T) {
	js := startJSPeer(t, "js03.mjs")
	fault := newCountingAgent(t)
	cfg := agentsFor(js)
	cfg.Agents = append(cfg.Agents, AgentConfig{Name: "fault", URL: fault.URL, Timeout: Duration{20 * time.Second}})
	base := startBridge(t, cfg) + "/v1"
	job := func(model, scenario string, m []map[string]string) map[string]any {
		return map[string]any{"baseURL": base, "model": model, "scenario": scenario, "messages": m}
	}
	const want = "echo: system: Be terse.\nuser: say hi"
	for _, c := range sdkClients {
		t.Run(c.name, func(t *testing.T) {
			t.Run("nonstream", func(t *testing.T) {
				r := runSDK(t, c, job("a2a/js03", "nonstream", msgs("system", "Be terse.", "user", "say hi")))
				if !r.OK || r.Content != want {
					t.Errorf("%s nonstream = %+v (error %+v), want %q", c.name, r, r.Error, want)
				}
			})
			t.Run("stream-usage", func(t *testing.T) {
				r := runSDK(t, c, job("a2a/js03", "stream-usage", msgs("system", "Be terse.", "user", "say hi")))
				if !r.OK || r.Content != want {
					t.Fatalf("%s stream = %+v (error %+v), want %q", c.name, r, r.Error, want)
				}
				if !c.noUsage && (r.Usage == nil || r.Usage.Input == 0 || r.Usage.Output == 0) {
					t.Errorf("%s stream usage = %+v, want token counts", c.name, r.Usage)
				}
			})
			// A failed task is the agent's verdict: it must run exactly once,
			// whatever the client's retry policy, streamed or not.
			for _, scenario := range []string{"nonstream", "stream-usage"} {
				t.Run("failed task/"+scenario, func(t *testing.T) {
					before := fault.calls.Load()
					r := runSDK(t, c, job("a2a/fault", scenario, msgs("user", "do it")))
					if n := fault.calls.Load() - before; n != 1 {
						t.Errorf("%s %s: the agent ran the failed task %d times, want 1", c.name, scenario, n)
					}
					if r.OK || r.Error == nil || !strings.Contains(r.Error.Message, "the tool crashed") {
						t.Errorf("%s %s = %+v (error %+v), want an error naming the agent's reason", c.name, scenario, r, r.Error)
					}
				})
			}
			t.Run("input-required", func(t *testing.T) {
				for _, scenario := range []string{"nonstream", "stream-usage"} {
					r := runSDK(t, c, job("a2a/js03", scenario, msgs("user", "book MODE:input "+c.name+scenario)))
					if !r.OK || r.Content != "Which city?" {
						t.Fatalf("%s %s turn 1 = %+v (error %+v), want the question", c.name, scenario, r, r.Error)
					}
					r = runSDK(t, c, job("a2a/js03", scenario, msgs("user", "book MODE:input "+c.name+scenario, "assistant", "Which city?", "user", "Paris")))
					if !r.OK || r.Content != "echo: user: Paris" {
						t.Errorf("%s %s turn 2 = %+v (error %+v), want the answer to the same task", c.name, scenario, r, r.Error)
					}
				}
			})
			t.Run("abort", func(t *testing.T) {
				for len(fault.cancels) > 0 { // left by an earlier case
					<-fault.cancels
				}
				r := runSDK(t, c, job("a2a/fault", "abort", msgs("user", "long job")))
				if !r.OK || r.Content != "partial " {
					t.Fatalf("%s abort = %+v (error %+v), want the first text", c.name, r, r.Error)
				}
				select {
				case <-fault.cancels:
				case <-time.After(5 * time.Second):
					t.Fatalf("%s abort: the agent never saw tasks/cancel", c.name)
				}
			})
		})
	}
}

// TestGetModelClients: openai-go and openai-node (4.x and 6.x) retrieve a
// model by its id, escaping its slash.
func TestGetModelClients(t *testing.T) {
	base := startBridge(t, Config{}) + "/v1"
	for _, c := range []sdkClient{{name: "openai-go"}, {name: "openai4", node: true}, {name: "openai", node: true}} {
		t.Run(c.name, func(t *testing.T) {
			r := runSDK(t, c, map[string]any{"baseURL": base, "model": "a2a/echo", "scenario": "model", "messages": []any{}})
			if !r.OK || r.Content != "a2a/echo" {
				t.Errorf("%s retrieve a2a/echo = %+v (error %+v)", c.name, r, r.Error)
			}
			r = runSDK(t, c, map[string]any{"baseURL": base, "model": "a2a/none", "scenario": "model", "messages": []any{}})
			if r.OK || r.Error == nil || r.Error.Status != 404 {
				t.Errorf("%s retrieve a2a/none = %+v (error %+v), want a 404", c.name, r, r.Error)
			}
		})
	}
}
