package bridge

import (
	"bufio"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"
)

// afterQuiet is afterQuietOn on time.Now: in a synctest bubble, the
// bubble's clock.
func afterQuiet(d time.Duration, log *zerolog.Logger, fn func() (again bool)) *quietTimer {
	return afterQuietOn(nil, d, log, fn)
}

// TestQuietTimerOnInjectedClock: the quiet a timer measures is the
// clock's it was given (the server's s.now), not the runtime's: a clock
// that has not moved since the touch holds the callback back when the
// runtime's timer fires, and the timer fires once the clock has moved d.
func TestQuietTimerOnInjectedClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const d = time.Minute
		base := time.Now()
		var moved atomic.Int64 // how far the injected clock has moved
		now := func() time.Time { return base.Add(time.Duration(moved.Load())) }
		fired := make(chan time.Duration, 1)
		q := afterQuietOn(now, d, &nopLog, func() bool { fired <- time.Since(base); return false })
		defer q.stop()
		time.Sleep(d + d/2) // the runtime's timer fired at d: the clock says no quiet yet
		synctest.Wait()
		if len(fired) != 0 {
			t.Fatalf("fired at %v, when the injected clock had not moved", <-fired)
		}
		moved.Store(int64(d))
		time.Sleep(d)
		synctest.Wait()
		select {
		case at := <-fired:
			if at != 2*d {
				t.Errorf("fired at %v, want %v (the re-armed timer, once the clock had moved %v)", at, 2*d, d)
			}
		default:
			t.Error("did not fire once the injected clock had moved d")
		}
	})
}

// TestKeepaliveCadence: a stream waiting on a silent agent gets a
// keepalive comment every server keepalive period exactly, on the
// bubble's fake clock; an agent whose text comes more often than that
// gets none, every flush counting as traffic.
func TestKeepaliveCadence(t *testing.T) {
	const every = time.Minute
	cases := []struct {
		name  string
		gaps  []time.Duration // the waits before each text event
		wantK []time.Duration // when the keepalives come, since the request
	}{
		{"silent for 3.5 periods", []time.Duration{3*every + every/2}, []time.Duration{every, 2 * every, 3 * every}},
		{"text every 0.6 periods", []time.Duration{every * 6 / 10, every * 6 / 10, every * 6 / 10, every * 6 / 10}, nil},
		{"silent, then text, then silent", []time.Duration{every + every/2, 2*every + every/4}, []time.Duration{every, every + every/2 + every, every + every/2 + 2*every}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				agent := func(w http.ResponseWriter, r *http.Request) {
					sse(w, evTask)
					for i, gap := range tc.gaps {
						select {
						case <-time.After(gap):
						case <-r.Context().Done():
							return
						}
						sse(w, artifactPart(fmt.Sprintf("w%d ", i), i > 0))
					}
					sse(w, evCompleted)
				}
				pn := newPipeNet()
				url := pn.serve(t, "agent.test:80", agentMux(true, agent))
				base := pn.startBridge(t, Config{Agents: []AgentConfig{{Name: "a", URL: url}}, Keepalive: &Duration{every}})
				start := time.Now()
				resp, err := pn.client(t).Post(base+"/v1/chat/completions", "application/json", strings.NewReader(chatBody("a2a/a", true, "user", "hi")))
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var got []time.Duration
				var body strings.Builder
				sc := bufio.NewScanner(resp.Body)
				for sc.Scan() {
					if sc.Text() == ": keepalive" {
						got = append(got, time.Since(start))
						continue
					}
					body.WriteString(sc.Text() + "\n")
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.wantK) {
					t.Errorf("keepalives at %v, want at %v", got, tc.wantK)
				}
				frames, done := chunks(t, []byte(body.String()))
				if content, _ := streamText(t, frames); !done || !strings.HasPrefix(content, "w0 ") {
					t.Errorf("content %q (done %v) around the keepalives", content, done)
				}
			})
		})
	}
}
