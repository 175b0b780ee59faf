package bridge

import (
	"sync"
	"time"

	"github.com/a2a-bridge/a2a-bridge/stream"
	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"
)

// sseOut is what every streaming door (chat, Responses, the A2A gateway)
// writes its events through: the SSE writer once the stream is started,
// the keepalive timer, and the lock that serialises the door's writes
// with the keepalive's, which come from a timer.
type sseOut struct {
	mu     sync.Mutex
	w      *stream.Writer
	ka     *quietTimer // the keepalive, touched by every flush
	closed bool
	now    func() time.Time // the keepalive's clock: the server's; nil is time.Now
}

// keepalive writes ": keepalive" whenever nothing was written for every,
// calling start first (under the lock) when the door starts its stream
// lazily; start is nil for a stream already started. 0 turns it off.
func (o *sseOut) keepalive(every time.Duration, log *zerolog.Logger, start func() error) {
	if every <= 0 {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.ka = afterQuietOn(o.now, every, log, func() bool {
		o.mu.Lock()
		defer o.mu.Unlock()
		if o.closed || start != nil && start() != nil {
			return false
		}
		return o.w.Comment("keepalive") == nil
	})
}

// flush sends what the door has buffered.
func (o *sseOut) flush() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.flushLocked()
}

// flushLocked sends what is buffered, with o.mu held; the client got
// something, so the next keepalive is due a period from now. Nothing is
// sent before the stream started.
func (o *sseOut) flushLocked() error {
	if o.w == nil {
		return nil
	}
	if err := o.w.Flush(); err != nil {
		return errClientGone
	}
	if o.ka != nil {
		o.ka.touch()
	}
	return nil
}

// lastLocked hands what is buffered to net/http unflushed, with o.mu held:
// the door's handler returns next, and net/http sends it with the end of
// the response in one write.
func (o *sseOut) lastLocked() error {
	if o.w == nil {
		return nil
	}
	if err := o.w.Hand(); err != nil {
		return errClientGone
	}
	return nil
}

// finishText writes the translator's last text through text at the end of
// a stream, and warns once when the agent replaced text already streamed.
func finishText(c echo.Context, tr *transform.Translator, text func(string) error) error {
	tail, err := tr.Finish()
	if err != nil {
		return err
	}
	if err := text(tail); err != nil {
		return err
	}
	if n := tr.Diverged(); n > 0 {
		zerolog.Ctx(c.Request().Context()).Warn().Int("snapshots", n).
			Msg("agent replaced an artifact with text that does not extend what was streamed; kept what was shown")
	}
	return nil
}

// close stops the keepalives; nothing is written after it.
func (o *sseOut) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.closed = true
	if o.ka != nil {
		o.ka.stop()
	}
}
