package bridge

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"
)

// TestMetricsAgentRegisteredAgain: the children a request counts into are
// resolved once per route, agent and key and kept (seriesOf); an agent
// unregistered and registered again under its name counts afresh, in
// series /metrics shows and in /v1/stats, not in children of the old one
// that were dropped with it.
func TestMetricsAgentRegisteredAgain(t *testing.T) {
	agent := newFaultAgent(t, true, answering)
	cfg := Config{APIKeys: []APIKey{{Key: teamKey, Name: teamName}}, AdminKeys: []APIKey{{Key: adminKey, Name: adminName}},
		Agents: []AgentConfig{{Name: "fa", URL: agent.URL, Timeout: Duration{10 * time.Second}, CostPerRequest: 0.5}}}
	_, base, _ := serveBridge(t, cfg, nil)
	c := oneConn(t)
	entry := fmt.Sprintf(`{"name":"added","url":%q,"timeout":"10s","cost_per_request":0.25}`, agent.URL)
	steps := []struct {
		name, method, path, key, body string
		status                        int
	}{
		{"POST", "POST", "/v1/agents", adminKey, entry, 201},
		{"call it", "POST", "/v1/chat/completions", teamKey, chatBody("a2a/added", false, "user", "hi"), 200},
		{"call it again", "POST", "/v1/chat/completions", teamKey, chatBody("a2a/added", false, "user", "hi"), 200},
		{"DELETE", "DELETE", "/v1/agents/added", adminKey, "", 200},
		{"POST again", "POST", "/v1/agents", adminKey, entry, 201},
		{"call the new one", "POST", "/v1/chat/completions", teamKey, chatBody("a2a/added", false, "user", "hi"), 200},
		{"call another agent", "POST", "/v1/chat/completions", teamKey, chatBody("a2a/fa", false, "user", "hi"), 200},
	}
	for _, st := range steps {
		if res := send(t, c, st.method, base+st.path, st.key, st.body); res.status != st.status {
			t.Fatalf("%s: %s %s = %d, want %d: %s", st.name, st.method, st.path, res.status, st.status, res.body)
		}
	}
	fams := scrape(t, c, base)
	for _, w := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"a2a_bridge_requests_total", []string{"route", "chat", "agent", "added", "key", teamName, "code", "200"}, 1},
		{"a2a_bridge_request_duration_seconds", []string{"route", "chat", "agent", "added"}, 1},
		{"a2a_bridge_time_to_first_token_seconds", []string{"route", "chat", "agent", "added"}, 1},
		{"a2a_bridge_cost_usd_total", []string{"agent", "added", "key", teamName}, 0.25},
		{"a2a_bridge_cost_usd_total", []string{"agent", "fa", "key", teamName}, 0.5},
		{"a2a_bridge_requests_total", []string{"route", "chat", "agent", "fa", "key", teamName, "code", "200"}, 1},
	} {
		if got, ok := sample(fams, w.name, w.labels...); !ok || got != w.want {
			t.Errorf("%s%v = %v (found %v), want %v", w.name, w.labels, got, ok, w.want)
		}
	}
	var st struct {
		Agents map[string]statsView `json:"agents"`
	}
	res := send(t, c, http.MethodGet, base+"/v1/stats", teamKey, "")
	if err := json.Unmarshal(res.body, &st); err != nil || res.status != 200 {
		t.Fatalf("GET /v1/stats = %d %s (%v)", res.status, res.body, err)
	}
	// Its requests: the POST that registered it again, and the call.
	if got := st.Agents["added"]; got.Requests != 2 || got.CostUSD != 0.25 {
		t.Errorf("stats of the agent registered again = %+v, want 2 requests, cost 0.25", got)
	}
}
