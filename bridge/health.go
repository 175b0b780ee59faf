package bridge

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/a2a-bridge/a2a-bridge/bridge/upstream"

	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"
)

// stateUnhealthy is the state of a replica that failed its probes or its
// calls (the other states: agentsapi.go, disable.go).
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

// agentHealth is what the probes and the calls say of one replica.
type agentHealth struct {
	mu         sync.Mutex
	probeState string // the last probe's verdict: unknown, healthy, degraded, unhealthy
	probeFails int    // probes failed in a row
	callFails  int    // calls failed in a row
	state      string // what is shown: probeState, or unhealthy past unhealthyCalls
}

// state is r's health state.
func (r *replica) state() string {
	r.health.mu.Lock()
	defer r.health.mu.Unlock()
	return cmp.Or(r.health.state, stateUnknown)
}

// stateOf is a's health state: its best replica's, unless it is disabled.
func (a *Agent) stateOf() string {
	if a.disabled.Load() {
		return stateDisabled
	}
	rank := map[string]int{stateHealthy: 4, stateDegraded: 3, stateUnknown: 2, stateUnhealthy: 1}
	best := stateUnhealthy
	for _, r := range a.replicas {
		if st := r.state(); rank[st] > rank[best] {
			best = st
		}
	}
	return best
}

// probe fetches the card of a's replica r once within health.timeout and
// records the verdict. The first replica's is read through
// Registry.Refresh, so a card that changed is taken up; the others' are
// fetched to see that they answer.
func (s *Server) probe(parent context.Context, a *Agent, r *replica) {
	hc := s.cfg.Health
	ctx, cancel := context.WithTimeout(parent, hc.Timeout.Duration)
	defer cancel()
	start := s.now()
	var err error
	if r.index == 0 {
		err = s.agents.Refresh(ctx, a.Name)
	} else {
		err = s.agents.probeCard(ctx, a, r)
	}
	took := s.now().Sub(start)
	if parent.Err() != nil {
		return // the bridge is stopping: no verdict
	}
	s.setHealth(a, r, func(h *agentHealth) {
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

// called records the outcome of a call to a's replica r: failed is an
// upstream error of the transport or the answer (not its task's verdict).
func (s *Server) called(a *Agent, r *replica, failed bool) {
	s.setHealth(a, r, func(h *agentHealth) {
		if failed {
			h.callFails++
		} else {
			h.callFails = 0
		}
	})
}

// setHealth changes the health of a's replica r with f and recomputes its
// state; a change of state is logged once and said in a2a_bridge_agent_up.
func (s *Server) setHealth(a *Agent, r *replica, f func(*agentHealth)) {
	h := &r.health
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
	s.metrics.up.WithLabelValues(a.Name, r.label).Set(up)
	level := zerolog.InfoLevel
	if after != stateHealthy {
		level = zerolog.WarnLevel
	}
	s.log.WithLevel(level).Str("agent", a.Name).Int("replica", r.index).Str("from", cmp.Or(before, stateUnknown)).Str("to", cmp.Or(after, stateUnknown)).
		Int("failed_probes", probeFails).Int("failed_calls", callFails).Msg("agent state changed")
}

// probeAll probes every replica of every agent once, in parallel; a
// disabled agent is not probed.
func (s *Server) probeAll(ctx context.Context) {
	var wg sync.WaitGroup
	for _, a := range s.agents.All() {
		if a.disabled.Load() {
			continue
		}
		for _, r := range a.replicas {
			wg.Go(func() {
				defer s.recoverGoroutine("health probe of agent " + a.Name)
				s.probe(ctx, a, r)
			})
		}
	}
	wg.Wait()
}

// probeCard fetches the card of a's replica r (at the paths the first
// replica's was read from, on r's origin): nil when r answers with one.
func (reg *Registry) probeCard(ctx context.Context, a *Agent, r *replica) error {
	c := a.cfg
	urls := []string{c.CardURL}
	if c.CardURL == "" {
		base := strings.TrimSuffix(c.URL, "/")
		urls = []string{base + "/.well-known/agent-card.json", base + "/.well-known/agent.json"}
	}
	status := 0
	for _, u := range urls {
		pinned, _ := upstream.PinEndpoint(u, r.url, "")
		_, st, err := upstream.GetCard(ctx, a.client, pinned, c.APIKey, c.Headers, maxCardSize)
		if err != nil {
			return err
		}
		if status = st; st == http.StatusOK {
			return nil
		}
	}
	return fmt.Errorf("replica %d card: HTTP %d", r.index, status)
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

// ready serves /readyz: 503 while the shared state (redis.url) does not
// answer a PING, so that a load balancer sends no traffic that needs it
// here; 200 again once it does (the probes share one PING, see Ready).
func (s *Server) ready(c echo.Context) error {
	if s.shared != nil && s.shared.Ready(c.Request().Context()) != nil {
		return c.String(http.StatusServiceUnavailable, "redis unavailable\n")
	}
	return c.String(http.StatusOK, "ready\n")
}
