package bridge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/a2a-bridge/a2a-bridge/stream"
	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"
	openai "github.com/sashabaranov/go-openai"
)

// relay turns the events of one upstream A2A stream into OpenAI chunks.
type relay struct {
	s      *Server
	c      echo.Context
	cc     *chatCall
	w      *stream.Writer
	deltas transform.Deltas
	status string // the text of the last status message, the answer when no artifact came
	sent   strings.Builder
	max    int
	done   bool
}

// streamChat answers a stream request. upstreamSSE is false when the agent
// cannot stream: its one answer is then delivered as a valid SSE stream.
//
// Headers are sent once the first upstream event is read, so that an agent
// that fails at once gets a plain HTTP error, and the task id is in the
// response headers. After that, errors are in-band error events.
func (s *Server) streamChat(c echo.Context, cc *chatCall, upstreamSSE bool) error {
	timeout := cc.agent.cfg.Timeout.Duration
	ctx, cancel := context.WithCancelCause(c.Request().Context())
	defer cancel(nil)
	// The agent's timeout bounds the wait for each event, the first and
	// every next one; every event read resets it.
	idle := time.AfterFunc(timeout, func() { cancel(ErrAgentTimeout) })
	defer idle.Stop()

	resp, err := s.post(ctx, cc.call, upstreamSSE)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	r := &relay{s: s, c: c, cc: cc, max: int(s.cfg.Limits.MaxAnswer)}
	if !isSSE(resp) {
		// A single JSON answer: an error, or the whole result of an agent
		// that does not stream.
		body, err := readAll(ctx, resp.Body, int64(s.cfg.Limits.MaxAnswer))
		if err != nil {
			return err
		}
		return r.finish(r.event(body))
	}
	for ev, err := range stream.Events(resp.Body, int(s.cfg.Limits.MaxEvent)) {
		idle.Reset(timeout)
		if err != nil {
			return r.fail(upstreamErr(ctx, err))
		}
		if err := r.event(ev.Data); err != nil || r.done {
			return r.finish(err)
		}
		if err := r.start(); err != nil {
			return err
		}
	}
	if err := context.Cause(ctx); err != nil {
		return r.fail(upstreamErr(ctx, err))
	}
	return r.fail(fmt.Errorf("%w: no final event", ErrStreamCut))
}

// event handles one upstream JSON-RPC response.
func (r *relay) event(data []byte) error {
	ev, err := transform.ReadResponse(data)
	if err != nil {
		return err
	}
	r.s.noteIDs(r.c, r.cc, ev)
	switch ev.Kind {
	case transform.KindMessage:
		r.done = true
		return r.text(ev.Text)
	case transform.KindArtifact:
		return r.artifacts(ev.Artifacts, ev.Append)
	case transform.KindTask, transform.KindStatus:
		if ev.Text != "" {
			r.status = ev.Text
		}
		if err := r.artifacts(ev.Artifacts, false); err != nil {
			return err
		}
		if ev.Final || ev.State.Terminal() || ev.State.Interrupted() {
			r.done = true
			if ev.State.Failed() {
				return taskFailed(ev.State, ev.Text)
			}
		}
		return nil
	}
	return fmt.Errorf("%w: an event is neither a task, a message nor an update", transform.ErrBadResponse)
}

func (r *relay) artifacts(as []transform.Artifact, appendMode bool) error {
	for _, a := range as {
		delta, diverged := r.deltas.Artifact(a.ID, a.Text, appendMode)
		if diverged {
			zerolog.Ctx(r.c.Request().Context()).Warn().Str("artifact", a.ID).
				Msg("agent replaced an artifact with text that does not extend what was streamed; kept what was shown")
		}
		if err := r.text(delta); err != nil {
			return err
		}
	}
	return nil
}

// text sends a content delta, starting the stream first if need be.
func (r *relay) text(s string) error {
	if err := r.start(); err != nil || s == "" {
		return err
	}
	if r.sent.Len()+len(s) > r.max {
		return fmt.Errorf("%w: over %d bytes", ErrAnswerTooLarge, r.max)
	}
	r.sent.WriteString(s)
	return r.write(transform.Chunk(r.cc.meta, transform.TextDelta(s), "", r.cc.req.IncludeUsage))
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
	return r.write(transform.Chunk(r.cc.meta, transform.RoleDelta(), "", r.cc.req.IncludeUsage))
}

func (r *relay) write(b []byte) error {
	if err := r.w.Data(b); err != nil {
		return fmt.Errorf("write to client: %w", context.Canceled)
	}
	return nil
}

// finish ends the stream after its last event, or fails it.
func (r *relay) finish(err error) error {
	if err != nil {
		return r.fail(err)
	}
	if !r.done {
		return r.fail(fmt.Errorf("%w: the agent's single answer was not final", ErrStreamCut))
	}
	if r.deltas.Shown() == 0 && r.sent.Len() == 0 {
		// Agents that answer in their status message (ADK, LangGraph).
		if err := r.text(r.status); err != nil {
			return r.fail(err)
		}
	}
	if err := r.start(); err != nil {
		return err
	}
	m, withUsage := r.cc.meta, r.cc.req.IncludeUsage
	if err := r.write(transform.Chunk(m, transform.Delta{}, openai.FinishReasonStop, withUsage)); err != nil {
		return err
	}
	if withUsage {
		if err := r.write(transform.UsageChunk(m, transform.EstimateUsage(r.cc.prompt, r.sent.String()))); err != nil {
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
