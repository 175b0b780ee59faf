package bridge

import (
	"encoding/json"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// gwMessage is a JSON-RPC message/send or message/stream of text in 0.3.
func gwMessage(method, text string, id int) string {
	return `{"jsonrpc":"2.0","id":` + strconv.Itoa(id) + `,"method":"` + method + `","params":{"message":{"kind":"message","role":"user","messageId":"m` +
		strconv.Itoa(id) + `","parts":[{"kind":"text","text":"` + text + `"}]}}}`
}

// TestGatewayAccounting: the A2A gateway counts its calls as the chat door
// does: a message's tokens (estimated here, as the agent reports none) and
// cost in X-A2A-Bridge-Cost (non-stream), a2a_bridge_tokens_total,
// a2a_bridge_cost_usd_total, /v1/stats and the access log, time to first
// token for each message, all under route a2a; a tasks/get is counted as a
// request but not priced.
func TestGatewayAccounting(t *testing.T) {
	checkLeaks(t)
	agent := newFaultAgent(t, true, answering)
	cfg := Config{Usage: "estimate", APIKeys: []APIKey{{Key: teamKey, Name: teamName}},
		Agents: []AgentConfig{{Name: "fa", URL: agent.URL, Timeout: Duration{10 * time.Second},
			CostPerRequest: 0.01, CostPerInputToken: 0.001, CostPerOutputToken: 0.002}}}
	_, base, logs := serveBridge(t, cfg, nil)
	c := oneConn(t)
	// "hello world" is 3 tokens at four bytes a token; "the answer is
	// forty-two" 6, "partial " 2.
	const sendCost, streamCost = 0.01 + 3*0.001 + 6*0.002, 0.01 + 3*0.001 + 2*0.002

	res := rpcPost(t, c, base+"/a2a/fa", teamKey, gwMessage("message/send", "hello world", 1))
	if res.status != 200 || gjson.GetBytes(res.body, "error").Exists() {
		t.Fatalf("message/send = %d %s", res.status, res.body)
	}
	if got, err := strconv.ParseFloat(res.header.Get("X-A2A-Bridge-Cost"), 64); err != nil || math.Abs(got-sendCost) > 1e-12 {
		t.Errorf("message/send X-A2A-Bridge-Cost = %q, want %v", res.header.Get("X-A2A-Bridge-Cost"), sendCost)
	}
	res = rpcPost(t, c, base+"/a2a/fa", teamKey, gwMessage("message/stream", "hello world", 2), "Accept", "text/event-stream")
	if res.status != 200 || !strings.Contains(string(res.body), "partial") || res.header.Get("X-A2A-Bridge-Cost") != "" {
		t.Fatalf("message/stream = %d (X-A2A-Bridge-Cost %q) %s, want 200 with no cost header", res.status, res.header.Get("X-A2A-Bridge-Cost"), res.body)
	}
	res = rpcPost(t, c, base+"/a2a/fa", teamKey, `{"jsonrpc":"2.0","id":3,"method":"tasks/get","params":{"id":"t1"}}`)
	if res.status != 200 || gjson.GetBytes(res.body, "error").Exists() || res.header.Get("X-A2A-Bridge-Cost") != "" {
		t.Fatalf("tasks/get = %d (X-A2A-Bridge-Cost %q) %s, want 200 with no cost", res.status, res.header.Get("X-A2A-Bridge-Cost"), res.body)
	}

	fams := scrape(t, c, base)
	for _, w := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"a2a_bridge_requests_total", []string{"route", "a2a", "agent", "fa", "key", teamName, "code", "200"}, 3},
		{"a2a_bridge_request_duration_seconds", []string{"route", "a2a", "agent", "fa"}, 3},
		{"a2a_bridge_time_to_first_token_seconds", []string{"route", "a2a", "agent", "fa"}, 2},
		{"a2a_bridge_tokens_total", []string{"agent", "fa", "key", teamName, "direction", "input"}, 6},
		{"a2a_bridge_tokens_total", []string{"agent", "fa", "key", teamName, "direction", "output"}, 8},
		{"a2a_bridge_cost_usd_total", []string{"agent", "fa", "key", teamName}, sendCost + streamCost},
		{"a2a_bridge_streams_open", []string{"agent", "fa"}, 0},
	} {
		if got, ok := sample(fams, w.name, w.labels...); !ok || math.Abs(got-w.want) > 1e-12 {
			t.Errorf("%s%v = %v (present %v), want %v", w.name, w.labels, got, ok, w.want)
		}
	}
	var st struct{ Agents map[string]statsView }
	if err := json.Unmarshal(send(t, c, http.MethodGet, base+"/v1/stats", teamKey, "").body, &st); err != nil {
		t.Fatal(err)
	}
	if v := st.Agents["fa"]; v.Requests != 3 || v.Tokens.Input != 6 || v.Tokens.Output != 8 || math.Abs(v.CostUSD-(sendCost+streamCost)) > 1e-12 {
		t.Errorf("stats of fa = %+v, want 3 requests, 6 and 8 tokens, cost %v", v, sendCost+streamCost)
	}
	if lines := logs.matching(`"route":"a2a"`, `"agent":"fa"`, `"cost_usd":`, `"input_tokens":3`, `"ttft":`); len(lines) != 2 {
		t.Errorf("access log lines of the gateway's messages with cost_usd = %d, want 2:\n%s", len(lines), logs)
	}
}

