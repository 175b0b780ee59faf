package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"slices"
	"strconv"
	"time"

	"github.com/a2a-bridge/a2a-bridge/bridge"
)

// The context-send and redis-send scenarios: the chat conversation of
// send, to a bridge that keeps its conversations (conversation: context,
// so every turn looks its conversation up and keeps it), once in process
// memory and once on Redis (redis.url). Side by side they show what the
// shared state costs a request: the bound is a p50 at most 0.3 ms
// above the in-memory bridge's and a throughput at least 0.9 times it.

// sharedConfig turns the bench bridge's config into the context-mode
// bridge's, on Redis when url is set.
func sharedConfig(cfg *bridge.Config, state, url string) {
	for i := range cfg.Agents {
		cfg.Agents[i].Conversation = "context"
	}
	if state == "redis" {
		cfg.Redis = bridge.RedisConfig{URL: url}
	}
}

// sharedTarget is bridgeTarget on the context-mode bridge of state
// ("memory" or "redis").
func sharedTarget(url string, o options, state string) target {
	t := bridgeTarget(url, false, o)
	t.state, t.name = state, "context-send"
	if state == "redis" {
		t.name = "redis-send"
	}
	return t
}

// startShared starts the context-mode bridges the scenarios that run
// need, and for redis-send a redis-server of its own on a free loopback
// port, without persistence.
func startShared(ctx context.Context, o options, args []string, h *hops) (stop func(), err error) {
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
	if o.runs("context-send") {
		if h.memory, err = startChild(ctx, "bridge", append(slices.Clip(args), "-state", "memory")...); err != nil {
			return nil, err
		}
		stops = append(stops, h.memory.stop)
	}
	if o.runs("redis-send") {
		url, stopRedis, err := startRedis(ctx)
		if err != nil {
			return nil, err
		}
		stops = append(stops, stopRedis)
		if h.redis, err = startChild(ctx, "bridge", append(slices.Clip(args), "-state", "redis", "-redis", url)...); err != nil {
			return nil, err
		}
		stops = append(stops, h.redis.stop)
	}
	return stop, nil
}

// startRedis runs redis-server (Debian's package: make redis-deps) on a
// free 127.0.0.1 port and returns its URL once it answers.
func startRedis(ctx context.Context) (url string, stop func(), err error) {
	server, err := exec.LookPath("redis-server")
	if err != nil {
		return "", nil, errors.New("redis-send needs redis-server on PATH (make redis-deps)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.CommandContext(ctx, server, "--bind", "127.0.0.1", "--port", strconv.Itoa(port),
		"--save", "", "--appendonly", "no", "--loglevel", "warning")
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop = func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for deadline := time.Now().Add(10 * time.Second); ; {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return "redis://" + addr + "/0", stop, nil
		}
		if time.Now().After(deadline) {
			stop()
			return "", nil, fmt.Errorf("redis-server on %s not answering after 10 s", addr)
		}
		time.Sleep(20 * time.Millisecond) // a server starting: nothing to wait on but its port
	}
}
