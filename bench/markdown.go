package main

import (
	"cmp"
	"fmt"
	"io"
	"strings"
)

// The latency and idle targets of issue #5, on the 2-core machine,
// everything on loopback; the throughput targets of later issues are in
// goals.
const (
	targetAddedP50  = 100.0 // µs
	targetAddedTTFC = 200.0 // µs
	targetIdleHeap  = 32 << 10
)

// markdown writes the report as tables ready for the README.
func (r *report) markdown(w io.Writer) {
	p := r.Params
	fmt.Fprintf(w, "\n### a2a-bridge vs a bare `httputil.ReverseProxy` hop\n\n")
	fmt.Fprintf(w, "`%s` on %s, commit %s, %s %s, %d CPUs (%s), GOMAXPROCS %d in every process; load average %s before, %s after (which counts this benchmark's own processes).\n",
		r.Command, r.Date[:10], r.Commit, r.GoVersion, r.Platform, r.NumCPU, r.CPU, r.GOMAXPROCS, r.LoadBefore, r.LoadAfter)
	loads := fmt.Sprintf("%d clients", p.Concurrency)
	if p.Unloaded {
		loads += " and 1 client (no queueing)"
	}
	fmt.Fprintf(w, "Agent answer %d B in %d stream chunks, prompt %d B; %s; %.0f s per scenario after %.0f s of warm-up, %s; bridge logger %s, usage counted by %s%s.\n\n",
		p.AnswerBytes, p.Chunks, p.PromptBytes, loads, p.Duration, p.Warmup, roundsNote(p.Rounds), p.BridgeLog,
		cmp.Or(p.Usage, "the bridge's default"), profiledNote(p.Profiled)+h2cNote(p.H2C))
	for _, n := range r.Notes {
		fmt.Fprintf(w, "- %s\n", n)
	}
	if len(r.Scenarios) > 0 {
		r.scenarioTable(w)
		r.ratioTable(w)
	}
	if len(r.Idle) > 0 {
		r.idleTable(w)
	}
	fmt.Fprintln(w)
}

func roundsNote(n int) string {
	if n == 1 {
		return "1 round"
	}
	return fmt.Sprintf("median of %d rounds (hops alternating first)", n)
}

func profiledNote(on bool) string {
	if on {
		return ", **profiling on** (figures a few % low)"
	}
	return ""
}

func (r *report) scenarioTable(w io.Writer) {
	fmt.Fprintf(w, "\n")
	writeRow(w, "scenario", "hop", "clients", "req/s", "p50", "p95", "p99", "TTFC p50", "TTFC p99", "errors",
		"hop CPU/req", "hop allocs/req", "hop syscalls/req (r/w)", "agent CPU/req", "loadgen CPU/req")
	writeRow(w, strings.Split(strings.Repeat("---,", 15), ",")[:15]...)
	for _, s := range r.Scenarios {
		t50, t99 := "–", "–"
		if s.TTFC != nil {
			t50, t99 = micros(s.TTFC.P50), micros(s.TTFC.P99)
		}
		writeRow(w, s.Scenario, s.Hop, fmt.Sprint(s.Concurrency), fmt.Sprintf("%.0f", s.RPS),
			micros(s.Latency.P50), micros(s.Latency.P95), micros(s.Latency.P99), t50, t99, fmt.Sprint(s.Errors),
			micros(s.HopCPU), fmt.Sprintf("%.0f (%s)", s.HopAllocs, kib(s.HopBytes)),
			fmt.Sprintf("%.1f / %.1f", s.HopReads, s.HopWrites), micros(s.AgentCPU), micros(s.LoadCPU))
	}
}

func (r *report) ratioTable(w io.Writer) {
	fmt.Fprintf(w, "\n")
	writeRow(w, "scenario", "clients", "throughput bridge/proxy", "per round (median)", "path CPU ratio (median of rounds)",
		"added p50", "added p99", "added TTFC p50", "added TTFC p99", "added hop CPU/req", "throughput target", "latency targets (issue #5)")
	writeRow(w, strings.Split(strings.Repeat("---,", 12), ",")[:12]...)
	for _, q := range r.Ratios {
		t50, t99 := "–", "–"
		if q.AddedTTFCP50 != nil {
			t50, t99 = micros(*q.AddedTTFCP50), micros(*q.AddedTTFCP99)
		}
		writeRow(w, q.Scenario, fmt.Sprint(q.Concurrency), fmt.Sprintf("%.2f×", q.Throughput),
			perRound(q.PerRound, q.RoundsMedian), perRound(nil, q.PathCPU),
			micros(q.AddedP50), micros(q.AddedP99), t50, t99, micros(q.AddedCPU), cmp.Or(goalVerdict(q, r.Ratios), "–"), verdict(q))
	}
}

// perRound is the rounds' ratios and their median: "0.91, 0.97, 0.88
// (0.91×)".
func perRound(v []float64, med float64) string {
	if med == 0 {
		return "–"
	}
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = fmt.Sprintf("%.2f", x)
	}
	if len(parts) == 0 {
		return fmt.Sprintf("%.2f×", med)
	}
	return fmt.Sprintf("%s (%.2f×)", strings.Join(parts, ", "), med)
}

