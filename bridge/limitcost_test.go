package bridge

import (
	"fmt"
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

// TestSlidingLogCount: count, a binary search of the ring, says what a
// scan of it says, the ring wrapped or not.
func TestSlidingLogCount(t *testing.T) {
	start := time.Unix(1_000_000, 0)
	cases := []struct {
		name  string
		limit int
		gaps  []time.Duration // between the takes
	}{
		{"not full", 5, []time.Duration{0, time.Second, 10 * time.Second}},
		{"full", 3, []time.Duration{0, time.Second, time.Second}},
		{"wrapped", 3, []time.Duration{0, 20 * time.Second, 20 * time.Second, 30 * time.Second, 5 * time.Second}},
		{"wrapped twice", 2, []time.Duration{0, 50 * time.Second, 20 * time.Second, 50 * time.Second, 20 * time.Second}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := newLimiter()
			now := start
			for _, g := range tc.gaps {
				now = now.Add(g)
				l.take("k", tc.limit, now)
			}
			w := l.windows["k"]
			for _, at := range []time.Duration{0, time.Second, 30 * time.Second, 59 * time.Second, 61 * time.Second} {
				scan := 0
				for _, tm := range w.times {
					if tm.Add(rateWindow).After(now.Add(at)) {
						scan++
					}
				}
				if got := w.count(now.Add(at)); got != scan {
					t.Errorf("count(now+%s) = %d, want %d (times %v, head %d)", at, got, scan, w.times, w.head)
				}
			}
		})
	}
}
