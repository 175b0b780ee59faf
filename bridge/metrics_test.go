package bridge

import (
	"bufio"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	prommodel "github.com/prometheus/common/model"
)

const (
	doneTask  = `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"t1","contextId":"c1","status":{"state":"completed"},"artifacts":[{"artifactId":"a","parts":[{"kind":"text","text":"the answer is forty-two"}]}]}}`
	teamKey   = "sk-team-a-secret-never-a-label"
	adminKey  = "sk-admin-secret-never-a-label"
	teamName  = "team-a"
	adminName = "ops"
)

// answering is an agent that completes every task ("partial " then done on
// a stream), and fails those whose prompt says "fail".
func answering(w http.ResponseWriter, r *http.Request) {
	body := readAll(r)
	switch {
	case strings.Contains(body, "fail"):
		fmt.Fprint(w, failedTask)
	case strings.Contains(body, "message/stream"):
		sse(w, evTask, evPart, evCompleted)
	default:
		fmt.Fprint(w, doneTask)
	}
}

func readAll(r *http.Request) string {
	var b strings.Builder
	sc := bufio.NewScanner(r.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		b.Write(sc.Bytes())
	}
	return b.String()
}

// scrape reads the bridge's /metrics and parses it as Prometheus does.
func scrape(t *testing.T, c *http.Client, base string, header ...string) map[string]*dto.MetricFamily {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+metricsPath, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET /metrics = %d, want 200", res.StatusCode)
	}
	p := expfmt.NewTextParser(prommodel.UTF8Validation)
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("/metrics is not the text format: %v", err)
	}
	return fams
}

