package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"
)

// child is this binary re-executed in a role: one server process.
type child struct {
	role  string
	cmd   *exec.Cmd
	stdin *os.File // closing it tells the child to exit
	url   string   // the role's server, http://127.0.0.1:port
	side  string   // /debug/pprof/ and /debug/memstats, http://127.0.0.1:port
}

// startChild starts a role child and waits for its "READY <url> <side>" line.
func startChild(ctx context.Context, role string, args ...string) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, append([]string{"-role=" + role}, args...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, os.Stderr
	cmd.SysProcAttr = childAttr()
	err = cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return nil, fmt.Errorf("start %s: %w", role, err)
	}
	c := &child{role: role, cmd: cmd, stdin: inW}
	if err := c.awaitReady(ctx, outR); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

func (c *child) awaitReady(ctx context.Context, out *os.File) error {
	lines := make(chan string, 1)
	go func() {
		defer out.Close()
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(os.Stderr, out) // nothing more is expected
	}()
	select {
	case line, ok := <-lines:
		f := strings.Fields(line)
		if !ok || len(f) != 3 || f[0] != "READY" {
			return fmt.Errorf("%s child: no READY line (got %q)", c.role, line)
		}
		c.url, c.side = f[1], f[2]
		return nil
	case <-time.After(30 * time.Second):
		return fmt.Errorf("%s child: not ready after 30s", c.role)
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// stop closes the child's stdin and waits for it to exit, killing it after
// a few seconds.
func (c *child) stop() {
	c.stdin.Close()
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
}

// memStats is what a child's /debug/memstats reports of runtime.MemStats.
type memStats struct {
	HeapAlloc   uint64 `json:"heap_alloc"`
	HeapInuse   uint64 `json:"heap_inuse"`
	StackInuse  uint64 `json:"stack_inuse"`
	Sys         uint64 `json:"sys"`
	Mallocs     uint64 `json:"mallocs"`
	TotalAlloc  uint64 `json:"total_alloc"`
	NumGC       uint32 `json:"num_gc"`
	Goroutines  int    `json:"goroutines"`
	PauseTotalN uint64 `json:"pause_total_ns"`
}

// memStats asks the child for its runtime.MemStats, after a GC when gc is set.
func (c *child) memStats(ctx context.Context, gc bool) (memStats, error) {
	query := ""
	if gc {
		query = "?gc=1"
	}
	return c.readMemStats(ctx, query)
}

// releasedMemStats asks the child for its runtime.MemStats after it has
// collected and returned its free pages to the OS.
func (c *child) releasedMemStats(ctx context.Context) (memStats, error) {
	return c.readMemStats(ctx, "?free=1")
}

func (c *child) readMemStats(ctx context.Context, query string) (memStats, error) {
	var m memStats
	u := c.side + "/debug/memstats" + query
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return m, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return m, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return m, errors.New(resp.Status)
	}
	return m, json.NewDecoder(resp.Body).Decode(&m)
}
