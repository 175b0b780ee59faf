package bridge

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
)

// quietTimer calls fn once d has passed with no touch (or since it was
// made). A touch is a clock read and an atomic store, where resetting a
// time.Timer takes the timer heap's lock: a stream touches its agent
// timeout and its keepalive on every event, and the two resets were 1.5 %
// of a stream's CPU. The timer fires at the deadline it was last armed for
// and, when it was touched since, arms itself again for what is left.
type quietTimer struct {
	now  func() time.Time // the clock quiet is measured on (the server's s.now)
	base time.Time        // monotonic origin of last
	last atomic.Int64     // time since base of the last touch
	done atomic.Bool      // stopped: a callback under way does nothing more
	mu   sync.Mutex       // orders the assignment of t before the callback reads it
	t    *time.Timer
}

// afterQuietOn starts a quietTimer, its quiet measured on now (nil:
// time.Now), the server's clock; the timer itself is the runtime's, which
// a synctest bubble's fake clock drives together with time.Now. When fn
// returns true the timer goes on: fn counts as a touch, and it is called
// again after d more of quiet. fn runs on a goroutine of its own, where a
// panic would end the process whatever the request's recovery does: it is
// recovered and logged to log, and the timer stops.
func afterQuietOn(now func() time.Time, d time.Duration, log *zerolog.Logger, fn func() (again bool)) *quietTimer {
	if now == nil {
		now = time.Now
	}
	q := &quietTimer{now: now, base: now()}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.t = time.AfterFunc(d, func() {
		q.mu.Lock()
		t := q.t
		q.mu.Unlock()
		if q.done.Load() {
			return
		}
		if left := d - q.quiet(); left > 0 {
			t.Reset(left)
			return
		}
		if call(log, fn) {
			q.touch()
			t.Reset(d)
		}
	})
	return q
}

// call calls fn, recovering a panic: false, and logged.
func call(log *zerolog.Logger, fn func() bool) (again bool) {
	defer func() {
		if v := recover(); v != nil {
			logPanic(log, "timer callback", v)
			again = false
		}
	}()
	return fn()
}

// quiet is how long it has been since the last touch.
func (q *quietTimer) quiet() time.Duration {
	return q.now().Sub(q.base) - time.Duration(q.last.Load())
}

// touch puts the deadline d from now.
func (q *quietTimer) touch() { q.last.Store(int64(q.now().Sub(q.base))) }

// stop stops the timer: fn is not called after it, unless it was already
// under way. Only the goroutine that made q may call it.
func (q *quietTimer) stop() {
	q.done.Store(true)
	q.t.Stop()
}
