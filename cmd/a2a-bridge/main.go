// Command a2a-bridge serves A2A agents behind the OpenAI chat-completions API.
//
//	a2a-bridge [--config FILE] [--listen ADDR] [--agent NAME=URL]... [--api-key KEY]... [--log-level LEVEL] [--keepalive DUR]
//
// Flags win over the environment (A2A_BRIDGE_CONFIG, A2A_BRIDGE_LISTEN,
// A2A_BRIDGE_API_KEYS, A2A_BRIDGE_LOG_LEVEL, A2A_BRIDGE_KEEPALIVE), the
// environment over the file.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/a2a-bridge/a2a-bridge/bridge"
	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stderr)
	stop()
	var usage usageError
	switch {
	case errors.As(err, &usage):
		fmt.Fprintln(os.Stderr, "a2a-bridge:", err)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "a2a-bridge:", err)
		os.Exit(1)
	}
}

// usageError is a bad command line or configuration: exit code 2.
type usageError struct{ error }

// run parses the command line, the environment and the config file, then
// serves until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := configure(args, getenv, stderr)
	if err != nil {
		return usageError{err}
	}
	log := newLogger(stderr, cfg.LogLevel)
	srv, err := bridge.New(cfg, log)
	if err != nil {
		return usageError{err}
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	return srv.Serve(ctx, ln)
}

// listFlag is a flag that may be repeated.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// configure merges the file, the environment and the flags, in that order.
func configure(args []string, getenv func(string) string, stderr io.Writer) (bridge.Config, error) {
	fs := flag.NewFlagSet("a2a-bridge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var agents, keys listFlag
	configPath := fs.String("config", getenv("A2A_BRIDGE_CONFIG"), "YAML config `file` (env A2A_BRIDGE_CONFIG)")
	listen := fs.String("listen", "", "`address` to serve on (env A2A_BRIDGE_LISTEN; default "+bridge.DefaultListen+")")
	logLevel := fs.String("log-level", "", "debug, info, warn or error (env A2A_BRIDGE_LOG_LEVEL)")
	keepalive := fs.String("keepalive", "", "write an SSE comment on a stream silent this long, e.g. 10s; 0 turns it off (env A2A_BRIDGE_KEEPALIVE)")
	fs.Var(&agents, "agent", "an agent as `NAME=URL` (repeatable)")
	fs.Var(&keys, "api-key", "an accepted API `key` (repeatable; env A2A_BRIDGE_API_KEYS, comma-separated)")
	if err := fs.Parse(args); err != nil {
		return bridge.Config{}, err
	}
	if fs.NArg() > 0 {
		return bridge.Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var cfg bridge.Config
	if *configPath != "" {
		var err error
		if cfg, err = bridge.LoadConfig(*configPath, getenv); err != nil {
			return cfg, err
		}
	}
	cfg.Listen = cmp.Or(*listen, getenv("A2A_BRIDGE_LISTEN"), cfg.Listen)
	cfg.LogLevel = cmp.Or(*logLevel, getenv("A2A_BRIDGE_LOG_LEVEL"), cfg.LogLevel)
	if ka := cmp.Or(*keepalive, getenv("A2A_BRIDGE_KEEPALIVE")); ka != "" {
		d, err := time.ParseDuration(ka)
		if err != nil || d < 0 {
			return cfg, fmt.Errorf("--keepalive %q: want a duration such as 10s, or 0", ka)
		}
		cfg.Keepalive = &bridge.Duration{Duration: d}
	}
	if env := splitList(getenv("A2A_BRIDGE_API_KEYS")); len(keys) > 0 {
		cfg.APIKeys = bridge.Keys(keys...)
	} else if len(env) > 0 {
		cfg.APIKeys = bridge.Keys(env...)
	}
	for _, a := range agents {
		name, url, ok := strings.Cut(a, "=")
		if !ok {
			return cfg, fmt.Errorf("--agent %q: want NAME=URL", a)
		}
		cfg.Agents = append(cfg.Agents, bridge.AgentConfig{Name: name, URL: url})
	}
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	return cfg.WithDefaults(), nil
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// newLogger logs pretty lines on a terminal and JSON lines otherwise.
func newLogger(w io.Writer, level string) zerolog.Logger {
	if f, ok := w.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: "15:04:05.000"}
	}
	lvl, err := zerolog.ParseLevel(level)
	if err != nil || level == "" {
		lvl = zerolog.InfoLevel
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger()
}
