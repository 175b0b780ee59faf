package bridge

import (
	"context"
	"errors"
	"net/http"

	"github.com/a2a-bridge/a2a-bridge/bridge/upstream"
	"github.com/a2a-bridge/a2a-bridge/stream"
	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"
)

// stream answers a stream request with the Responses API's events, as
// streamChat does with chunks: the stream starts with the first content,
// the end of the task, or the first keepalive, so that a task that fails
// before that gets a plain HTTP error; after that a failed task is a
// response.failed event and any other fault (a cut stream, a timeout) an
// error event. Never a response.completed for a task that did not
// complete.
func (d *responsesDoor) stream(c echo.Context, rc *respCall) error {
	s := d.s
	r := &respRelay{d: d, c: c, rc: rc, tr: s.translator(&rc.chatCall), info: infoOf(c), sseOut: sseOut{now: s.now}}
	defer s.streamOpened(rc.agent.Name).streamClosed()
	r.keepalive(s.cfg.Keepalive.Duration, zerolog.Ctx(c.Request().Context()), r.startLocked)
	defer r.close()
	rp, rep, err := s.callAgent(c, rc.agent, &rc.target, rc.request(upstream.OpStream))
	defer rep.release()
	if err != nil {
		return r.fail(err)
	}
	defer rp.Close() // cancels the agent's task if the client went away
	// Sent: the flattened prompt is not needed any more (the Translator
	// keeps what it needs of it), and an idle stream need not hold it.
	rc.prompt = ""
	emit := func(text string) error {
		if err := r.text(text); err != nil {
			return err
		}
		if rp.Ready() {
			return nil // the next event is here already: flush them together
		}
		return r.flush()
	}
	if err := follow(rp, rc.agent, r.tr, emit); err != nil {
		return r.fail(err)
	}
	return r.finish()
}

// respRelay writes the events of one Responses stream. Its writes are
// serialised: keepalives come from a timer.
type respRelay struct {
	d  *responsesDoor
	c  echo.Context
	rc *respCall
	tr *transform.Translator
	// info is the request's, read once.
	info *reqInfo

	sseOut
	events *transform.ResponseEvents
}

// text sends a text delta, starting the stream first if need be.
func (r *respRelay) text(s string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.d.s.noteIDs(r.c, r.tr.Ext())
	if s == "" && r.w == nil {
		return nil // nothing to show yet (submitted, working): not started
	}
	if err := r.startLocked(); err != nil || s == "" {
		return err
	}
	if r.info.first.IsZero() {
		r.info.first = r.d.s.now()
	}
	return r.events.Delta(r.frames(), s)
}

// startLocked commits the response headers and sends the events that open
// the stream, once.
func (r *respRelay) startLocked() error {
	if r.w != nil {
		return nil
	}
	res := r.c.Response()
	stream.SetHeaders(res.Header())
	res.WriteHeader(http.StatusOK)
	r.w = stream.NewWriter(res.Writer)
	r.rc.meta.Ext = r.tr.Ext()
	r.events = transform.NewResponseEvents(r.rc.meta)
	return r.events.Start(r.frames())
}

// frames is the stream's writer as the buffer the events are encoded
// into: they are buffered; flush sends them.
func (r *respRelay) frames() eventFrames { return eventFrames{r.w} }

// eventFrames writes the Responses events as named SSE frames, each
// encoded straight into the writer's buffer (see stream.Writer.Begin).
type eventFrames struct{ w *stream.Writer }

func (f eventFrames) Begin(typ string) []byte { return f.w.BeginNamed(typ) }

func (f eventFrames) End(b []byte) error {
	if err := f.w.End(b); err != nil {
		return errClientGone
	}
	return nil
}

// finish ends a stream whose task is done: the rest of the text, the
// .done events and response.completed with the whole response.
func (r *respRelay) finish() error {
	if err := finishText(r.c, r.tr, r.text); err != nil {
		return r.fail(err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.startLocked(); err != nil { // a task done with no text at all
		return err
	}
	u, text := r.tr.Usage(), r.tr.Text()
	r.rc.meta.Ext = r.tr.Ext()
	r.d.completed(r.c, r.rc, r.tr, text, u, nil)
	// The object is encoded into the event, and kept as what it is encoded from.
	if err := r.events.Complete(r.frames(), r.rc.meta, transform.ResponseState{Status: transform.ResponseCompleted, Text: text, Usage: &u}); err != nil {
		return err
	}
	r.d.s.answered(r.c, r.rc.agent, u, r.tr.Ext())
	return r.lastLocked() // the handler returns next: sent with the response's end
}

// fail reports err: as a plain HTTP error while nothing was sent; else a
// task that ended without an answer as response.failed, and any other
// fault as an error event; then the end of the stream.
func (r *respRelay) fail(err error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	if r.w == nil || errors.Is(err, context.Canceled) {
		return err
	}
	e := toError(err)
	infoOf(r.c).err = e
	var taskErr *transform.TaskError
	if errors.As(err, &taskErr) {
		r.rc.meta.Ext = r.tr.Ext()
		u := r.tr.Usage()
		_ = r.events.Fail(r.frames(), r.rc.meta,
			transform.ResponseState{Status: transform.ResponseFailed, Text: r.tr.Text(), Usage: &u, Error: e.ResponseError()})
	} else {
		_ = r.w.Named("error", e.ErrorEvent(r.events.Seq()))
	}
	_ = r.flushLocked()
	return nil
}
