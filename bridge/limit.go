package bridge

import (
	"math"
	"syscall"

	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"
)

// Descriptors the bound on requests in flight (server.max_concurrent) must
// leave room for.
const (
	// fdPerRequest is what one proxied request holds: the client's
	// connection and the agent's. The demo agent, called over loopback on
	// the bridge itself, takes one more: its end of that connection.
	fdPerRequest     = 2
	fdPerDemoRequest = 3
	// fdReserve is kept for the rest: the listener, the log, idle
	// connections, card fetches, /healthz.
	fdReserve = 256
	// minConcurrent is the least the open-files limit lowers the bound to.
	minConcurrent = 16
)

// concurrencyFor is the bound on requests in flight: want, lowered to what a
// soft open-files limit of soft holds at perRequest descriptors each after
// fdReserve (but not below minConcurrent, nor above want).
func concurrencyFor(want int, soft uint64, perRequest int) int {
	room := int64(math.MaxInt32)
	if soft < uint64(room) {
		room = (int64(soft) - fdReserve) / int64(perRequest)
	}
	return int(min(int64(want), max(room, minConcurrent)))
}

// boundConcurrency sets s.maxConcurrent from the config and the process's
// open-files limit, saying so when the limit lowered it: ten thousand slow
// requests ran the process out of descriptors, and then even /healthz stalled.
func (s *Server) boundConcurrency() {
	want := s.cfg.Server.MaxConcurrent
	s.maxConcurrent = want
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		s.log.Warn().Err(err).Int("max_concurrent", want).Msg("cannot read the open-files limit; server.max_concurrent left as configured")
		return
	}
	perRequest := fdPerRequest
	if len(s.cfg.Agents) == 0 {
		perRequest = fdPerDemoRequest
	}
	s.maxConcurrent = concurrencyFor(want, lim.Cur, perRequest)
	if s.maxConcurrent < want {
		level := zerolog.WarnLevel
		if perRequest == fdPerDemoRequest {
			level = zerolog.InfoLevel // `make run` on a fresh machine: nothing to fix
		}
		s.log.WithLevel(level).Int("max_concurrent", s.maxConcurrent).Int("configured", want).Uint64("open_files", lim.Cur).
			Msg("server.max_concurrent lowered to what the open-files limit holds; raise it (ulimit -n) to serve more at once")
	}
}

// serveLimited answers 503 overloaded at once, and closes the
// connection, when server.max_concurrent requests are in flight already.
// /healthz is exempt, and so is the bridge's own call to its demo agent
// (made from within a request that was counted).
//
// It is a step of the front middleware (see front), called with the rest
// of the chain as next.
func (s *Server) serveLimited(c echo.Context, next echo.HandlerFunc) error {
	if r := c.Request(); r.URL.Path == healthPath || s.isDemoCall(r) {
		return next(c)
	}
	if s.inFlight.Add(1) > int64(s.maxConcurrent) {
		s.inFlight.Add(-1)
		c.Response().Header().Set(echo.HeaderConnection, "close")
		e := newError(ErrOverloaded, "", "", nil)
		e.RetryAfter = "1"
		return e
	}
	defer s.inFlight.Add(-1)
	return next(c)
}
