package deploy

import (
	"bufio"
	"bytes"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// repoRoot is the bridge's module, the Dockerfile's build context.
const repoRoot = ".."

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

func bridgeBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the bridge")
	}
	bin, err := imageBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// buildImageBinary builds the bridge exactly as the Dockerfile's build stage
// does (its environment and flags), into dir, and holds that it is static.
func buildImageBinary(dir string) (string, error) {
	stages, err := parseDockerfile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		return "", err
	}
	env, args, err := goBuild(stages[0])
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "a2a-bridge")
	i := slices.Index(args, "-o")
	if i < 0 || i+1 >= len(args) {
		return "", fmt.Errorf("go build %q has no -o", args)
	}
	args = slices.Clone(args)
	args[i+1] = bin
	cmd := exec.Command("go", args...)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		return "", err
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return "", fmt.Errorf("%s asks for a dynamic loader: it cannot start on distroless/static", bin)
		}
	}
	return bin, nil
}

// TestImageServesChartConfig starts the binary built as the image builds it,
// with the config the chart renders and the environment the Deployment and
// the Dockerfile give it (the listen address's port made free), and asks
// /healthz and /readyz what a kubelet would.
func TestImageServesChartConfig(t *testing.T) {
	bin := bridgeBinary(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		vals map[string]any
		env  map[string]string // what the Secrets would hold
		chat bool
	}{
		{name: "defaults", vals: map[string]any{}, chat: true},
		{
			name: "scaled",
			vals: readValues(t, "testdata/scaled-values.yaml"),
			env:  map[string]string{"TEAM_A_KEY": "sk-team-a", "ADMIN_KEY": "sk-admin"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := renderChart(t, tc.vals)
			env := containerEnv(t, r, dir, tc.name)
			for k, v := range tc.env {
				env = append(env, k+"="+v)
			}
			if _, ok := envVar(r.deployment.Spec.Template.Spec.Containers[0], "REDIS_URL"); ok {
				env = append(env, "REDIS_URL="+startRedis(t))
			}
			addr := startBridge(t, bin, env)
			for _, path := range []string{"/healthz", "/readyz"} {
				if code := get(t, addr, path); code != http.StatusOK {
					t.Errorf("GET %s = %d, want 200", path, code)
				}
			}
			if tc.chat {
				checkChat(t, addr)
			}
		})
	}
}

// containerEnv is the environment the container starts with: the image's
// ENV, then the Deployment's literal values, with the config file written
// from the ConfigMap to dir and the listen port made free.
func containerEnv(t *testing.T, r rendered, dir, name string) []string {
	t.Helper()
	vars := map[string]string{}
	for _, e := range find(dockerfile(t)[1], "ENV") {
		k, v, _ := strings.Cut(e, "=")
		vars[k] = v
	}
	for _, e := range r.deployment.Spec.Template.Spec.Containers[0].Env {
		if e.ValueFrom == nil {
			vars[e.Name] = e.Value
		}
	}
	host, _, err := net.SplitHostPort(vars["A2A_BRIDGE_LISTEN"])
	if err != nil || host != "0.0.0.0" {
		t.Fatalf("A2A_BRIDGE_LISTEN = %q, want 0.0.0.0:PORT", vars["A2A_BRIDGE_LISTEN"])
	}
	// Run on loopback (tests bind nothing else), the image's port made
	// free: the host the image gives is checked above, and that the bridge
	// serves on the host its A2A_BRIDGE_LISTEN names is checked by
	// startBridge.
	vars["A2A_BRIDGE_LISTEN"] = net.JoinHostPort("127.0.0.1", "0")
	path := filepath.Join(dir, name+".yaml")
	if err := os.WriteFile(path, []byte(r.configMap.Data["config.yaml"]), 0o600); err != nil {
		t.Fatal(err)
	}
	vars["A2A_BRIDGE_CONFIG"] = path
	// The address is read from the info line "a2a-bridge serving"; the
	// environment wins over the file's log_level, as in the README.
	vars["A2A_BRIDGE_LOG_LEVEL"] = "info"
	env := []string{"PATH=/usr/bin:/bin"} // no HOME: the image has none either
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env
}

