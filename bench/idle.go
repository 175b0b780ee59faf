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
	"sync"
	"sync/atomic"
	"time"
)

// idleResult is the bridge's memory with n idle streams open: streams whose
// agent sent its first events and then holds the connection.
type idleResult struct {
	Streams    int       `json:"streams"`
	Procs      int       `json:"bridge_processes"`
	Opened     int       `json:"opened"`
	Errors     int       `json:"errors"`
	FirstError string    `json:"first_error,omitempty"`
	OpenSecs   float64   `json:"open_seconds"`
	Heap       float64   `json:"heap_bytes_per_stream"`  // live heap (HeapAlloc after a GC)
	Stack      float64   `json:"stack_bytes_per_stream"` // goroutine stacks (StackInuse)
	RSS        float64   `json:"rss_bytes_per_stream"`   // VmRSS
	Goroutines float64   `json:"goroutines_per_stream"`
	FDs        float64   `json:"fds_per_stream"`
	Before     []procMem `json:"before"`
	After      []procMem `json:"after"`
}

// procMem is one bridge process's memory at one instant.
type procMem struct {
	RSS        int64 `json:"rss"`
	FDs        int   `json:"fds"`
	Goroutines int   `json:"goroutines"`
	HeapAlloc  int64 `json:"heap_alloc"`
	StackInuse int64 `json:"stack_inuse"`
}

// An HTTP/1.1 stream through the bridge holds two sockets in it (client and
// agent side), and one process may have 20,000 files open here: n streams
// are spread over as many bridge processes as keep each under the limit.
func idleRun(ctx context.Context, o options, agent *child, n int) (idleResult, error) {
	r := idleResult{Streams: n, Procs: (n + o.perProc - 1) / o.perProc}
	bridges := make([]*child, 0, r.Procs)
	defer func() {
		for _, b := range bridges {
			b.stop()
		}
	}()
	args := append(o.childArgs(), "-upstream", agent.url)
	if o.profileDir != "" {
		args = append(args, "-memprofilerate=1") // an exact heap profile of the held streams
	}
	for range r.Procs {
		b, err := startChild(ctx, "bridge", args...)
		if err != nil {
			return r, err
		}
		bridges = append(bridges, b)
		// Served requests first: cards read, pools and buffers warm.
		if err := check(ctx, bridgeTarget(b.url, true, o), o); err != nil {
			return r, err
		}
	}
	r.Before = memOf(ctx, bridges)
	release, opened := openIdle(ctx, o, bridges, n, &r)
	defer release()
	if opened {
		time.Sleep(2 * time.Second) // let every goroutine park
		r.After = memOf(ctx, bridges)
		r.perStream()
		if o.profileDir != "" {
			_ = saveProfile(ctx, bridges[0], "/debug/pprof/heap?gc=1",
				filepath.Join(o.profileDir, "idle-"+strconv.Itoa(n)+".heap.pb.gz"))
		}
	}
	return r, nil
}

func memOf(ctx context.Context, bridges []*child) []procMem {
	out := make([]procMem, len(bridges))
	for i, b := range bridges {
		m, _ := b.memStats(ctx, true)
		rss, _ := procRSS(b.pid())
		out[i] = procMem{RSS: rss, FDs: procFDs(b.pid()), Goroutines: m.Goroutines,
			HeapAlloc: int64(m.HeapAlloc), StackInuse: int64(m.StackInuse)}
	}
	return out
}

func (r *idleResult) perStream() {
	var d procMem
	for i := range r.After {
		a, b := r.After[i], r.Before[i]
		d.RSS += a.RSS - b.RSS
		d.FDs += a.FDs - b.FDs
		d.Goroutines += a.Goroutines - b.Goroutines
		d.HeapAlloc += a.HeapAlloc - b.HeapAlloc
		d.StackInuse += a.StackInuse - b.StackInuse
	}
	n := float64(r.Opened)
	r.Heap, r.Stack, r.RSS = float64(d.HeapAlloc)/n, float64(d.StackInuse)/n, float64(d.RSS)/n
	r.Goroutines, r.FDs = float64(d.Goroutines)/n, float64(d.FDs)/n
}

// openIdle opens n held streams spread over the bridges, 256 at a time, and
// waits until each has shown its first text. release closes them all.
func openIdle(ctx context.Context, o options, bridges []*child, n int, r *idleResult) (release func(), ok bool) {
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
		url := bridges[i%len(bridges)].url
		wg.Go(func() {
			gate <- struct{}{}
			body, err := openStream(hold, client, url, o)
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

// openStream sends one stream request for the holding agent and reads up
// to the first frame that carries text.
func openStream(ctx context.Context, client *http.Client, url string, o options) (io.Closer, error) {
	t := bridgeTarget(url, true, o)
	t.body = bytes.Replace(t.body, []byte(benchModel), []byte(holdModel), 1)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(t.body))
	if err != nil {
		return nil, err
	}
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
