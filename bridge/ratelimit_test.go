package bridge

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock a test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (f *fakeClock) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
}

// TestLimiterSlidingWindow: the window slides (a request a minute old no
// longer counts, one 59 s old still does), remaining counts down from
// limit-1, and retry is the exact time until the oldest request leaves
// the window.
func TestLimiterSlidingWindow(t *testing.T) {
	l := newLimiter()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	steps := []struct {
		name      string
		at        time.Duration
		ok        bool
		remaining int
		retry     time.Duration
		reset     time.Duration
	}{
		{"first of 3", 0, true, 2, 0, 60 * time.Second},
		{"second", 10 * time.Second, true, 1, 0, 60 * time.Second},
		{"third", 20 * time.Second, true, 0, 0, 60 * time.Second},
		{"fourth, inside the minute", 30 * time.Second, false, 0, 30 * time.Second, 50 * time.Second},
		{"the first has left the window", 60 * time.Second, true, 0, 0, 60 * time.Second},
		{"the second is 59 s old", 69 * time.Second, false, 0, time.Second, 51 * time.Second},
		{"the second has left", 70 * time.Second, true, 0, 0, 60 * time.Second},
		{"idle two minutes: all of it again", 200 * time.Second, true, 2, 0, 60 * time.Second},
	}
	for _, st := range steps {
		q := l.take("k", 3, t0.Add(st.at))
		if q.ok != st.ok || q.remaining != st.remaining || q.retry != st.retry || q.reset != st.reset || q.limit != 3 {
			t.Errorf("%s: take at %v = %+v, want ok %v remaining %d retry %v reset %v", st.name, st.at, q, st.ok, st.remaining, st.retry, st.reset)
		}
	}
}

// TestLimiterResize: a limit that changes keeps the newest requests.
func TestLimiterResize(t *testing.T) {
	l := newLimiter()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 4 {
		l.take("k", 4, t0.Add(time.Duration(i)*time.Second))
	}
	if q := l.take("k", 2, t0.Add(5*time.Second)); q.ok || q.retry != 57*time.Second {
		t.Errorf("take with the limit lowered to 2 = %+v, want refused, retry 57s (the newest two kept)", q)
	}
	if q := l.take("k", 6, t0.Add(5*time.Second)); !q.ok || q.remaining != 3 {
		t.Errorf("take with the limit raised to 6 = %+v, want allowed, 3 remaining", q)
	}
}

