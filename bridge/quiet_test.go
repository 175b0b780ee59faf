package bridge

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func TestQuietTimerFiresAfterQuiet(t *testing.T) {
	const d = 40 * time.Millisecond
	fired := make(chan time.Time, 1)
	start := time.Now()
	q := afterQuiet(d, &nopLog, func() bool { fired <- time.Now(); return false })
	defer q.stop()
	// Touched every d/4 for 3d: it must not fire before 3d + d.
	for range 12 {
		time.Sleep(d / 4)
		q.touch()
	}
	touched := time.Now()
	select {
	case at := <-fired:
		if quiet := at.Sub(touched); quiet < d {
			t.Fatalf("fired %v after the last touch (%v after start), want ≥ %v", quiet, at.Sub(start), d)
		}
	case <-time.After(10 * d):
		t.Fatalf("did not fire %v after the last touch", 10*d)
	}
}

func TestQuietTimerAgainAndStop(t *testing.T) {
	const d = 10 * time.Millisecond
	var calls atomic.Int32
	q := afterQuiet(d, &nopLog, func() bool { calls.Add(1); return true })
	deadline := time.Now().Add(5 * time.Second)
	for calls.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("called %d times in 5 s, want 3 (again = true re-arms it)", calls.Load())
		}
		time.Sleep(d)
	}
	q.stop()
	time.Sleep(5 * d) // a call under way when stop ran may still land
	n := calls.Load()
	time.Sleep(5 * d)
	if got := calls.Load(); got != n {
		t.Fatalf("called %d more times after stop", got-n)
	}
}

var nopLog = zerolog.Nop()
