package upstream

import (
	"context"
	"time"
)

// call is the context of one call and its timeout: the whole call for a
// non-stream one, the wait for each event on a stream (touched before each
// wait, so that a burst of buffered events costs no timer work).
type call struct {
	parent context.Context // the caller's: its end means the caller went away
	ctx    context.Context
	cancel context.CancelFunc
	touch  func() // nil without a per-event timeout
	stop   func()
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
		cl.ctx, cl.cancel = sctx, func() { cancel(nil) }
		fire := func() { cancel(ErrAgentTimeout) }
		if c.Quiet != nil {
			cl.touch, cl.stop = c.Quiet(ctx, d, fire)
		} else {
			t := time.AfterFunc(d, fire)
			cl.touch, cl.stop = func() { t.Reset(d) }, func() { t.Stop() }
		}
	}
}

// release stops the timeout and ends the call's context.
func (cl *call) release() {
	if cl.stop != nil {
		cl.stop()
	}
	if cl.cancel != nil {
		cl.cancel()
	}
}
