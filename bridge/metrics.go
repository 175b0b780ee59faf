package bridge

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/a2a-bridge/a2a-bridge/bridge/upstream"
	"github.com/a2a-bridge/a2a-bridge/stream"
	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metricsPath serves the Prometheus text format.
const metricsPath = "/metrics"

// The route label's values (the contract's); every other route is
// routeOther, so that no caller can make a label value of its own.
const (
	routeChat      = "chat"
	routeResponses = "responses"
	routeA2A       = "a2a"
	routeModels    = "models"
	routeAgents    = "agents"
	routeOther     = "other"
)

// The upstream error kinds of a2a_bridge_upstream_errors_total.
const (
	upConnect  = "connect"
	upTimeout  = "timeout"
	upStatus   = "status"
	upProtocol = "protocol"
	upTask     = "task"
)

// Buckets in seconds: agent calls run from milliseconds to minutes.
var (
	durationBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300}
	ttftBuckets     = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}
)

// metrics are one Server's Prometheus metrics, on a registry of its own:
// tests run many servers in one process, and the global registry would
// mix their counts (and refuse the second registration).
type metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec   // route, agent, key, code
	duration    *prometheus.HistogramVec // route, agent
	ttft        *prometheus.HistogramVec // route, agent
	upErrors    *prometheus.CounterVec   // agent, kind
	tokens      *prometheus.CounterVec   // agent, key, direction
	cost        *prometheus.CounterVec   // agent, key
	rateLimited *prometheus.CounterVec   // agent, key
	streams     *prometheus.GaugeVec     // agent
	up          *prometheus.GaugeVec     // agent, replica
	redisErrors prometheus.Counter       // failed commands to the shared state (redis.url)

	// perAgent holds each agent's label children, curried once: a stream
	// opening or closing costs no label lookup.
	perAgent readMap[string, *agentMetrics]
	// series holds the children a finished request counts into, by route,
	// agent and key: a request resolves them with one lookup, not one
	// WithLabelValues (hashing every label value) per metric.
	series readMap[seriesKey, *series]
	// mu serializes making series with forget: a series made as its agent
	// is forgotten would keep the old agent's children and figures for
	// one registered again under its name.
	mu sync.Mutex
}

// agentMetrics are the children of one agent's label value, and its
// figures for /v1/stats.
type agentMetrics struct {
	streams prometheus.Gauge
	open    atomic.Int64 // streams open, as the gauge says, for /v1/stats
	stats   agentStats
}

// streamClosed ends what streamOpened began.
func (am *agentMetrics) streamClosed() {
	am.streams.Dec()
	am.open.Add(-1)
}

// seriesKey names the series of one route, agent and key.
type seriesKey struct{ route, agent, key string }

// series are the children of one seriesKey's label values. Each is made
// at its first use, as WithLabelValues would (a series appears in /metrics
// once something is counted in it, not before), and kept.
type series struct {
	seriesKey
	m  *metrics
	am *agentMetrics // the agent's; nil without an agent
	// ok counts the requests answered 200 (other codes are rare enough
	// for a lookup each).
	ok            atomic.Pointer[prometheus.Counter]
	duration      atomic.Pointer[prometheus.Observer]
	ttft          atomic.Pointer[prometheus.Observer]
	input, output atomic.Pointer[prometheus.Counter]
	cost          atomic.Pointer[prometheus.Counter]
}

// keep stores v in p unless another request stored one first (the same
// child: WithLabelValues of the same values), and returns what p holds.
func keep[M any](p *atomic.Pointer[M], v M) M {
	p.CompareAndSwap(nil, &v)
	return *p.Load()
}

func (se *series) requests(status int) prometheus.Counter {
	if status != http.StatusOK {
		return se.m.requests.WithLabelValues(se.route, se.agent, se.key, codeLabel(status))
	}
	if c := se.ok.Load(); c != nil {
		return *c
	}
	return keep(&se.ok, se.m.requests.WithLabelValues(se.route, se.agent, se.key, codeLabel(status)))
}

