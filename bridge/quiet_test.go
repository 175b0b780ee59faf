package bridge

import (
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"
)

// The quietTimer tests run in a synctest bubble: its time.AfterFunc and
// time.Now are the bubble's fake clock, which moves only when every
// goroutine in it waits. The deadlines are exact, and no load on the
// machine can move them (with real sleeps this test failed 3 runs in 100
// under load).

func TestQuietTimerFiresAfterQuiet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const d = 40 * time.Millisecond
		fired := make(chan time.Time, 1)
		start := time.Now()
		q := afterQuiet(d, &nopLog, func() bool { fired <- time.Now(); return false })
		defer q.stop()
		// Touched every d/4 for 3d: it must not fire before 3d + d.
		for range 12 {
			time.Sleep(d / 4)
			q.touch()
			synctest.Wait()
			select {
			case at := <-fired:
				t.Fatalf("fired at %v, touched %v before", at.Sub(start), d/4)
			default:
			}
		}
		touched := time.Now()
		time.Sleep(d)
		synctest.Wait()
		select {
		case at := <-fired:
			if quiet := at.Sub(touched); quiet != d {
				t.Fatalf("fired %v after the last touch (%v after start), want %v", quiet, at.Sub(start), d)
			}
		default:
			t.Fatalf("did not fire %v after the last touch", d)
		}
	})
}

func TestQuietTimerFiresUntouched(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const d = 40 * time.Millisecond
		fired := make(chan time.Time, 1)
		start := time.Now()
		q := afterQuiet(d, &nopLog, func() bool { fired <- time.Now(); return false })
		defer q.stop()
		time.Sleep(2 * d)
		synctest.Wait()
		select {
		case at := <-fired:
			if got := at.Sub(start); got != d {
				t.Fatalf("fired %v after it was made, want %v", got, d)
			}
		default:
			t.Fatalf("did not fire in %v", 2*d)
		}
		time.Sleep(5 * d)
		synctest.Wait()
		if len(fired) != 0 {
			t.Fatal("fired again, though its fn returned false")
		}
	})
}

func TestQuietTimerAgainAndStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const d = 10 * time.Millisecond
		var calls atomic.Int32
		q := afterQuiet(d, &nopLog, func() bool { calls.Add(1); return true })
		// again = true re-arms it: called at d, 2d and 3d.
		time.Sleep(3*d + d/2)
		synctest.Wait()
		if got := calls.Load(); got != 3 {
			t.Fatalf("called %d times in %v, want 3", got, 3*d+d/2)
		}
		q.stop()
		time.Sleep(10 * d)
		synctest.Wait()
		if got := calls.Load(); got != 3 {
			t.Fatalf("called %d more times after stop", got-3)
		}
	})
}

var nopLog = zerolog.Nop()
