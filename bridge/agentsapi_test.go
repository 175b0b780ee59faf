package bridge

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const helperCard = `{"name":"helper","description":"Answers questions about the weather.","protocolVersion":"0.3.0","url":"/rpc",
"capabilities":{"streaming":true},"skills":[{"id":"forecast","name":"Forecast","description":"Tomorrow's weather.","tags":["weather","daily"]}]}`

// newCardAgent serves card at the well-known path and answering at /rpc.
func newCardAgent(t *testing.T, card string, rpc http.HandlerFunc) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/agent-card.json", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, card) })
	mux.HandleFunc("POST /rpc", rpc)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// send sends method to the bridge's path with key and reads the answer.
func send(t *testing.T, c *http.Client, method, url, key, body string) result {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return result{status: res.StatusCode, header: res.Header, body: b}
}

type agentList struct {
	Object string      `json:"object"`
	Data   []agentView `json:"data"`
}

// TestAgentsList: /v1/agents lists the agents the key may call, with what
// their card and config say of them (description, skills, tags, protocol,
// state), and never an agent's URL, key or header; another agent is 404.
func TestAgentsList(t *testing.T) {
	helper := newCardAgent(t, helperCard, answering)
	other := newFaultAgent(t, true, answering)
	cfg := Config{APIKeys: []APIKey{{Key: teamKey, Name: teamName, Agents: []string{"helper"}}},
		Agents: []AgentConfig{
			{Name: "helper", URL: helper.URL, APIKey: upstreamSecret, Headers: map[string]string{"X-Secret-Header": "hdr-value-secret"},
				Tags: []string{"team"}, Timeout: Duration{10 * time.Second}},
			{Name: "other", URL: other.URL, Timeout: Duration{10 * time.Second}},
		}}
	_, base, _ := serveBridge(t, cfg, nil)
	c := oneConn(t)
	if res := post(t, c, base+"/v1/chat/completions", chatBody("a2a/helper", false, "user", "hi"), "Authorization", "Bearer "+teamKey); res.status != 200 {
		t.Fatalf("chat: %d %s", res.status, res.body)
	}
	res := send(t, c, http.MethodGet, base+"/v1/agents", teamKey, "")
	var list agentList
	if err := json.Unmarshal(res.body, &list); err != nil || res.status != 200 {
		t.Fatalf("GET /v1/agents = %d %s (%v)", res.status, res.body, err)
	}
	for _, secret := range []string{helper.URL, strings.TrimPrefix(helper.URL, "http://"), upstreamSecret, "hdr-value-secret", other.URL} {
		if strings.Contains(string(res.body), secret) {
			t.Errorf("GET /v1/agents shows %q: %s", secret, res.body)
		}
	}
	if len(list.Data) != 1 {
		t.Fatalf("GET /v1/agents lists %d agents, want the key's one: %s", len(list.Data), res.body)
	}
	got := list.Data[0]
	want := agentView{Name: "helper", Object: "agent", Model: "a2a/helper", Description: "Answers questions about the weather.",
		Streaming: true, Protocol: "0.3", Tags: []string{"team"}, State: "healthy", Replicas: 1,
		Skills: []skillView{{ID: "forecast", Name: "Forecast", Description: "Tomorrow's weather.", Tags: []string{"weather", "daily"}}}}
	want.Stats = got.Stats
	if fmt.Sprint(got) != fmt.Sprint(want) || list.Object != "list" {
		t.Errorf("GET /v1/agents entry = %+v\nwant %+v", got, want)
	}
	if got.Stats.Requests != 1 {
		t.Errorf("stats.requests = %d, want 1 (the chat call)", got.Stats.Requests)
	}
	for _, tc := range []struct {
		name, path string
		status     int
	}{
		{"its agent", "/v1/agents/helper", 200},
		{"an agent it may not call", "/v1/agents/other", 404},
		{"no such agent", "/v1/agents/nope", 404},
	} {
		if res := send(t, c, http.MethodGet, base+tc.path, teamKey, ""); res.status != tc.status {
			t.Errorf("GET %s (%s) = %d, want %d: %s", tc.path, tc.name, res.status, tc.status, res.body)
		}
	}
}