// TestGatewayReportedUsage: the tokens an agent reports in its metadata
// are what the gateway counts, not its own estimate.
func TestGatewayReportedUsage(t *testing.T) {
	agent := newFaultAgent(t, true, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"jsonrpc":"2.0","id":1,"result":{"kind":"message","role":"agent","messageId":"r","parts":[{"kind":"text","text":"hi"}],` +
			`"metadata":{"usage":{"prompt_tokens":100,"completion_tokens":50}}}}`))
	})
	cfg := Config{Agents: []AgentConfig{{Name: "fa", URL: agent.URL, Timeout: Duration{10 * time.Second}, CostPerOutputToken: 0.01}}}
	_, base, _ := serveBridge(t, cfg, nil)
	c := oneConn(t)
	res := rpcPost(t, c, base+"/a2a/fa", "", gwMessage("message/send", "hello", 1))
	if got := res.header.Get("X-A2A-Bridge-Cost"); got != "0.5" {
		t.Errorf("X-A2A-Bridge-Cost = %q, want 0.5 (50 reported output tokens): %s", got, res.body)
	}
	if got, _ := sample(scrape(t, c, base), "a2a_bridge_tokens_total", "agent", "fa", "key", "", "direction", "input"); got != 100 {
		t.Errorf("input tokens = %v, want the 100 the agent reported", got)
	}
}

// TestGatewayStreamsOpen: a gateway stream under way counts in
// a2a_bridge_streams_open while it lasts, and no more once it ended.
func TestGatewayStreamsOpen(t *testing.T) {
	streamsOpen(t, "/a2a/fa", gwMessage("message/stream", "hello", 1))
}

// TestGatewayReplicas: the gateway places calls as callAgent does: a new
// task on the least loaded replica (A holds a call, so B gets the next), a
// tasks/get of B's task on B though A is as idle now, and a replica that
// refuses the connection passes a new task on.
func TestGatewayReplicas(t *testing.T) {
	a, b := newReplicaAgent(t, "A"), newReplicaAgent(t, "B")
	a.hold = true
	cfg := Config{Agents: []AgentConfig{{Name: "pool", URLs: []string{a.URL, b.URL}, Timeout: Duration{10 * time.Second}}}}
	_, base, logs := serveBridge(t, cfg, nil)
	c := httpClient(t)
	first := make(chan result, 1)
	go func() {
		res, _ := tryPost(c, base+"/a2a/pool", gwMessage("message/send", "one", 1), "Content-Type", "application/json")
		first <- res
	}()
	<-a.arrived
	res := rpcPost(t, c, base+"/a2a/pool", "", gwMessage("message/send", "two", 2))
	taskID := gjson.GetBytes(res.body, "result.id").String()
	if !strings.HasPrefix(taskID, "t-B-") {
		t.Fatalf("second message/send = %s, want B's task (A was busy)", res.body)
	}
	close(a.release)
	if res := <-first; res.status != 200 || !strings.Contains(string(res.body), "t-A-") {
		t.Errorf("first message/send = %d %s, want A's task", res.status, res.body)
	}
	beforeA, beforeB := a.count(), b.count()
	res = rpcPost(t, c, base+"/a2a/pool", "", `{"jsonrpc":"2.0","id":3,"method":"tasks/get","params":{"id":"`+taskID+`"}}`)
	if res.status != 200 || a.count() != beforeA || b.count() != beforeB+1 {
		t.Errorf("tasks/get %s: %d, A called %d more, B %d more; want B only: %s", taskID, res.status, a.count()-beforeA, b.count()-beforeB, res.body)
	}
	if got := logs.matching(`"route":"a2a"`, `"replica":1`); len(got) != 2 {
		t.Errorf("access log lines of calls on replica 1 = %d, want 2:\n%s", len(got), logs)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String()
	ln.Close()
	cfg = Config{Agents: []AgentConfig{{Name: "pool", URLs: []string{down, b.URL}, Timeout: Duration{10 * time.Second}}}}
	_, base, _ = serveBridge(t, cfg, nil)
	res = rpcPost(t, c, base+"/a2a/pool", "", gwMessage("message/send", "three", 4))
	if !strings.HasPrefix(gjson.GetBytes(res.body, "result.id").String(), "t-B-") {
		t.Errorf("message/send with replica 0 refusing = %d %s, want B's task", res.status, res.body)
	}
}

// TestGatewayTraceparent: the gateway passes the caller's W3C trace
// context on to the agent, as the chat door does.
func TestGatewayTraceparent(t *testing.T) {
	agent := newFaultAgent(t, true, answering)
	cfg := Config{Agents: []AgentConfig{{Name: "fa", URL: agent.URL, Timeout: Duration{10 * time.Second}}}}
	_, base, _ := serveBridge(t, cfg, nil)
	const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	rpcPost(t, oneConn(t), base+"/a2a/fa", "", gwMessage("message/send", "hello", 1), "traceparent", parent, "tracestate", "k=v")
	if h, _ := agent.last(); h.Get("traceparent") != parent || h.Get("tracestate") != "k=v" {
		t.Errorf("agent got traceparent %q tracestate %q, want %q and k=v", h.Get("traceparent"), h.Get("tracestate"), parent)
	}
}