func (se *series) durations() prometheus.Observer {
	if o := se.duration.Load(); o != nil {
		return *o
	}
	return keep(&se.duration, se.m.duration.WithLabelValues(se.route, se.agent))
}

func (se *series) ttfts() prometheus.Observer {
	if o := se.ttft.Load(); o != nil {
		return *o
	}
	return keep(&se.ttft, se.m.ttft.WithLabelValues(se.route, se.agent))
}

func (se *series) tokens(p *atomic.Pointer[prometheus.Counter], direction string) prometheus.Counter {
	if c := p.Load(); c != nil {
		return *c
	}
	return keep(p, se.m.tokens.WithLabelValues(se.agent, se.key, direction))
}

func (se *series) costs() prometheus.Counter {
	if c := se.cost.Load(); c != nil {
		return *c
	}
	return keep(&se.cost, se.m.cost.WithLabelValues(se.agent, se.key))
}

// seriesOf returns the series of k, making them the first time. Its
// values come from the registry, the keys and the routes' names only,
// never from a request, so they are bounded by the configuration.
func (m *metrics) seriesOf(k seriesKey) *series {
	if se, ok := m.series.get(k); ok {
		return se
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	se := &series{seriesKey: k, m: m}
	if k.agent != "" {
		se.am = m.agent(k.agent)
	}
	return m.series.getOrPut(k, se)
}

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "a2a_bridge_requests_total",
		Help: "Requests served, by route, agent, key name and HTTP status."}, []string{"route", "agent", "key", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "a2a_bridge_request_duration_seconds",
		Help: "Time from a request's arrival to its last byte (a stream's whole life).", Buckets: durationBuckets}, []string{"route", "agent"})
	m.ttft = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "a2a_bridge_time_to_first_token_seconds",
		Help: "Time from a request's arrival to the first content sent (a non-stream answer: the whole answer).", Buckets: ttftBuckets}, []string{"route", "agent"})
	m.upErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "a2a_bridge_upstream_errors_total",
		Help: "Failed agent calls, by kind: connect, timeout, status, protocol, task."}, []string{"agent", "kind"})
	m.tokens = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "a2a_bridge_tokens_total",
		Help: "Tokens of answered calls, by direction: input or output."}, []string{"agent", "key", "direction"})
	m.cost = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "a2a_bridge_cost_usd_total",
		Help: "Cost of answered calls in USD, from the agents' cost_per_* settings."}, []string{"agent", "key"})
	m.rateLimited = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "a2a_bridge_rate_limited_total",
		Help: "Requests refused with 429 by the bridge's own rate limits."}, []string{"agent", "key"})
	m.streams = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "a2a_bridge_streams_open",
		Help: "Streams being served."}, []string{"agent"})
	m.up = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "a2a_bridge_agent_up",
		Help: "0 while a replica of an agent is unhealthy, else 1 (set once its state is first known)."}, []string{"agent", "replica"})
	m.redisErrors = prometheus.NewCounter(prometheus.CounterOpts{Name: "a2a_bridge_redis_errors_total",
		Help: "Commands to the shared state (redis.url) that failed: Redis down, slow past its timeout, or refusing."})
	m.reg.MustRegister(m.requests, m.duration, m.ttft, m.upErrors, m.tokens, m.cost, m.rateLimited, m.streams, m.up, m.redisErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// agent returns the curried children of the agent called name, making
// them the first time. Names come from the registry only, never from a
// request, so the label values are bounded by the configured agents.
func (m *metrics) agent(name string) *agentMetrics {
	if am, ok := m.perAgent.get(name); ok {
		return am
	}
	return m.perAgent.getOrPut(name, &agentMetrics{streams: m.streams.WithLabelValues(name)})
}

// forget drops every series of an agent that was unregistered.
func (m *metrics) forget(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, v := range []interface {
		DeletePartialMatch(prometheus.Labels) int
	}{m.requests, m.duration, m.ttft, m.upErrors, m.tokens, m.cost, m.rateLimited, m.streams, m.up} {
		v.DeletePartialMatch(prometheus.Labels{"agent": name})
	}
	m.series.deleteFunc(func(k seriesKey, _ *series) bool { return k.agent == name })
	m.perAgent.deleteFunc(func(agent string, _ *agentMetrics) bool { return agent == name })
}

// handler serves the registry in the Prometheus text format.
func (m *metrics) handler() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
}

