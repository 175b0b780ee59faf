package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// report is the whole result of one run: the JSON file, and the Markdown
// tables on stdout.
type report struct {
	Command    string           `json:"command"`
	Date       string           `json:"date"`
	Commit     string           `json:"commit"`
	GoVersion  string           `json:"go_version"`
	Platform   string           `json:"platform"`
	CPU        string           `json:"cpu"`
	NumCPU     int              `json:"num_cpu"`
	GOMAXPROCS int              `json:"gomaxprocs"`
	FDLimit    uint64           `json:"fd_limit"`
	LoadBefore string           `json:"loadavg_before"`
	LoadAfter  string           `json:"loadavg_after"`
	Params     params           `json:"params"`
	Scenarios  []scenarioResult `json:"scenarios"` // the median round of each row
	Rounds     []scenarioResult `json:"rounds"`    // every round
	Ratios     []ratio          `json:"ratios"`
	Idle       []idleResult     `json:"idle"`
	IdleRatios []idleRatio      `json:"idle_ratios"`
	Notes      []string         `json:"notes"`
}

type params struct {
	Concurrency int     `json:"concurrency"`
	Rounds      int     `json:"rounds"`
	Unloaded    bool    `json:"unloaded"`
	Duration    float64 `json:"duration_s"`
	Warmup      float64 `json:"warmup_s"`
	AnswerBytes int     `json:"answer_bytes"`
	Chunks      int     `json:"chunks"`
	PromptBytes int     `json:"prompt_bytes"`
	History     bool    `json:"history"`
	BridgeLog   string  `json:"bridge_log"`
	Usage       string  `json:"usage"` // the bridge's usage counting; "" is its default
	Profiled    bool    `json:"profiled"`
	H2C         bool    `json:"h2c"` // both hops call the agent over HTTP/2 without TLS
	// StreamsPerProc is the most idle streams one bridge process holds.
	StreamsPerProc int `json:"streams_per_process"`
}

// ratio compares the bridge with the proxy hop under one scenario and load.
type ratio struct {
	Scenario     string   `json:"scenario"`
	Concurrency  int      `json:"concurrency"`
	Throughput   float64  `json:"throughput_bridge_over_proxy"`
	AddedP50     float64  `json:"added_p50_us"`
	AddedP99     float64  `json:"added_p99_us"`
	AddedTTFCP50 *float64 `json:"added_ttfc_p50_us,omitempty"`
	AddedTTFCP99 *float64 `json:"added_ttfc_p99_us,omitempty"`
	AddedCPU     float64  `json:"added_hop_cpu_us_per_req"`
	// Of every round (see roundRatios).
	PerRound        []float64 `json:"throughput_per_round"`
	RoundsMedian    float64   `json:"throughput_median_of_rounds"`
	PathCPUPerRound []float64 `json:"path_cpu_ratio_per_round"`
	PathCPU         float64   `json:"path_cpu_ratio"` // proxy path's CPU/req over the bridge path's: the throughput ratio CPU-bound
}

// idleRatio compares the idle streams of two kinds at one count: Of's
// figures per stream over Over's.
type idleRatio struct {
	Streams int     `json:"streams"`
	Of      string  `json:"of"`
	Over    string  `json:"over"`
	RSS     float64 `json:"rss_ratio"`
	// RSSReleased compares the RSS after debug.FreeOSMemory: the steadier figure.
	RSSReleased float64 `json:"rss_released_ratio"`
	Heap        float64 `json:"heap_ratio"`
}

// idleCompared are the idle ratios reported: what issue #12 bounds (the
// bridge's chat stream against the proxy's), what issue #14 bounds (the
// gateway's streams against chat's), and the gateway against the proxy.
var idleCompared = [][2]string{{"chat", "proxy"}, {"gateway", "chat"}, {"gateway10", "chat"}, {"gateway", "proxy"}, {"gateway10", "proxy"}}

func newReport(o options) *report {
	return &report{
		Command:    "go run ./bench " + strings.Join(os.Args[1:], " "),
		Date:       time.Now().UTC().Format(time.RFC3339),
		Commit:     gitCommit(),
		GoVersion:  runtime.Version(),
		Platform:   runtime.GOOS + "/" + runtime.GOARCH,
		CPU:        cpuModel(),
		NumCPU:     runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		FDLimit:    fdLimit(),
		LoadBefore: loadAvg(),
		Params: params{Concurrency: o.concurrency, Rounds: o.rounds, Unloaded: o.unloaded, Duration: o.duration.Seconds(), Warmup: o.warmup.Seconds(),
			AnswerBytes: o.answerBytes, Chunks: o.chunks, PromptBytes: o.promptBytes, History: o.history,
			BridgeLog: o.bridgeLog, Usage: o.usage, H2C: o.h2c, Profiled: o.profileDir != "", StreamsPerProc: o.perProc},
		Notes: []string{
			"Everything runs on 127.0.0.1 on one machine: the agent, the hop (proxy or bridge) and the load generator are separate processes sharing the same CPUs, so every figure includes their competition for CPU.",
			"Both hops get the same agent, the same conversation (the proxy gets the exact A2A request the bridge sends), the same clients and the same duration; the proxy's transport keeps as many idle connections as the bridge's.",
			"The proxy hop is a bare httputil.ReverseProxy with default flushing (it flushes text/event-stream after every read by itself) and one fix: its outbound body is bounded by Content-Length, without which Go's transport cuts a few proxied streams under load (a re-read of the closed inbound body); the bridge reads the whole request first and needs no such fix.",
			"CPU/req, allocs/req and syscalls/req are the hop process's own counters (/proc/PID/stat and io, runtime.MemStats) over the measured window, divided by the requests completed in it; when the shared CPUs are saturated (64 clients), throughput is bounded by the sum of the four CPU/req columns.",
			"TTFC is the time from sending the request to the first SSE frame carrying answer text (the first artifact-update through the proxy, the first non-empty delta.content from the bridge).",
		},
	}
}

