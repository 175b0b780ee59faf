package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/a2a-bridge/a2a-bridge/bridge"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func writeConfig(t *testing.T, yaml string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bridge.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestPrecedence: flags win over the environment, the environment over the file.
func TestPrecedence(t *testing.T) {
	file := writeConfig(t, "listen: 127.0.0.1:1001\napi_keys: [from-file]\nlog_level: error\n")
	cases := []struct {
		name     string
		args     []string
		env      map[string]string
		listen   string
		keys     []string
		logLevel string
	}{
		{"file only", []string{"--config", file}, nil, "127.0.0.1:1001", []string{"from-file"}, "error"},
		{"config from env", nil, map[string]string{"A2A_BRIDGE_CONFIG": file}, "127.0.0.1:1001", []string{"from-file"}, "error"},
		{"env over file", []string{"--config", file},
			map[string]string{"A2A_BRIDGE_LISTEN": "127.0.0.1:1002", "A2A_BRIDGE_API_KEYS": "e1, e2", "A2A_BRIDGE_LOG_LEVEL": "warn"},
			"127.0.0.1:1002", []string{"e1", "e2"}, "warn"},
		{"flags over env", []string{"--config", file, "--listen", "127.0.0.1:1003", "--api-key", "f1", "--api-key", "f2", "--log-level", "debug"},
			map[string]string{"A2A_BRIDGE_LISTEN": "127.0.0.1:1002", "A2A_BRIDGE_API_KEYS": "e1"},
			"127.0.0.1:1003", []string{"f1", "f2"}, "debug"},
		{"defaults", nil, nil, "127.0.0.1:8080", nil, "info"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := configure(tc.args, envOf(tc.env), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Listen != tc.listen || !reflect.DeepEqual(keysOf(cfg), tc.keys) || cfg.LogLevel != tc.logLevel {
				t.Errorf("configure = listen %q keys %q level %q, want %q %q %q", cfg.Listen, keysOf(cfg), cfg.LogLevel, tc.listen, tc.keys, tc.logLevel)
			}
		})
	}
}

func TestKeepaliveSetting(t *testing.T) {
	cases := []struct {
		args []string
		env  map[string]string
		want time.Duration
	}{
		{nil, nil, 10 * time.Second},
		{nil, map[string]string{"A2A_BRIDGE_KEEPALIVE": "0"}, 0},
		{[]string{"--keepalive", "3s"}, map[string]string{"A2A_BRIDGE_KEEPALIVE": "0"}, 3 * time.Second},
	}
	for _, tc := range cases {
		cfg, err := configure(tc.args, envOf(tc.env), io.Discard)
		if err != nil || cfg.Keepalive.Duration != tc.want {
			t.Errorf("configure(%q, %v) keepalive = %v, %v; want %v", tc.args, tc.env, cfg.Keepalive, err, tc.want)
		}
	}
}

func TestAgentFlags(t *testing.T) {
	cfg, err := configure([]string{"--agent", "a=http://127.0.0.1:1", "--agent", "b=https://b.example/x"}, envOf(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Agents) != 2 || cfg.Agents[0].Name != "a" || cfg.Agents[1].URL != "https://b.example/x" || cfg.Agents[0].Timeout.Duration == 0 {
		t.Errorf("agents = %+v", cfg.Agents)
	}
}

// TestBadCommandLine: every mistake is a usage error (exit code 2) that says what is wrong.
func TestBadCommandLine(t *testing.T) {
	bad := writeConfig(t, "agents:\n  - {name: a, url: 'http://x', timeout: soon}\n")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"agent without url", []string{"--agent", "lonely"}, "NAME=URL"},
		{"agent with bad url", []string{"--agent", "a=localhost:1"}, "agents[0].url"},
		{"unknown flag", []string{"--colour"}, "colour"},
		{"stray argument", []string{"serve"}, "serve"},
		{"bad keepalive", []string{"--keepalive", "often"}, "often"},
		{"missing config file", []string{"--config", "/nonexistent/bridge.yaml"}, "/nonexistent/bridge.yaml"},
		{"bad config file", []string{"--config", bad}, "soon"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := run(context.Background(), tc.args, envOf(nil), io.Discard)
			var u usageError
			if !errors.As(err, &u) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("run(%q) = %v, want a usage error mentioning %q", tc.args, err, tc.want)
			}
		})
	}
}

