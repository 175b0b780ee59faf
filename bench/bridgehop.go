package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/a2a-bridge/a2a-bridge/bridge"
	"github.com/rs/zerolog"
)

// benchModel and holdModel are the two agents the bridge role serves: the
// agent's fast answer, and its stream that is held open.
const (
	benchModel = "a2a/bench"
	holdModel  = "a2a/hold"
)

// serveBridge serves the bridge itself, as cmd/a2a-bridge does, with the
// bench agent configured twice (its normal and its holding endpoint).
func serveBridge(ctx context.Context, ln net.Listener, o options) error {
	upstream := strings.TrimSuffix(o.upstream, "/")
	// Long enough that no held stream times out while it is measured.
	timeout := bridge.Duration{Duration: 30 * time.Minute}
	cfg := bridge.Config{
		Listen: ln.Addr().String(),
		Agents: []bridge.AgentConfig{
			{Name: strings.TrimPrefix(benchModel, "a2a/"), URL: upstream, Timeout: timeout, H2C: o.h2c},
			{Name: strings.TrimPrefix(holdModel, "a2a/"), URL: upstream + "/hold", Timeout: timeout, H2C: o.h2c},
		},
		Server: bridge.ServerConfig{ShutdownGrace: bridge.Duration{Duration: time.Second}},
		Usage:  o.usage,
	}
	if o.ops {
		opsConfig(&cfg, o)
	}
	if o.state != "" {
		sharedConfig(&cfg, o.state, o.redisURL)
	}
	logger, err := bridgeLogger(o.bridgeLog)
	if err != nil {
		return err
	}
	srv, err := bridge.New(cfg, logger)
	if err != nil {
		return err
	}
	return srv.Serve(ctx, ln)
}

// bridgeLogger is zerolog.Nop by default; "json" writes the production JSON
// access log lines to io.Discard, to count what formatting them costs.
func bridgeLogger(kind string) (zerolog.Logger, error) {
	switch kind {
	case "nop":
		return zerolog.Nop(), nil
	case "json":
		return zerolog.New(io.Discard).Level(zerolog.InfoLevel).With().Timestamp().Logger(), nil
	}
	return zerolog.Nop(), fmt.Errorf("-bridge-log: %q is not nop or json", kind)
}