// TestAgentsAdmin: POST and DELETE /v1/agents change the registry at run
// time for admin keys only (403 permission_denied for others), 201 and 200,
// 409 for a name in use, 404 for an unknown one, 400 naming the field of a
// bad entry; a registered agent is called at once and an unregistered one
// is gone from every route.
func TestAgentsAdmin(t *testing.T) {
	agent := newFaultAgent(t, true, answering)
	cfg := Config{APIKeys: []APIKey{{Key: teamKey, Name: teamName}}, AdminKeys: []APIKey{{Key: adminKey, Name: adminName}},
		Agents: []AgentConfig{{Name: "fa", URL: agent.URL, Timeout: Duration{10 * time.Second}}}}
	_, base, _ := serveBridge(t, cfg, nil)
	c := oneConn(t)
	entry := fmt.Sprintf(`{"name":"added","url":%q,"timeout":"10s","tags":["new"]}`, agent.URL)
	steps := []struct {
		name, method, path, key, body string
		status                        int
		code, param                   string
	}{
		{"POST with a plain key", "POST", "/v1/agents", teamKey, entry, 403, "permission_denied", ""},
		{"POST", "POST", "/v1/agents", adminKey, entry, 201, "", ""},
		{"POST the same name", "POST", "/v1/agents", adminKey, entry, 409, "agent_exists", "name"},
		{"POST a bad url", "POST", "/v1/agents", adminKey, `{"name":"x","url":"ftp://h/"}`, 400, "", "url"},
		{"POST an unknown key", "POST", "/v1/agents", adminKey, fmt.Sprintf(`{"name":"x","url":%q,"bogus":1}`, agent.URL), 400, "", "bogus"},
		{"POST a bad duration", "POST", "/v1/agents", adminKey, fmt.Sprintf(`{"name":"x","url":%q,"timeout":"soon"}`, agent.URL), 400, "", "timeout"},
		{"POST no JSON", "POST", "/v1/agents", adminKey, `[1,2]`, 400, "", ""},
		{"call it", "POST", "/v1/chat/completions", teamKey, chatBody("a2a/added", false, "user", "hi"), 200, "", ""},
		{"see it", "GET", "/v1/agents/added", teamKey, "", 200, "", ""},
		{"DELETE with a plain key", "DELETE", "/v1/agents/added", teamKey, "", 403, "permission_denied", ""},
		{"DELETE", "DELETE", "/v1/agents/added", adminKey, "", 200, "", ""},
		{"DELETE again", "DELETE", "/v1/agents/added", adminKey, "", 404, "model_not_found", ""},
		{"call it once gone", "POST", "/v1/chat/completions", teamKey, chatBody("a2a/added", false, "user", "hi"), 404, "model_not_found", ""},
		{"see it once gone", "GET", "/v1/agents/added", teamKey, "", 404, "model_not_found", ""},
	}
	for _, st := range steps {
		res := send(t, c, st.method, base+st.path, st.key, st.body)
		if res.status != st.status {
			t.Errorf("%s: %s %s = %d, want %d: %s", st.name, st.method, st.path, res.status, st.status, res.body)
			continue
		}
		if st.status >= 400 {
			e := decodeError(t, res.body)
			if st.code != "" && (e.Error.Code == nil || *e.Error.Code != st.code) || st.param != "" && (e.Error.Param == nil || *e.Error.Param != st.param) {
				t.Errorf("%s: error %s, want code %q param %q", st.name, res.body, st.code, st.param)
			}
		}
	}
	if ids := modelIDs(t, c, base, []string{"Authorization", "Bearer " + teamKey}); ids != "a2a/fa" {
		t.Errorf("GET /v1/models after the DELETE = %q, want a2a/fa", ids)
	}
}