// startBridge runs bin until the test ends (SIGTERM, then it must exit 0) and
// returns the address it serves on, read from its "serving" log line.
func startBridge(t *testing.T, bin string, env []string) string {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	listen := make(chan string, 1)
	var logs bytes.Buffer
	logged := make(chan struct{})
	go func() {
		defer close(logged)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs.Write(append(sc.Bytes(), '\n'))
			var line struct{ Message, Listen string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Message == "a2a-bridge serving" {
				listen <- line.Listen
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { <-logged; exited <- cmd.Wait() }()
	served := false
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := <-exited; err != nil && served {
			t.Errorf("bridge on SIGTERM: %v, want exit 0\n%s", err, logs.String())
		}
	})
	select {
	case addr := <-listen:
		served = true
		host, port, err := net.SplitHostPort(addr)
		if err != nil || host != "127.0.0.1" || port == "0" {
			t.Fatalf("bridge serves on %q, want the host A2A_BRIDGE_LISTEN names (127.0.0.1) on a port of its own", addr)
		}
		return net.JoinHostPort(host, port)
	case err := <-exited:
		exited <- err // for the cleanup
		t.Fatalf("bridge exited before serving: %v\n%s", err, logs.String())
	case <-time.After(time.Minute):
		t.Fatalf("bridge not serving after a minute\n%s", logs.String())
	}
	return ""
}

func get(t *testing.T, addr, path string) int {
	t.Helper()
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	return resp.StatusCode
}

// checkChat: the demo agent answers through the bridge, as configured by the
// chart's defaults.
func checkChat(t *testing.T, addr string) {
	t.Helper()
	body := `{"model":"a2a/echo","messages":[{"role":"user","content":"hello from a pod"}]}`
	resp, err := http.Post("http://"+addr+"/v1/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Choices []struct{ Message struct{ Content string } }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || len(out.Choices) != 1 {
		t.Fatalf("POST /v1/chat/completions = %d %+v (%v), want 200 and one choice", resp.StatusCode, out, err)
	}
	if !strings.Contains(out.Choices[0].Message.Content, "hello from a pod") {
		t.Errorf("echo answered %q, want it to hold the question", out.Choices[0].Message.Content)
	}
}

// startRedis runs a redis-server with no persistence on a free loopback port
// until the test ends, and returns its URL. make helm runs after make
// redis-deps, so a missing redis-server fails the test rather than skip it.
func startRedis(t *testing.T) string {
	t.Helper()
	server, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("no redis-server on PATH: make redis-deps installs it")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	cmd := exec.Command(server, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "Ready to accept connections") {
				close(ready)
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
		var exit *exec.ExitError
		if err := cmd.Wait(); err != nil && !errors.As(err, &exit) {
			t.Errorf("redis-server: %v", err)
		}
	})
	select {
	case <-ready:
	case <-done:
		t.Fatal("redis-server exited before it was ready")
	case <-time.After(time.Minute):
		t.Fatal("redis-server not ready after a minute")
	}
	return "redis://127.0.0.1:" + port + "/0"
}

// TestImageRefusesBadChartConfig: a config the bridge does not accept stops
// it at once with exit code 2 naming the key, so the checks above are not
// vacuous (a pod with it would crash-loop and never turn ready).
func TestImageRefusesBadChartConfig(t *testing.T) {
	bin := bridgeBinary(t)
	dir := t.TempDir()
	r := renderChart(t, map[string]any{"config": map[string]any{"conversation": map[string]any{"ttl": "1h"}}})
	cmd := exec.Command(bin)
	cmd.Env = containerEnv(t, r, dir, "refused")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), "conversation: unknown key") {
		t.Errorf("bridge with config key conversation (for conversations): %v\n%s\nwant exit code 2 naming the key", err, out)
	}
}