// TestBadConfigFile: run refuses a bad config file with a usage error (exit
// code 2) of the form "config FILE: field: problem", and a variable's value
// stays out of it. The context is cancelled and the port free, so that a
// config wrongly accepted ends the run instead of serving.
func TestBadConfigFile(t *testing.T) {
	agent := "agents:\n  - name: a\n    url: http://127.0.0.1:1\n"
	cases := []struct {
		name, yaml, want string
		env              map[string]string
	}{
		{"unset variable", agent + "    api_key: ${TEAM_KEY}\n", "agents[0].api_key: ${TEAM_KEY} is not set", nil},
		{"bad duration", agent + "    timeout: 5 parsecs\n", `agents[0].timeout: "5 parsecs" is not a duration such as 500ms, 30s or 5m`, nil},
		{"bad size", "limits:\n  max_event: 4MB\n", `limits.max_event: "4MB" is not a size such as 512KiB or 16MiB`, nil},
		{"unterminated reference", agent + "    headers: {X-Token: \"t${TOK\"}\n", "agents[0].headers.X-Token: unterminated ${", map[string]string{"TOK": "sk-secret"}},
		{"expanded bad duration", agent + "    timeout: ${T}\n", `agents[0].timeout: "${T}" expands to something that is not a duration`, map[string]string{"T": "sk-secret"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := writeConfig(t, tc.yaml)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			err := run(ctx, []string{"--config", file, "--listen", "127.0.0.1:0"}, envOf(tc.env), io.Discard)
			var u usageError
			want := "config " + file + ": " + tc.want
			if !errors.As(err, &u) || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "sk-secret") {
				t.Errorf("run(--config %q) = %v, want a usage error mentioning %q", tc.yaml, err, want)
			}
		})
	}
}

// TestConfigFileVariables: ${VAR} in the file comes from the same
// environment as A2A_BRIDGE_*, which still wins over the file and is taken
// as it is, never expanded.
func TestConfigFileVariables(t *testing.T) {
	file := writeConfig(t, "api_keys: [\"${TEAM_KEY}\", pa$$word]\nlisten: ${HOST:-127.0.0.1}:1001\n")
	cases := []struct {
		name   string
		args   []string
		env    map[string]string
		listen string
		keys   []string
	}{
		{"from the file", []string{"--config", file}, map[string]string{"TEAM_KEY": "sk-team"},
			"127.0.0.1:1001", []string{"sk-team", "pa$word"}},
		{"env over file, unexpanded", []string{"--config", file},
			map[string]string{"TEAM_KEY": "sk-team", "HOST": "127.0.0.2", "A2A_BRIDGE_API_KEYS": "pa$$word, ${TEAM_KEY}"},
			"127.0.0.2:1001", []string{"pa$$word", "${TEAM_KEY}"}},
		{"flags over env", []string{"--config", file, "--api-key", "$x", "--listen", "127.0.0.1:1003"},
			map[string]string{"TEAM_KEY": "sk-team", "A2A_BRIDGE_LISTEN": "127.0.0.1:1002"}, "127.0.0.1:1003", []string{"$x"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := configure(tc.args, envOf(tc.env), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Listen != tc.listen || !reflect.DeepEqual(keysOf(cfg), tc.keys) {
				t.Errorf("configure(%q) = listen %q keys %q, want %q %q", tc.args, cfg.Listen, keysOf(cfg), tc.listen, tc.keys)
			}
		})
	}
}

// TestRunServesAndStops runs the command as `make run` does: the demo agent
// answers, and cancelling (SIGTERM) stops it cleanly.
func TestRunServesAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--listen", "127.0.0.1:0"}, envOf(nil), pw)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	var addr string
	for addr == "" && lines.Scan() {
		var l struct{ Message, Listen string }
		if json.Unmarshal(lines.Bytes(), &l) == nil && l.Message == "a2a-bridge serving" {
			addr = l.Listen
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if addr == "" {
		t.Fatal("no serving log line")
	}
	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	resp, err := client.Post("http://"+addr+"/v1/chat/completions", "application/x-www-form-urlencoded",
		strings.NewReader(`{"model":"a2a/echo","messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"content":"hi"`) {
		t.Errorf("demo answer = %d %s", resp.StatusCode, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after cancel = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
}

// keysOf returns the configured keys themselves (nil for none).
func keysOf(cfg bridge.Config) []string {
	var keys []string
	for _, k := range cfg.APIKeys {
		keys = append(keys, k.Key)
	}
	return keys
}
