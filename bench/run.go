package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
)

// run starts the agent, then the hop scenarios, then the idle streams,
// and writes the report.
func run(ctx context.Context, o options) error {
	rep := newReport(o)
	fmt.Println("command:", rep.Command)
	agent, err := startChild(ctx, "agent", o.childArgs()...)
	if err != nil {
		return err
	}
	defer agent.stop()
	if slices.ContainsFunc(scenarios, o.runs) {
		if err := runHops(ctx, o, agent, rep); err != nil {
			return err
		}
	}
	if o.runs("idle") {
		if err := runIdle(ctx, o, agent, rep); err != nil {
			return err
		}
	}
	rep.finish()
	rep.markdown(os.Stdout)
	if err := rep.write(o.out); err != nil {
		return err
	}
	if n := rep.failures(); n > 0 {
		return fmt.Errorf("%d requests or streams failed: the figures above are not valid", n)
	}
	return nil
}

// runIdle holds the idle streams of every kind, for each -idle count.
func runIdle(ctx context.Context, o options, agent *child, rep *report) error {
	counts, err := o.idleCounts()
	if err != nil {
		return err
	}
	for _, n := range counts {
		for _, k := range idleKinds {
			progress("idle: opening %d %s streams", n, k.name)
			r, err := idleRun(ctx, o, agent, k, n)
			if err != nil {
				return fmt.Errorf("idle %d %s: %w", n, k.name, err)
			}
			progress("idle: %d %s streams: %d opened in %.1f s; a stream %s RSS, %s heap %s", n, k.name, r.Opened,
				r.OpenSecs, kib(r.RSS), kib(r.Heap), r.FirstError)
			rep.Idle = append(rep.Idle, r)
		}
	}
	return nil
}

// hops are the servers under test, and the agent behind them: ops is the
// bridge with the operations on, started only for the ops-* scenarios.
// memory and redis are the context-mode bridges of context-send and
// redis-send (shared.go).
type hops struct{ proxy, bridge, ops, memory, redis, agent *child }

func (h hops) of(t target) *child {
	switch {
	case t.hop == "proxy":
		return h.proxy
	case t.ops:
		return h.ops
	case t.state == "memory":
		return h.memory
	case t.state == "redis":
		return h.redis
	}
	return h.bridge
}

// runHops measures the proxy hop and the bridge hop with the same agent,
// load and duration, for each scenario and load, -rounds times; each round
// swaps which hop goes first, so that a drift in the machine's load does
// not always favour the same one. The report keeps each row's median round.
func runHops(ctx context.Context, o options, agent *child, rep *report) error {
	h, stop, err := startHops(ctx, o, agent)
	if err != nil {
		return err
	}
	defer stop()
	pairs, err := scenarioTargets(ctx, o, h)
	if err != nil {
		return err
	}
	loads := []int{o.concurrency}
	if o.unloaded && o.concurrency != 1 {
		loads = append(loads, 1)
	}
	for round := range o.rounds {
		for _, pair := range pairs {
			for _, conc := range loads {
				for i := range pair {
					t := pair[(i+round)%2]
					r := measure(ctx, o, conc, t, h)
					r.Round = round
					progress("round %d %-6s %-6s c=%-3d %8.0f req/s  p50 %s  errors %d %s", round+1, r.Scenario, t.hop,
						conc, r.RPS, micros(r.Latency.P50), r.Errors, r.FirstError)
					rep.Rounds = append(rep.Rounds, r)
					if ctx.Err() != nil {
						return context.Cause(ctx)
					}
				}
			}
		}
	}
	rep.Scenarios = medianRows(rep.Rounds)
	return nil
}

// startHops starts the proxy and the bridge in front of agent, and the ops
// bridge when an ops-* scenario runs; stop stops them.
func startHops(ctx context.Context, o options, agent *child) (h hops, stop func(), err error) {
	args := append(o.childArgs(), "-upstream", agent.url)
	h.agent = agent
	var stops []func()
	stop = func() {
		for _, f := range slices.Backward(stops) {
			f()
		}
	}
	defer func() {
		if err != nil {
			stop()
		}
	}()
	if h.proxy, err = startChild(ctx, "proxy", args...); err != nil {
		return h, nil, err
	}
	stops = append(stops, h.proxy.stop)
	if h.bridge, err = startChild(ctx, "bridge", args...); err != nil {
		return h, nil, err
	}
	stops = append(stops, h.bridge.stop)
	stopOps, err := startOps(ctx, o, args, &h)
	if err != nil {
		return h, nil, err
	}
	stops = append(stops, stopOps)
	stopShared, err := startShared(ctx, o, args, &h)
	if err != nil {
		return h, nil, err
	}
	stops = append(stops, stopShared)
	return h, stop, nil
}

// scenarioTargets checks both hops for each scenario and returns their
// targets, the proxy's first. The proxy is sent the bytes the agent
// received from the bridge for the same conversation.
func scenarioTargets(ctx context.Context, o options, h hops) ([][2]target, error) {
	var pairs [][2]target
	for _, scenario := range scenarios {
		if !o.runs(scenario) {
			continue
		}
		stream := strings.HasSuffix(scenario, "stream")
		if strings.HasPrefix(scenario, "gateway") {
			pair, err := gatewayPair(ctx, o, h, stream, strings.HasPrefix(scenario, "gateway10-"))
			if err != nil {
				return nil, err
			}
			pairs = append(pairs, pair)
			continue
		}
		bt := bridgeTarget(h.bridge.url, stream, o)
		switch {
		case strings.HasPrefix(scenario, "responses-"):
			bt = responsesTarget(h.bridge.url, stream, o)
		case strings.HasPrefix(scenario, "ops-"):
			bt = opsTarget(h.ops.url, stream, o)
		case scenario == "context-send":
			bt = sharedTarget(h.memory.url, o, "memory")
		case scenario == "redis-send":
			bt = sharedTarget(h.redis.url, o, "redis")
		}
		if err := check(ctx, bt, o); err != nil {
			return nil, err
		}
		// Both doors send the agent the same bytes: the proxy replays them.
		_, kind, _ := strings.Cut(scenario, "-") // responses-send: send
		if kind == "" {
			kind = scenario
		}
		body, err := recorded(ctx, h.agent, kind)
		if err != nil {
			return nil, err
		}
		pt := proxyTarget(h.proxy.url, body, bt.stream)
		pt.name = bt.name // the same baseline, measured again beside this door
		if err := check(ctx, pt, o); err != nil {
			return nil, err
		}
		pairs = append(pairs, [2]target{pt, bt})
	}
	return pairs, nil
}

// gatewayPair checks the A2A gateway and its proxy twin, which is sent
// the same JSON-RPC request, and returns them, the proxy's first.
func gatewayPair(ctx context.Context, o options, h hops, stream, v10 bool) ([2]target, error) {
	bt := gatewayTarget(h.bridge.url, stream, o)
	pt := proxyTarget(h.proxy.url, bt.body, stream)
	if v10 {
		bt = gateway10Target(h.bridge.url, stream, o)
	}
	pt.name = bt.name
	for _, t := range []target{bt, pt} {
		if err := check(ctx, t, o); err != nil {
			return [2]target{}, err
		}
	}
	return [2]target{pt, bt}, nil
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

// recorded is the first request body of the scenario the agent received,
// which the bridge sent.
func recorded(ctx context.Context, agent *child, scenario string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, agent.url+"/recorded/"+scenario, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the agent recorded no %s request from the bridge", scenario)
	}
	return io.ReadAll(resp.Body)
}
