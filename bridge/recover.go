package bridge

import (
	"errors"
	"fmt"
	"log"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/labstack/echo/v4"
	gommon "github.com/labstack/gommon/log"
	"github.com/rs/zerolog"
)

// maxStack bounds the stack logged for a panic.
const maxStack = 8 << 10

// panicked is a request's recovered panic: the value and, for the log,
// the stack.
type panicked struct {
	value any
	stack string
}

func (p *panicked) Error() string { return clip(fmt.Sprint("panic: ", p.value), maxText) }

// serveRecovered calls next. A panic becomes a 500 server_error (Echo does
// not recover, and net/http's own recovery drops the connection with no
// answer), reported in p for the access log; net/http's own abort,
// http.ErrAbortHandler, is left to the caller to panic again.
func serveRecovered(c echo.Context, next echo.HandlerFunc) (p *panicked, err error) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		p = &panicked{value: v}
		if v, ok := v.(error); ok && errors.Is(v, http.ErrAbortHandler) {
			return
		}
		p.stack = clip(string(debug.Stack()), maxStack)
		err = newError(ErrInternal, "", "", p)
	}()
	return nil, next(c)
}

// aborts reports whether p must end the request without an answer:
// net/http's own abort, or a panic once the response was committed (a
// stream cut short must not look finished). Asked before the error is
// handled, which commits the response.
func (p *panicked) aborts(c echo.Context) bool {
	return p != nil && (p.stack == "" || c.Response().Committed)
}

// recoverGoroutine, deferred at the top of a goroutine the bridge starts,
// logs a panic there instead of letting it end the process.
func (s *Server) recoverGoroutine(what string) {
	if v := recover(); v != nil {
		logPanic(&s.log, what, v)
	}
}

// logPanic logs a recovered panic once, with its stack, both bounded.
func logPanic(l *zerolog.Logger, what string, v any) {
	l.Error().Str("panic", clip(fmt.Sprint(v), maxText)).Str("stack", clip(string(debug.Stack()), maxStack)).
		Msg(what + " panicked; recovered")
}

// logWriter turns the plain-text lines of another logger (net/http's
// http.Server.ErrorLog, Echo's own) into zerolog warnings, each bounded:
// "http: Accept error: too many open files", "superfluous WriteHeader".
type logWriter struct {
	log    zerolog.Logger
	source string
}

func (w logWriter) Write(p []byte) (int, error) {
	w.log.Warn().Str("source", w.source).Msg(clip(strings.TrimRight(string(p), "\n"), maxText))
	return len(p), nil
}

// netLog is net/http's error log, into s.log.
func (s *Server) netLog() *log.Logger {
	return log.New(logWriter{s.log, "net/http"}, "", 0)
}

// logEcho sends what Echo logs itself ("response already committed") to
// s.log.
func (s *Server) logEcho(e *echo.Echo) {
	e.Logger.SetHeader("${short_file}:${line}")
	e.Logger.SetLevel(gommon.WARN) // echo.New leaves it at ERROR, which hides its warnings
	e.Logger.SetOutput(logWriter{s.log, "echo"})
}
