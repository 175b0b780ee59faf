package bridge

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"time"

	"github.com/a2a-bridge/a2a-bridge/stream"
	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"
)

// newTransport returns the upstream transport: a pool deep enough that
// concurrent calls to one agent reuse connections instead of opening new
// ones (the default keeps two idle connections per host).
//
// Its write buffer is 2 KiB, not 4: every connection keeps one, and a
// stream's connection keeps it idle as long as the stream is open, once its
// one request is written. A request of up to 2 KiB (headers, and the body
// for a prompt of about 1.5 KiB) still goes out in one write; one of 2 to
// 4 KiB now takes two, as a longer one always did. The read buffer stays
// 4 KiB: it batches the reads of a burst of events.
func newTransport() *http.Transport {
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   10 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     true,
		WriteBufferSize:       2 << 10,
	}
}

// reply is an agent's answer to one call, its first JSON-RPC response
// already read: the whole answer, or the first event of a stream whose
// next events next yields.
type reply struct {
	agent *Agent // scrubs the agent's text in the errors its events make
	first transform.Event
	next  func() (stream.Event, error, bool)
	ready func() bool // a next event is already buffered
	stop  func()
	body  io.Closer
}

// scrub scrubs the agent's text in err, an error that r's events made (see
// Agent.scrub).
func (r *reply) scrub(err error) error { return r.agent.scrub(err) }

func (r *reply) close() {
	if r.stop != nil {
		r.stop()
	}
	if r.body != nil {
		r.body.Close()
	}
}

// open sends cc's message in the agent's dialect. When the first call is
// answered as if in the other dialect (-32601 method not found, -32009
// version not supported, HTTP 404/405) and the agent's protocol is auto, it
// tries the other dialect once and remembers the one that worked.
func (s *Server) open(ctx context.Context, cc *chatCall, sse bool) (*reply, error) {
	tg := cc.target
	rp, err := s.call(ctx, cc.agent, tg, cc.sendBody(tg, sse), sse)
	if err == nil || !tg.canSwitch || !wrongDialect(err) {
		return rp, err
	}
	tg.dialect = other(tg.dialect)
	tg.iface = tg.card.For(tg.dialect)
	rp, err2 := s.call(ctx, cc.agent, tg, cc.sendBody(tg, sse), sse)
	if err2 != nil {
		if wrongDialect(err2) {
			return nil, err // neither dialect: report the first answer
		}
		return nil, err2
	}
	cc.agent.useDialect(tg.dialect)
	cc.target = tg
	zerolog.Ctx(ctx).Info().Str("agent", cc.agent.Name).Stringer("protocol", tg.dialect).
		Msg("agent answered in the other A2A dialect; using it from now on")
	return rp, nil
}

func other(d transform.Dialect) transform.Dialect {
	if d == transform.V10 {
		return transform.V03
	}
	return transform.V10
}

// wrongDialect reports whether err says the agent speaks the other dialect.
func wrongDialect(err error) bool {
	var rpc *transform.RPCError
	var st *statusError
	switch {
	case errors.As(err, &rpc):
		return rpc.Code == -32601 || rpc.Code == -32009
	case errors.As(err, &st):
		return st.code == http.StatusNotFound || st.code == http.StatusMethodNotAllowed
	}
	return false
}

// streamRefused reports whether err says the agent cannot stream: the
// operation is unsupported (-32004) or the method unknown.
func streamRefused(err error) bool {
	var rpc *transform.RPCError
	return errors.As(err, &rpc) && (rpc.Code == -32004 || rpc.Code == -32601)
}

// call posts one JSON-RPC request and reads the first response: the whole
// JSON answer or the first SSE event. A JSON-RPC error is returned as
// *transform.RPCError. Any Content-Type is accepted on a JSON answer
// (a2a-go 0.3 sends text/plain), and a stream request may be answered with
// plain JSON (an error, or an agent that cannot stream). The agent's text
// in an error is scrubbed here, where it becomes one (see Agent.scrub).
func (s *Server) call(ctx context.Context, a *Agent, tg target, body []byte, sse bool) (*reply, error) {
	rp, err := s.exchange(ctx, a, tg, body, sse)
	return rp, a.scrub(err)
}

// exchange is call before the agent's text in an error is scrubbed.
func (s *Server) exchange(ctx context.Context, a *Agent, tg target, body []byte, sse bool) (*reply, error) {
	resp, err := s.post(ctx, a, tg, body, sse)
	if err != nil {
		return nil, err
	}
	if !isSSE(resp) {
		defer resp.Body.Close()
		raw, err := readAll(ctx, resp.Body, resp.ContentLength, int64(s.cfg.Limits.MaxAnswer))
		if err != nil {
			return nil, err
		}
		ev, err := transform.ReadResponse(raw)
		if err != nil {
			return nil, err
		}
		return &reply{agent: a, first: ev}, nil
	}
	dec := stream.NewDecoder(resp.Body, int(s.cfg.Limits.MaxEvent))
	next := func() (stream.Event, error, bool) {
		ev, err := dec.Next()
		if err == io.EOF {
			return ev, nil, false
		}
		return ev, err, true
	}
	rp := &reply{agent: a, next: next, ready: dec.Ready, body: resp.Body}
	ev, err, ok := next()
	if !ok {
		err = fmt.Errorf("%w: the stream ended before its first event", transform.ErrIncomplete)
	}
	if err == nil {
		rp.first, err = transform.ReadResponse(ev.Data)
	}
	if err != nil {
		rp.close()
		return nil, upstreamErr(ctx, err)
	}
	return rp, nil
}

