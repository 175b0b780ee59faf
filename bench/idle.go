package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// idleResult is a hop's memory with n idle streams of one kind open:
// streams whose agent sent its first events and then holds the connection.
type idleResult struct {
	Kind       string  `json:"kind"` // chat, proxy, gateway or gateway10 (idleKinds)
	Hop        string  `json:"hop"`  // the process that holds them: bridge or proxy
	Streams    int     `json:"streams"`
	Procs      int     `json:"processes"`
	Opened     int     `json:"opened"`
	Errors     int     `json:"errors"`
	FirstError string  `json:"first_error,omitempty"`
	OpenSecs   float64 `json:"open_seconds"`
	Heap       float64 `json:"heap_bytes_per_stream"` // live heap (HeapAlloc after a GC)
	// HeapInuse is the heap's spans in use (HeapInuse after a GC): Heap
	// and the free room in spans that also hold live objects.
	HeapInuse float64 `json:"heap_inuse_bytes_per_stream"`
	Stack     float64 `json:"stack_bytes_per_stream"` // goroutine stacks (StackInuse)
	RSS       float64 `json:"rss_bytes_per_stream"`   // VmRSS
	// RSSReleased is VmRSS after debug.FreeOSMemory, per stream.
	RSSReleased float64   `json:"rss_released_bytes_per_stream"`
	Goroutines  float64   `json:"goroutines_per_stream"`
	FDs         float64   `json:"fds_per_stream"`
	Before      []procMem `json:"before"`
	After       []procMem `json:"after"`
}

// procMem is one hop process's memory at one instant.
type procMem struct {
	RSS int64 `json:"rss"`
	// RSSReleased is VmRSS once the process has returned its free pages
	// (debug.FreeOSMemory): RSS without the garbage of opening the streams
	// that the runtime has not yet given back, which makes RSS vary between
	// runs.
	RSSReleased int64 `json:"rss_released"`
	FDs         int   `json:"fds"`
	Goroutines  int   `json:"goroutines"`
	HeapAlloc   int64 `json:"heap_alloc"`
	HeapInuse   int64 `json:"heap_inuse"`
	StackInuse  int64 `json:"stack_inuse"`
}

// idleKind is one kind of held stream: the hop that holds it and what its
// clients send. targets gives, for one hop process at url, the request that
// warms it (answered in full by the bench agent) and the held stream (the
// same request to the holding agent).
type idleKind struct {
	name, role string
	targets    func(ctx context.Context, url string, agent *child, o options) (warm, hold target, err error)
}

// idleKinds run in this order for every count: chat first, whose held
// request the agent records for the proxy to replay.
var idleKinds = []idleKind{
	{name: "chat", role: "bridge", targets: chatIdle},
	{name: "proxy", role: "proxy", targets: proxyIdle},
	{name: "gateway", role: "bridge", targets: gatewayIdle(false)},
	{name: "gateway10", role: "bridge", targets: gatewayIdle(true)},
}

// chatIdle is a chat completion stream, POST /v1/chat/completions.
func chatIdle(_ context.Context, url string, _ *child, o options) (warm, hold target, err error) {
	warm = bridgeTarget(url, true, o)
	hold = warm
	hold.body = bytes.Replace(warm.body, []byte(benchModel), []byte(holdModel), 1)
	return warm, hold, nil
}

// proxyIdle is the proxy hop sent the very request the bridge sent the
// holding agent for a held chat stream, as the load scenarios replay it.
func proxyIdle(ctx context.Context, url string, agent *child, _ options) (warm, hold target, err error) {
	body, err := recorded(ctx, agent, "hold-stream")
	if err != nil {
		return warm, hold, err
	}
	warm = proxyTarget(url, body, true)
	hold = warm
	hold.url = url + "/hold" // the holding agent, as the bridge role configures it
	return warm, hold, nil
}

// gatewayIdle is the A2A gateway's stream, POST /a2a/{agent}: an A2A 0.3
// caller's message/stream passed through, or with v10 an A2A 1.0 caller's
// SendStreamingMessage translated to the 0.3 agent.
func gatewayIdle(v10 bool) func(context.Context, string, *child, options) (target, target, error) {
	return func(_ context.Context, url string, _ *child, o options) (warm, hold target, err error) {
		warm = gatewayTarget(url, true, o)
		if v10 {
			warm = gateway10Target(url, true, o)
		}
		hold = warm
		hold.url = url + "/a2a/" + strings.TrimPrefix(holdModel, "a2a/")
		return warm, hold, nil
	}
}

// idleRun holds n idle streams of kind k and measures their hop. An HTTP/1.1
// stream through a hop holds two sockets in it (client and agent side), and
// one process may have 20,000 files open here: n streams are spread over as
// many hop processes as keep each under the limit.
func idleRun(ctx context.Context, o options, agent *child, k idleKind, n int) (idleResult, error) {
	r := idleResult{Kind: k.name, Hop: k.role, Streams: n, Procs: (n + o.perProc - 1) / o.perProc}
	hops := make([]*child, 0, r.Procs)
	defer func() {
		for _, h := range hops {
			h.stop()
		}
	}()
	args := append(o.childArgs(), "-upstream", agent.url)
	if o.profileDir != "" {
		args = append(args, "-memprofilerate=1") // an exact heap profile of the held streams
	}
	holds := make([]target, 0, r.Procs)
	for range r.Procs {
		h, err := startChild(ctx, k.role, args...)
		if err != nil {
			return r, err
		}
		hops = append(hops, h)
		warm, hold, err := k.targets(ctx, h.url, agent, o)
		if err != nil {
			return r, err
		}
		// Served requests first: cards read, pools and buffers warm.
		if err := check(ctx, warm, o); err != nil {
			return r, err
		}
		holds = append(holds, hold)
	}
	r.Before = memOf(ctx, hops, true)
	profile := idleProfiler(ctx, o, hops[0], "idle-"+k.name+"-"+strconv.Itoa(n))
	profile("/debug/pprof/heap?gc=1", "base.heap.pb.gz")
	release, opened := openIdle(ctx, holds, n, &r)
	defer release()
	if opened {
		time.Sleep(2 * time.Second) // let every goroutine park
		r.After = memOf(ctx, hops, false)
		r.perStream()
		profile("/debug/pprof/heap?gc=1", "heap.pb.gz")
		profile("/debug/pprof/goroutine?debug=2", "goroutines.txt")
	}
	return r, nil
}

