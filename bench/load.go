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
	"sync"
	"sync/atomic"
	"time"
)

// The phases of one load run: only requests that complete while measuring
// are counted, and none is cut at the end (workers finish the one in flight).
const (
	warming int32 = iota
	measuring
	stopping
)

// loadResult is what one load run measured.
type loadResult struct {
	elapsed  time.Duration
	lat      []time.Duration // per completed request: until its last byte
	ttfc     []time.Duration // stream: until the first frame carrying text
	errs     int
	firstErr string
}

// window marks the measured window, for the callers' per-process counters.
type window struct{ start, stop func() }

// worker is one closed-loop client with its reused buffers.
type worker struct {
	buf      bytes.Buffer
	br       *bufio.Reader
	lat      []time.Duration
	ttfc     []time.Duration
	errs     int
	firstErr error
}

// drive runs conc closed-loop clients against t: warm-up, then the measured
// duration, then it waits for the requests in flight.
func drive(ctx context.Context, t target, conc int, warmup, dur time.Duration, w window) loadResult {
	client := newLoadClient(conc)
	defer client.CloseIdleConnections()
	var phase atomic.Int32
	workers := make([]worker, conc)
	var wg sync.WaitGroup
	for i := range workers {
		wk := &workers[i]
		wk.br = bufio.NewReaderSize(nil, 64<<10)
		wg.Go(func() {
			for p := phase.Load(); p != stopping && ctx.Err() == nil; p = phase.Load() {
				lat, ttfc, err := wk.do(ctx, client, t)
				if phase.Load() != measuring {
					continue
				}
				wk.record(lat, ttfc, err)
			}
		})
	}
	sleep(ctx, warmup)
	w.start()
	phase.Store(measuring)
	t0 := time.Now()
	sleep(ctx, dur)
	phase.Store(stopping)
	elapsed := time.Since(t0)
	w.stop()
	wg.Wait()
	return merge(workers, elapsed)
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func newLoadClient(conc int) *http.Client {
	return &http.Client{
		Timeout: time.Minute,
		Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			MaxIdleConnsPerHost: conc,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
	}
}

func (wk *worker) record(lat, ttfc time.Duration, err error) {
	if err != nil {
		wk.errs++
		if wk.firstErr == nil {
			wk.firstErr = err
		}
		return
	}
	wk.lat = append(wk.lat, lat)
	if ttfc > 0 {
		wk.ttfc = append(wk.ttfc, ttfc)
	}
}

// do sends one request and reads the whole answer.
func (wk *worker) do(ctx context.Context, c *http.Client, t target) (lat, ttfc time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(t.body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if t.auth != "" {
		req.Header.Set("Authorization", t.auth)
	}
	if t.stream {
		req.Header.Set("Accept", "text/event-stream")
	}
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		return 0, 0, fmt.Errorf("%s: HTTP %d", t.hop, resp.StatusCode)
	}
	if t.stream {
		ttfc, err = wk.readStream(resp.Body, t, start)
		return time.Since(start), ttfc, err
	}
	wk.buf.Reset()
	if _, err := wk.buf.ReadFrom(resp.Body); err != nil {
		return 0, 0, err
	}
	if !t.ok(wk.buf.Bytes()) {
		return 0, 0, fmt.Errorf("%s: unexpected answer %.200s", t.hop, wk.buf.Bytes())
	}
	return time.Since(start), 0, nil
}

// readStream reads an SSE answer to its end and returns the time to its
// first frame carrying text.
func (wk *worker) readStream(body io.Reader, t target, start time.Time) (time.Duration, error) {
	wk.br.Reset(body)
	var ttfc time.Duration
	done := false
	for {
		line, err := wk.br.ReadSlice('\n')
		if data, ok := bytes.CutPrefix(line, []byte("data: ")); ok {
			data = bytes.TrimRight(data, "\r\n")
			if ttfc == 0 && t.content(data) {
				ttfc = time.Since(start)
			}
			done = done || t.done(data)
		}
		switch {
		case errors.Is(err, io.EOF) && done && ttfc > 0:
			return ttfc, nil
		case errors.Is(err, io.EOF):
			return 0, fmt.Errorf("%s: stream ended without text or without its final frame", t.hop)
		case err != nil:
			return 0, err
		}
	}
}

func merge(workers []worker, elapsed time.Duration) loadResult {
	r := loadResult{elapsed: elapsed}
	for _, wk := range workers {
		r.lat = append(r.lat, wk.lat...)
		r.ttfc = append(r.ttfc, wk.ttfc...)
		r.errs += wk.errs
		if wk.firstErr != nil && r.firstErr == "" {
			r.firstErr = wk.firstErr.Error()
		}
	}
	return r
}
