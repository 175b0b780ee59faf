package bridge

import (
	"math"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/a2a-bridge/a2a-bridge/bridge/shared"
	"github.com/labstack/echo/v4"
)

// rateWindow is the span rpm limits count over.
const rateWindow = time.Minute

// The headers OpenAI sends with its request limits, which its SDKs and
// clients read (canonical form: set without a conversion).
var (
	hdrLimitRequests     = "X-Ratelimit-Limit-Requests"
	hdrRemainingRequests = "X-Ratelimit-Remaining-Requests"
	hdrResetRequests     = "X-Ratelimit-Reset-Requests"
)

// limiter counts requests per name (a key's, an agent's) in a sliding
// one-minute window: it keeps the times of the requests it allowed in the
// last minute, at most limit of them, so that a request is allowed exactly
// when fewer than limit were in the minute before it, and the time until
// the next is allowed is known, not guessed. It is the one type the
// scale-out issue moves to Redis (a sorted set per name does the same).
type limiter struct {
	mu      sync.Mutex
	windows map[string]*slidingLog
	// remote, when set (redis.url), holds the windows instead: one limit
	// over every replica (see takeShared).
	remote *shared.Client
}

// slidingLog is one name's allowed requests of the last minute, oldest
// first, in a ring of limit slots.
type slidingLog struct {
	times []time.Time // ring; len(times) == limit once full
	head  int         // index of the oldest, once full
	limit int         // the limit the ring was sized for
}

// quota is what one take says: whether the request is allowed, and the
// state of its window after it.
type quota struct {
	ok        bool
	limit     int
	remaining int
	// retry is how long until a request is allowed (when !ok); reset how
	// long until the window is empty again.
	retry, reset time.Duration
}

func newLimiter() *limiter { return &limiter{windows: map[string]*slidingLog{}} }

// take counts one request of name, limited to limit a minute, at now.
func (l *limiter) take(name string, limit int, now time.Time) quota {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.windows[name]
	if w == nil {
		w = &slidingLog{}
		l.windows[name] = w
	}
	w.resize(limit)
	w.expire(now)
	q := quota{limit: limit}
	if len(w.times) == limit && w.times[w.head].Add(rateWindow).After(now) {
		q.retry = w.times[w.head].Add(rateWindow).Sub(now)
	} else {
		w.add(now, limit)
		q.ok = true
	}
	q.remaining = limit - w.count(now)
	q.reset = w.newest().Add(rateWindow).Sub(now)
	return q
}

// resize fits the ring to a limit that changed (a re-registered agent):
// the newest times are kept.
func (w *slidingLog) resize(limit int) {
	if w.limit == limit {
		return
	}
	w.limit = limit
	ordered := append(append([]time.Time(nil), w.times[w.head:]...), w.times[:w.head]...)
	if len(ordered) > limit {
		ordered = ordered[len(ordered)-limit:]
	}
	w.times, w.head = ordered, 0 // grown by add as requests come: a high rpm reserves nothing
}

// expire drops nothing (the ring overwrites the oldest) but, once every
// time in it is past the window, empties it: an idle key's next minute
// starts fresh.
func (w *slidingLog) expire(now time.Time) {
	if len(w.times) > 0 && !w.newest().Add(rateWindow).After(now) {
		w.times, w.head = w.times[:0], 0
	}
}

func (w *slidingLog) add(now time.Time, limit int) {
	if len(w.times) < limit {
		w.times = append(w.times, now)
		return
	}
	w.times[w.head] = now
	w.head = (w.head + 1) % limit
}

// count is the number of requests in the minute before now: the ring is
// oldest first from head, so a binary search finds the first of them (a
// scan cost a busy key's every request O(rpm) under the lock: 0.2 ms at
// 10,000 requests in the window).
func (w *slidingLog) count(now time.Time) int {
	n := len(w.times)
	first := sort.Search(n, func(i int) bool { return w.times[(w.head+i)%n].Add(rateWindow).After(now) })
	return n - first
}

func (w *slidingLog) newest() time.Time {
	if len(w.times) == 0 {
		return time.Time{}
	}
	return w.times[(w.head+len(w.times)-1)%len(w.times)]
}

// seconds is d in whole seconds, rounded up, at least 1: what Retry-After says.
func seconds(d time.Duration) int { return max(1, int(math.Ceil(d.Seconds()))) }

// limitKey applies the caller's key limit (api_keys[].rpm) to every route
// behind auth, /v1/models included, and says the state of its window in
// OpenAI's x-ratelimit-*-requests headers on every answer, streams too
// (they are set before the first byte).
func (s *Server) limitKey(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error { return s.serveKeyLimited(c, next) }
}

// serveKeyLimited is limitKey's work for one request.
func (s *Server) serveKeyLimited(c echo.Context, next echo.HandlerFunc) error {
	who := infoOf(c).caller
	if who == nil || who.rpm <= 0 {
		return next(c)
	}
	q, known := s.limits.takeShared(c.Request().Context(), "key:"+who.name, who.rpm, s.now())
	if !known {
		return next(c) // shared state down: the limit fails open, and its window is not known
	}
	h := c.Response().Header()
	h[hdrLimitRequests] = []string{strconv.Itoa(q.limit)}
	h[hdrRemainingRequests] = []string{strconv.Itoa(q.remaining)}
	h[hdrResetRequests] = []string{strconv.Itoa(seconds(q.reset)) + "s"}
	if !q.ok {
		s.metrics.rateLimited.WithLabelValues("", who.name).Inc()
		return rateLimited(q)
	}
	return next(c)
}

// limitAgent applies a's limit (agents[].rpm), over every key and route.
func (s *Server) limitAgent(c echo.Context, a *Agent) error {
	if a.cfg.RPM <= 0 {
		return nil
	}
	q, _ := s.limits.takeShared(c.Request().Context(), "agent:"+a.Name, a.cfg.RPM, s.now())
	if q.ok {
		return nil
	}
	key := ""
	if who := infoOf(c).caller; who != nil {
		key = who.name
	}
	s.metrics.rateLimited.WithLabelValues(a.Name, key).Inc()
	return rateLimited(q)
}

// rateLimited is the 429 of a refused request, with the seconds until one
// is allowed again in Retry-After.
func rateLimited(q quota) error {
	e := newError(ErrRateLimited, "", "", nil)
	e.RetryAfter = strconv.Itoa(seconds(q.retry))
	return e
}
