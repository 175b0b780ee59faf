package bridge

import (
	"context"
	"testing"
	"time"

	"github.com/a2a-bridge/a2a-bridge/bridge/shared"
	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// BenchmarkSharedConversation is the Redis cost of one context-mode chat
// turn: its lookup and its keep (four names), against the memory store.
// Wall clock is one loopback round trip each; allocations are what to watch.
func BenchmarkSharedConversation(b *testing.B) {
	rs := startRedis(b)
	c, err := shared.Open(rs.url(), "bench:", zerolog.Nop(), prometheus.NewCounter(prometheus.CounterOpts{Name: "x"}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	conv := conversation{ContextID: "ctx-0123456789", TaskID: "task-0123456789", State: transform.StateInputRequired}
	keys := []string{"scope\x00a\x00task:t", "scope\x00a\x00ctx:c", "scope\x00a\x00ctx:name", "scope\x00a\x00turns:0123456789abcdef"}
	for _, tc := range []struct {
		name   string
		remote *shared.Client
	}{{"memory", nil}, {"redis", c}} {
		b.Run(tc.name, func(b *testing.B) {
			cs := newConversations(time.Hour, 10000, time.Now)
			cs.remote = tc.remote
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := cs.lookup(ctx, "scope", keys[1]); err != nil {
					b.Fatal(err)
				}
				if err := cs.keep(ctx, "scope", conv, keys...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSharedTake is one rate-limit take: the sliding log in memory,
// against the Lua script on Redis.
func BenchmarkSharedTake(b *testing.B) {
	rs := startRedis(b)
	c, err := shared.Open(rs.url(), "bench:", zerolog.Nop(), prometheus.NewCounter(prometheus.CounterOpts{Name: "x"}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	for _, tc := range []struct {
		name   string
		remote *shared.Client
	}{{"memory", nil}, {"redis", c}} {
		b.Run(tc.name, func(b *testing.B) {
			l := newLimiter()
			l.remote = tc.remote
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				l.takeShared(ctx, "key:team", 1_000_000, time.Now())
			}
		})
	}
}
