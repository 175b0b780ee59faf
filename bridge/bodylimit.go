package bridge

import (
	"fmt"
	"net/http"
	"time"

	"github.com/a2a-bridge/a2a-bridge/bridge/upstream"
	"github.com/labstack/echo/v4"
)

// limitBody is the middleware of every route that may carry a body: it
// reads the body, whatever its Content-Type (curl -d sends form encoding),
// bounded by limits.max_request_body and within server.read_body_timeout,
// before the handler runs, which gets it from readBody. A body announced
// past the limit is refused before a byte of it is read; a client that
// trickles its body is cut. Its errors are the door's to render: Echo's
// error handler on /v1, the gateway's JSON-RPC on /a2a. A handler behind
// it finds the request's Body read to its end: it reads the body with
// readBody.
func (s *Server) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error { return s.serveBodyLimited(c, next) }
}

// serveBodyLimited is limitBody's work for one request.
func (s *Server) serveBodyLimited(c echo.Context, next echo.HandlerFunc) error {
	r := c.Request()
	info := infoOf(c)
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody || info == nil || info.bodyRead {
		return next(c)
	}
	body, err := s.readLimited(c)
	if err != nil {
		return err
	}
	info.body, info.bodyRead = body, true
	return next(c)
}

// readBody returns the request's body: the one limitBody read, handed
// over once (the request's record does not keep it: an idle stream would
// hold it as long as it stays open), or, on a route without limitBody,
// read now by the same rules.
func (s *Server) readBody(c echo.Context) ([]byte, error) {
	if info := infoOf(c); info != nil && info.bodyRead {
		body := info.body
		info.body = nil
		return body, nil
	}
	return s.readLimited(c)
}

// readLimited reads the request's body by limitBody's rules.
func (s *Server) readLimited(c echo.Context) ([]byte, error) {
	r, max := c.Request(), int64(s.cfg.Limits.MaxRequestBody)
	tooLarge := func() error { return fmt.Errorf("%w: the limit is %d bytes", ErrBodyTooLarge, max) }
	if r.ContentLength > max {
		return nil, tooLarge()
	}
	w := c.Response()
	setReadDeadline(w, s.now().Add(s.cfg.Server.ReadBodyTimeout.Duration))
	body, err := upstream.ReadUpTo(r.Body, r.ContentLength, max)
	if err != nil {
		// Close rather than drain what is left of a body that stopped coming.
		c.Response().Header().Set(echo.HeaderConnection, "close")
		return nil, newError(ErrRequestTimeout, "", "", err)
	}
	setReadDeadline(w, time.Time{})
	if int64(len(body)) > max {
		return nil, tooLarge()
	}
	return body, nil
}

// setReadDeadline is http.ResponseController's SetReadDeadline, its error
// dropped: that one builds an error (fmt.Errorf) for a writer that has no
// deadlines (a ResponseRecorder, a wrapper that does not unwrap), which
// the body's read ignores.
func setReadDeadline(w http.ResponseWriter, t time.Time) {
	for {
		switch v := w.(type) {
		case interface{ SetReadDeadline(time.Time) error }:
			_ = v.SetReadDeadline(t)
			return
		case interface{ Unwrap() http.ResponseWriter }:
			w = v.Unwrap()
		default:
			return
		}
	}
}