// verdict says which latency targets of issue #5 one row meets: added
// latency without queueing (1 client) as well as under load.
func verdict(q ratio) string {
	out := []string{check3(q.AddedP50 <= targetAddedP50, "p50 +≤ 100 µs")}
	if q.AddedTTFCP50 != nil {
		out = append(out, check3(*q.AddedTTFCP50 <= targetAddedTTFC, "TTFC +≤ 200 µs"))
	}
	return strings.Join(out, ", ")
}

func check3(ok bool, what string) string {
	if ok {
		return what + " met"
	}
	return what + " **not met**"
}

// idleLabels name the idle kinds in the tables.
var idleLabels = map[string]string{
	"chat":      "chat stream, bridge",
	"proxy":     "proxy hop (the bridge's agent request)",
	"gateway":   "gateway `message/stream`, 0.3 → 0.3",
	"gateway10": "gateway `SendStreamingMessage`, 1.0 → 0.3",
}

func (r *report) idleTable(w io.Writer) {
	fmt.Fprintf(w, "\n")
	writeRow(w, "idle streams", "kind", "processes", "opened", "errors", "heap/stream", "heap spans/stream", "stacks/stream",
		"RSS/stream", "RSS/stream, free pages released", "goroutines/stream", "fds/stream",
		"target: no errors; chat ≤ 32 KiB heap (issue #5)")
	writeRow(w, strings.Split(strings.Repeat("---,", 13), ",")[:13]...)
	for _, s := range r.Idle {
		ok := s.Errors == 0 && s.Opened == s.Streams && (s.Kind != "chat" || s.Heap <= targetIdleHeap)
		writeRow(w, fmt.Sprint(s.Streams), cmp.Or(idleLabels[s.Kind], s.Kind), fmt.Sprint(s.Procs), fmt.Sprint(s.Opened),
			fmt.Sprint(s.Errors), kib(s.Heap), kib(s.HeapInuse), kib(s.Stack), kib(s.RSS), kib(s.RSSReleased),
			fmt.Sprintf("%.1f", s.Goroutines), fmt.Sprintf("%.1f", s.FDs), check3(ok, "target"))
	}
	sockets := "An HTTP/1.1 stream through a hop holds 2 sockets in it (client side and agent side)"
	if r.Params.H2C {
		sockets = "Over h2c a stream holds 1 socket in a hop (client side; the agent side shares a few connections)"
	}
	fmt.Fprintf(w, "\n%s; the open-file limit here is %d per process, so more than %d streams are spread over several hop processes and the per-stream figures are their sums divided by the streams. Each kind is held by hop processes of its own, started for it and warmed by one full answer.\n",
		sockets, r.FDLimit, r.Params.StreamsPerProc)
	if len(r.IdleRatios) > 0 {
		r.idleRatioTable(w)
	}
}

// The bounds of issues #12 and #14 on the idle streams: the bridge's
// chat stream costs no more RSS than the proxy hop's, and a gateway stream
// no more memory (RSS and heap) than a chat stream.
const (
	targetIdleRSSOverProxy = 1.0
	targetGatewayOverChat  = 1.0
)

func (r *report) idleRatioTable(w io.Writer) {
	fmt.Fprintf(w, "\n")
	writeRow(w, "idle streams", "compared", "RSS/stream ratio", "RSS ratio, free pages released", "heap/stream ratio",
		"targets (issues #12, #14)")
	writeRow(w, strings.Split(strings.Repeat("---,", 6), ",")[:6]...)
	for _, q := range r.IdleRatios {
		writeRow(w, fmt.Sprint(q.Streams), q.Of+" / "+q.Over, fmt.Sprintf("%.2f×", q.RSS), fmt.Sprintf("%.2f×", q.RSSReleased),
			fmt.Sprintf("%.2f×", q.Heap), idleVerdict(q))
	}
	fmt.Fprintf(w, "\nRSS is VmRSS after a GC, and again after `debug.FreeOSMemory`, each less the same process's VmRSS before the streams opened with its free pages returned (else a bridge's start-up garbage, its tokenizer's vocabulary loading, would hide several MiB): the first keeps the pages the garbage of opening the streams grew, which the runtime gives back later, and varies between runs; the second is what the live streams hold, steady from run to run, and the targets' RSS is that one. Heap is HeapAlloc after a GC, heap spans HeapInuse (the live objects and the free room in their spans); the proxy's heap counts the 32 KiB copy buffer `httputil.ReverseProxy` allocates for every stream, most of whose pages are never touched and so not resident.\n")
}

// idleVerdict says whether one idle ratio meets its issue's bound.
func idleVerdict(q idleRatio) string {
	switch {
	case q.Of == "chat" && q.Over == "proxy":
		return check3(q.RSSReleased <= targetIdleRSSOverProxy, "RSS ≤ 1.0× the proxy's (#12)")
	case q.Over == "chat":
		return check3(q.RSSReleased <= targetGatewayOverChat && q.Heap <= targetGatewayOverChat, "RSS and heap ≤ 1.0× chat's (#14)")
	}
	return "–"
}

func h2cNote(h2c bool) string {
	if h2c {
		return "; both hops call the agent over h2c (HTTP/2 without TLS)"
	}
	return ""
}
