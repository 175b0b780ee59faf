package bridge

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Config is the whole configuration of a bridge, as the YAML file, the
// environment and the command line give it.
type Config struct {
	Listen string `yaml:"listen"`
	// PublicURL is the base URL clients reach the bridge at (behind an
	// ingress): the base of the URLs in merged agent cards, instead of
	// http:// and the request's Host; a trailing slash is ignored.
	PublicURL string   `yaml:"public_url"`
	APIKeys   []APIKey `yaml:"api_keys"`
	// AdminKeys call the admin API (POST/DELETE /v1/agents) and, as keys,
	// every route and agent.
	AdminKeys []APIKey `yaml:"admin_keys"`
	LogLevel  string   `yaml:"log_level"`
	// Keepalive is how long a stream may stay silent before an SSE comment
	// is written; nil means DefaultKeepalive, 0 turns it off.
	Keepalive *Duration `yaml:"keepalive"`
	// Usage is how usage is counted: "tokenizer" (o200k_base, exact, about
	// 5 µs per KiB of text) or "estimate" (four bytes a token, free).
	Usage         string              `yaml:"usage"`
	Conversations ConversationsConfig `yaml:"conversations"`
	Limits        Limits              `yaml:"limits"`
	Server        ServerConfig        `yaml:"server"`
	Agents        []AgentConfig       `yaml:"agents"`
	Metrics       MetricsConfig       `yaml:"metrics"`
	Health        HealthConfig        `yaml:"health"`
	Redis         RedisConfig         `yaml:"redis"`
}

// RedisConfig is where replicas of the bridge share their state: with a
// URL, conversations, stored responses, gateway task ownership, sticky
// replica choices, rate-limit windows, runtime-registered agents and stats
// live in Redis; without one, in process memory.
type RedisConfig struct {
	// URL is redis://[user:password@]host:port/db (or rediss://). It may
	// hold a password: it is never logged or echoed.
	URL string `yaml:"url"`
	// Prefix starts every key, so that several bridges can share one Redis.
	Prefix string `yaml:"prefix"`
}

// DefaultRedisPrefix is redis.prefix unless set.
const DefaultRedisPrefix = "a2a-bridge:"

// HealthConfig is how agents are probed: each one's card fetched every
// Interval, within Timeout; slower than DegradedAfter is degraded.
type HealthConfig struct {
	Interval      Duration `yaml:"interval"`
	Timeout       Duration `yaml:"timeout"`
	DegradedAfter Duration `yaml:"degraded_after"`
}

// MetricsConfig is how /metrics is served.
type MetricsConfig struct {
	// RequireAdmin makes /metrics want an admin key.
	RequireAdmin bool `yaml:"require_admin"`
}

// ConversationsConfig bounds the conversations the bridge remembers (context
// mode, input-required continuation).
type ConversationsConfig struct {
	TTL        Duration `yaml:"ttl"`
	MaxEntries int      `yaml:"max_entries"`
}

// Limits bound what a client or an agent can make the bridge hold.
type Limits struct {
	MaxRequestBody Size `yaml:"max_request_body"`
	MaxEvent       Size `yaml:"max_event"`
	MaxAnswer      Size `yaml:"max_answer"`
}

// ServerConfig holds the HTTP server's timeouts.
type ServerConfig struct {
	ReadHeaderTimeout Duration `yaml:"read_header_timeout"`
	// ReadBodyTimeout cuts a client whose request body has not arrived by
	// then (slowloris). Streams are unaffected: it covers the request only.
	ReadBodyTimeout Duration `yaml:"read_body_timeout"`
	ShutdownGrace   Duration `yaml:"shutdown_grace"`
	// MaxConcurrent bounds the requests in flight; past it, 503 overloaded
	// at once (/healthz exempt). New lowers it to what the open-files limit holds.
	MaxConcurrent int `yaml:"max_concurrent"`
}

