package bridge

import (
	"context"
	"net/http"
	"time"

	"github.com/a2a-bridge/a2a-bridge/bridge/upstream"
	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"
)

// reqInfo is what a handler learns about a request that the access log
// line reports.
type reqInfo struct {
	agent  string
	stream bool
	taskID string
	scope  string // a digest of the caller's API key, when keys are configured
	// caller is the key that auth found (nil when no keys are configured).
	caller *caller
	err    *Error
	start  time.Time // when the request arrived
	// first is when the first content went out (a non-stream answer: the
	// whole of it), for the time-to-first-token metric.
	first time.Time
	// answered says usage holds the tokens of an answer the agent gave.
	answered bool
	usage    transform.Usage
	cost     float64  // USD, of an answered call
	target   *Agent   // the agent called, once allowed
	replica  *replica // the replica called
	// body is the request's body as limitBody read it, until readBody
	// hands it over; bodyRead says limitBody read it.
	body     []byte
	bodyRead bool
}

type infoKey struct{}

func infoOf(c echo.Context) *reqInfo {
	info, _ := c.Request().Context().Value(infoKey{}).(*reqInfo)
	return info
}

// infoCtx is a request's context with its reqInfo: what
// context.WithValue(ctx, infoKey{}, &info) is, in one allocation with the
// reqInfo instead of two.
type infoCtx struct {
	context.Context
	info reqInfo
}

func (c *infoCtx) Value(key any) any {
	if _, ok := key.(infoKey); ok {
		return &c.info
	}
	return c.Context.Value(key)
}

// hdrRequestID is X-Request-Id in the canonical form net/http keeps it in
// (echo.HeaderXRequestID is not: every Get and Set converted it).
var hdrRequestID = http.CanonicalHeaderKey(echo.HeaderXRequestID)

// withLogger is logger.WithContext(ctx), without its allocation where it
// stores nothing: a disabled logger (-bridge-log nop) is stored only over
// a logger ctx holds already, and a ctx whose logger is disabled, or that
// holds none, reads the same either way.
func withLogger(ctx context.Context, logger *zerolog.Logger) context.Context {
	if logger.GetLevel() == zerolog.Disabled && zerolog.Ctx(ctx).GetLevel() == zerolog.Disabled {
		return ctx
	}
	return logger.WithContext(ctx)
}

// serveLogged gives each request an id (X-Request-Id, echoed back), handles
// its error, and writes one log line for it: request id, agent, stream,
// status, latency, upstream task id, and the cause of an error.
func (s *Server) serveLogged(c echo.Context, next echo.HandlerFunc) error {
	start := s.now()
	req := c.Request()
	var id string
	if v := req.Header[hdrRequestID]; len(v) > 0 {
		id = v[0]
	}
	if id == "" || len(id) > 128 {
		id = upstream.NewUUID()
	}
	c.Response().Header()[hdrRequestID] = []string{id}
	logger := s.log
	if logger.GetLevel() != zerolog.Disabled {
		// Only a logger that writes gets the child: its context
		// buffer (500 bytes) lives as long as the request, which for
		// a stream may be hours.
		logger = logger.With().Str("request_id", id).Logger()
	}
	ctx := &infoCtx{Context: withLogger(req.Context(), &logger), info: reqInfo{start: start}}
	info := &ctx.info
	c.SetRequest(req.WithContext(ctx))

	p, err := serveRecovered(c, next)
	abort := p.aborts(c)
	if err != nil && !abort {
		c.Error(err)
	} else if err != nil {
		info.err = toError(err)
	}
	s.logRequest(logger, c, info, p, start)
	s.observe(c, info, statusOf(c, info), s.now().Sub(start))
	if abort {
		panic(http.ErrAbortHandler)
	}
	return nil
}

// logRequest writes a request's one log line. Whatever a caller sent is
// clipped: an unknown 900 KB path was logged whole.
func (s *Server) logRequest(logger zerolog.Logger, c echo.Context, info *reqInfo, p *panicked, start time.Time) {
	req := c.Request()
	status := statusOf(c, info)
	ev := logger.Info()
	switch {
	case info.err != nil && info.err.Status >= 500 && info.err.Status != http.StatusServiceUnavailable:
		ev = logger.Error()
	case info.err != nil && info.err.Status == statusClientClosed:
		// The client went away: nothing for an operator to act on.
	case info.err != nil: // 503 included: shedding load or draining is no fault of the bridge
		ev = logger.Warn()
	}
	if ev == nil {
		return // a logger that writes nothing at this level (-bridge-log nop): no fields to build
	}
	ev = ev.Str("method", clip(req.Method, maxLogged)).Str("path", clip(req.URL.Path, maxLogged)).Str("route", routeOf(c)).Int("status", status).
		Dur("latency", s.now().Sub(start))
	if info.caller != nil {
		ev = ev.Str("key", info.caller.name) // its name, never the key
	}
	if info.agent != "" {
		ev = ev.Str("agent", info.agent).Bool("stream", info.stream)
	}
	if info.replica != nil && info.target != nil && len(info.target.replicas) > 1 {
		ev = ev.Int("replica", info.replica.index)
	}
	if !info.first.IsZero() {
		ev = ev.Dur("ttft", info.first.Sub(info.start))
	}
	if info.answered {
		ev = ev.Int("input_tokens", info.usage.PromptTokens).Int("output_tokens", info.usage.CompletionTokens).Float64("cost_usd", info.cost)
	}
	if info.taskID != "" {
		ev = ev.Str("task_id", clip(info.taskID, maxName))
	}
	if _, _, traceID := traceOf(req.Header); traceID != "" {
		ev = ev.Str("trace_id", traceID)
	}
	if info.err != nil {
		ev = ev.Str("error", clip(info.err.Msg, maxText))
		if info.err.Cause != nil {
			ev = ev.Str("cause", clip(info.err.Cause.Error(), maxText))
		}
	}
	if p != nil {
		ev = ev.Bool("aborted", p.aborts(c))
		if p.stack != "" {
			ev = ev.Str("stack", p.stack)
		}
	}
	ev.Msg("request")
}

// statusOf is the status a request ended with: the answer's, or for a
// stream that ended in an in-band error, that error's.
func statusOf(c echo.Context, info *reqInfo) int {
	status := c.Response().Status
	if info.err != nil && c.Response().Committed && info.err.Status != 0 && status == 200 && info.stream {
		status = info.err.Status // an in-band stream error: log what went wrong
	}
	return status
}
