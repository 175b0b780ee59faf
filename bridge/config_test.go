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
		Listen: "127.0.0.1:9090", PublicURL: "https://bridge.example.com/", APIKeys: []APIKey{{Key: "sk-one"}, {Key: "sk-two", Name: "team-b", Agents: []string{"helper"}, RPM: 60}}, LogLevel: "debug",
		AdminKeys: []APIKey{{Key: "sk-admin"}}, Metrics: MetricsConfig{RequireAdmin: true},
		Health:    HealthConfig{Interval: Duration{10 * time.Second}, Timeout: Duration{3 * time.Second}, DegradedAfter: Duration{time.Second}},
		Keepalive: &Duration{15 * time.Second}, Usage: "estimate",
		Redis:         RedisConfig{URL: "redis://127.0.0.1:6379/2", Prefix: "bridge-test:"},
		Conversations: ConversationsConfig{TTL: Duration{30 * time.Minute}, MaxEntries: 500},
		Limits:        Limits{MaxRequestBody: 1 << 20, MaxEvent: 512 << 10, MaxAnswer: 2 << 20},
		Server: ServerConfig{ReadHeaderTimeout: Duration{5 * time.Second}, ReadBodyTimeout: Duration{20 * time.Second},
			ShutdownGrace: Duration{10 * time.Second}, MaxConcurrent: 900},
		Agents: []AgentConfig{
			{Name: "helper", URL: "http://127.0.0.1:9101", APIKey: "sk-helper", Headers: map[string]string{"X-Team": "blue"},
				Timeout: Duration{90 * time.Second}, Protocol: "1.0", Conversation: "context", ShowProgress: true,
				IgnoreUnsupported: true, H2C: true, RPM: 120, DisplayName: "Team Helper", Description: "The team's helper.", Tags: []string{"internal", "beta"},
				CostPerRequest: 0.001, CostPerInputToken: 0.000002, CostPerOutputToken: 0.000008},
			{Name: "other", URL: "https://agents.example.com/other", CardURL: "https://agents.example.com/other/card.json"},
			{Name: "pool", URLs: []string{"http://10.0.0.1:9000", "http://10.0.0.2:9000"}},
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

// writeYAML writes a config file in a fresh temporary directory.
func writeYAML(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bridge.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// agentYAML is a one-agent config whose agent has the extra keys given.
func agentYAML(extra string) string {
	return "agents:\n  - name: a\n    url: http://127.0.0.1:1\n" + extra
}

// TestLoadConfigExpand: ${VAR} is expanded in each value after the YAML is
// read, so a variable's value is data, never YAML, and a $ that starts no
// reference stays as written.
func TestLoadConfigExpand(t *testing.T) {
	apiKey := func(c Config) any { return c.Agents[0].APIKey }
	cases := []struct {
		name string
		yaml string
		env  map[string]string
		get  func(Config) any
		want any
	}{
		{"$$ is a dollar", agentYAML("    api_key: pa$$word\n"), nil, apiKey, "pa$word"},
		{"a lone $ stays", agentYAML("    api_key: pa$word\n"), map[string]string{"word": "X"}, apiKey, "pa$word"},
		{"$HOME stays", agentYAML("    api_key: x$HOME\n"), map[string]string{"HOME": "/root"}, apiKey, "x$HOME"},
		{"a newline injects no key", agentYAML("    api_key: ${K}\n"), map[string]string{"K": "sk-1\nlisten: 0.0.0.0:9999"},
			func(c Config) any { return []string{c.Agents[0].APIKey, c.Listen} }, []string{"sk-1\nlisten: 0.0.0.0:9999", ""}},
		{"colon, hash and quotes stay text", agentYAML("    api_key: ${K}\n"), map[string]string{"K": `x: "y' #z`}, apiKey, `x: "y' #z`},
		{"quoted value", agentYAML("    api_key: \"${K}\"\n"), map[string]string{"K": `a"b`}, apiKey, `a"b`},
		{"default when unset", agentYAML("    api_key: ${K:-sk-default}\n"), nil, apiKey, "sk-default"},
		{"default when empty", agentYAML("    api_key: ${K:-sk-default}\n"), map[string]string{"K": ""}, apiKey, "sk-default"},
		{"set wins over default", agentYAML("    api_key: ${K:-sk-default}\n"), map[string]string{"K": "sk-env"}, apiKey, "sk-env"},
		{"multi-line value", agentYAML("    api_key: |\n      one\n      ${K}\n"), map[string]string{"K": "two\nthree: 3"}, apiKey, "one\ntwo\nthree: 3\n"},
		{"a variable's null is text", agentYAML("    api_key: ${K}\n"), map[string]string{"K": "null"}, apiKey, "null"},
		{"a value is not expanded again", agentYAML("    api_key: ${K}\n"), map[string]string{"K": "$${X}", "X": "no"}, apiKey, "$${X}"},
		{"duration with default", agentYAML("    timeout: ${T:-90s}\n"), nil,
			func(c Config) any { return c.Agents[0].Timeout.Duration }, 90 * time.Second},
		{"list items", "api_keys: [\"${A}\", b$$c]\n", map[string]string{"A": "k1"},
			func(c Config) any { return c.secrets() }, []string{"k1", "b$c"}},
		{"header value, not header name", agentYAML("    headers: {\"${H}\": \"${V}\"}\n"), map[string]string{"H": "X-H", "V": "v"},
			func(c Config) any { return c.Agents[0].Headers }, map[string]string{"${H}": "v"}},
		{"anchor expanded once", agentYAML("    api_key: &k ab$$$${C}\n    headers: {X-Key: *k}\n"), map[string]string{"C": "no"},
			func(c Config) any { return c.Agents[0].Headers["X-Key"] + " " + c.Agents[0].APIKey }, "ab$${C} ab$${C}"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := LoadConfig(writeYAML(t, tc.yaml), env(tc.env))
			if err != nil {
				t.Fatalf("LoadConfig(%q) = %v", tc.yaml, err)
			}
			if got := tc.get(cfg); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("LoadConfig(%q) = %q, want %q", tc.yaml, got, tc.want)
			}
		})
	}
}