// finish computes the ratios and the closing load average.
func (r *report) finish() {
	r.LoadAfter = loadAvg()
	find := func(sc, hop string, c int) *scenarioResult {
		for i := range r.Scenarios {
			if s := &r.Scenarios[i]; s.Scenario == sc && s.Hop == hop && s.Concurrency == c {
				return s
			}
		}
		return nil
	}
	for _, s := range r.Scenarios {
		p, b := find(s.Scenario, "proxy", s.Concurrency), find(s.Scenario, "bridge", s.Concurrency)
		if s.Hop != "bridge" || p == nil || b == nil || p.RPS == 0 {
			continue
		}
		q := ratio{Scenario: s.Scenario, Concurrency: s.Concurrency, Throughput: b.RPS / p.RPS,
			AddedP50: b.Latency.P50 - p.Latency.P50, AddedP99: b.Latency.P99 - p.Latency.P99,
			AddedCPU: b.HopCPU - p.HopCPU}
		if b.TTFC != nil && p.TTFC != nil {
			d50, d99 := b.TTFC.P50-p.TTFC.P50, b.TTFC.P99-p.TTFC.P99
			q.AddedTTFCP50, q.AddedTTFCP99 = &d50, &d99
		}
		r.Ratios = append(r.Ratios, q)
	}
	roundRatios(r.Ratios, r.Rounds)
	r.IdleRatios = idleRatios(r.Idle)
}

// idleRatios compares the idle kinds of each count as idleCompared lists,
// where both were measured with every stream open.
func idleRatios(rows []idleResult) []idleRatio {
	var out []idleRatio
	find := func(kind string, n int) *idleResult {
		for i := range rows {
			if r := &rows[i]; r.Kind == kind && r.Streams == n && r.Opened == n && r.RSS > 0 && r.RSSReleased > 0 && r.Heap > 0 {
				return r
			}
		}
		return nil
	}
	var counts []int
	for _, r := range rows {
		if !slices.Contains(counts, r.Streams) {
			counts = append(counts, r.Streams)
		}
	}
	for _, n := range counts {
		for _, c := range idleCompared {
			if a, b := find(c[0], n), find(c[1], n); a != nil && b != nil {
				out = append(out, idleRatio{Streams: n, Of: c[0], Over: c[1], RSS: a.RSS / b.RSS,
					RSSReleased: a.RSSReleased / b.RSSReleased, Heap: a.Heap / b.Heap})
			}
		}
	}
	return out
}

// failures counts the requests and idle streams that failed in all rounds.
func (r *report) failures() int {
	n := 0
	for _, s := range r.Rounds {
		n += s.Errors
	}
	for _, s := range r.Idle {
		n += s.Streams - s.Opened // failed or never opened
	}
	return n
}

// write saves the report as JSON at path, and its Markdown tables next to
// it (the same name ending in .md), so that the two always agree.
func (r *report) write(path string) error {
	if path == "" {
		return nil
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return err
	}
	var md bytes.Buffer
	r.markdown(&md)
	mdPath := strings.TrimSuffix(path, filepath.Ext(path)) + ".md"
	fmt.Fprintln(os.Stderr, "bench: wrote", path, "and", mdPath)
	return os.WriteFile(mdPath, md.Bytes(), 0o644)
}

func gitCommit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	commit := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		commit += "+dirty"
	}
	return commit
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for line := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// micros writes a duration given in microseconds for people.
func micros(us float64) string {
	switch {
	case us >= 10000 || us <= -10000:
		return fmt.Sprintf("%.1f ms", us/1000)
	case us >= 1000 || us <= -1000:
		return fmt.Sprintf("%.2f ms", us/1000)
	}
	return fmt.Sprintf("%.0f µs", us)
}

func kib(b float64) string { return fmt.Sprintf("%.1f KiB", b/1024) }

func writeRow(w io.Writer, cells ...string) {
	fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
}