// sample returns the value of the series of family name with exactly
// labels (a histogram's: its count), and whether there is one.
func sample(fams map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
	want := map[string]string{}
	for i := 0; i+1 < len(labels); i += 2 {
		want[labels[i]] = labels[i+1]
	}
next:
	for _, m := range f.GetMetric() {
		if len(m.GetLabel()) != len(want) {
			continue
		}
		for _, l := range m.GetLabel() {
			if v, ok := want[l.GetName()]; !ok || v != l.GetValue() {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

// labelValues is every value label takes in family name.
func labelValues(fams map[string]*dto.MetricFamily, name, label string) []string {
	var out []string
	for _, m := range fams[name].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == label {
				out = append(out, l.GetValue())
			}
		}
	}
	return out
}

// TestMetricsAfterCalls scrapes a real bridge after real calls: a
// non-stream answer, a stream, a failed task and an unknown model, and
// checks each metric of the contract counted them, by agent and key name
// (never the key), and that Go's collectors are there.
func TestMetricsAfterCalls(t *testing.T) {
	checkLeaks(t)
	agent := newFaultAgent(t, true, answering)
	cfg := Config{APIKeys: []APIKey{{Key: teamKey, Name: teamName}},
		Agents: []AgentConfig{{Name: "fa", URL: agent.URL, Timeout: Duration{10 * time.Second}}}}
	_, base, _ := serveBridge(t, cfg, nil)
	c := oneConn(t)
	auth := []string{"Authorization", "Bearer " + teamKey}
	calls := []struct {
		name   string
		body   string
		status int
	}{
		{"non-stream", chatBody("a2a/fa", false, "user", "hello"), 200},
		{"stream", chatBody("a2a/fa", true, "user", "hello"), 200},
		{"failed task", chatBody("a2a/fa", false, "user", "fail please"), 400},
		{"unknown model", chatBody("a2a/no-such-agent", false, "user", "hello"), 404},
	}
	for _, call := range calls {
		if res := post(t, c, base+"/v1/chat/completions", call.body, auth...); res.status != call.status {
			t.Fatalf("%s: status %d, want %d: %s", call.name, res.status, call.status, res.body)
		}
	}
	getStatus(t, c, base+"/v1/no/such/route-abc", auth)
	fams := scrape(t, c, base)
	want := []struct {
		name   string
		labels []string
		value  float64
	}{
		{"a2a_bridge_requests_total", []string{"route", "chat", "agent", "fa", "key", teamName, "code", "200"}, 2},
		{"a2a_bridge_requests_total", []string{"route", "chat", "agent", "fa", "key", teamName, "code", "400"}, 1},
		// An unknown model makes no label value of its own.
		{"a2a_bridge_requests_total", []string{"route", "chat", "agent", "", "key", teamName, "code", "404"}, 1},
		{"a2a_bridge_request_duration_seconds", []string{"route", "chat", "agent", "fa"}, 3},
		{"a2a_bridge_time_to_first_token_seconds", []string{"route", "chat", "agent", "fa"}, 2},
		{"a2a_bridge_upstream_errors_total", []string{"agent", "fa", "kind", "task"}, 1},
		{"a2a_bridge_streams_open", []string{"agent", "fa"}, 0},
		// An unknown route is "other", never its path.
		{"a2a_bridge_requests_total", []string{"route", "other", "agent", "", "key", teamName, "code", "404"}, 1},
	}
	for _, w := range want {
		if got, ok := sample(fams, w.name, w.labels...); !ok || got != w.value {
			t.Errorf("%s%v = %v (present %v), want %v", w.name, w.labels, got, ok, w.value)
		}
	}
	for _, dir := range []string{"input", "output"} {
		if got, _ := sample(fams, "a2a_bridge_tokens_total", "agent", "fa", "key", teamName, "direction", dir); got <= 0 {
			t.Errorf("a2a_bridge_tokens_total{direction=%q} = %v, want > 0", dir, got)
		}
	}
	for _, name := range []string{"go_goroutines", "go_memstats_alloc_bytes", "process_cpu_seconds_total", "process_open_fds"} {
		if fams[name] == nil {
			t.Errorf("/metrics lacks %s (Go and process collectors)", name)
		}
	}
	if got := labelValues(fams, "a2a_bridge_requests_total", "agent"); strings.Contains(strings.Join(got, ","), "no-such-agent") {
		t.Errorf("agent label values %q include the unknown model", got)
	}
	for name, f := range fams {
		if s := f.String(); strings.Contains(s, teamKey) || strings.Contains(s, agent.URL) {
			t.Errorf("%s names a key or an agent URL: %s", name, s)
		}
	}
}

// TestMetricsStreamsOpen: a stream under way counts in
// a2a_bridge_streams_open while it lasts, and its tokens (input included,
// though the caller asked for no usage) once it ends.
func TestMetricsStreamsOpen(t *testing.T) {
	fams := streamsOpen(t, "/v1/chat/completions", chatBody("a2a/fa", true, "user", "a prompt of several tokens"))
	if got, _ := sample(fams, "a2a_bridge_tokens_total", "agent", "fa", "key", "", "direction", "input"); got <= 0 {
		t.Errorf("input tokens of a stream without include_usage = %v, want > 0", got)
	}
}

// streamsOpen sends one stream (POST path with body) through a bridge to
// an agent that holds it after its first text, and checks the
// a2a_bridge_streams_open gauge: 1 while the stream is open, 0 (and
// present) once it ended. It returns the metrics scraped then, on the
// stream's own connection, so after its handler returned.
func streamsOpen(t *testing.T, path, body string) map[string]*dto.MetricFamily {
	t.Helper()
	checkLeaks(t)
	release := make(chan struct{})
	agent := newFaultAgent(t, true, func(w http.ResponseWriter, r *http.Request) {
		sse(w, evTask, evPart)
		select {
		case <-release:
		case <-r.Context().Done():
		}
		sse(w, evCompleted)
	})
	cfg := Config{Agents: []AgentConfig{{Name: "fa", URL: agent.URL, Timeout: Duration{10 * time.Second}}}}
	_, base, _ := serveBridge(t, cfg, nil)
	c := oneConn(t)
	req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	br := bufio.NewReader(res.Body)
	for { // up to the first text: the stream is open
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("%s: stream ended before its text: %v", path, err)
		}
		if strings.Contains(line, "partial") {
			break
		}
	}
	if got, _ := sample(scrape(t, httpClient(t), base), "a2a_bridge_streams_open", "agent", "fa"); got != 1 {
		t.Errorf("%s: a2a_bridge_streams_open during a stream = %v, want 1", path, got)
	}
	close(release)
	if _, err := br.WriteTo(discard{}); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	fams := scrape(t, c, base)
	if got, ok := sample(fams, "a2a_bridge_streams_open", "agent", "fa"); !ok || got != 0 {
		t.Errorf("%s: a2a_bridge_streams_open after the stream = %v (present %v), want 0", path, got, ok)
	}
	return fams
}

// oneConn is a client that sends every request on one connection: the
// bridge reads a request only once the one before it on the connection was
// handled whole (its access log line and metrics included), so a scrape
// sent after calls sees them counted, with no wait.
func oneConn(t *testing.T) *http.Client {
	c := httpClient(t)
	c.Transport.(*http.Transport).MaxConnsPerHost = 1
	return c
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// TestMetricsRequireAdmin: with metrics.require_admin, /metrics wants an
// admin key: none 401, a plain key 403 permission_denied, an admin key 200.
// Without admin_keys the setting is a config error.
func TestMetricsRequireAdmin(t *testing.T) {
	cfg := Config{APIKeys: []APIKey{{Key: teamKey, Name: teamName}}, AdminKeys: []APIKey{{Key: adminKey, Name: adminName}},
		Metrics: MetricsConfig{RequireAdmin: true}}
	_, base, _ := serveBridge(t, cfg, nil)
	c := httpClient(t)
	cases := []struct {
		name   string
		header []string
		status int
	}{
		{"no key", []string{"X-None", ""}, 401},
		{"plain key", []string{"Authorization", "Bearer " + teamKey}, 403},
		{"admin key", []string{"Authorization", "Bearer " + adminKey}, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := getStatus(t, c, base+metricsPath, tc.header); got != tc.status {
				t.Errorf("GET /metrics with %s = %d, want %d", tc.name, got, tc.status)
			}
		})
	}
	bad := Config{Metrics: MetricsConfig{RequireAdmin: true}}
	if err := bad.Validate(); err == nil || !strings.HasPrefix(err.Error(), "metrics.require_admin: ") {
		t.Errorf("Validate(require_admin without admin_keys) = %v, want a metrics.require_admin error", err)
	}
}

// TestRouteOf: the route label is one of the contract's values, whatever
// the path; every other route is "other".
func TestRouteOf(t *testing.T) {
	e := echo.New()
	cases := []struct{ path, want string }{
		{"/v1/chat/completions", "chat"},
		{"/v1/responses", "responses"},
		{"/v1/responses/:id", "responses"},
		{"/a2a/:agent", "a2a"},
		{"/v1/a2a/:agent/message/send", "a2a"},
		{"/v1/models/*", "models"},
		{"/v1/agents/:name", "agents"},
		{"/v1/stats", "other"},
		{"/*", "other"},
	}
	for _, tc := range cases {
		c := e.NewContext(nil, nil)
		c.SetPath(tc.path)
		if got := routeOf(c); got != tc.want {
			t.Errorf("routeOf(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}