// TestLoadConfigMergeKey: "<<: *anchor" works as yaml has it, and a key it
// merges in is checked like one written in place.
func TestLoadConfigMergeKey(t *testing.T) {
	base := "agents:\n  - &a {name: a, url: 'http://x', timeout: 7s}\n  - <<: *a\n    name: b\n"
	cfg, err := LoadConfig(writeYAML(t, base), env(nil))
	if err != nil || len(cfg.Agents) != 2 || cfg.Agents[1].Timeout.Duration != 7*time.Second || cfg.Agents[1].URL != "http://x" {
		t.Fatalf("LoadConfig(%q) = %+v, %v; want agent b with a's url and timeout", base, cfg.Agents, err)
	}
	if _, err := LoadConfig(writeYAML(t, "agents:\n  - <<: {tiemout: 7s}\n    name: b\n    url: http://x\n"), env(nil)); err == nil ||
		!strings.Contains(err.Error(), "agents[0].tiemout: unknown key") {
		t.Errorf("LoadConfig(merged unknown key) = %v, want agents[0].tiemout: unknown key", err)
	}
}

// TestLoadConfigExpandKeepsTypes: a plain value from a variable is read as
// if written there, so numbers and booleans still work (the old expansion
// of the raw text allowed it; reading every expanded value as a string
// would not), and a string field keeps the text as it is.
func TestLoadConfigExpandKeepsTypes(t *testing.T) {
	yaml := "conversations:\n  max_entries: ${N}\n" + agentYAML("    h2c: ${B}\n    api_key: ${K}\n")
	cfg, err := LoadConfig(writeYAML(t, yaml), env(map[string]string{"N": "500", "B": "true", "K": "0x10"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Conversations.MaxEntries != 500 || !cfg.Agents[0].H2C || cfg.Agents[0].APIKey != "0x10" {
		t.Errorf("LoadConfig(%q) = max_entries %d, h2c %v, api_key %q; want 500, true, 0x10", yaml,
			cfg.Conversations.MaxEntries, cfg.Agents[0].H2C, cfg.Agents[0].APIKey)
	}
}

// TestLoadConfigErrors: every message is "config FILE: field: problem", and
// never holds a variable's value.
func TestLoadConfigErrors(t *testing.T) {
	cases := []struct {
		name, yaml string
		env        map[string]string
		want       []string
		not        string // a secret the message must not hold
	}{
		{"unknown key", "listen: x\nlistne: y\n", nil, []string{"listne: unknown key"}, ""},
		{"unknown agent key", agentYAML("    tiemout: 1s\n"), nil, []string{"agents[0].tiemout: unknown key"}, ""},
		{"key written twice", "listen: x\nlisten: y\n", nil, []string{"listen: written twice, on lines 1 and 2"}, ""},
		{"duplicate names", "agents:\n  - {name: a, url: 'http://x'}\n  - {name: a, url: 'http://y'}\n", nil, []string{"agents[1].name", "duplicate", `"a"`}, ""},
		{"bad url", "agents:\n  - {name: a, url: 'ftp://x'}\n", nil, []string{"agents[0].url", "ftp://x"}, ""},
		{"missing url", "agents:\n  - {name: a}\n", nil, []string{"agents[0].url", "required"}, ""},
		{"missing name", "agents:\n  - {url: 'http://x'}\n", nil, []string{"agents[0].name", "required"}, ""},
		{"name with slash", "agents:\n  - {name: a/b, url: 'http://x'}\n", nil, []string{"agents[0].name"}, ""},
		{"bad card url", "agents:\n  - {name: a, url: 'http://x', card_url: 'nope'}\n", nil, []string{"agents[0].card_url"}, ""},
		{"bad duration", "agents:\n  - {name: a, url: 'http://x', timeout: 5 parsecs}\n", nil,
			[]string{`agents[0].timeout: "5 parsecs" is not a duration such as 500ms, 30s or 5m`}, ""},
		{"bad size", "limits:\n  max_event: 4MB\n", nil, []string{`limits.max_event: "4MB" is not a size such as 512KiB or 16MiB`}, ""},
		{"bad number", "conversations: {max_entries: many}\n", nil, []string{`conversations.max_entries: "many" is not a whole number`}, ""},
		{"bad boolean", agentYAML("    h2c: maybe\n"), nil, []string{`agents[0].h2c: "maybe" is not true or false`}, ""},
		{"list for a mapping", "limits: [1]\n", nil, []string{"limits: want a mapping, not a list"}, ""},
		{"value for a list", "agents: helper\n", nil, []string{"agents: want a list, not a single value"}, ""},
		{"mapping for a string", agentYAML("    headers: {X-A: {b: c}}\n"), nil, []string{"agents[0].headers.X-A: want a string, not a mapping"}, ""},
		{"bad log level", "log_level: loud\n", nil, []string{"log_level", "loud"}, ""},
		{"empty api key", "api_keys: ['']\n", nil, []string{"api_keys[0]"}, ""},
		{"not YAML", "agents: [\n", nil, []string{"yaml"}, ""},
		{"unquoted in a flow mapping", "conversations: {max_entries: ${N}}\n", nil, []string{"yaml", `quote it: "${VAR}"`}, ""},
		{"unset variable", agentYAML("    api_key: ${TEAM_KEY}\n"), nil, []string{"agents[0].api_key: ${TEAM_KEY} is not set"}, ""},
		{"unset in a list", "api_keys: [a, \"${B}\"]\n", nil, []string{"api_keys[1]: ${B} is not set"}, ""},
		{"unset in a header", agentYAML("    headers:\n      X-Token: ${TOK}\n"), nil, []string{"agents[0].headers.X-Token: ${TOK} is not set"}, ""},
		{"unset among set", agentYAML("    api_key: ${A}-${B}\n"), map[string]string{"A": "sk-secret"}, []string{"agents[0].api_key: ${B} is not set"}, "sk-secret"},
		{"unterminated", agentYAML("    api_key: ab${K\n"), map[string]string{"K": "sk-secret"}, []string{"agents[0].api_key: unterminated ${"}, "sk-secret"},
		{"malformed", agentYAML("    api_key: ${K-x}\n"), nil, []string{"agents[0].api_key: ${ must be followed by a name"}, ""},
		{"expanded duration", agentYAML("    timeout: ${T}\n"), map[string]string{"T": "5 secret-parsecs"},
			[]string{`agents[0].timeout: "${T}" expands to something that is not a duration such as 500ms, 30s or 5m`}, "secret"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := writeYAML(t, tc.yaml)
			_, err := LoadConfig(path, env(tc.env))
			if err == nil {
				t.Fatalf("LoadConfig(%q) = nil error", tc.yaml)
			}
			if !strings.HasPrefix(err.Error(), "config "+path+": ") {
				t.Errorf("LoadConfig(%q) = %q, want it to start with config %s: ", tc.yaml, err, path)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("LoadConfig(%q) = %q, want it to mention %q", tc.yaml, err, w)
				}
			}
			if tc.not != "" && strings.Contains(err.Error(), tc.not) {
				t.Errorf("LoadConfig(%q) = %q, want no %q in it", tc.yaml, err, tc.not)
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

// TestURLErrorHidesPassword: a URL from ${VAR} may carry a password; a config
// error about it names the field and never prints the password.
func TestURLErrorHidesPassword(t *testing.T) {
	for _, u := range []string{"ftp://user:s3cret-pw@agent.example/", "http://user:s3cret-pw@agent.example/%zz"} {
		cfg := Config{Agents: []AgentConfig{{Name: "a", URL: u}}}
		err := cfg.Validate()
		if err == nil || !strings.HasPrefix(err.Error(), "agents[0].url: ") || strings.Contains(err.Error(), "s3cret-pw") {
			t.Errorf("Validate(url %q) = %v, want an agents[0].url error without the password", u, err)
		}
	}
}
