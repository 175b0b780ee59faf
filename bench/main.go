// Command bench measures a2a-bridge against a bare net/http/httputil.ReverseProxy
// hop in front of the same A2A agent, on loopback, and what an idle open
// stream costs each in memory: a chat stream and a gateway stream (A2A 0.3
// and 1.0 callers) through the bridge, the same agent request through the
// proxy (issue #5, "Benchmark: make bench"; issues #12 and #14).
//
//	go run ./bench [-c 64] [-d 10s] [-warmup 2s] [-answer 1024] [-chunks 32]
//	               [-idle 1000,10000] [-out testdata/bench/latest.json] [-profile DIR]
//
// One run re-executes this binary in role mode for each server, so that each
// has its own open-file limit, heap and profile: the agent (-role=agent), the
// proxy hop (-role=proxy) and the bridge hop (-role=bridge); the load
// generator and the idle-stream clients run in the parent. Every child dies
// with the parent (Pdeathsig on Linux) and exits when its stdin closes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// options are the command line of both the parent and the role children.
type options struct {
	role      string        // "" for the parent; agent, proxy or bridge for a child
	upstream  string        // proxy and bridge roles: the agent's base URL
	bridgeLog string        // bridge role: nop (the default) or json (to io.Discard)
	usage     string        // bridge role: the config's usage ("" for its default)
	h2c       bool          // the agent serves h2c too, and both hops call it over h2c
	ops       bool          // bridge role: with the operations on (keys, rpm, cost; see opsConfig)
	state     string        // bridge role: conversation context mode, its state in "memory" or on "redis" (shared.go)
	redisURL  string        // bridge role, state redis: redis.url
	opsRPM    int           // the ops bridge's rpm, per key and per agent
	memRate   int           // role: runtime.MemProfileRate, 1 for an exact heap profile
	scrape    time.Duration // ops-* scenarios: how often /metrics is read

	concurrency int
	rounds      int
	duration    time.Duration
	warmup      time.Duration
	answerBytes int
	chunks      int
	promptBytes int
	history     bool
	unloaded    bool
	only        string
	idle        string
	perProc     int
	out         string
	profileDir  string
	timeout     time.Duration
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.StringVar(&o.role, "role", "", "internal: serve as a child `role` (agent, proxy, bridge)")
	fs.StringVar(&o.upstream, "upstream", "", "internal: the agent's base `URL` for the proxy and bridge roles")
	fs.IntVar(&o.memRate, "memprofilerate", 0, "internal: runtime.MemProfileRate of a role child (0: Go's default)")
	fs.StringVar(&o.bridgeLog, "bridge-log", "nop", "bridge logger: nop (zerolog.Nop) or json (JSON lines to io.Discard, the production cost)")
	fs.StringVar(&o.usage, "usage", "", "the bridge's usage counting: tokenizer or estimate (empty: the bridge's default)")
	fs.StringVar(&o.state, "state", "", "internal: the bridge role keeps conversations (context mode) in memory or on redis (context-send, redis-send)")
	fs.StringVar(&o.redisURL, "redis", "", "internal: the bridge role's redis.url (redis-send)")
	fs.BoolVar(&o.ops, "ops", false, "internal: the bridge role serves with keys, rpm and cost (the ops-* scenarios)")
	fs.IntVar(&o.opsRPM, "ops-rpm", 5_000_000, "ops-* scenarios: the rpm of the bridge's key and agent, high enough not to limit (the window holds up to this many times)")
	fs.DurationVar(&o.scrape, "scrape", time.Second, "ops-* scenarios: how often /metrics of the bridge is scraped while they run")
	fs.BoolVar(&o.h2c, "h2c", false, "the agent also serves HTTP/2 without TLS, and the proxy and the bridge call it over h2c")
	fs.IntVar(&o.concurrency, "c", 64, "concurrent clients per scenario")
	fs.IntVar(&o.rounds, "rounds", 1, "measure every scenario this many times, alternating which hop goes first; report the median")
	fs.DurationVar(&o.duration, "d", 10*time.Second, "measured `duration` of each scenario")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured warm-up before each scenario")
	fs.IntVar(&o.answerBytes, "answer", 1024, "bytes of the agent's answer")
	fs.IntVar(&o.chunks, "chunks", 32, "artifact-update events the answer is streamed in")
	fs.IntVar(&o.promptBytes, "prompt", 1024, "bytes of the user message sent")
	fs.BoolVar(&o.history, "history", true, "the agent echoes the user message in the task's history, as the A2A SDKs do")
	fs.BoolVar(&o.unloaded, "unloaded", true, "also run every scenario with 1 client, for latency without queueing")
	fs.StringVar(&o.only, "only", strings.Join(scenarios, ",")+",idle",
		"comma-separated scenarios to run: send, stream, responses-send, responses-stream (POST /v1/responses), "+
			"ops-send, ops-stream (chat with keys, rpm, cost and /metrics scraped), gateway-send, gateway-stream (the A2A gateway, POST /a2a/{agent}), "+
			"gateway10-send, gateway10-stream (an A2A 1.0 caller translated to the 0.3 agent), "+
			"context-send, redis-send (chat in conversation context mode, its state in memory or on a redis-server of its own), idle")
	fs.StringVar(&o.idle, "idle", "1000,10000", "comma-separated counts of idle streams to hold open, of each kind (chat, proxy, gateway, gateway10)")
	fs.IntVar(&o.perProc, "streams-per-proc", 9000, "most idle streams one hop process (bridge or proxy) holds (2 fds each)")
	fs.StringVar(&o.out, "out", "testdata/bench/latest.json", "JSON report `file`, with its tables in the same name ending in .md (empty: none)")
	fs.StringVar(&o.profileDir, "profile", "", "write CPU and allocation profiles of each hop to `dir`")
	fs.DurationVar(&o.timeout, "timeout", 0, "stop everything after this long (default: planned time + 3m)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.concurrency < 1 || o.rounds < 1 || o.chunks < 1 || o.answerBytes < o.chunks || o.duration <= 0 || o.opsRPM < 1 || o.scrape <= 0 {
		return o, errors.New("want -c ≥ 1, -rounds ≥ 1, -chunks ≥ 1, -answer ≥ -chunks, -d > 0, -ops-rpm ≥ 1, -scrape > 0")
	}
	return o, nil
}