// AgentConfig is one A2A agent served as the model "a2a/<name>".
type AgentConfig struct {
	Name string `yaml:"name"`
	URL  string `yaml:"url"`
	// URLs are replicas of one agent, instead of URL: new tasks go to the
	// least loaded healthy one, a call that continues a task or context to
	// the one that holds it.
	URLs    []string          `yaml:"urls"`
	CardURL string            `yaml:"card_url"`
	APIKey  string            `yaml:"api_key"`
	Headers map[string]string `yaml:"headers"`
	Timeout Duration          `yaml:"timeout"`
	// Protocol pins the A2A dialect: "auto" (from the card, switching once
	// when the agent says it speaks the other), "0.3" or "1.0".
	Protocol string `yaml:"protocol"`
	// ShowProgress streams the text of working status messages as content.
	ShowProgress bool `yaml:"show_progress"`
	// Conversation is "flatten" (every call sends the whole conversation in
	// a new context) or "context" (the agent keeps the context; only the
	// turns it has not seen are sent).
	Conversation string `yaml:"conversation"`
	// IgnoreUnsupported ignores tools, functions and a JSON response_format
	// (with an X-A2A-Bridge-Warning header) instead of refusing them.
	IgnoreUnsupported bool `yaml:"ignore_unsupported"`
	// H2C calls an http:// agent over HTTP/2 without TLS (prior knowledge),
	// for agents whose server speaks it: concurrent calls and streams share
	// a few connections instead of holding one each.
	H2C bool `yaml:"h2c"`
	// RPM bounds the requests per minute to this agent, over every key
	// and route; 0 means no limit.
	RPM int `yaml:"rpm"`
	// DisplayName and Description are the agent's name and description
	// in its merged card (the gateway's), instead of its card's own, and
	// are shown in /v1/models and /v1/agents; Tags in /v1/agents.
	DisplayName string   `yaml:"display_name"`
	Description string   `yaml:"description"`
	Tags        []string `yaml:"tags"`
	// The cost of a call in USD: per answered request, and per input and
	// output token of its usage. It goes to the access log, the metrics,
	// /v1/stats and X-A2A-Bridge-Cost.
	CostPerRequest     float64 `yaml:"cost_per_request"`
	CostPerInputToken  float64 `yaml:"cost_per_input_token"`
	CostPerOutputToken float64 `yaml:"cost_per_output_token"`
}

// estimateUsage reports whether usage is estimated (usage: estimate)
// rather than counted with the o200k_base tokenizer.
func (c *Config) estimateUsage() bool { return c.Usage == "estimate" }

// Defaults of the outside contract (see the README's config reference).
const (
	DefaultListen         = "127.0.0.1:8080"
	DefaultAgentTimeout   = 5 * time.Minute
	DefaultKeepalive      = 10 * time.Second
	DefaultMaxRequestBody = 16 << 20
	DefaultMaxEvent       = 4 << 20
	DefaultMaxAnswer      = 16 << 20
	DefaultMaxConcurrent  = 8000
)

// What a duration and a size look like, for errors.
const (
	durationWanted = "a duration such as 500ms, 30s or 5m"
	sizeWanted     = "a size such as 512KiB or 16MiB"
)

// Duration is a time.Duration written as a Go duration string ("90s").
type Duration struct{ time.Duration }

// UnmarshalYAML reads a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil || v < 0 {
		return fmt.Errorf("line %d: %q is not %s", n.Line, n.Value, durationWanted)
	}
	d.Duration = v
	return nil
}

// Size is a byte count written as a number with an optional KiB, MiB or GiB suffix.
type Size int64

// UnmarshalYAML reads a size such as "16MiB".
func (s *Size) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseSize(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*s = v
	return nil
}

// ParseSize reads "512", "64KiB", "16MiB" or "1GiB".
func ParseSize(s string) (Size, error) {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}} {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > (1<<50)/mult {
		return 0, fmt.Errorf("%q is not %s", s, sizeWanted)
	}
	return Size(n * mult), nil
}

