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
		Quiet: func(ctx context.Context, d time.Duration, fire func()) upstream.Timeout {
			return quietTimeout{afterQuietOn(s.now, d, zerolog.Ctx(ctx), func() bool { fire(); return false })}
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

// quietTimeout is a quietTimer as an agent's per-event timeout: one
// pointer, which an interface holds without an allocation (the method
// values touch and stop were one each).
type quietTimeout struct{ *quietTimer }

func (q quietTimeout) Touch() { q.touch() }
func (q quietTimeout) Stop()  { q.stop() }
