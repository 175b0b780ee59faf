package bridge

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The Responses door's operations: metrics, cost, stats and replicas, as
// the chat door has them.

// respUsage is the usage of a Responses object.
type respUsage struct {
	Input  float64 `json:"input_tokens"`
	Output float64 `json:"output_tokens"`
}

// completedUsage is the usage of the response.completed event of a
// Responses stream body.
func completedUsage(t *testing.T, body []byte) respUsage {
	t.Helper()
	evs := respEvents(t, body)
	if len(evs) == 0 || evs[len(evs)-1].name != "response.completed" {
		t.Fatalf("stream did not end with response.completed: %s", body)
	}
	b, _ := json.Marshal(evs[len(evs)-1].data["response"].(map[string]any)["usage"])
	var u respUsage
	if err := json.Unmarshal(b, &u); err != nil {
		t.Fatal(err)
	}
	return u
}

// TestResponsesOperations: a Responses call, stream and not, counts as a
// chat call does: tokens and cost by agent and key, time to first token,
// the stream gauge back to 0, /v1/stats; X-A2A-Bridge-Cost on the
// non-stream answer only.
func TestResponsesOperations(t *testing.T) {
	checkLeaks(t)
	agent := newFaultAgent(t, true, answering)
	cfg := Config{APIKeys: []APIKey{{Key: teamKey, Name: teamName}},
		Agents: []AgentConfig{{Name: "fa", URL: agent.URL, Timeout: Duration{10 * time.Second},
			CostPerRequest: 0.01, CostPerInputToken: 0.001, CostPerOutputToken: 0.002}}}
	_, base, logs := serveBridge(t, cfg, nil)
	c := oneConn(t)
	auth := []string{"Authorization", "Bearer " + teamKey}
	price := func(u respUsage) float64 { return 0.01 + u.Input*0.001 + u.Output*0.002 }

	res := post(t, c, base+"/v1/responses", `{"model":"a2a/fa","input":"what is six times seven?"}`, auth...)
	var r struct{ Usage respUsage }
	if err := json.Unmarshal(res.body, &r); err != nil || res.status != 200 {
		t.Fatalf("POST /v1/responses = %d %s", res.status, res.body)
	}
	want, tokens := price(r.Usage), r.Usage
	if got, err := strconv.ParseFloat(res.header.Get("X-A2A-Bridge-Cost"), 64); err != nil || math.Abs(got-want) > 1e-12 {
		t.Errorf("X-A2A-Bridge-Cost = %q, want %v", res.header.Get("X-A2A-Bridge-Cost"), want)
	}
	res = post(t, c, base+"/v1/responses", `{"model":"a2a/fa","input":"and streamed?","stream":true}`, auth...)
	if res.status != 200 || res.header.Get("X-A2A-Bridge-Cost") != "" {
		t.Errorf("stream: %d X-A2A-Bridge-Cost %q, want 200 and none", res.status, res.header.Get("X-A2A-Bridge-Cost"))
	}
	u := completedUsage(t, res.body)
	want += price(u)
	tokens.Input += u.Input
	tokens.Output += u.Output

	fams := scrape(t, c, base)
	for _, w := range []struct {
		name   string
		labels []string
		value  float64
	}{
		{"a2a_bridge_requests_total", []string{"route", "responses", "agent", "fa", "key", teamName, "code", "200"}, 2},
		{"a2a_bridge_time_to_first_token_seconds", []string{"route", "responses", "agent", "fa"}, 2},
		{"a2a_bridge_tokens_total", []string{"agent", "fa", "key", teamName, "direction", "input"}, tokens.Input},
		{"a2a_bridge_tokens_total", []string{"agent", "fa", "key", teamName, "direction", "output"}, tokens.Output},
		{"a2a_bridge_streams_open", []string{"agent", "fa"}, 0},
	} {
		if got, ok := sample(fams, w.name, w.labels...); !ok || got != w.value {
			t.Errorf("%s%v = %v (present %v), want %v", w.name, w.labels, got, ok, w.value)
		}
	}
	if got, _ := sample(fams, "a2a_bridge_cost_usd_total", "agent", "fa", "key", teamName); math.Abs(got-want) > 1e-12 {
		t.Errorf("a2a_bridge_cost_usd_total = %v, want %v", got, want)
	}
	var st struct{ Agents map[string]statsView }
	if err := json.Unmarshal(send(t, c, http.MethodGet, base+"/v1/stats", teamKey, "").body, &st); err != nil {
		t.Fatal(err)
	}
	if got := st.Agents["fa"]; got.Requests != 2 || float64(got.Tokens.Input) != tokens.Input || math.Abs(got.CostUSD-want) > 1e-12 {
		t.Errorf("stats of fa = %+v, want 2 requests, %v input tokens, cost %v", got, tokens.Input, want)
	}
	if lines := logs.matching(`"route":"responses"`, `"agent":"fa"`, `"cost_usd":`, `"input_tokens":`, `"ttft":`); len(lines) != 2 {
		t.Errorf("access log lines of responses with cost_usd = %d, want 2:\n%s", len(lines), logs)
	}
}

// TestResponsesStreamsOpen: a Responses stream under way counts in
// a2a_bridge_streams_open while it lasts, and not after.
func TestResponsesStreamsOpen(t *testing.T) {
	streamsOpen(t, "/v1/responses", `{"model":"a2a/fa","input":"hi","stream":true}`)
}

// TestResponsesReplicas: a new response goes to the least loaded replica
// (A holds a call, so B), and the next turns of it by previous_response_id,
// stream or not, stay on B though A is as idle by then.
func TestResponsesReplicas(t *testing.T) {
	a, b := newReplicaAgent(t, "A"), newReplicaAgent(t, "B")
	a.hold = true
	cfg := Config{Agents: []AgentConfig{{Name: "pool", URLs: []string{a.URL, b.URL}, Timeout: Duration{10 * time.Second}}}}
	_, base, _ := serveBridge(t, cfg, nil)
	c := httpClient(t)
	held := make(chan result, 1)
	go func() {
		res, _ := tryPost(c, base+"/v1/chat/completions", chatBody("a2a/pool", false, "user", "one"))
		held <- res
	}()
	<-a.arrived // A holds the first call
	first := make(chan result, 1)
	go func() {
		res, _ := tryPost(c, base+"/v1/responses", `{"model":"a2a/pool","input":"hello"}`)
		first <- res
	}()
	var r1 result
	select {
	case r1 = <-first:
	case <-a.arrived:
		t.Error("a new response went to A, which was busy")
		close(a.release)
		r1 = <-first
		<-held
		return
	}
	close(a.release)
	<-held
	if r1.status != 200 || !strings.Contains(string(r1.body), "from B") {
		t.Fatalf("first response = %d %s, want from B (A was busy)", r1.status, r1.body)
	}
	prev, before := respID(t, r1.body), a.count()
	for _, stream := range []bool{false, true} {
		res := post(t, c, base+"/v1/responses", fmt.Sprintf(`{"model":"a2a/pool","input":"again","stream":%t,"previous_response_id":%q}`, stream, prev))
		if res.status != 200 || !strings.Contains(string(res.body), "from B") || a.count() != before {
			t.Fatalf("turn after %s (stream %t) = %d %s (A called %d more times), want from B only", prev, stream, res.status, res.body, a.count()-before)
		}
		if !stream {
			prev = respID(t, res.body)
		}
	}
}