// idleProfiler saves profiles of hop as DIR/NAME.KIND with -profile: the
// heap before the streams open and with them open (what one holds is
// go tool pprof -sample_index=inuse_space -diff_base NAME.base.heap.pb.gz
// NAME.heap.pb.gz, divided by the streams), and every goroutine's stack.
func idleProfiler(ctx context.Context, o options, hop *child, name string) func(path, kind string) {
	return func(path, kind string) {
		if o.profileDir == "" {
			return
		}
		if err := saveProfile(ctx, hop, path, filepath.Join(o.profileDir, name+"."+kind)); err != nil {
			progress("idle: %s %s: %v", name, kind, err)
		}
	}
}

// memOf reads the hops' memory after a GC, RSS once as it is and once with
// the free pages returned. The baseline (before the streams open) returns
// them first, so that the garbage of starting (the tokenizer's vocabulary
// loading, several MiB) does not hide what the streams take: RSS then
// counts the streams and the garbage opening them grew, RSSReleased only
// what they hold.
func memOf(ctx context.Context, hops []*child, baseline bool) []procMem {
	out := make([]procMem, len(hops))
	for i, b := range hops {
		if baseline {
			_, _ = b.releasedMemStats(ctx)
		}
		m, _ := b.memStats(ctx, true)
		rss, _ := procRSS(b.pid())
		_, _ = b.releasedMemStats(ctx)
		released, _ := procRSS(b.pid())
		out[i] = procMem{RSS: rss, RSSReleased: released, FDs: procFDs(b.pid()), Goroutines: m.Goroutines,
			HeapAlloc: int64(m.HeapAlloc), HeapInuse: int64(m.HeapInuse), StackInuse: int64(m.StackInuse)}
	}
	return out
}

func (r *idleResult) perStream() {
	var d procMem
	for i := range r.After {
		a, b := r.After[i], r.Before[i]
		d.RSS += a.RSS - b.RSS
		d.RSSReleased += a.RSSReleased - b.RSSReleased
		d.FDs += a.FDs - b.FDs
		d.Goroutines += a.Goroutines - b.Goroutines
		d.HeapAlloc += a.HeapAlloc - b.HeapAlloc
		d.HeapInuse += a.HeapInuse - b.HeapInuse
		d.StackInuse += a.StackInuse - b.StackInuse
	}
	n := float64(r.Opened)
	r.Heap, r.Stack, r.RSS = float64(d.HeapAlloc)/n, float64(d.StackInuse)/n, float64(d.RSS)/n
	r.RSSReleased, r.HeapInuse = float64(d.RSSReleased)/n, float64(d.HeapInuse)/n
	r.Goroutines, r.FDs = float64(d.Goroutines)/n, float64(d.FDs)/n
}

// openIdle opens n held streams spread over the hops' targets, 256 at a
// time, and waits until each has shown its first text. release closes them
// all.
func openIdle(ctx context.Context, holds []target, n int, r *idleResult) (release func(), ok bool) {
	hold, cancel := context.WithCancel(ctx)
	client := &http.Client{Transport: &http.Transport{
		DialContext:       (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		DisableKeepAlives: true, DisableCompression: true,
	}}
	var wg sync.WaitGroup
	var opened, failed atomic.Int64
	var firstErr sync.Once
	ready := make(chan struct{}, n)
	gate := make(chan struct{}, 256)
	start := time.Now()
	for i := range n {
		t := holds[i%len(holds)]
		wg.Go(func() {
			gate <- struct{}{}
			body, err := openStream(hold, client, t)
			<-gate
			if err != nil {
				failed.Add(1)
				firstErr.Do(func() { r.FirstError = err.Error() })
				ready <- struct{}{}
				return
			}
			opened.Add(1)
			ready <- struct{}{}
			<-hold.Done()
			body.Close()
		})
	}
	for range n {
		select {
		case <-ready:
		case <-ctx.Done():
		}
	}
	r.OpenSecs = time.Since(start).Seconds()
	r.Opened, r.Errors = int(opened.Load()), int(failed.Load())
	return func() { cancel(); wg.Wait(); client.CloseIdleConnections() }, r.Opened > 0
}

// openStream sends one held stream's request and reads up to the first
// frame that carries text.
func openStream(ctx context.Context, client *http.Client, t target) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(t.body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	br := bufio.NewReader(resp.Body)
	for {
		line, err := br.ReadSlice('\n')
		if data, ok := bytes.CutPrefix(line, []byte("data: ")); ok && t.content(data) {
			return resp.Body, nil
		}
		if err != nil {
			resp.Body.Close()
			return nil, errors.Join(errors.New("stream ended before its first text"), err)
		}
	}
}
