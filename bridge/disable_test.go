package bridge

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/tidwall/gjson"
)

// countedCardAgent serves a 0.3 card, counting its fetches, and answers
// its calls with answering.
func countedCardAgent(t *testing.T, fetches *atomic.Int64) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/agent-card.json", func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		io.WriteString(w, `{"name":"fa","protocolVersion":"0.3.0","url":"/rpc","capabilities":{"streaming":true}}`)
	})
	mux.HandleFunc("POST /rpc", answering)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// disableConfig is one agent fa, a team key and an admin key.
func disableConfig(url string) Config {
	return Config{APIKeys: []APIKey{{Key: teamKey, Name: teamName}}, AdminKeys: []APIKey{{Key: adminKey, Name: adminName}},
		Agents: []AgentConfig{{Name: "fa", URL: url, Timeout: Duration{10 * time.Second}}}}
}

// TestAgentDisable: PATCH /v1/agents/{name} {"disabled": true} (admin keys
// only) shows the agent disabled in /v1/agents, stops its probes, and
// refuses its calls with 503 agent_disabled on every door (the OpenAI
// shape on chat and Responses, a JSON-RPC error on /a2a); the change is
// logged once; {"disabled": false} undoes it all.
func TestAgentDisable(t *testing.T) {
	checkLeaks(t)
	var fetches atomic.Int64
	agent := countedCardAgent(t, &fetches)
	s, base, logs := serveBridge(t, disableConfig(agent.URL), nil)
	c := oneConn(t)
	patch := func(body string) result { return send(t, c, http.MethodPatch, base+"/v1/agents/fa", adminKey, body) }

	s.probeAll(t.Context())
	if res := patch(`{"disabled": true}`); res.status != 200 || gjson.GetBytes(res.body, "state").String() != "disabled" {
		t.Fatalf("PATCH disabled = %d %s, want 200 with state disabled", res.status, res.body)
	}
	patch(`{"disabled": true}`) // again: no change, no second log line
	if got := stateIn(t, c, base, "fa"); got != "disabled" {
		t.Errorf("GET /v1/agents/fa state = %q, want disabled", got)
	}
	list := send(t, c, http.MethodGet, base+"/v1/agents", teamKey, "")
	if got := gjson.GetBytes(list.body, `data.#(name=="fa").state`).String(); got != "disabled" {
		t.Errorf("GET /v1/agents state of fa = %q, want disabled: %s", got, list.body)
	}
	before := fetches.Load()
	s.probeAll(t.Context())
	if got := fetches.Load(); got != before {
		t.Errorf("a disabled agent was probed: %d card fetches, want none", got-before)
	}

	auth := []string{"Authorization", "Bearer " + teamKey}
	for _, door := range []struct {
		name, path, body, code string
	}{
		{"chat", "/v1/chat/completions", chatBody("a2a/fa", false, "user", "hi"), "error.code"},
		{"chat stream", "/v1/chat/completions", chatBody("a2a/fa", true, "user", "hi"), "error.code"},
		{"responses", "/v1/responses", `{"model":"a2a/fa","input":"hi"}`, "error.code"},
		{"a2a", "/a2a/fa", gwMessage("message/send", "hi", 7), "error.data.code"},
		{"a2a stream", "/a2a/fa", gwMessage("message/stream", "hi", 8), "error.data.code"},
	} {
		t.Run(door.name, func(t *testing.T) {
			res := post(t, c, base+door.path, door.body, append(auth, "Content-Type", "application/json")...)
			if res.status != 503 || gjson.GetBytes(res.body, door.code).String() != "agent_disabled" {
				t.Errorf("%s to a disabled agent = %d %s, want 503 with %s agent_disabled", door.path, res.status, res.body, door.code)
			}
			if door.code == "error.data.code" && (gjson.GetBytes(res.body, "error.code").Int() != -32000 || gjson.GetBytes(res.body, "id").Int() == 0) {
				t.Errorf("%s: %s, want JSON-RPC error -32000 answering the caller's id", door.path, res.body)
			}
		})
	}

	if res := patch(`{"disabled": false}`); res.status != 200 || gjson.GetBytes(res.body, "state").String() == "disabled" {
		t.Fatalf("PATCH enabled = %d %s, want 200 and no longer disabled", res.status, res.body)
	}
	before = fetches.Load()
	s.probeAll(t.Context())
	if got := fetches.Load(); got != before+1 {
		t.Errorf("an agent enabled again: %d card fetches by a probe, want 1", got-before)
	}
	if got := stateIn(t, c, base, "fa"); got != "healthy" {
		t.Errorf("state after enabling and a probe = %q, want healthy", got)
	}
	if res := post(t, c, base+"/v1/chat/completions", chatBody("a2a/fa", false, "user", "hi"), auth...); res.status != 200 {
		t.Errorf("chat to an agent enabled again = %d %s, want 200", res.status, res.body)
	}
	for _, msg := range []string{`"agent disabled"`, `"agent enabled"`} {
		if got := logs.matching(msg, `"agent":"fa"`, `"key":"`+adminName+`"`); len(got) != 1 {
			t.Errorf("log lines %s = %d, want 1:\n%s", msg, len(got), logs)
		}
	}
}

