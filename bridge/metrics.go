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
	mu       sync.RWMutex
	perAgent map[string]*agentMetrics
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

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry(), perAgent: map[string]*agentMetrics{}}
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
	m.mu.RLock()
	am := m.perAgent[name]
	m.mu.RUnlock()
	if am != nil {
		return am
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if am = m.perAgent[name]; am == nil {
		am = &agentMetrics{streams: m.streams.WithLabelValues(name)}
		m.perAgent[name] = am
	}
	return am
}

// forget drops every series of an agent that was unregistered.
func (m *metrics) forget(name string) {
	m.mu.Lock()
	delete(m.perAgent, name)
	m.mu.Unlock()
	for _, v := range []interface {
		DeletePartialMatch(prometheus.Labels) int
	}{m.requests, m.duration, m.ttft, m.upErrors, m.tokens, m.cost, m.rateLimited, m.streams, m.up} {
		v.DeletePartialMatch(prometheus.Labels{"agent": name})
	}
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
	m, route := s.metrics, routeOf(c)
	key := ""
	if info.caller != nil {
		key = info.caller.name
	}
	m.requests.WithLabelValues(route, info.agent, key, codeLabel(status)).Inc()
	m.duration.WithLabelValues(route, info.agent).Observe(latency.Seconds())
	if !info.first.IsZero() {
		m.ttft.WithLabelValues(route, info.agent).Observe(info.first.Sub(info.start).Seconds())
	}
	if info.agent == "" {
		return
	}
	m.agent(info.agent).stats.add(latency, failed(status), info)
	kind := upstreamKind(info.err)
	if kind != "" {
		m.upErrors.WithLabelValues(info.agent, kind).Inc()
	}
	if info.replica != nil && (kind != "" && kind != upTask || info.answered) {
		s.called(info.target, info.replica, kind != "") // a task's verdict says nothing of the agent's health
	}
	if info.answered {
		m.tokens.WithLabelValues(info.agent, key, "input").Add(float64(info.usage.PromptTokens))
		m.tokens.WithLabelValues(info.agent, key, "output").Add(float64(info.usage.CompletionTokens))
		if info.cost > 0 {
			m.cost.WithLabelValues(info.agent, key).Add(info.cost)
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
