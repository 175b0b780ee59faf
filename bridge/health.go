package bridge

import (
	"cmp"
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// The agent states the contract names; "disabled" (set by the admin API)
// is not implemented yet.
const stateUnhealthy = "unhealthy"

// Passive and active thresholds of the contract: failing probes 1-2 mark
// an agent degraded, 3 unhealthy; 5 failed calls in a row unhealthy too.
const (
	unhealthyProbes = 3
	unhealthyCalls  = 5
)

// Health defaults (health.*).
const (
	DefaultHealthInterval      = 30 * time.Second
	DefaultHealthTimeout       = 5 * time.Second
	DefaultHealthDegradedAfter = 2 * time.Second
)

// readyPath answers 200 while the bridge can serve (config loaded; no
// Redis yet to wait for), 503 once it drains.
const readyPath = "/readyz"

// agentHealth is what the probes and the calls say of one agent (of its
// one replica, until replicas land).
type agentHealth struct {
	mu         sync.Mutex
	probeState string // the last probe's verdict: unknown, healthy, degraded, unhealthy
	probeFails int    // probes failed in a row
	callFails  int    // calls failed in a row
	state      string // what is shown: probeState, or unhealthy past unhealthyCalls
}

// stateOf is a's health state.
func (a *Agent) stateOf() string {
	a.health.mu.Lock()
	defer a.health.mu.Unlock()
	if a.health.state == "" {
		return stateUnknown
	}
	return a.health.state
}

// probe fetches a's card once (Registry.Refresh: a card that changed is
// taken up) within health.timeout and records the verdict.
func (s *Server) probe(parent context.Context, a *Agent) {
	hc := s.cfg.Health
	ctx, cancel := context.WithTimeout(parent, hc.Timeout.Duration)
	defer cancel()
	start := s.now()
	err := s.agents.Refresh(ctx, a.Name)
	took := s.now().Sub(start)
	if parent.Err() != nil {
		return // the bridge is stopping: no verdict
	}
	s.setHealth(a, func(h *agentHealth) {
		switch {
		case err != nil:
			h.probeFails++
			h.probeState = stateDegraded
			if h.probeFails >= unhealthyProbes {
				h.probeState = stateUnhealthy
			}
		case took > hc.DegradedAfter.Duration:
			h.probeFails, h.probeState = 0, stateDegraded
		default:
			h.probeFails, h.probeState = 0, stateHealthy
		}
	})
}

// called records the outcome of a call to a: failed is an upstream error
// that is the agent's transport or answer (not its task's verdict).
func (s *Server) called(a *Agent, failed bool) {
	s.setHealth(a, func(h *agentHealth) {
		if failed {
			h.callFails++
		} else {
			h.callFails = 0
		}
	})
}

// setHealth changes a's health with f and recomputes its state; a change
// of state is logged once and said in a2a_bridge_agent_up.
func (s *Server) setHealth(a *Agent, f func(*agentHealth)) {
	h := &a.health
	h.mu.Lock()
	before := h.state
	f(h)
	h.state = h.probeState
	if h.callFails >= unhealthyCalls {
		h.state = stateUnhealthy
	}
	after, probeFails, callFails := h.state, h.probeFails, h.callFails
	h.mu.Unlock()
	if after == before {
		return
	}
	up := 1.0
	if after == stateUnhealthy {
		up = 0
	}
	s.metrics.up.WithLabelValues(a.Name, "0").Set(up)
	ev := s.log.Info()
	if after != stateHealthy {
		ev = s.log.Warn()
	}
	ev.Str("agent", a.Name).Str("from", cmp.Or(before, stateUnknown)).Str("to", cmp.Or(after, stateUnknown)).
		Int("failed_probes", probeFails).Int("failed_calls", callFails).Msg("agent state changed")
}

// probeAll probes every agent once, in parallel.
func (s *Server) probeAll(ctx context.Context) {
	var wg sync.WaitGroup
	for _, a := range s.agents.All() {
		wg.Go(func() {
			defer s.recoverGoroutine("health probe of agent " + a.Name)
			s.probe(ctx, a)
		})
	}
	wg.Wait()
}

// every calls f every d until ctx ends.
func every(ctx context.Context, d time.Duration, f func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f()
		}
	}
}

// startProbes probes every agent each health.interval until ctx ends; the
// channel closes when the prober stopped.
func (s *Server) startProbes(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer s.recoverGoroutine("health prober")
		every(ctx, s.cfg.Health.Interval.Duration, func() { s.probeAll(ctx) })
	}()
	return done
}

// ready serves /readyz.
func (s *Server) ready(c echo.Context) error { return c.String(http.StatusOK, "ready\n") }
