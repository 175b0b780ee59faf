package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// profiler saves a hop's CPU profile over the measured window and its
// allocation profile at both ends of it (read the window's allocations with
// go tool pprof -diff_base NAME.allocs0.pb.gz NAME.allocs1.pb.gz).
type profiler struct {
	dir, name string
	hop       *child
	seconds   int
	cpuDone   chan error
}

func newProfiler(dir, name string, hop *child, d time.Duration) *profiler {
	return &profiler{dir: dir, name: name, hop: hop, seconds: max(1, int(d.Seconds()))}
}

func (p *profiler) start(ctx context.Context) {
	if p.dir == "" {
		return
	}
	p.save(ctx, "/debug/pprof/allocs", "allocs0")
	p.cpuDone = make(chan error, 1)
	go func() {
		p.cpuDone <- p.fetch(ctx, fmt.Sprintf("/debug/pprof/profile?seconds=%d", p.seconds), "cpu")
	}()
}

func (p *profiler) stop(ctx context.Context) {
	if p.dir == "" {
		return
	}
	p.save(ctx, "/debug/pprof/allocs", "allocs1")
	if err := <-p.cpuDone; err != nil {
		fmt.Fprintln(os.Stderr, "bench: cpu profile:", err)
	}
}

func (p *profiler) save(ctx context.Context, path, kind string) {
	if err := p.fetch(ctx, path, kind); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %s profile: %v\n", kind, err)
	}
}

// fetch saves one profile of the hop as DIR/NAME.KIND.pb.gz.
func (p *profiler) fetch(ctx context.Context, path, kind string) error {
	return saveProfile(ctx, p.hop, path, filepath.Join(p.dir, p.name+"."+kind+".pb.gz"))
}

func saveProfile(ctx context.Context, c *child, path, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.side+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", path, resp.Status)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
