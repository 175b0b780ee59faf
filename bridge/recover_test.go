package bridge

import (
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/labstack/echo/v4"
)

// panicRoutes adds routes, on the real server, that fail as bugs would.
func panicRoutes(s *Server) {
	s.echo.GET("/test/panic", func(c echo.Context) error { panic("boom in a handler") })
	s.echo.GET("/test/panic-committed", func(c echo.Context) error {
		c.Response().WriteHeader(http.StatusOK)
		_, _ = c.Response().Write([]byte("data: half"))
		c.Response().Flush()
		panic("boom mid-stream")
	})
	s.echo.GET("/test/abort", func(c echo.Context) error { panic(http.ErrAbortHandler) })
	s.echo.GET("/test/twice", func(c echo.Context) error {
		c.Response().Writer.WriteHeader(http.StatusOK)
		c.Response().Writer.WriteHeader(http.StatusTeapot) // net/http: "superfluous WriteHeader"
		return nil
	})
	s.echo.GET("/test/twice-echo", func(c echo.Context) error {
		c.Response().WriteHeader(http.StatusOK)
		c.Response().WriteHeader(http.StatusTeapot) // Echo: "response already committed"
		return nil
	})
}

// TestPanicRecovered: a panic in a request answers 500 server_error in the
// OpenAI shape, is logged once with its stack, and the bridge serves on.
func TestPanicRecovered(t *testing.T) {
	_, base, logs := serveBridge(t, Config{}, panicRoutes)
	c := httpClient(t)
	res := get(t, c, base+"/test/panic")
	if e := decodeError(t, res.body); res.status != 500 || e.Error.Type != "server_error" || deref(e.Error.Code) != "server_error" {
		t.Errorf("GET /test/panic = %d %s, want 500 server_error", res.status, res.body)
	}
	if strings.Contains(string(res.body), "boom") {
		t.Errorf("the panic value reached the client: %s", res.body)
	}
	lines := logs.matching("boom in a handler")
	if len(lines) != 1 || !strings.Contains(lines[0], `"stack":"goroutine`) || !strings.Contains(lines[0], `"status":500`) {
		t.Errorf("log lines on the panic = %q, want one with the stack and status 500", lines)
	}
	if len(lines) == 1 && len(lines[0]) > maxStack+4*maxText {
		t.Errorf("panic log line is %d bytes, want it bounded", len(lines[0]))
	}
	if res := get(t, c, base+"/v1/models"); res.status != 200 {
		t.Errorf("GET /v1/models after the panic = %d, want 200", res.status)
	}
}

// TestPanicAborts: a panic once the answer is under way cuts the connection
// (a stream must not look finished), and net/http's own abort stays one.
func TestPanicAborts(t *testing.T) {
	_, base, logs := serveBridge(t, Config{}, panicRoutes)
	c := httpClient(t)
	for _, path := range []string{"/test/panic-committed", "/test/abort"} {
		t.Run(path, func(t *testing.T) {
			res, _, err := try(c, http.MethodGet, base+path, "")
			if err == nil {
				t.Errorf("GET %s = %d %q, want the connection cut", path, res.status, res.body)
			}
			if res := get(t, c, base+"/healthz"); res.status != 200 {
				t.Errorf("GET /healthz after = %d, want 200", res.status)
			}
		})
	}
	if lines := logs.matching("boom mid-stream", `"stack"`); len(lines) != 1 {
		t.Errorf("log lines of the mid-stream panic = %q, want one with the stack", lines)
	}
	// (Go's client retries a GET cut on a reused connection: one line or two.)
	for _, l := range logs.matching("/test/abort") {
		if strings.Contains(l, `"stack"`) || !strings.Contains(l, `"aborted":true`) {
			t.Errorf("log line of the abort = %q, want an aborted request, no stack", l)
		}
	}
}

// TestTimerPanicRecovered: a timer callback runs on its own goroutine, where
// a panic would end the process; it is recovered and logged.
func TestTimerPanicRecovered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logs := &logBuffer{}
		log := zerologTo(logs)
		calls := 0
		q := afterQuiet(time.Second, &log, func() bool { calls++; panic("boom in a timer") })
		defer q.stop()
		time.Sleep(5 * time.Second) // the fake clock of the bubble
		synctest.Wait()
		if calls != 1 {
			t.Errorf("callback called %d times, want once (a panic stops the timer)", calls)
		}
		if lines := logs.matching("boom in a timer", `"stack"`, `"level":"error"`); len(lines) != 1 {
			t.Errorf("log lines = %q, want one error with the stack", logs.lines())
		}
	})
}

// TestNetHTTPLog: net/http's and Echo's own complaints land in the zerolog
// output at warn, not as plain text on stderr.
func TestNetHTTPLog(t *testing.T) {
	_, base, logs := serveBridge(t, Config{}, panicRoutes)
	c := httpClient(t)
	tests := []struct{ name, path, want string }{
		{"net/http", "/test/twice", "superfluous response.WriteHeader"},
		{"echo", "/test/twice-echo", "response already committed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			get(t, c, base+tc.path)
			if lines := logs.matching(tc.want, `"level":"warn"`, `"source":"`+tc.name+`"`); len(lines) != 1 {
				t.Errorf("log lines = %q, want one warning %q from %s", logs.lines(), tc.want, tc.name)
			}
		})
	}
}
