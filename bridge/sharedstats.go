package bridge

import (
	"context"
	"strconv"
	"time"

	"github.com/a2a-bridge/a2a-bridge/bridge/shared"
)

// The counters of /v1/stats (requests, errors, tokens, cost) are summed
// over the replicas (redis.url): each replica adds what it counted since
// its last flush to one hash per agent (HINCRBY, HINCRBYFLOAT) every
// statsFlushEvery and when it stops, off the request path, and /v1/stats
// reads the sums plus what it has not flushed yet. Latency percentiles and
// streams_open stay this replica's own: a percentile does not add up, and
// a sample shared by every request would cost each one a round trip.

// statsFlushEvery is how often a replica adds its counters to the shared ones.
const statsFlushEvery = time.Second

func statsKey(agent string) string { return "stats:" + agent }

// flushStats adds every agent's counters since the last flush to the
// shared ones. A delta Redis did not take is kept for the next flush.
func (s *Server) flushStats(ctx context.Context) {
	if s.shared == nil {
		return
	}
	for name, am := range s.metrics.perAgent.snapshot() {
		st := &am.stats
		st.mu.Lock()
		d := st.counters().minus(st.flushed)
		st.flushed = st.counters()
		st.mu.Unlock()
		if d == (counters{}) {
			continue
		}
		err := s.shared.HIncr(ctx, statsKey(name),
			map[string]int64{"requests": d.requests, "errors": d.errors, "input": d.input, "output": d.output},
			map[string]float64{"cost": d.cost})
		if err != nil {
			st.mu.Lock()
			st.flushed = st.flushed.minus(d)
			st.mu.Unlock()
		}
	}
}

// flushStatsEvery flushes every d until ctx ends, and once more then.
func (s *Server) flushStatsEvery(ctx context.Context, d time.Duration) {
	if s.shared == nil {
		return
	}
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			last, cancel := context.WithTimeout(context.Background(), shared.Timeout)
			s.flushStats(last)
			cancel()
			return
		case <-t.C:
			s.flushStats(ctx)
		}
	}
}

// sharedStats returns the shared counters of agents, nil each without
// redis.url or when Redis does not answer (the figures are then this
// replica's own).
func (s *Server) sharedStats(ctx context.Context, agents []*Agent) []*counters {
	out := make([]*counters, len(agents))
	if s.shared == nil || len(agents) == 0 {
		return out
	}
	keys := make([]string, len(agents))
	for i, a := range agents {
		keys[i] = statsKey(a.Name)
	}
	hashes, err := s.shared.HGetAllMany(ctx, keys)
	if err != nil {
		return out
	}
	for i, h := range hashes {
		n := func(f string) int64 { v, _ := strconv.ParseInt(h[f], 10, 64); return v }
		cost, _ := strconv.ParseFloat(h["cost"], 64)
		out[i] = &counters{n("requests"), n("errors"), n("input"), n("output"), cost}
	}
	return out
}
