package bridge

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestCost: an agent's cost_per_* prices each answered call by its usage:
// in X-A2A-Bridge-Cost on a non-stream answer (not on a stream, nor for an
// agent with no price), in a2a_bridge_cost_usd_total by agent and key, in
// /v1/stats and in the access log.
func TestCost(t *testing.T) {
	checkLeaks(t)
	agent := newFaultAgent(t, true, answering)
	cfg := Config{APIKeys: []APIKey{{Key: teamKey, Name: teamName}},
		Agents: []AgentConfig{
			{Name: "fa", URL: agent.URL, Timeout: Duration{10 * time.Second}, CostPerRequest: 0.01, CostPerInputToken: 0.001, CostPerOutputToken: 0.002},
			{Name: "free", URL: agent.URL, Timeout: Duration{10 * time.Second}}}}
	_, base, logs := serveBridge(t, cfg, nil)
	c := oneConn(t)
	auth := []string{"Authorization", "Bearer " + teamKey}
	price := func(u map[string]any) float64 {
		return 0.01 + u["prompt_tokens"].(float64)*0.001 + u["completion_tokens"].(float64)*0.002
	}

	res := post(t, c, base+"/v1/chat/completions", chatBody("a2a/fa", false, "user", "what is six times seven?"), auth...)
	var completion struct{ Usage map[string]any }
	if err := json.Unmarshal(res.body, &completion); err != nil || res.status != 200 {
		t.Fatalf("chat: %d %s", res.status, res.body)
	}
	want := price(completion.Usage)
	if got, err := strconv.ParseFloat(res.header.Get("X-A2A-Bridge-Cost"), 64); err != nil || math.Abs(got-want) > 1e-12 {
		t.Errorf("X-A2A-Bridge-Cost = %q, want %v", res.header.Get("X-A2A-Bridge-Cost"), want)
	}

	body := strings.Replace(chatBody("a2a/fa", true, "user", "and streamed?"), `"stream":true`, `"stream":true,"stream_options":{"include_usage":true}`, 1)
	res = post(t, c, base+"/v1/chat/completions", body, auth...)
	if res.status != 200 || res.header.Get("X-A2A-Bridge-Cost") != "" {
		t.Errorf("stream: %d X-A2A-Bridge-Cost %q, want 200 and none", res.status, res.header.Get("X-A2A-Bridge-Cost"))
	}
	frames, _ := chunks(t, res.body)
	usage, _ := frames[len(frames)-1]["usage"].(map[string]any)
	if usage == nil {
		t.Fatalf("stream has no usage chunk: %s", res.body)
	}
	want += price(usage)

	if res := post(t, c, base+"/v1/chat/completions", chatBody("a2a/free", false, "user", "hi"), auth...); res.header.Get("X-A2A-Bridge-Cost") != "" {
		t.Errorf("an agent with no price: X-A2A-Bridge-Cost %q, want none", res.header.Get("X-A2A-Bridge-Cost"))
	}

	if got, _ := sample(scrape(t, c, base), "a2a_bridge_cost_usd_total", "agent", "fa", "key", teamName); math.Abs(got-want) > 1e-12 {
		t.Errorf("a2a_bridge_cost_usd_total = %v, want %v", got, want)
	}
	var st struct{ Agents map[string]statsView }
	if err := json.Unmarshal(send(t, c, http.MethodGet, base+"/v1/stats", teamKey, "").body, &st); err != nil {
		t.Fatal(err)
	}
	if got := st.Agents["fa"].CostUSD; math.Abs(got-want) > 1e-12 {
		t.Errorf("stats cost_usd = %v, want %v", got, want)
	}
	if lines := logs.matching(`"route":"chat"`, `"agent":"fa"`, `"cost_usd":`, `"input_tokens":`, `"ttft":`); len(lines) != 2 {
		t.Errorf("access log lines of fa with cost_usd = %d, want 2:\n%s", len(lines), logs)
	}
}

// TestOpsConfigErrors: the new agent and key settings are checked, each
// error naming its field.
func TestOpsConfigErrors(t *testing.T) {
	cases := []struct {
		name  string
		cfg   Config
		field string
	}{
		{"negative cost", Config{Agents: []AgentConfig{{Name: "a", URL: "http://h", CostPerInputToken: -1}}}, "agents[0].cost_per_input_token: "},
		{"NaN cost", Config{Agents: []AgentConfig{{Name: "a", URL: "http://h", CostPerRequest: math.NaN()}}}, "agents[0].cost_per_request: "},
		{"negative agent rpm", Config{Agents: []AgentConfig{{Name: "a", URL: "http://h", RPM: -1}}}, "agents[0].rpm: "},
		{"negative key rpm", Config{APIKeys: []APIKey{{Key: "k", RPM: -5}}}, "api_keys[0].rpm: "},
		{"admin key named as an api key", Config{APIKeys: []APIKey{{Key: "k1", Name: "x"}}, AdminKeys: []APIKey{{Key: "k2", Name: "x"}}},
			"admin_keys[0].name: "},
		{"empty admin key", Config{AdminKeys: []APIKey{{Key: " "}}}, "admin_keys[0]: "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.cfg.Validate(); err == nil || !strings.HasPrefix(err.Error(), tc.field) {
				t.Errorf("Validate() = %v, want an error starting %q", err, tc.field)
			}
		})
	}
}
