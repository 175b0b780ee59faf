package main

import (
	"slices"
	"strings"
	"testing"
)

// TestRoundRatios pairs each bridge round with the proxy round of the same
// scenario, load and round, and takes the medians of their ratios.
func TestRoundRatios(t *testing.T) {
	row := func(sc, hop string, round int, rps, cpu float64) scenarioResult {
		return scenarioResult{Scenario: sc, Hop: hop, Concurrency: 64, Round: round, RPS: rps, HopCPU: cpu, AgentCPU: 10, LoadCPU: 10}
	}
	rounds := []scenarioResult{
		row("send", "proxy", 0, 100, 80), row("send", "bridge", 0, 90, 100),
		row("send", "bridge", 1, 50, 100), row("send", "proxy", 1, 100, 80), // proxy after the bridge: still paired
		row("send", "proxy", 2, 100, 80), row("send", "bridge", 2, 110, 100),
		row("stream", "bridge", 0, 70, 100), // no proxy round: not paired
	}
	qs := []ratio{{Scenario: "send", Concurrency: 64}, {Scenario: "stream", Concurrency: 64}}
	roundRatios(qs, rounds)
	if want := []float64{0.9, 0.5, 1.1}; !slices.Equal(qs[0].PerRound, want) {
		t.Errorf("roundRatios: send per round = %v, want %v", qs[0].PerRound, want)
	}
	if qs[0].RoundsMedian != 0.9 {
		t.Errorf("roundRatios: send median = %v, want 0.9", qs[0].RoundsMedian)
	}
	if want := 100.0 / 120; qs[0].PathCPU != want {
		t.Errorf("roundRatios: send path CPU ratio = %v, want %v", qs[0].PathCPU, want)
	}
	if qs[1].PerRound != nil || qs[1].RoundsMedian != 0 {
		t.Errorf("roundRatios: stream without a proxy round = %v (%v), want none", qs[1].PerRound, qs[1].RoundsMedian)
	}
}

func TestMedian(t *testing.T) {
	for _, tt := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestGoalVerdict judges absolute goals on the median of the rounds and
// relative ones (the Responses API, the operations) on their share of the
// base scenario's ratio in the same run.
func TestGoalVerdict(t *testing.T) {
	all := []ratio{
		{Scenario: "send", Concurrency: 64, RoundsMedian: 0.90},
		{Scenario: "stream", Concurrency: 64, RoundsMedian: 0.96},
		{Scenario: "responses-send", Concurrency: 64, RoundsMedian: 0.86},
		{Scenario: "ops-send", Concurrency: 64, RoundsMedian: 0.88},
		{Scenario: "ops-stream", Concurrency: 64, RoundsMedian: 0.92},
		{Scenario: "gateway10-send", Concurrency: 64, RoundsMedian: 0.85},
		{Scenario: "responses-stream", Concurrency: 1, RoundsMedian: 0.5},
		{Scenario: "context-send", Concurrency: 64, RoundsMedian: 0.7},
	}
	for _, tt := range []struct {
		q    ratio
		want string
	}{
		{all[0], "≥ 1.00× (#12) **not met**"},
		{all[1], "≥ 0.95× (#12) met"},
		{all[2], "≥ 0.95 of send's (#15): 0.96 met"},
		{all[3], "≥ 0.97 of send's (#16): 0.98 met"},
		{all[4], "≥ 0.97 of stream's (#16): 0.96 **not met**"},
		{all[5], "≥ 0.85× (#14) met"},
		{all[6], ""}, // unloaded: throughput not judged
		{all[7], ""}, // no goal
		{ratio{Scenario: "responses-send", Concurrency: 64, RoundsMedian: 0.9}, "≥ 0.95 of send's (#15) not judged (send not run)"},
	} {
		others := all
		if strings.HasSuffix(tt.want, "not run)") {
			others = nil
		}
		if got := goalVerdict(tt.q, others); got != tt.want {
			t.Errorf("goalVerdict(%s c=%d) = %q, want %q", tt.q.Scenario, tt.q.Concurrency, got, tt.want)
		}
	}
}
