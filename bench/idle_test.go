package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestIdleKindsHold opens one held stream of every idle kind, in the
// order the scenario runs them, through an in-process agent, proxy hop
// and bridge: each kind's warm-up request is answered in full, and its
// held stream shows its first text and stays open until the client goes.
func TestIdleKindsHold(t *testing.T) {
	o, err := parseFlags([]string{"-usage", "estimate"})
	if err != nil {
		t.Fatal(err)
	}
	agentSrv := httptest.NewServer(newAgent(o))
	t.Cleanup(agentSrv.Close)
	agent := &child{role: "agent", url: agentSrv.URL}
	proxy, err := newProxy(agentSrv.URL, false)
	if err != nil {
		t.Fatal(err)
	}
	proxySrv := httptest.NewServer(proxy)
	t.Cleanup(proxySrv.Close)
	bridgeURL := startTestBridge(t, o, agentSrv.URL)
	urls := map[string]string{"bridge": bridgeURL, "proxy": proxySrv.URL}

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	t.Cleanup(client.CloseIdleConnections)
	for _, k := range idleKinds {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		warm, hold, err := k.targets(ctx, urls[k.role], agent, o)
		if err != nil {
			cancel()
			t.Fatalf("%s: targets: %v", k.name, err)
		}
		if err := check(ctx, warm, o); err != nil {
			cancel()
			t.Fatalf("%s: warm-up: %v", k.name, err)
		}
		body, err := openStream(ctx, client, hold)
		if err != nil {
			cancel()
			t.Fatalf("%s: openStream(%s) = %v, want the first text of a held stream", k.name, hold.url, err)
		}
		// Held: nothing more comes until the client goes.
		read := make(chan error, 1)
		go func() {
			_, err := body.Read(make([]byte, 1))
			read <- err
		}()
		select {
		case err := <-read:
			t.Errorf("%s: the held stream went on (read: %v), want it held", k.name, err)
			body.Close()
		case <-time.After(100 * time.Millisecond): // nothing to wait on but silence
			body.Close()
			<-read
		}
		cancel()
	}
}

// startTestBridge serves the bench's bridge role in process in front of
// upstream, until the test ends.
func startTestBridge(t *testing.T, o options, upstream string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o.upstream = upstream
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveBridge(ctx, ln, o) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, context.Canceled) {
			t.Errorf("serveBridge = %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

func TestIdleRatios(t *testing.T) {
	row := func(kind string, n, opened int, rss, released, heap float64) idleResult {
		return idleResult{Kind: kind, Streams: n, Opened: opened, RSS: rss, RSSReleased: released, Heap: heap}
	}
	tests := []struct {
		name string
		rows []idleResult
		want []idleRatio
	}{
		{
			name: "every kind",
			rows: []idleResult{
				row("chat", 10, 10, 60, 66, 30), row("proxy", 10, 10, 50, 60, 60),
				row("gateway", 10, 10, 60, 66, 33), row("gateway10", 10, 10, 90, 99, 30),
			},
			want: []idleRatio{
				{Streams: 10, Of: "chat", Over: "proxy", RSS: 1.2, RSSReleased: 1.1, Heap: 0.5},
				{Streams: 10, Of: "gateway", Over: "chat", RSS: 1, RSSReleased: 1, Heap: 1.1},
				{Streams: 10, Of: "gateway10", Over: "chat", RSS: 1.5, RSSReleased: 1.5, Heap: 1},
				{Streams: 10, Of: "gateway", Over: "proxy", RSS: 1.2, RSSReleased: 1.1, Heap: 0.55},
				{Streams: 10, Of: "gateway10", Over: "proxy", RSS: 1.8, RSSReleased: 1.65, Heap: 0.5},
			},
		},
		{
			name: "a kind not all open is not compared",
			rows: []idleResult{row("chat", 10, 9, 60, 66, 30), row("proxy", 10, 10, 50, 60, 60)},
		},
		{
			name: "counts are compared apart",
			rows: []idleResult{row("chat", 10, 10, 60, 66, 30), row("proxy", 20, 20, 50, 60, 60)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := idleRatios(tt.rows)
			if len(got) != len(tt.want) {
				t.Fatalf("idleRatios(%s) = %+v, want %+v", tt.name, got, tt.want)
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				if g.Streams != w.Streams || g.Of != w.Of || g.Over != w.Over ||
					!near(g.RSS, w.RSS) || !near(g.RSSReleased, w.RSSReleased) || !near(g.Heap, w.Heap) {
					t.Errorf("idleRatios(%s)[%d] = %+v, want %+v", tt.name, i, g, w)
				}
			}
		})
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

func TestIdleVerdict(t *testing.T) {
	tests := []struct {
		name string
		q    idleRatio
		want string
	}{
		{"chat at the proxy's released RSS", idleRatio{Of: "chat", Over: "proxy", RSS: 1.3, RSSReleased: 1, Heap: 2},
			"RSS ≤ 1.0× the proxy's (#12) met"},
		{"chat above the proxy", idleRatio{Of: "chat", Over: "proxy", RSS: 0.9, RSSReleased: 1.1, Heap: 0.5},
			"RSS ≤ 1.0× the proxy's (#12) **not met**"},
		{"gateway at chat's", idleRatio{Of: "gateway", Over: "chat", RSS: 1.2, RSSReleased: 0.99, Heap: 1},
			"RSS and heap ≤ 1.0× chat's (#14) met"},
		{"gateway10 above chat's heap", idleRatio{Of: "gateway10", Over: "chat", RSS: 0.9, RSSReleased: 0.9, Heap: 1.07},
			"RSS and heap ≤ 1.0× chat's (#14) **not met**"},
		{"gateway over the proxy has no target", idleRatio{Of: "gateway", Over: "proxy", RSS: 2, RSSReleased: 2, Heap: 2}, "–"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := idleVerdict(tt.q); got != tt.want {
				t.Errorf("idleVerdict(%+v) = %q, want %q", tt.q, got, tt.want)
			}
		})
	}
}
