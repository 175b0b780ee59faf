package main

import (
	"context"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/a2a-bridge/a2a-bridge/bridge"
)

// The ops-* scenarios: the chat conversation of send and stream, sent to a
// bridge with its operations on, as a production deployment runs it: an
// API key (object form, with a name) and an agent each with an rpm that
// never limits, the agent priced (cost_per_*), and /metrics scraped while
// the load runs. Beside send and stream, their rows show what the
// operations cost on the hot path.

// opsKey is the ops bridge's one API key.
const opsKey = "sk-bench-ops"

// opsConfig turns the bench bridge's config into the ops bridge's.
func opsConfig(cfg *bridge.Config, o options) {
	cfg.APIKeys = []bridge.APIKey{{Key: opsKey, Name: "bench", RPM: o.opsRPM}}
	for i := range cfg.Agents {
		a := &cfg.Agents[i]
		a.RPM = o.opsRPM
		a.CostPerRequest, a.CostPerInputToken, a.CostPerOutputToken = 0.001, 0.000002, 0.000008
	}
}

// opsTarget is bridgeTarget on the ops bridge, with its key.
func opsTarget(url string, stream bool, o options) target {
	t := bridgeTarget(url, stream, o)
	t.name, t.ops, t.auth = "ops-send", true, "Bearer "+opsKey
	if stream {
		t.name = "ops-stream"
	}
	return t
}

// scrapeMetrics reads GET /metrics of the bridge at url every interval, as
// Prometheus would, until the returned stop is called.
func scrapeMetrics(ctx context.Context, url string, every time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/metrics", nil)
			if err != nil {
				return
			}
			if resp, err := http.DefaultClient.Do(req); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
	})
	return func() {
		cancel()
		wg.Wait()
	}
}

// startOps starts the ops bridge as h.ops, and its scraper, when an ops-*
// scenario runs; stop stops both.
func startOps(ctx context.Context, o options, args []string, h *hops) (stop func(), err error) {
	if !o.runs("ops-send") && !o.runs("ops-stream") {
		return func() {}, nil
	}
	if h.ops, err = startChild(ctx, "bridge", append(slices.Clip(args), "-ops")...); err != nil {
		return nil, err
	}
	stopScrape := scrapeMetrics(ctx, h.ops.url, o.scrape)
	return func() {
		stopScrape()
		h.ops.stop()
	}, nil
}