// TestAgentsAdminConcurrent: agents registered, listed, called and
// unregistered at once (run with -race) leave the registry whole.
func TestAgentsAdminConcurrent(t *testing.T) {
	agent := newFaultAgent(t, true, answering)
	cfg := Config{AdminKeys: []APIKey{{Key: adminKey, Name: adminName}},
		Agents: []AgentConfig{{Name: "fa", URL: agent.URL, Timeout: Duration{10 * time.Second}}}}
	_, base, _ := serveBridge(t, cfg, nil)
	c := httpClient(t)
	auth := []string{"Authorization", "Bearer " + adminKey}
	errs := make(chan error, 64)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			name := fmt.Sprintf("c%d", i)
			res, err := tryPost(c, base+"/v1/agents", fmt.Sprintf(`{"name":%q,"url":%q}`, name, agent.URL), auth...)
			if err == nil && res.status != 201 {
				err = fmt.Errorf("POST %s: %d %s", name, res.status, res.body)
			}
			if err == nil {
				res, err = tryPost(c, base+"/v1/chat/completions", chatBody("a2a/"+name, false, "user", "hi"), auth...)
				if err == nil && res.status != 200 {
					err = fmt.Errorf("chat %s: %d %s", name, res.status, res.body)
				}
			}
			if err == nil {
				req, _ := http.NewRequest(http.MethodDelete, base+"/v1/agents/"+name, nil)
				req.Header.Set(auth[0], auth[1])
				var r *http.Response
				if r, err = c.Do(req); err == nil {
					r.Body.Close()
					if r.StatusCode != 200 {
						err = fmt.Errorf("DELETE %s: %d", name, r.StatusCode)
					}
				}
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if ids := modelIDs(t, c, base, auth); ids != "a2a/fa" {
		t.Errorf("GET /v1/models after it all = %q, want a2a/fa", ids)
	}
}

// TestStats: /v1/stats counts each agent's requests, errors (a failed
// task), tokens and latency percentiles (on the bridge's clock, which the
// agent moves: 100, 200 and 300 ms), totals them, and shows a key only the
// agents it may call.
func TestStats(t *testing.T) {
	clock := newFakeClock()
	var mu sync.Mutex
	calls := 0
	agent := newFaultAgent(t, true, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		clock.advance(time.Duration(calls) * 100 * time.Millisecond)
		mu.Unlock()
		answering(w, r)
	})
	cfg := Config{APIKeys: []APIKey{{Key: teamKey, Name: teamName}, {Key: "sk-other", Name: "other", Agents: []string{"fb"}}},
		Agents: []AgentConfig{{Name: "fa", URL: agent.URL, Timeout: Duration{10 * time.Second}},
			{Name: "fb", URL: agent.URL, Timeout: Duration{10 * time.Second}}}}
	_, base, _ := serveBridge(t, cfg, func(s *Server) { s.now = clock.now })
	c := oneConn(t)
	for _, prompt := range []string{"hello", "fail now", "hello again"} {
		post(t, c, base+"/v1/chat/completions", chatBody("a2a/fa", false, "user", prompt), "Authorization", "Bearer "+teamKey)
	}
	var st struct {
		Totals statsView            `json:"totals"`
		Agents map[string]statsView `json:"agents"`
	}
	res := send(t, c, http.MethodGet, base+"/v1/stats", teamKey, "")
	if err := json.Unmarshal(res.body, &st); err != nil || res.status != 200 {
		t.Fatalf("GET /v1/stats = %d %s (%v)", res.status, res.body, err)
	}
	fa := st.Agents["fa"]
	if fa.Requests != 3 || fa.Errors != 1 || fa.Tokens.Input <= 0 || fa.Tokens.Output <= 0 || fa.Latency.P50 != 200 || fa.Latency.P95 != 300 || fa.StreamsOpen != 0 {
		t.Errorf("stats of fa = %+v, want 3 requests, 1 error, tokens, p50 200 ms, p95 300 ms", fa)
	}
	if fmt.Sprint(st.Totals) != fmt.Sprint(fa) || len(st.Agents) != 2 {
		t.Errorf("totals = %+v, want fa's %+v (fb had none); agents %v", st.Totals, fa, st.Agents)
	}
	res = send(t, c, http.MethodGet, base+"/v1/stats", "sk-other", "")
	if strings.Contains(string(res.body), `"fa"`) || !strings.Contains(string(res.body), `"fb"`) {
		t.Errorf("GET /v1/stats for a key of fb only = %s, want fb alone", res.body)
	}
}