// LoadConfig reads the YAML file at path. Unknown keys are errors, and
// ${VAR}, ${VAR:-default} and $$ are expanded from getenv in each value
// once the YAML is read (see expandEnv); an unset variable is an error.
// Every error names the file and the field: "config FILE: agents[0].timeout: ...".
func LoadConfig(path string, getenv func(string) string) (Config, error) {
	var c Config
	raw, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	if err := decodeConfig(raw, getenv, &c); err != nil {
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// Validate checks the fields that must make sense before the bridge starts,
// naming the field at fault.
func (c *Config) Validate() error {
	seen := map[string]bool{}
	for i, a := range c.Agents {
		field := fmt.Sprintf("agents[%d]", i)
		if err := a.validate(field); err != nil {
			return err
		}
		if seen[a.Name] {
			return fmt.Errorf("%s.name: duplicate agent name %q", field, a.Name)
		}
		seen[a.Name] = true
	}
	if err := c.checkPublicURL(); err != nil {
		return fmt.Errorf("public_url: %w", err)
	}
	if c.Server.MaxConcurrent < 0 {
		return fmt.Errorf("server.max_concurrent: %d must not be negative", c.Server.MaxConcurrent)
	}
	if c.Conversations.MaxEntries < 0 {
		return fmt.Errorf("conversations.max_entries: %d must not be negative", c.Conversations.MaxEntries)
	}
	if err := c.Redis.validate(); err != nil {
		return err
	}
	if err := validateKeys(c.APIKeys, c.AdminKeys, c.Agents); err != nil {
		return err
	}
	if c.Metrics.RequireAdmin && len(c.AdminKeys) == 0 {
		return errors.New("metrics.require_admin: no admin_keys are configured to call /metrics with")
	}
	switch c.Usage {
	case "", "tokenizer", "estimate":
	default:
		return fmt.Errorf("usage: %q is not one of tokenizer, estimate", c.Usage)
	}
	switch c.LogLevel {
	case "", "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log_level: %q is not one of debug, info, warn, error", c.LogLevel)
	}
	return nil
}

func (a AgentConfig) validate(field string) error {
	switch {
	case a.Name == "":
		return fmt.Errorf("%s.name: required", field)
	case strings.ContainsAny(a.Name, " /\t\n"):
		return fmt.Errorf("%s.name: %q must not contain spaces or slashes", field, a.Name)
	}
	switch {
	case len(a.URLs) > 0 && a.URL != "":
		return fmt.Errorf("%s.urls: give url or urls, not both", field)
	case len(a.URLs) > 0:
		for i, u := range a.URLs {
			if err := checkURL(u); err != nil {
				return fmt.Errorf("%s.urls[%d]: %w", field, i, err)
			}
		}
	default:
		if err := checkURL(a.URL); err != nil {
			return fmt.Errorf("%s.url: %w", field, err)
		}
	}
	switch a.Protocol {
	case "", "auto", "0.3", "1.0":
	default:
		return fmt.Errorf("%s.protocol: %q is not one of auto, 0.3, 1.0", field, a.Protocol)
	}
	switch a.Conversation {
	case "", "flatten", "context":
	default:
		return fmt.Errorf("%s.conversation: %q is not one of flatten, context", field, a.Conversation)
	}
	if err := a.validateValues(field); err != nil {
		return err
	}
	if a.CardURL != "" {
		if err := checkURL(a.CardURL); err != nil {
			return fmt.Errorf("%s.card_url: %w", field, err)
		}
	}
	return nil
}

// validateValues checks a's numbers (its limit and costs) and the texts
// its merged card serves.
func (a AgentConfig) validateValues(field string) error {
	if a.RPM < 0 {
		return fmt.Errorf("%s.rpm: %d must not be negative", field, a.RPM)
	}
	for _, c := range []struct {
		key string
		v   float64
	}{{"cost_per_request", a.CostPerRequest}, {"cost_per_input_token", a.CostPerInputToken}, {"cost_per_output_token", a.CostPerOutputToken}} {
		if c.v < 0 || math.IsNaN(c.v) || math.IsInf(c.v, 0) {
			return fmt.Errorf("%s.%s: %v must be a number of USD, not negative", field, c.key, c.v)
		}
	}
	if !validName(a.DisplayName) {
		return fmt.Errorf("%s.display_name: must be at most %d bytes of UTF-8 text without control characters", field, maxName)
	}
	if len(a.Description) > maxCardText || !utf8.ValidString(a.Description) {
		return fmt.Errorf("%s.description: must be at most %d bytes of UTF-8 text", field, maxCardText)
	}
	return nil
}

// maxCardText bounds agents[].description, which every card request serves.
const maxCardText = 4 << 10

// checkPublicURL checks public_url, when set: an http or https URL (a
// path is kept, for an ingress that serves the bridge under one), with no
// query, fragment or credentials.
func (c *Config) checkPublicURL() error {
	if c.PublicURL == "" {
		return nil
	}
	if err := checkURL(c.PublicURL); err != nil {
		return err
	}
	u, _ := url.Parse(c.PublicURL)
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.HasSuffix(c.PublicURL, "?") || strings.Contains(c.PublicURL, "#") {
		return fmt.Errorf("%q must be a base URL: no query, fragment or credentials", u.Redacted())
	}
	return nil
}

func (r RedisConfig) validate() error {
	if r.URL == "" {
		return nil
	}
	u, err := url.Parse(r.URL)
	if err != nil {
		return errors.New("redis.url: is not a URL") // not echoed: it may hold a password
	}
	if (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		return fmt.Errorf("redis.url: %q is not a redis:// or rediss:// URL", u.Redacted())
	}
	return nil
}

// publicBase is public_url without its trailing slash, "" when unset.
func (c *Config) publicBase() string { return strings.TrimRight(c.PublicURL, "/") }

func checkURL(s string) error {
	if s == "" {
		return errors.New("required")
	}
	u, err := url.Parse(s)
	if err != nil {
		// Not echoed: a URL from ${VAR} may hold a password.
		return errors.New("is not a URL")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http or https URL", u.Redacted())
	}
	return nil
}

// WithDefaults returns c with every unset field at its default.
func (c Config) WithDefaults() Config {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.LogLevel == "" {
		c.LogLevel = "info"
	}
	if c.Conversations.TTL.Duration == 0 {
		c.Conversations.TTL.Duration = time.Hour
	}
	if c.Conversations.MaxEntries == 0 {
		c.Conversations.MaxEntries = 10000
	}
	if c.Redis.URL != "" && c.Redis.Prefix == "" {
		c.Redis.Prefix = DefaultRedisPrefix
	}
	if c.Keepalive == nil {
		c.Keepalive = &Duration{DefaultKeepalive}
	}
	setDefault(&c.Limits.MaxRequestBody, DefaultMaxRequestBody)
	setDefault(&c.Limits.MaxEvent, DefaultMaxEvent)
	setDefault(&c.Limits.MaxAnswer, DefaultMaxAnswer)
	if c.Server.ReadHeaderTimeout.Duration == 0 {
		c.Server.ReadHeaderTimeout.Duration = 10 * time.Second
	}
	if c.Server.ReadBodyTimeout.Duration == 0 {
		c.Server.ReadBodyTimeout.Duration = 30 * time.Second
	}
	if c.Server.ShutdownGrace.Duration == 0 {
		c.Server.ShutdownGrace.Duration = 30 * time.Second
	}
	if c.Server.MaxConcurrent == 0 {
		c.Server.MaxConcurrent = DefaultMaxConcurrent
	}
	for _, d := range []struct {
		d   *Duration
		def time.Duration
	}{{&c.Health.Interval, DefaultHealthInterval}, {&c.Health.Timeout, DefaultHealthTimeout}, {&c.Health.DegradedAfter, DefaultHealthDegradedAfter}} {
		if d.d.Duration == 0 {
			d.d.Duration = d.def
		}
	}
	for i := range c.Agents {
		if c.Agents[i].Timeout.Duration == 0 {
			c.Agents[i].Timeout.Duration = DefaultAgentTimeout
		}
	}
	return c
}

func setDefault(s *Size, v Size) {
	if *s == 0 {
		*s = v
	}
}
