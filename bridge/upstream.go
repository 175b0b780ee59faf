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

	"github.com/a2a-bridge/a2a-bridge/transform"
)

// newTransport returns the upstream transport: a pool deep enough that
// concurrent calls to one agent reuse connections instead of opening new
// ones (the default keeps two idle connections per host).
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
		ResponseHeaderTimeout: 0, // bounded per call by the agent's timeout
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     true,
	}
}

// call is one JSON-RPC exchange with an agent.
type call struct {
	agent *Agent
	card  transform.Card
	body  []byte
}

// post sends c's request and returns the agent's response, its status
// checked. The caller closes the body. Transport failures are ErrAgentDown
// and, once ctx's deadline or cause says so, ErrAgentTimeout.
func (s *Server) post(ctx context.Context, c call, sse bool) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.card.Endpoint, bytes.NewReader(c.body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrAgentDown, err)
	}
	h := req.Header
	setAgentHeaders(h, c.agent.cfg)
	h.Set("Content-Type", "application/json")
	if sse {
		h.Set("Accept", "text/event-stream")
	} else {
		h.Set("Accept", "application/json")
	}
	if c.card.Dialect == transform.V10 {
		h.Set("A2A-Version", "1.0")
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, upstreamErr(ctx, err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		return nil, statusErr(resp)
	}
	return resp, nil
}

// upstreamErr classifies a transport error.
func upstreamErr(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); errors.Is(cause, ErrAgentTimeout) || errors.Is(cause, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %v", ErrAgentTimeout, err)
	}
	if ctx.Err() != nil {
		return ctx.Err() // the client went away
	}
	return fmt.Errorf("%w: %v", ErrAgentDown, err)
}

// statusErr reads a non-2xx answer: some servers (a2a-js 0.3) answer a
// JSON-RPC error with HTTP 400; anything else is an HTTP error.
func statusErr(resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if _, err := transform.ReadResponse(body); err != nil {
		var rpc *transform.RPCError
		if errors.As(err, &rpc) {
			return err
		}
	}
	return fmt.Errorf("%w: HTTP %d", ErrAgentStatus, resp.StatusCode)
}

// readAll reads a whole answer, bounded by max.
func readAll(ctx context.Context, r io.Reader, max int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, upstreamErr(ctx, err)
	}
	if int64(len(body)) > max {
		return nil, fmt.Errorf("%w: over %d bytes", ErrAnswerTooLarge, max)
	}
	return body, nil
}

// isSSE reports whether a response is an event stream. A stream request
// may be answered with plain JSON: a JSON-RPC error, or a single result
// from an agent that cannot stream.
func isSSE(resp *http.Response) bool {
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return mt == "text/event-stream"
}
