package main

import (
	"fmt"
	"slices"
)

// goal is the throughput a scenario must reach under load, as its issue
// states it: a ratio to the proxy hop, or a share of another scenario's
// ratio (the Responses API within 5 % of chat, the operations at most 3 %).
type goal struct {
	issue int
	min   float64 // the ratio to the proxy hop, or to base's ratio when base is set
	base  string
}

// goals are the throughput targets of issues #12, #14, #15 and #16.
var goals = map[string]goal{
	"send":             {issue: 12, min: 1.0},
	"stream":           {issue: 12, min: 0.95},
	"gateway-send":     {issue: 14, min: 0.95},
	"gateway-stream":   {issue: 14, min: 0.95},
	"gateway10-send":   {issue: 14, min: 0.85},
	"gateway10-stream": {issue: 14, min: 0.85},
	"responses-send":   {issue: 15, min: 0.95, base: "send"},
	"responses-stream": {issue: 15, min: 0.95, base: "stream"},
	"ops-send":         {issue: 16, min: 0.97, base: "send"},
	"ops-stream":       {issue: 16, min: 0.97, base: "stream"},
}

// roundRatios fills, for each ratio, the bridge/proxy throughput and path
// CPU ratios of every round (a round measures both hops back to back, so
// its ratio is steadier than the ratio of two separately chosen medians),
// and their medians.
func roundRatios(qs []ratio, rounds []scenarioResult) {
	type key struct {
		scenario string
		conc     int
		round    int
	}
	proxy := map[key]scenarioResult{}
	for _, s := range rounds {
		if s.Hop == "proxy" {
			proxy[key{s.Scenario, s.Concurrency, s.Round}] = s
		}
	}
	for i := range qs {
		q := &qs[i]
		q.PerRound, q.PathCPUPerRound = nil, nil
		for _, b := range rounds {
			p, ok := proxy[key{b.Scenario, b.Concurrency, b.Round}]
			if b.Hop != "bridge" || b.Scenario != q.Scenario || b.Concurrency != q.Concurrency || !ok || p.RPS == 0 {
				continue
			}
			q.PerRound = append(q.PerRound, b.RPS/p.RPS)
			if bc := pathCPU(b); bc > 0 {
				q.PathCPUPerRound = append(q.PathCPUPerRound, pathCPU(p)/bc)
			}
		}
		q.RoundsMedian, q.PathCPU = median(q.PerRound), median(q.PathCPUPerRound)
	}
}

// pathCPU is the CPU a request costs the whole path (hop, agent, load
// generator): on saturated shared CPUs, throughput is bounded by its
// inverse.
func pathCPU(s scenarioResult) float64 { return s.HopCPU + s.AgentCPU + s.LoadCPU }

// median is the middle value of v (the mean of the two middle ones), or 0.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(v))
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

// goalVerdict judges q, measured under load, against its scenario's goal,
// on the median of its rounds' ratios; a goal relative to another
// scenario needs that scenario in the same run. "" when no goal applies.
func goalVerdict(q ratio, all []ratio) string {
	g, ok := goals[q.Scenario]
	if !ok || q.Concurrency <= 1 || q.RoundsMedian == 0 {
		return ""
	}
	if g.base == "" {
		return check3(q.RoundsMedian >= g.min, fmt.Sprintf("≥ %.2f× (#%d)", g.min, g.issue))
	}
	i := slices.IndexFunc(all, func(b ratio) bool { return b.Scenario == g.base && b.Concurrency == q.Concurrency })
	what := fmt.Sprintf("≥ %.2f of %s's (#%d)", g.min, g.base, g.issue)
	if i < 0 || all[i].RoundsMedian == 0 {
		return what + " not judged (" + g.base + " not run)"
	}
	share := q.RoundsMedian / all[i].RoundsMedian
	return check3(share >= g.min, fmt.Sprintf("%s: %.2f", what, share))
}
