package bridge

import (
	"context"
	"math"
	"net/http"
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
	// windows are read without a lock (a request's key and agent find
	// theirs on every call); each window has its own.
	windows readMap[windowName, *slidingLog]
	// remote, when set (redis.url), holds the windows instead: one limit
	// over every replica (see takeShared).
	remote *shared.Client
}

// windowName names a window: whose it is (keyWindow, agentWindow) and the
// name of the key or agent. The two parts are kept apart so that a request
// joins no strings to find its window; the shared state's key is their
// concatenation (String).
type windowName struct{ kind, name string }

// The kinds of window.
const (
	keyWindow   = "key:"
	agentWindow = "agent:"
)

func (n windowName) String() string { return n.kind + n.name }

// slidingLog is one name's allowed requests of the last minute, oldest
// first, in a ring that grows as requests come (a high rpm reserves
// nothing) and holds at most limit of them. Times are nanoseconds since base: the ring holds
// no pointers for the collector to scan (a busy key's minute is hundreds
// of thousands of requests), and the requests that left the window are
// dropped from its front as they leave, so a take counts without a search.
type slidingLog struct {
	mu    sync.Mutex
	base  time.Time // the first take's time; times are offsets from it
	times []int64   // a ring, its length a power of two (or 0)
	head  int       // index of the oldest
	n     int       // times in the ring
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

func newLimiter() *limiter { return &limiter{} }

// take counts one request of the window called name, limited to limit a
// minute, at now.
func (l *limiter) take(name string, limit int, now time.Time) quota {
	return l.takeIn(windowName{name: name}, limit, now)
}

// takeIn is take of the window n.
func (l *limiter) takeIn(n windowName, limit int, now time.Time) quota {
	w, ok := l.windows.get(n)
	if !ok {
		w = l.windows.getOrPut(n, &slidingLog{base: now})
	}
	return w.take(limit, now)
}

// take counts one request limited to limit a minute at now. A limit that
// changed (a re-registered agent) keeps the newest times.
func (w *slidingLog) take(limit int, now time.Time) quota {
	w.mu.Lock()
	defer w.mu.Unlock()
	at := int64(now.Sub(w.base))
	w.expire(at)
	for w.n > limit {
		w.drop()
	}
	q := quota{limit: limit}
	if w.n >= limit {
		q.retry = time.Duration(w.oldest() + int64(rateWindow) - at)
	} else {
		w.add(at)
		q.ok = true
	}
	q.remaining = limit - w.n
	q.reset = time.Duration(w.newest() + int64(rateWindow) - at)
	return q
}

// expire drops the times that are a minute or more before at: what is
// left is the window's count.
func (w *slidingLog) expire(at int64) {
	if w.n > 0 && w.newest()+int64(rateWindow) <= at {
		w.n, w.head = 0, 0 // every time has left: an idle key's next minute starts at once
	}
	for w.n > 0 && w.oldest()+int64(rateWindow) <= at {
		w.drop()
	}
	if w.n == 0 && len(w.times) > idleRing {
		w.times, w.head = nil, 0 // an idle key gives back a busy minute's ring
	}
}

// idleRing is the largest ring an empty window keeps.
const idleRing = 1024

func (w *slidingLog) drop() {
	w.head = (w.head + 1) & (len(w.times) - 1)
	w.n--
}

func (w *slidingLog) add(at int64) {
	if w.n == len(w.times) {
		grown := make([]int64, max(16, 2*len(w.times)))
		k := copy(grown, w.times[w.head:])
		copy(grown[k:], w.times[:w.head])
		w.times, w.head = grown, 0
	}
	w.times[(w.head+w.n)&(len(w.times)-1)] = at
	w.n++
}

func (w *slidingLog) oldest() int64 { return w.times[w.head] }

func (w *slidingLog) newest() int64 { return w.times[(w.head+w.n-1)&(len(w.times)-1)] }

// seconds is d in whole seconds, rounded up, at least 1: what Retry-After says.
func seconds(d time.Duration) int { return max(1, int(math.Ceil(d.Seconds()))) }

// limitKey applies the caller's key limit (api_keys[].rpm) to every route
// behind auth, /v1/models included, and says the state of its window in
// OpenAI's x-ratelimit-*-requests headers on every answer, streams too
// (they are set before the first byte). The window counts the request at
// its arrival, the clock read the access log made.
func (s *Server) limitKey(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error { return s.serveKeyLimited(c, next) }
}

// serveKeyLimited is limitKey's work for one request.
func (s *Server) serveKeyLimited(c echo.Context, next echo.HandlerFunc) error {
	info := infoOf(c)
	who := info.caller
	if who == nil || who.rpm <= 0 {
		return next(c)
	}
	now := info.start
	if now.IsZero() {
		now = s.now()
	}
	q, known := s.limits.takeWindow(c.Request().Context(), windowName{keyWindow, who.name}, who.rpm, now)
	if !known {
		return next(c) // shared state down: the limit fails open, and its window is not known
	}
	setLimitHeaders(c.Response().Header(), q, who.rpmText)
	if !q.ok {
		s.metrics.rateLimited.WithLabelValues("", who.name).Inc()
		return rateLimited(q)
	}
	return next(c)
}

// setLimitHeaders says q in the x-ratelimit-*-requests headers; limit is
// q.limit written out (the key's, made once). The three values share one
// allocation, and only the remaining count is formatted per request.
func setLimitHeaders(h http.Header, q quota, limit string) {
	v := make([]string, 3)
	v[0], v[1], v[2] = limit, strconv.Itoa(q.remaining), resetText(q.reset)
	h[hdrLimitRequests], h[hdrRemainingRequests], h[hdrResetRequests] = v[0:1:1], v[1:2:2], v[2:3:3]
}

// resetTexts are x-ratelimit-reset-requests's values up to a window, made once.
var resetTexts = func() (t [int(rateWindow/time.Second) + 1]string) {
	for i := range t {
		t[i] = strconv.Itoa(i) + "s"
	}
	return t
}()

// resetText is the reset header's value for d: its whole seconds, rounded
// up, at least 1, and "s".
func resetText(d time.Duration) string {
	if n := seconds(d); n < len(resetTexts) {
		return resetTexts[n]
	}
	return strconv.Itoa(seconds(d)) + "s"
}

// limitAgent applies a's limit (agents[].rpm), over every key and route.
func (s *Server) limitAgent(c echo.Context, a *Agent) error {
	if a.cfg.RPM <= 0 {
		return nil
	}
	q, _ := s.limits.takeWindow(c.Request().Context(), windowName{agentWindow, a.Name}, a.cfg.RPM, s.now())
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

// takeWindow is takeShared of the window n: this replica's without
// redis.url, found without joining its name.
func (l *limiter) takeWindow(ctx context.Context, n windowName, limit int, now time.Time) (quota, bool) {
	if l.remote == nil {
		return l.takeIn(n, limit, now), true
	}
	return l.takeShared(ctx, n.String(), limit, now)
}

// rateLimited is the 429 of a refused request, with the seconds until one
// is allowed again in Retry-After.
func rateLimited(q quota) error {
	e := newError(ErrRateLimited, "", "", nil)
	e.RetryAfter = strconv.Itoa(seconds(q.retry))
	return e
}