func main() {
	raiseFDLimit()
	o, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if o.role != "" {
		err = serveRole(o)
	} else {
		err = runParent(o)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench%s: %v\n", roleSuffix(o.role), err)
		os.Exit(1)
	}
}

func roleSuffix(role string) string {
	if role == "" {
		return ""
	}
	return " (" + role + ")"
}

// runParent runs the whole benchmark under a watchdog, so that it always
// stops by itself.
func runParent(o options) error {
	if o.timeout == 0 {
		o.timeout = o.planned() + 3*time.Minute
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeoutCause(ctx, o.timeout, fmt.Errorf("bench: over -timeout %s", o.timeout))
	defer cancel()
	err := run(ctx, o)
	if cause := context.Cause(ctx); cause != nil && err != nil {
		return fmt.Errorf("%w (%v)", err, cause)
	}
	return err
}

// planned is how long the scenarios take, warm-ups included.
func (o options) planned() time.Duration {
	runs := 0
	for _, s := range scenarios {
		if o.runs(s) {
			runs += 2 // proxy and bridge
		}
	}
	if o.unloaded {
		runs *= 2
	}
	runs *= o.rounds
	return time.Duration(runs)*(o.warmup+o.duration+time.Second) + o.idlePlanned()
}

// idlePlanned is a generous guess of how long the idle streams take: for
// each count and kind, starting the hops, the 2 s settling, opening and
// closing them (about 0.3 s a thousand on the 2-core machine).
func (o options) idlePlanned() time.Duration {
	if !o.runs("idle") {
		return 0
	}
	counts, _ := o.idleCounts()
	var d time.Duration
	for _, n := range counts {
		d += time.Duration(len(idleKinds)) * (5*time.Second + time.Duration(n)*time.Millisecond)
	}
	return d
}

// scenarios are the measured scenarios, in the order they run.
var scenarios = []string{"send", "stream", "responses-send", "responses-stream", "ops-send", "ops-stream", "gateway-send", "gateway-stream", "gateway10-send", "gateway10-stream", "context-send", "redis-send"}

func (o options) runs(scenario string) bool {
	for _, s := range strings.Split(o.only, ",") {
		if strings.TrimSpace(s) == scenario {
			return true
		}
	}
	return false
}

func (o options) idleCounts() ([]int, error) {
	var ns []int
	for _, s := range strings.Split(o.idle, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-idle: %q is not a count", s)
		}
		ns = append(ns, n)
	}
	return ns, nil
}

// childArgs are the flags every role child gets: the agent's shape.
func (o options) childArgs() []string {
	return []string{
		"-answer", strconv.Itoa(o.answerBytes), "-chunks", strconv.Itoa(o.chunks),
		"-history=" + strconv.FormatBool(o.history), "-bridge-log", o.bridgeLog, "-usage=" + o.usage,
		"-h2c=" + strconv.FormatBool(o.h2c), "-ops-rpm", strconv.Itoa(o.opsRPM),
	}
}
