package bridge

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadConfigFull(t *testing.T) {
	cfg, err := LoadConfig(filepath.Join(repoRoot, "testdata", "config", "full.yaml"),
		env(map[string]string{"TEST_KEY": "sk-two", "HELPER_KEY": "sk-helper"}))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Listen: "127.0.0.1:9090", APIKeys: []string{"sk-one", "sk-two"}, LogLevel: "debug",
		Keepalive: &Duration{15 * time.Second}, Usage: "estimate",
		Conversations: ConversationsConfig{TTL: Duration{30 * time.Minute}, MaxEntries: 500},
		Limits:        Limits{MaxRequestBody: 1 << 20, MaxEvent: 512 << 10, MaxAnswer: 2 << 20},
		Server: ServerConfig{ReadHeaderTimeout: Duration{5 * time.Second}, ReadBodyTimeout: Duration{20 * time.Second},
			ShutdownGrace: Duration{10 * time.Second}, MaxConcurrent: 900},
		Agents: []AgentConfig{
			{Name: "helper", URL: "http://127.0.0.1:9101", APIKey: "sk-helper", Headers: map[string]string{"X-Team": "blue"},
				Timeout: Duration{90 * time.Second}, Protocol: "1.0", Conversation: "context", ShowProgress: true,
				IgnoreUnsupported: true, H2C: true},
			{Name: "other", URL: "https://agents.example.com/other", CardURL: "https://agents.example.com/other/card.json"},
		},
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("LoadConfig = %+v\nwant %+v", cfg, want)
	}
	if d := cfg.WithDefaults(); d.Agents[1].Timeout.Duration != DefaultAgentTimeout || d.Agents[0].Timeout.Duration != 90*time.Second {
		t.Errorf("WithDefaults agent timeouts = %v, %v", d.Agents[0].Timeout, d.Agents[1].Timeout)
	}
}

func TestLoadConfigEmptyFileMeansDefaults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.yaml")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(path, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if d := cfg.WithDefaults(); d.Listen != DefaultListen || d.Limits.MaxRequestBody != DefaultMaxRequestBody {
		t.Errorf("defaults = %+v", d)
	}
}

// TestLoadConfigErrors: every message names the file, the field and the problem.
func TestLoadConfigErrors(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown key", "listen: x\nlistne: y\n", []string{"listne", "not found"}},
		{"unknown agent key", "agents:\n  - name: a\n    url: http://x\n    tiemout: 1s\n", []string{"tiemout"}},
		{"duplicate names", "agents:\n  - {name: a, url: 'http://x'}\n  - {name: a, url: 'http://y'}\n", []string{"agents[1].name", "duplicate", `"a"`}},
		{"bad url", "agents:\n  - {name: a, url: 'ftp://x'}\n", []string{"agents[0].url", "ftp://x"}},
		{"missing url", "agents:\n  - {name: a}\n", []string{"agents[0].url", "required"}},
		{"missing name", "agents:\n  - {url: 'http://x'}\n", []string{"agents[0].name", "required"}},
		{"name with slash", "agents:\n  - {name: a/b, url: 'http://x'}\n", []string{"agents[0].name"}},
		{"bad card url", "agents:\n  - {name: a, url: 'http://x', card_url: 'nope'}\n", []string{"agents[0].card_url"}},
		{"bad duration", "agents:\n  - {name: a, url: 'http://x', timeout: 5 minutes}\n", []string{"line 2", "5 minutes", "duration"}},
		{"bad size", "limits:\n  max_event: 4MB\n", []string{"line 2", "4MB", "size"}},
		{"bad log level", "log_level: loud\n", []string{"log_level", "loud"}},
		{"empty api key", "api_keys: ['']\n", []string{"api_keys[0]"}},
		{"not YAML", "agents: [\n", []string{"yaml"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := LoadConfig(path, env(nil))
			if err == nil {
				t.Fatalf("LoadConfig(%q) = nil error", tc.yaml)
			}
			for _, w := range append(tc.want, path) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("LoadConfig(%q) = %q, want it to mention %q", tc.yaml, err, w)
				}
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	cases := []struct {
		in   string
		want Size
		ok   bool
	}{
		{"512", 512, true}, {"64KiB", 64 << 10, true}, {"16MiB", 16 << 20, true}, {"1GiB", 1 << 30, true},
		{"16 MiB", 16 << 20, true}, {"0", 0, false}, {"-1KiB", 0, false}, {"1MB", 0, false}, {"", 0, false},
	}
	for _, tc := range cases {
		got, err := ParseSize(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// TestFullConfigHasEveryKey keeps testdata/config/full.yaml what it says it
// is: every yaml key of Config, nested ones included, appears in it.
func TestFullConfigHasEveryKey(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot, "testdata", "config", "full.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var keys func(reflect.Type) []string
	keys = func(ty reflect.Type) []string {
		for ty.Kind() == reflect.Pointer || ty.Kind() == reflect.Slice {
			ty = ty.Elem()
		}
		if ty.Kind() != reflect.Struct || ty == reflect.TypeFor[Duration]() {
			return nil
		}
		var out []string
		for f := range ty.Fields() {
			if name, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); name != "" && name != "-" {
				out = append(out, name)
				out = append(out, keys(f.Type)...)
			}
		}
		return out
	}
	for _, k := range keys(reflect.TypeFor[Config]()) {
		if !regexp.MustCompile(`(?m)^[ -]*` + regexp.QuoteMeta(k) + `:`).Match(raw) {
			t.Errorf("full.yaml lacks the key %q", k)
		}
	}
}