// streamOpened counts a stream of agent open until the returned
// streamClosed (not a func: a method value allocates per stream).
func (s *Server) streamOpened(agent string) *agentMetrics {
	am := s.metrics.agent(agent)
	am.streams.Inc()
	am.open.Add(1)
	return am
}

// routeOf is the route label of c: the route it matched, by the contract's
// names; any other (unknown paths included) is "other".
func routeOf(c echo.Context) string {
	p := c.Path()
	switch {
	case p == "/v1/chat/completions":
		return routeChat
	case strings.HasPrefix(p, "/v1/responses"):
		return routeResponses
	case strings.HasPrefix(p, "/a2a/") || strings.HasPrefix(p, "/v1/a2a/"):
		return routeA2A
	case strings.HasPrefix(p, "/v1/models"):
		return routeModels
	case strings.HasPrefix(p, "/v1/agents"):
		return routeAgents
	}
	return routeOther
}

// observe counts one finished request: called by the access log, which
// knows its outcome.
func (s *Server) observe(c echo.Context, info *reqInfo, status int, latency time.Duration) {
	key := ""
	if info.caller != nil {
		key = info.caller.name
	}
	se := s.metrics.seriesOf(seriesKey{routeOf(c), info.agent, key})
	se.requests(status).Inc()
	se.durations().Observe(latency.Seconds())
	if !info.first.IsZero() {
		se.ttfts().Observe(info.first.Sub(info.start).Seconds())
	}
	if se.am == nil {
		return
	}
	se.am.stats.add(latency, failed(status), info)
	kind := upstreamKind(info.err)
	if kind != "" {
		s.metrics.upErrors.WithLabelValues(info.agent, kind).Inc()
	}
	if info.replica != nil && (kind != "" && kind != upTask || info.answered) {
		s.called(info.target, info.replica, kind != "") // a task's verdict says nothing of the agent's health
	}
	if info.answered {
		se.tokens(&se.input, "input").Add(float64(info.usage.PromptTokens))
		se.tokens(&se.output, "output").Add(float64(info.usage.CompletionTokens))
		if info.cost > 0 {
			se.costs().Add(info.cost)
		}
	}
}

// upstreamKind is the kind of an agent call's failure, "" for an error
// that is not the agent's (the caller's, the bridge's, a client gone).
func upstreamKind(e *Error) string {
	if e == nil {
		return ""
	}
	var taskErr *transform.TaskError
	var rpcErr *upstream.RPCError
	var st *upstream.StatusError
	switch {
	case errors.Is(e, ErrClientGone):
		return ""
	case errors.As(e, &taskErr):
		return upTask
	case errors.Is(e, ErrAgentTimeout):
		return upTimeout
	case errors.As(e, &st) || errors.Is(e, ErrAgentStatus) || errors.Is(e, upstream.ErrRateLimited):
		return upStatus
	case errors.Is(e, upstream.ErrRedirected) || errors.Is(e, ErrAgentDown):
		return upConnect
	case errors.As(e, &rpcErr) || errors.Is(e, transform.ErrBadResponse) || errors.Is(e, transform.ErrIncomplete) ||
		errors.Is(e, transform.ErrTooLarge) || errors.Is(e, stream.ErrEventTooLarge):
		return upProtocol
	}
	if e.Status == http.StatusGatewayTimeout {
		return upTimeout
	}
	return ""
}

// codeLabels are the code label's values, made once: strconv.Itoa of a
// status allocates on every request.
var codeLabels = func() (l [600]string) {
	for i := range l {
		l[i] = strconv.Itoa(i)
	}
	return l
}()

func codeLabel(status int) string {
	if status >= 0 && status < len(codeLabels) {
		return codeLabels[status]
	}
	return strconv.Itoa(status)
}
