package bridge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/a2a-bridge/a2a-bridge/stream"
	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"
	openai "github.com/sashabaranov/go-openai"
)

// streamChat answers a stream request.
//
// Headers are sent once the first upstream event is read, so that an agent
// that fails at once gets a plain HTTP error, and the task id is in the
// response headers. After that, errors are in-band error events.
//
// An agent whose card says it cannot stream, or that refuses the stream
// call, gets one message/send; its answer (polled while its task runs) is
// still delivered as a valid SSE stream.
func (s *Server) streamChat(c echo.Context, cc *chatCall) error {
	timeout := cc.agent.cfg.Timeout.Duration
	ctx, cancel := context.WithCancelCause(c.Request().Context())
	defer cancel(nil)
	// The agent's timeout bounds the wait for each event, the first and
	// every next one; every event read resets it.
	idle := time.AfterFunc(timeout, func() { cancel(ErrAgentTimeout) })
	defer idle.Stop()

	sse := cc.target.streaming
	rp, err := s.open(ctx, cc, sse)
	if sse && streamRefused(err) {
		zerolog.Ctx(ctx).Info().Str("agent", cc.agent.Name).Err(err).Msg("agent refused to stream; sending instead from now on")
		cc.agent.refusedStream()
		rp, err = s.open(ctx, cc, false)
	}
	if err != nil {
		return err
	}
	defer rp.close()
	r := &relay{s: s, c: c, cc: cc, tr: s.translator(cc)}
	emit := func(text string) error {
		idle.Reset(timeout)
		s.noteIDs(c, r.tr.Ext())
		return r.text(text)
	}
	if err := follow(ctx, rp, r.tr, emit); err != nil {
		return r.fail(err)
	}
	if err := s.poll(ctx, cc, r.tr, emit); err != nil {
		return r.fail(err)
	}
	return r.finish()
}

// relay writes the OpenAI chunks of one stream answer.
type relay struct {
	s  *Server
	c  echo.Context
	cc *chatCall
	tr *transform.Translator
	w  *stream.Writer
}

// text sends a content delta, starting the stream first if need be.
func (r *relay) text(s string) error {
	if err := r.start(); err != nil || s == "" {
		return err
	}
	return r.chunk(transform.TextDelta(s), "")
}

// start commits the response headers and sends the role chunk, once.
func (r *relay) start() error {
	if r.w != nil {
		return nil
	}
	res := r.c.Response()
	stream.SetHeaders(res.Header())
	res.WriteHeader(http.StatusOK)
	r.w = stream.NewWriter(res.Writer)
	return r.chunk(transform.RoleDelta(), "")
}

func (r *relay) chunk(d transform.Delta, finish openai.FinishReason) error {
	r.cc.meta.Ext = r.tr.Ext()
	return r.write(transform.Chunk(r.cc.meta, d, finish, r.cc.req.IncludeUsage))
}

func (r *relay) write(b []byte) error {
	if err := r.w.Data(b); err != nil {
		return fmt.Errorf("write to client: %w", context.Canceled)
	}
	return nil
}

// finish ends a stream whose task is done: the rest of the answer, the
// finish chunk, the usage chunk when asked, then [DONE].
func (r *relay) finish() error {
	tail, err := r.tr.Finish()
	if err != nil {
		return r.fail(err)
	}
	if err := r.text(tail); err != nil {
		return r.fail(err)
	}
	if n := r.tr.Diverged(); n > 0 {
		zerolog.Ctx(r.c.Request().Context()).Warn().Int("snapshots", n).
			Msg("agent replaced an artifact with text that does not extend what was streamed; kept what was shown")
	}
	if err := r.chunk(transform.Delta{}, openai.FinishReasonStop); err != nil {
		return err
	}
	if r.cc.req.IncludeUsage {
		u := transform.EstimateUsage(r.cc.prompt, r.tr.Text())
		if err := r.write(transform.UsageChunk(r.cc.meta, u)); err != nil {
			return err
		}
	}
	return r.w.Done()
}

// fail reports err: as a plain HTTP error while nothing was sent, else as
// an in-band error event that SDKs raise, then the end of the stream.
func (r *relay) fail(err error) error {
	if r.w == nil || errors.Is(err, context.Canceled) {
		return err
	}
	e := toError(err)
	infoOf(r.c).err = e
	_ = r.w.Data(e.Body())
	return nil
}
