package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"
)

// serveRole is the main of a child: it serves its role on 127.0.0.1 until
// its stdin closes (the parent is done or gone) or a signal comes.
func serveRole(o options) error {
	if o.memRate > 0 {
		runtime.MemProfileRate = o.memRate
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	side, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go func() { _ = http.Serve(side, sideMux()) }()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Printf("READY http://%s http://%s\n", ln.Addr(), side.Addr())
	switch o.role {
	case "agent":
		return serveHTTP(ctx, ln, newAgent(o), o.h2c)
	case "proxy":
		p, err := newProxy(o.upstream, o.h2c)
		if err != nil {
			return err
		}
		return serveHTTP(ctx, ln, p, false)
	case "bridge":
		return serveBridge(ctx, ln, o)
	}
	return fmt.Errorf("unknown role %q", o.role)
}

// serveHTTP serves h with the bridge's own server settings, so that the
// agent and the proxy differ from it only in their handler; h2c also
// serves HTTP/2 without TLS (prior knowledge) beside HTTP/1.1.
func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler, h2c bool) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	if h2c {
		srv.Protocols = new(http.Protocols)
		srv.Protocols.SetHTTP1(true)
		srv.Protocols.SetUnencryptedHTTP2(true)
		// Go's default of 250 streams a connection would do; more makes
		// the idle scenario's thousands of held streams share fewer.
		srv.HTTP2 = &http.HTTP2Config{MaxConcurrentStreams: 1000}
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	_ = srv.Close() // held streams end with their connections
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// sideMux serves the profiling and memory endpoints of a child, on a port
// of their own so that the role's server stays untouched.
func sideMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/memstats", serveMemStats)
	return mux
}

// serveMemStats reports runtime.MemStats; ?gc=1 collects first, ?free=1
// also returns every free page to the OS (debug.FreeOSMemory), so that the
// RSS read after it is what the live memory holds.
func serveMemStats(w http.ResponseWriter, r *http.Request) {
	switch q := r.URL.Query(); {
	case q.Has("free"):
		debug.FreeOSMemory()
	case q.Has("gc"):
		runtime.GC()
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(memStats{
		HeapAlloc: m.HeapAlloc, HeapInuse: m.HeapInuse, StackInuse: m.StackInuse, Sys: m.Sys,
		Mallocs: m.Mallocs, TotalAlloc: m.TotalAlloc, NumGC: m.NumGC,
		Goroutines: runtime.NumGoroutine(), PauseTotalN: m.PauseTotalNs,
	})
}
