package upstream

import (
	"context"
	"time"
)

// Timeout is the per-event timeout of a stream (see Client.Quiet): Touch
// starts the wait for the next event anew, Stop disarms it.
type Timeout interface {
	Touch()
	Stop()
}

// call is the context of one call and its timeout: the whole call for a
// non-stream one, the wait for each event on a stream (touched before each
// wait, so that a burst of buffered events costs no timer work).
type call struct {
	parent context.Context // the caller's: its end means the caller went away
	ctx    context.Context
	cancel context.CancelFunc // a non-stream call's
	// A stream's: its context ends with a cause, ErrAgentTimeout when its
	// timeout fires; timeout is nil without one.
	cancelCause context.CancelCauseFunc
	timeout     Timeout
}

// start derives the call's context from ctx: bounded by d as a whole, or,
// for a stream, per event (c.Quiet).
func (cl *call) start(c *Client, ctx context.Context, d time.Duration, stream bool) {
	cl.parent = ctx
	switch {
	case d <= 0:
		cl.ctx, cl.cancel = context.WithCancel(ctx)
	case !stream:
		cl.ctx, cl.cancel = context.WithTimeoutCause(ctx, d, ErrAgentTimeout)
	default:
		sctx, cancel := context.WithCancelCause(ctx)
		cl.ctx, cl.cancelCause = sctx, cancel
		fire := func() { cancel(ErrAgentTimeout) }
		if c.Quiet != nil {
			cl.timeout = c.Quiet(ctx, d, fire)
		} else {
			cl.timeout = &timerTimeout{t: time.AfterFunc(d, fire), d: d}
		}
	}
}

// touch starts the wait for the next event, on a stream with a timeout.
func (cl *call) touch() {
	if cl.timeout != nil {
		cl.timeout.Touch()
	}
}

// release stops the timeout and ends the call's context.
func (cl *call) release() {
	if cl.timeout != nil {
		cl.timeout.Stop()
	}
	if cl.cancel != nil {
		cl.cancel()
	}
	if cl.cancelCause != nil {
		cl.cancelCause(nil)
	}
}

// timerTimeout is the Timeout of a Client without Quiet: a time.Timer
// reset per event.
type timerTimeout struct {
	t *time.Timer
	d time.Duration
}

func (t *timerTimeout) Touch() { t.t.Reset(t.d) }
func (t *timerTimeout) Stop()  { t.t.Stop() }
