package bridge

import (
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// latencySamples bounds the latencies kept per agent for the percentiles
// of /v1/stats: the last this many requests.
const latencySamples = 1024

// agentStats are one agent's figures for /v1/stats, kept beside its
// metrics (Prometheus has the histograms; this is what a status page reads
// without a Prometheus server).
type agentStats struct {
	mu            sync.Mutex
	requests      int64
	errors        int64
	input, output int64
	cost          float64
	latMS         [latencySamples]float64 // a ring of the last requests' latencies
	n             int                     // latencies written in all
	// flushed is how much of the counters is in the shared state already
	// (redis.url; see flushStats).
	flushed counters
}

// counters are the figures of /v1/stats that add up over replicas.
type counters struct {
	requests, errors, input, output int64
	cost                            float64
}

func (st *agentStats) counters() counters {
	return counters{st.requests, st.errors, st.input, st.output, st.cost}
}

func (a counters) minus(b counters) counters {
	return counters{a.requests - b.requests, a.errors - b.errors, a.input - b.input, a.output - b.output, a.cost - b.cost}
}

func (a counters) plus(b counters) counters {
	return counters{a.requests + b.requests, a.errors + b.errors, a.input + b.input, a.output + b.output, a.cost + b.cost}
}

// add counts one finished request.
func (st *agentStats) add(latency time.Duration, failed bool, info *reqInfo) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.requests++
	if failed {
		st.errors++
	}
	if info.answered {
		st.input += int64(info.usage.PromptTokens)
		st.output += int64(info.usage.CompletionTokens)
		st.cost += info.cost
	}
	st.latMS[st.n%latencySamples] = float64(latency.Microseconds()) / 1000
	st.n++
}

// statsView is one entry of /v1/stats: an agent's or the totals.
type statsView struct {
	Requests int64 `json:"requests"`
	Errors   int64 `json:"errors"`
	Latency  struct {
		P50 float64 `json:"p50"`
		P95 float64 `json:"p95"`
	} `json:"latency_ms"`
	Tokens struct {
		Input  int64 `json:"input"`
		Output int64 `json:"output"`
	} `json:"tokens"`
	CostUSD     float64 `json:"cost_usd"`
	StreamsOpen int64   `json:"streams_open"`
}

// view reads am's figures; lat gets its latencies appended (for totals).
func (am *agentMetrics) view(lat *[]float64) statsView { return am.viewWith(lat, nil) }

// viewWith is view with the counters of every replica: those of the
// shared state, when sum is not nil, and this one's not flushed there yet.
func (am *agentMetrics) viewWith(lat *[]float64, sum *counters) statsView {
	st := &am.stats
	st.mu.Lock()
	var v statsView
	c := st.counters()
	if sum != nil {
		c = sum.plus(c.minus(st.flushed))
	}
	v.Requests, v.Errors, v.CostUSD = c.requests, c.errors, c.cost
	v.Tokens.Input, v.Tokens.Output = c.input, c.output
	own := slices.Clone(st.latMS[:min(st.n, latencySamples)])
	st.mu.Unlock()
	v.StreamsOpen = am.open.Load()
	v.Latency.P50, v.Latency.P95 = percentiles(own)
	*lat = append(*lat, own...)
	return v
}

// percentiles returns the 50th and 95th percentiles of ms (nearest rank), 0 for none.
func percentiles(ms []float64) (p50, p95 float64) {
	if len(ms) == 0 {
		return 0, 0
	}
	slices.Sort(ms)
	rank := func(p float64) float64 { return ms[min(len(ms)-1, int(p*float64(len(ms)-1)+0.5))] }
	return rank(0.50), rank(0.95)
}

// failed says whether a request counts among an agent's errors: it ended
// in an error (an in-band one included), other than its client going away.
func failed(status int) bool { return status >= 400 && status != statusClientClosed }

// stats serves GET /v1/stats: the figures of every agent the key may call,
// and their totals.
func (s *Server) stats(c echo.Context) error {
	who := infoOf(c).caller
	out := struct {
		Totals statsView            `json:"totals"`
		Agents map[string]statsView `json:"agents"`
	}{Agents: map[string]statsView{}}
	var all []float64
	agents := slices.DeleteFunc(slices.Clone(s.agents.All()), func(a *Agent) bool { return !who.may(a.Name) })
	sums := s.sharedStats(c.Request().Context(), agents)
	for i, a := range agents {
		v := s.metrics.agent(a.Name).viewWith(&all, sums[i])
		out.Agents[a.Name] = v
		t := &out.Totals
		t.Requests, t.Errors, t.CostUSD, t.StreamsOpen = t.Requests+v.Requests, t.Errors+v.Errors, t.CostUSD+v.CostUSD, t.StreamsOpen+v.StreamsOpen
		t.Tokens.Input, t.Tokens.Output = t.Tokens.Input+v.Tokens.Input, t.Tokens.Output+v.Tokens.Output
	}
	out.Totals.Latency.P50, out.Totals.Latency.P95 = percentiles(all)
	return c.JSON(http.StatusOK, out)
}
