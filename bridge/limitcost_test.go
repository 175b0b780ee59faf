package bridge

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// BenchmarkLimiterTake: what one take costs with n requests already in
// the key's minute (a busy key under a high rpm, as in the ops-* bench).
func BenchmarkLimiterTake(b *testing.B) {
	for _, n := range []int{100, 10_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			l := newLimiter()
			now := time.Unix(1_000_000, 0)
			for range n {
				now = now.Add(time.Microsecond)
				l.take("key:bench", 5_000_000, now)
			}
			for b.Loop() {
				now = now.Add(time.Nanosecond)
				l.take("key:bench", 5_000_000, now)
			}
		})
	}
}

// refLog is the sliding window as the contract says it, kept the plain
// way: every allowed time, scanned.
type refLog struct{ times []time.Time }

func (r *refLog) take(limit int, now time.Time) quota {
	r.times = slices.DeleteFunc(r.times, func(t time.Time) bool { return !t.Add(rateWindow).After(now) })
	if len(r.times) > limit {
		r.times = r.times[len(r.times)-limit:]
	}
	q := quota{limit: limit}
	if len(r.times) >= limit {
		q.retry = r.times[0].Add(rateWindow).Sub(now)
	} else {
		r.times = append(r.times, now)
		q.ok = true
	}
	q.remaining = limit - len(r.times)
	q.reset = r.times[len(r.times)-1].Add(rateWindow).Sub(now)
	return q
}

// TestSlidingLogRing: the ring (offsets from its first take, expired
// times dropped from its front, grown by doubling) says what a scan of
// every allowed time says, at the window's edges (a time exactly a minute
// old has left, one a nanosecond younger has not), wrapped, grown, with
// the limit lowered and raised, and after an idle minute.
func TestSlidingLogRing(t *testing.T) {
	start := time.Unix(1_000_000, 0)
	type step struct {
		gap   time.Duration // before the take
		limit int
	}
	burst := func(n, limit int, gap time.Duration) []step {
		out := make([]step, n)
		for i := range out {
			out[i] = step{gap, limit}
		}
		return out
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"exactly a minute old has left", []step{{0, 1}, {rateWindow, 1}, {rateWindow - 1, 1}, {1, 1}}},
		{"a nanosecond short of a minute still counts", []step{{0, 2}, {0, 2}, {rateWindow - 1, 2}, {1, 2}}},
		{"full, then the oldest leaves", slices.Concat(burst(3, 3, time.Second), []step{{57 * time.Second, 3}, {time.Second, 3}, {time.Second, 3}})},
		{"wrapped many times", burst(200, 16, 7*time.Second)},
		{"grown past its first ring", burst(100, 1000, time.Millisecond)},
		{"grown while wrapped", slices.Concat(burst(12, 100, 5*time.Second), burst(100, 100, time.Second))},
		{"limit lowered keeps the newest", slices.Concat(burst(4, 4, time.Second), []step{{time.Second, 2}, {0, 6}, {0, 6}})},
		{"refused at the limit, every gap", burst(50, 5, 3*time.Second+time.Millisecond)},
		{"idle past a minute", slices.Concat(burst(2000, 5000, time.Millisecond), []step{{2 * rateWindow, 5000}}, burst(3, 5000, 0))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l, ref := newLimiter(), &refLog{}
			now := start
			for i, st := range tc.steps {
				now = now.Add(st.gap)
				got, want := l.take("k", st.limit, now), ref.take(st.limit, now)
				if got != want {
					t.Fatalf("take %d (limit %d, at +%s) = %+v, want %+v", i, st.limit, now.Sub(start), got, want)
				}
			}
		})
	}
}

// TestSlidingLogIdleRing: a window empty again gives back a busy minute's
// ring, and keeps a small one.
func TestSlidingLogIdleRing(t *testing.T) {
	l := newLimiter()
	now := time.Unix(1_000_000, 0)
	for _, n := range []int{10, 5000} {
		for range n {
			now = now.Add(time.Millisecond)
			l.take("k", 10_000, now)
		}
		now = now.Add(rateWindow)
		l.take("k", 10_000, now)
		w, _ := l.windows.get(windowName{name: "k"})
		if w.n != 1 || len(w.times) > idleRing {
			t.Errorf("after %d takes and an idle minute: %d times in a ring of %d, want 1 in at most %d", n, w.n, len(w.times), idleRing)
		}
	}
}