// post sends body to the agent and returns its response, status checked.
// The caller closes the body.
func (s *Server) post(ctx context.Context, a *Agent, tg target, body []byte, sse bool) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tg.iface.URL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrAgentDown, err)
	}
	h := req.Header
	setAgentHeaders(h, a.cfg)
	h["Content-Type"] = hdrJSON
	if sse {
		h["Accept"] = hdrEventStream
	} else {
		h["Accept"] = hdrJSON
	}
	if tg.dialect == transform.V10 {
		h["A2a-Version"] = hdrVersion10
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, upstreamErr(ctx, refusedRedirect(err))
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		return nil, readStatusError(resp)
	}
	return resp, nil
}

// poll follows the task of a non-blocking agent with tasks/get (GetTask),
// backing off, until it ends or is interrupted, or ctx ends. Each poll's
// text goes to emit.
func (s *Server) poll(ctx context.Context, cc *chatCall, tr *transform.Translator, emit func(string) error) error {
	wait := 100 * time.Millisecond
	for tr.Pending() {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return upstreamErr(ctx, context.Cause(ctx))
		case <-t.C:
		}
		wait = min(2*wait, 2*time.Second)
		body := transform.GetTaskRequest(cc.target.dialect, uuid.NewString(), tr.Ext().TaskID, cc.target.iface.Tenant)
		rp, err := s.call(ctx, cc.agent, cc.target, body, false)
		if err != nil {
			return err
		}
		rp.close()
		text, err := tr.Feed(rp.first)
		if err != nil {
			return rp.scrub(err)
		}
		if err := emit(text); err != nil {
			return err
		}
	}
	return nil
}

// upstreamErr classifies a transport error.
func upstreamErr(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); errors.Is(cause, ErrAgentTimeout) || errors.Is(cause, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %v", ErrAgentTimeout, err)
	}
	if ctx.Err() != nil {
		return ctx.Err() // the client went away
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: %v", ErrAgentDown, err)
	}
	return err
}

// statusError is an agent's non-2xx HTTP answer.
type statusError struct {
	code       int
	retryAfter string // its Retry-After, for 429
}

func (e *statusError) Error() string { return fmt.Sprintf("agent answered HTTP %d", e.code) }
func (e *statusError) Unwrap() error { return ErrAgentStatus }

// readStatusError reads a non-2xx answer: some servers (a2a-js 0.3) answer a
// JSON-RPC error with HTTP 400; anything else is an HTTP error.
func readStatusError(resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var rpc *transform.RPCError
	if _, err := transform.ReadResponse(body); errors.As(err, &rpc) {
		return err
	}
	return &statusError{code: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
}

// readAll reads a whole answer, bounded by max.
func readAll(ctx context.Context, r io.Reader, size, max int64) ([]byte, error) {
	body, err := readUpTo(r, size, max)
	if err != nil {
		return nil, upstreamErr(ctx, err)
	}
	if int64(len(body)) > max {
		return nil, fmt.Errorf("%w: over %d bytes", transform.ErrTooLarge, max)
	}
	return body, nil
}

// readUpTo reads r to its end, at most max bytes and then one more to tell
// an answer over the limit. size is what the sender announced (-1 if
// unknown): a buffer of that size is read into without growing.
func readUpTo(r io.Reader, size, max int64) ([]byte, error) {
	if size < 0 || size > max {
		return io.ReadAll(io.LimitReader(r, max+1))
	}
	b := make([]byte, 0, size+1) // +1: room to find the announced size was short
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) { // longer than announced: read on, bounded
			rest, err := io.ReadAll(io.LimitReader(r, max+1-int64(len(b))))
			return append(b, rest...), err
		}
	}
}

// Header values the bridge sends on every call, shared rather than built
// per request (nothing appends to them: net/http only reads a request's
// headers). The keys are written in net/http's canonical form.
var (
	hdrJSON        = []string{"application/json"}
	hdrEventStream = []string{"text/event-stream"}
	hdrVersion10   = []string{"1.0"}
)

// isSSE reports whether a response is an event stream.
func isSSE(resp *http.Response) bool {
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return mt == "text/event-stream"
}

// cancelIfGone cancels the agent's task when the client went away while it
// was still running (best effort, bounded in time), and returns err.
func (s *Server) cancelIfGone(c echo.Context, cc *chatCall, tr *transform.Translator, err error) error {
	ext := tr.Ext()
	if c.Request().Context().Err() == nil || ext == nil || ext.TaskID == "" || ext.State.Terminal() || tr.Done() {
		return err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request().Context()), cancelTimeout)
	defer cancel()
	log := zerolog.Ctx(ctx).With().Str("agent", cc.agent.Name).Str("task_id", ext.TaskID).Logger()
	body := transform.CancelTaskRequest(cc.target.dialect, uuid.NewString(), ext.TaskID, cc.target.iface.Tenant)
	rp, cerr := s.call(ctx, cc.agent, cc.target, body, false)
	if cerr != nil {
		log.Warn().Err(cerr).Msg("client went away; cancelling the agent's task failed")
		return err
	}
	rp.close()
	log.Info().Msg("client went away; agent's task cancelled")
	return err
}

// cancelTimeout bounds the tasks/cancel sent when a client goes away.
const cancelTimeout = 2 * time.Second
