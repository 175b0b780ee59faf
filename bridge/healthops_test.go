package bridge

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// TestProbeTakesUpChangedCard: an agent that moved its endpoint and
// rewrote its description in its card is called at the new endpoint, and
// described anew, once the next probe has run, not before.
func TestProbeTakesUpChangedCard(t *testing.T) {
	var version atomic.Int64
	version.Store(1)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/agent-card.json", func(w http.ResponseWriter, r *http.Request) {
		v := version.Load()
		fmt.Fprintf(w, `{"name":"mover","description":"version %d","protocolVersion":"0.3.0","url":"/rpc%d"}`, v, v)
	})
	for _, v := range []int{1, 2} {
		mux.HandleFunc(fmt.Sprintf("POST /rpc%d", v), func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"from rpc%d"}]}}`, v)
		})
	}
	agent := httptest.NewServer(mux)
	t.Cleanup(agent.Close)
	cfg := Config{APIKeys: []APIKey{{Key: teamKey, Name: teamName}},
		Agents: []AgentConfig{{Name: "mover", URL: agent.URL, Timeout: Duration{10 * time.Second}}}}
	s, base, _ := serveBridge(t, cfg, nil)
	c := oneConn(t)
	ask := func() string {
		res := post(t, c, base+"/v1/chat/completions", chatBody("a2a/mover", false, "user", "where are you?"), "Authorization", "Bearer "+teamKey)
		text, _ := completionText(t, res.body)
		return text
	}
	describe := func() string {
		return gjson.GetBytes(send(t, c, http.MethodGet, base+"/v1/agents/mover", teamKey, "").body, "description").String()
	}
	steps := []struct {
		name        string
		change      bool // the agent serves its second card from now on
		probe       bool
		answer, doc string
	}{
		{"first card", false, false, "from rpc1", "version 1"},
		{"card changed, no probe yet", true, false, "from rpc1", "version 1"},
		{"after the next probe", false, true, "from rpc2", "version 2"},
	}
	for _, st := range steps {
		if st.change {
			version.Store(2)
		}
		if st.probe {
			s.probeAll(t.Context())
		}
		if got := ask(); got != st.answer {
			t.Errorf("%s: answer %q, want %q", st.name, got, st.answer)
		}
		if got := describe(); got != st.doc {
			t.Errorf("%s: description %q, want %q", st.name, got, st.doc)
		}
	}
}

// TestHealthPassiveLogged: five failed calls in a row, on the chat door or
// the A2A gateway, make an agent unhealthy, logged once when it happens
// (not again for the calls that keep failing), and once more when a call
// works again.
func TestHealthPassiveLogged(t *testing.T) {
	cases := []struct {
		name string
		call func(c *http.Client, base string)
	}{
		{"chat", func(c *http.Client, base string) {
			post(t, c, base+"/v1/chat/completions", chatBody("a2a/fa", false, "user", "hi"), "Authorization", "Bearer "+teamKey)
		}},
		{"a2a", func(c *http.Client, base string) {
			rpcPost(t, c, base+"/a2a/fa", teamKey, gwMessage("message/send", "hi", 1))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			down := true
			agent := newFaultAgent(t, true, func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				d := down
				mu.Unlock()
				if d {
					http.Error(w, "boom", http.StatusInternalServerError)
					return
				}
				answering(w, r)
			})
			cfg := Config{APIKeys: []APIKey{{Key: teamKey, Name: teamName}},
				Agents: []AgentConfig{{Name: "fa", URL: agent.URL, Timeout: Duration{10 * time.Second}}}}
			_, base, logs := serveBridge(t, cfg, nil)
			c := oneConn(t)
			changes := func() []string { return logs.matching(`"agent state changed"`, `"agent":"fa"`) }
			for i := range 4 {
				tc.call(c, base)
				if got := changes(); len(got) != 0 {
					t.Fatalf("after %d failed calls: state changes logged %v, want none", i+1, got)
				}
			}
			tc.call(c, base)
			if got := stateIn(t, c, base, "fa"); got != "unhealthy" {
				t.Errorf("state after 5 failed calls = %q, want unhealthy", got)
			}
			for range 3 {
				tc.call(c, base)
			}
			got := changes()
			if len(got) != 1 || !strings.Contains(got[0], `"to":"unhealthy"`) || !strings.Contains(got[0], `"failed_calls":5`) {
				t.Errorf("state changes after 8 failed calls = %q, want one, to unhealthy at the fifth", got)
			}
			mu.Lock()
			down = false
			mu.Unlock()
			tc.call(c, base)
			tc.call(c, base)
			if got := changes(); len(got) != 2 || !strings.Contains(got[1], `"from":"unhealthy"`) {
				t.Errorf("state changes after calls that worked = %q, want a second one, from unhealthy", got)
			}
			if got := stateIn(t, c, base, "fa"); got == "unhealthy" {
				t.Errorf("state after calls that worked = %q, want no longer unhealthy", got)
			}
		})
	}
}
