package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"time"
)

// scenarioResult is one hop under one load.
type scenarioResult struct {
	Round       int     `json:"round"`
	Scenario    string  `json:"scenario"` // "send" (message/send) or "stream"
	Hop         string  `json:"hop"`      // "proxy" or "bridge"
	Concurrency int     `json:"concurrency"`
	Requests    int     `json:"requests"`
	Seconds     float64 `json:"seconds"`
	RPS         float64 `json:"req_per_s"`
	Latency     dist    `json:"latency_us"`
	TTFC        *dist   `json:"ttfc_us,omitempty"` // stream: time to the first frame carrying text
	Errors      int     `json:"errors"`
	FirstError  string  `json:"first_error,omitempty"`
	// Per-process cost per request over the measured window.
	HopCPU     float64 `json:"hop_cpu_us_per_req"`
	AgentCPU   float64 `json:"agent_cpu_us_per_req"`
	LoadCPU    float64 `json:"loadgen_cpu_us_per_req"`
	HopAllocs  float64 `json:"hop_allocs_per_req"`
	HopBytes   float64 `json:"hop_alloc_bytes_per_req"`
	HopGCs     uint32  `json:"hop_gc_cycles"`
	HopGCPause float64 `json:"hop_gc_pause_us"`
	HopReads   float64 `json:"hop_read_syscalls_per_req"`
	HopWrites  float64 `json:"hop_write_syscalls_per_req"`
}

// snapshot is the per-process counters at one instant.
type snapshot struct {
	hopCPU, agentCPU, selfCPU time.Duration
	hopReads, hopWrites       int64
	mem                       memStats
}

func takeSnapshot(ctx context.Context, hop, agent *child) snapshot {
	var s snapshot
	s.hopCPU, _ = procCPU(hop.pid())
	s.agentCPU, _ = procCPU(agent.pid())
	s.selfCPU, _ = procCPU(os.Getpid())
	s.hopReads, s.hopWrites, _ = procSyscalls(hop.pid())
	s.mem, _ = hop.memStats(ctx, false)
	return s
}

// measure drives t through hop for one scenario and returns what it cost.
func measure(ctx context.Context, o options, conc int, t target, h hops) scenarioResult {
	var before, after snapshot
	scenario, hop, agent := t.scenario(), h.of(t), h.agent
	prof := newProfiler(o.profileDir, fmt.Sprintf("%s-c%d-%s", scenario, conc, t.hop), hop, o.duration)
	lr := drive(ctx, t, conc, o.warmup, o.duration, window{
		start: func() { prof.start(ctx); before = takeSnapshot(ctx, hop, agent) },
		stop:  func() { after = takeSnapshot(ctx, hop, agent); prof.stop(ctx) },
	})
	n := len(lr.lat)
	r := scenarioResult{
		Scenario: scenario, Hop: t.hop, Concurrency: conc, Requests: n,
		Seconds: lr.elapsed.Seconds(), RPS: float64(n) / lr.elapsed.Seconds(),
		Latency: distOf(lr.lat), Errors: lr.errs, FirstError: lr.firstErr,
	}
	if t.stream {
		d := distOf(lr.ttfc)
		r.TTFC = &d
	}
	if n > 0 {
		per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(n) }
		r.HopCPU = per(after.hopCPU - before.hopCPU)
		r.AgentCPU = per(after.agentCPU - before.agentCPU)
		r.LoadCPU = per(after.selfCPU - before.selfCPU)
		r.HopAllocs = float64(after.mem.Mallocs-before.mem.Mallocs) / float64(n)
		r.HopBytes = float64(after.mem.TotalAlloc-before.mem.TotalAlloc) / float64(n)
		r.HopGCs = after.mem.NumGC - before.mem.NumGC
		r.HopGCPause = float64(after.mem.PauseTotalN-before.mem.PauseTotalN) / 1e3
		r.HopReads = float64(after.hopReads-before.hopReads) / float64(n)
		r.HopWrites = float64(after.hopWrites-before.hopWrites) / float64(n)
	}
	return r
}

// check sends one request to t and compares the answer its client would
// show with the agent's, so that no scenario measures a broken hop.
func check(ctx context.Context, t target, o options) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(t.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if t.auth != "" {
		req.Header.Set("Authorization", t.auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("check %s: %w", t.hop, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("check %s: %w", t.hop, err)
	}
	got, err := answerOf(t, body)
	if err != nil {
		return fmt.Errorf("check %s: %w", t.hop, err)
	}
	if want := answerText(o.answerBytes); got != want {
		return fmt.Errorf("check %s (stream %v): the client would show %d bytes %.80q, want the agent's %d bytes",
			t.hop, t.stream, len(got), got, len(want))
	}
	return nil
}

// medianRows keeps, of the rounds of each scenario, hop and load, the one
// with the median throughput (the lower of the two middle ones).
func medianRows(all []scenarioResult) []scenarioResult {
	type key struct {
		scenario, hop string
		conc          int
	}
	var order []key
	groups := map[key][]scenarioResult{}
	for _, r := range all {
		k := key{r.Scenario, r.Hop, r.Concurrency}
		if groups[k] == nil {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	out := make([]scenarioResult, 0, len(order))
	for _, k := range order {
		g := groups[k]
		slices.SortFunc(g, func(a, b scenarioResult) int { return cmp.Compare(a.RPS, b.RPS) })
		out = append(out, g[(len(g)-1)/2])
	}
	return out
}