// TestAgentPatchErrors: PATCH /v1/agents/{name} is for admin keys (403
// otherwise), 404 for an unknown agent, and 400 naming the field for a
// body that is not {"disabled": <boolean>}.
func TestAgentPatchErrors(t *testing.T) {
	var fetches atomic.Int64
	agent := countedCardAgent(t, &fetches)
	_, base, _ := serveBridge(t, disableConfig(agent.URL), nil)
	c := httpClient(t)
	cases := []struct {
		name, key, path, body string
		status                int
		code, param           string
	}{
		{"plain key", teamKey, "/v1/agents/fa", `{"disabled": true}`, 403, "permission_denied", ""},
		{"unknown agent", adminKey, "/v1/agents/nobody", `{"disabled": true}`, 404, "model_not_found", "model"}, // as DELETE answers
		{"no JSON", adminKey, "/v1/agents/fa", `disabled`, 400, "", ""},
		{"no object", adminKey, "/v1/agents/fa", `[true]`, 400, "", ""},
		{"empty object", adminKey, "/v1/agents/fa", `{}`, 400, "", "disabled"},
		{"not a boolean", adminKey, "/v1/agents/fa", `{"disabled": "yes"}`, 400, "", "disabled"},
		{"null", adminKey, "/v1/agents/fa", `{"disabled": null}`, 400, "", "disabled"},
		{"another field", adminKey, "/v1/agents/fa", `{"disabled": true, "url": "http://elsewhere"}`, 400, "", "url"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := send(t, c, http.MethodPatch, base+tc.path, tc.key, tc.body)
			if res.status != tc.status || gjson.GetBytes(res.body, "error.param").String() != tc.param ||
				tc.code != "" && gjson.GetBytes(res.body, "error.code").String() != tc.code {
				t.Errorf("PATCH %s %s = %d %s, want %d code %q param %q", tc.path, tc.body, res.status, res.body, tc.status, tc.code, tc.param)
			}
		})
	}
	if got := stateIn(t, c, base, "fa"); got == "disabled" {
		t.Errorf("state after refused PATCHes = %q, want not disabled", got)
	}
}

// TestStatusPageDisabled: the status page shows a disabled agent's state
// as disabled.
func TestStatusPageDisabled(t *testing.T) {
	ctx := browser(t)
	var fetches atomic.Int64
	agent := countedCardAgent(t, &fetches)
	_, base, _ := serveBridge(t, disableConfig(agent.URL), nil)
	if res := send(t, httpClient(t), http.MethodPatch, base+"/v1/agents/fa", adminKey, `{"disabled": true}`); res.status != 200 {
		t.Fatalf("PATCH = %d %s", res.status, res.body)
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/ui/"),
		chromedp.WaitVisible(chromedp.CSS("#key")),
		chromedp.SendKeys(chromedp.CSS("#key"), teamKey),
		chromedp.Click(chromedp.CSS("#keyform button")),
		chromedp.WaitVisible(chromedp.CSS(`#rows tr[data-agent="fa"]`)),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]row](readRows))
	if err != nil {
		t.Fatalf("read rows: %v", err)
	}
	if len(rows) == 0 || rows[0].Agent != "fa" || len(rows[0].Cells) == 0 || rows[0].Cells[0] != "disabled" {
		t.Errorf("status page rows = %v, want fa disabled", rows)
	}
}