// TestKeyRateLimit: a key's rpm covers every route (/v1/models counts), is
// said in OpenAI's x-ratelimit-*-requests headers on every answer (a stream's
// too), and past it the answer is 429 rate_limit_exceeded with the seconds
// until the next request is allowed in Retry-After; a minute later the key
// may call again. A key without rpm gets no headers.
func TestKeyRateLimit(t *testing.T) {
	checkLeaks(t)
	agent := newFaultAgent(t, true, answering)
	clock := newFakeClock()
	cfg := Config{APIKeys: []APIKey{{Key: teamKey, Name: teamName, RPM: 3}, {Key: "sk-free", Name: "free"}},
		Agents: []AgentConfig{{Name: "fa", URL: agent.URL, Timeout: Duration{10 * time.Second}}}}
	_, base, _ := serveBridge(t, cfg, func(s *Server) { s.now = clock.now })
	c := oneConn(t)
	auth := []string{"Authorization", "Bearer " + teamKey}
	get := func(path string, header []string) result {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set(header[0], header[1])
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return result{status: res.StatusCode, header: res.Header, body: b}
	}
	calls := []struct {
		name             string
		call             func() result
		advance          time.Duration // before the call
		status           int
		remaining, reset string
		retryAfter       string
	}{
		{"models", func() result { return get("/v1/models", auth) }, 0, 200, "2", "60s", ""},
		{"chat", func() result {
			return post(t, c, base+"/v1/chat/completions", chatBody("a2a/fa", false, "user", "hi"), auth...)
		},
			10 * time.Second, 200, "1", "60s", ""},
		{"stream", func() result {
			return post(t, c, base+"/v1/chat/completions", chatBody("a2a/fa", true, "user", "hi"), auth...)
		},
			5 * time.Second, 200, "0", "60s", ""},
		{"over the limit", func() result { return get("/v1/models", auth) }, 3 * time.Second, 429, "0", "57s", "42"},
		{"the first left the window", func() result { return get("/v1/models", auth) }, 42 * time.Second, 200, "0", "60s", ""},
	}
	for _, call := range calls {
		clock.advance(call.advance)
		res := call.call()
		h := res.header
		if res.status != call.status || h.Get("x-ratelimit-limit-requests") != "3" || h.Get("x-ratelimit-remaining-requests") != call.remaining ||
			h.Get("x-ratelimit-reset-requests") != call.reset || h.Get("Retry-After") != call.retryAfter {
			t.Errorf("%s: %d limit %q remaining %q reset %q Retry-After %q, want %d 3 %q %q %q", call.name, res.status,
				h.Get("x-ratelimit-limit-requests"), h.Get("x-ratelimit-remaining-requests"), h.Get("x-ratelimit-reset-requests"),
				h.Get("Retry-After"), call.status, call.remaining, call.reset, call.retryAfter)
		}
		if res.status == 429 {
			if e := decodeError(t, res.body); e.Error.Type != "rate_limit_exceeded" || e.Error.Code == nil || *e.Error.Code != "rate_limit_exceeded" {
				t.Errorf("%s: error %+v, want rate_limit_exceeded", call.name, e.Error)
			}
		}
	}
	if res := get("/v1/models", []string{"Authorization", "Bearer sk-free"}); res.status != 200 || res.header.Get("x-ratelimit-limit-requests") != "" {
		t.Errorf("a key without rpm: %d, x-ratelimit-limit-requests %q, want 200 and none", res.status, res.header.Get("x-ratelimit-limit-requests"))
	}
	if got, _ := sample(scrape(t, c, base), "a2a_bridge_rate_limited_total", "agent", "", "key", teamName); got != 1 {
		t.Errorf("a2a_bridge_rate_limited_total{key=%q} = %v, want 1", teamName, got)
	}
}

// TestAgentRateLimit: an agent's rpm counts every key's calls to it; past
// it, 429 with Retry-After, counted by agent and key; other agents go on.
func TestAgentRateLimit(t *testing.T) {
	agent := newFaultAgent(t, true, answering)
	clock := newFakeClock()
	cfg := Config{APIKeys: []APIKey{{Key: teamKey, Name: teamName}, {Key: "sk-other", Name: "other"}},
		Agents: []AgentConfig{{Name: "fa", URL: agent.URL, RPM: 1, Timeout: Duration{10 * time.Second}},
			{Name: "fb", URL: agent.URL, Timeout: Duration{10 * time.Second}}}}
	_, base, _ := serveBridge(t, cfg, func(s *Server) { s.now = clock.now })
	c := oneConn(t)
	calls := []struct {
		name, key, model string
		status           int
		retryAfter       string
	}{
		{"first call", teamKey, "a2a/fa", 200, ""},
		{"another key, same agent", "sk-other", "a2a/fa", 429, "50"},
		{"another agent", "sk-other", "a2a/fb", 200, ""},
	}
	for _, call := range calls {
		res := post(t, c, base+"/v1/chat/completions", chatBody(call.model, false, "user", "hi"), "Authorization", "Bearer "+call.key)
		if res.status != call.status || res.header.Get("Retry-After") != call.retryAfter {
			t.Errorf("%s: %d Retry-After %q, want %d %q: %s", call.name, res.status, res.header.Get("Retry-After"), call.status, call.retryAfter, res.body)
		}
		clock.advance(10 * time.Second)
	}
	fams := scrape(t, c, base)
	if got, _ := sample(fams, "a2a_bridge_rate_limited_total", "agent", "fa", "key", "other"); got != 1 {
		t.Errorf("a2a_bridge_rate_limited_total{agent=fa,key=other} = %v, want 1", got)
	}
	if got, _ := sample(fams, "a2a_bridge_requests_total", "route", "chat", "agent", "fa", "key", "other", "code", "429"); got != 1 {
		t.Errorf("a2a_bridge_requests_total{code=429} = %v, want 1", got)
	}
	if cfg := (Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL, RPM: -1}}}); !strings.Contains(errString(cfg.Validate()), "agents[0].rpm") {
		t.Errorf("Validate(rpm -1) = %v, want an agents[0].rpm error", cfg.Validate())
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
