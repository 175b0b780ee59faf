package bridge

import (
	"context"
	"time"

	"github.com/a2a-bridge/a2a-bridge/bridge/upstream"
	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/rs/zerolog"
)

// upstreamClient wires the one upstream client of every front door to the
// bridge: its limits, its cheap per-event timer (quietTimer), and the
// registry, which remembers an agent's dialect switch and its refusal to
// stream.
func (s *Server) upstreamClient() *upstream.Client {
	return &upstream.Client{
		MaxEvent:  int(s.cfg.Limits.MaxEvent),
		MaxAnswer: int64(s.cfg.Limits.MaxAnswer),
		Quiet: func(ctx context.Context, d time.Duration, fire func()) (touch, stop func()) {
			q := afterQuietOn(s.now, d, zerolog.Ctx(ctx), func() bool { fire(); return false })
			return q.touch, q.stop
		},
		Switched: func(t *upstream.Target, d transform.Dialect) {
			if a, err := s.agents.Get("", t.Name); err == nil {
				a.useDialect(d)
			}
		},
		RefusedStream: func(t *upstream.Target) {
			if a, err := s.agents.Get("", t.Name); err == nil {
				a.refusedStream()
			}
		},
	}
}
