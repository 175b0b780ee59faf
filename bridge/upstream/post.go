package upstream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sync"

	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/tidwall/gjson"
)

// maxErrorBody bounds what is kept of a non-2xx answer.
const maxErrorBody = 64 << 10

// post sends one JSON-RPC body to t's endpoint, signed with t's
// credentials, and returns the response. With check, a non-2xx answer is
// read and returned as an error (*RPCError or *StatusError). The caller
// closes the body.
func (c *Client) post(ctx context.Context, t *Target, body []byte, sse, check bool) (*http.Response, error) {
	req, err := newPost(ctx, t.Interface.URL, body)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrAgentDown, err)
	}
	if rb, ok := req.Body.(*requestBody); ok {
		defer rb.answered()
	}
	h := req.Header
	sign(h, t)
	h["Content-Type"] = hdrJSON
	if sse {
		h["Accept"] = hdrEventStream
	} else {
		h["Accept"] = hdrJSON
	}
	if t.Dialect == transform.V10 {
		h["A2a-Version"] = hdrVersion10
	}
	hc := t.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, classify(ctx, refusedRedirect(err))
	}
	if check && resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		return nil, readStatusError(t, resp)
	}
	return resp, nil
}

// heldBodyMax is the largest body a call sends from a bytes.Reader, which
// the transport writes together with the headers, in one write (its write
// buffer is 2 KiB): for a body of its own type it flushes the headers
// first, a write (and at the agent a read) more per call. The transport
// keeps such a body as long as the answer is read, a stream's as long as it
// stays open: a few hundred bytes, where a larger body is let go of (see
// requestBody).
const heldBodyMax = 1536

// newPost is the POST of body to url, its body a bytes.Reader when it is
// small, else a requestBody.
func newPost(ctx context.Context, url string, body []byte) (*http.Request, error) {
	if len(body) <= heldBodyMax {
		return http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	}
	rb := newRequestBody(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, rb)
	if err != nil {
		return nil, err
	}
	req.ContentLength, req.GetBody = int64(len(body)), rb.again
	return req, nil
}

// requestBody is a call's body, which the transport keeps, with the
// request, for as long as the answer is read: for a stream, as long as it
// stays open. Its bytes are let go of once they can no longer be asked for
// again, that is once the answer came (no retry can follow) and every
// reader of them was closed (the body was written out): an idle stream
// then holds no copy of its prompt here.
type requestBody struct {
	*sharedBody
	off    int
	closed bool
}

// sharedBody are the bytes of a requestBody and of its copies for retries.
type sharedBody struct {
	mu   sync.Mutex
	b    []byte
	open int  // readers not closed
	done bool // the answer came
}

// newRequestBody returns the first reader of b, in one allocation with
// their shared state.
func newRequestBody(b []byte) *requestBody {
	first := &struct {
		sharedBody
		requestBody
	}{sharedBody: sharedBody{b: b, open: 1}}
	first.requestBody.sharedBody = &first.sharedBody
	return &first.requestBody
}

func (rb *requestBody) Read(p []byte) (int, error) {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	if rb.off >= len(rb.b) {
		return 0, io.EOF
	}
	n := copy(p, rb.b[rb.off:])
	rb.off += n
	return n, nil
}

func (rb *requestBody) Close() error {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	if !rb.closed {
		rb.closed = true
		rb.open--
		rb.let()
	}
	return nil
}

// again is the request's GetBody: the body from its start, for a retry.
func (rb *requestBody) again() (io.ReadCloser, error) {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	if rb.done {
		return nil, errors.New("the request body was let go of once answered")
	}
	rb.open++
	return &requestBody{sharedBody: rb.sharedBody}, nil
}

// answered says no retry can follow: the transport returned.
func (rb *requestBody) answered() {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	rb.done = true
	rb.let()
}

func (s *sharedBody) let() {
	if s.done && s.open == 0 {
		s.b = nil
	}
}

// sign adds t's configured headers and credentials.
func sign(h http.Header, t *Target) {
	for k, v := range t.Headers {
		h.Set(k, v)
	}
	if t.APIKey != "" {
		h.Set("Authorization", "Bearer "+t.APIKey)
	}
}

// Sign adds the agent's configured headers and credentials to h (for the
// registry's card fetches).
func Sign(h http.Header, apiKey string, headers map[string]string) {
	sign(h, &Target{APIKey: apiKey, Headers: headers})
}

// readStatusError reads a non-2xx answer: some servers (a2a-js 0.3) answer
// a JSON-RPC error with HTTP 400, kept as an *RPCError with its status;
// anything else is a *StatusError, its body kept.
func readStatusError(t *Target, resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var rpc *transform.RPCError
	if _, err := transform.ReadResponse(body); errors.As(err, &rpc) {
		return rpcError(t, err, body, resp.StatusCode)
	}
	return &StatusError{Code: resp.StatusCode, RetryAfter: resp.Header.Get("Retry-After"), Body: body}
}

// readEvent reads one JSON-RPC response of t's agent; its JSON-RPC error
// is an *RPCError. A stream's events keep their strings in its arena (nil
// for a JSON answer), an event of one artifact that in one when one is
// not nil.
func readEvent(t *Target, raw []byte, one *[1]transform.Artifact, arena *transform.Arena) (transform.Event, error) {
	var ev transform.Event
	var err error
	switch {
	case arena != nil:
		ev, err = transform.ReadEvent(raw, one, arena)
	case one != nil:
		ev, err = transform.ReadResponseInto(raw, one)
	default:
		ev, err = transform.ReadResponse(raw)
	}
	if err != nil {
		return ev, rpcError(t, err, raw, http.StatusOK)
	}
	return ev, nil
}

// rpcError returns the *RPCError for a *transform.RPCError in err, its
// message scrubbed by t.Redact and its data kept; err itself otherwise.
func rpcError(t *Target, err error, raw []byte, status int) error {
	var e *transform.RPCError
	if !errors.As(err, &e) {
		return err
	}
	r := &RPCError{Code: e.Code, Message: e.Message, HTTPStatus: status}
	if t.Redact != nil {
		r.Message = t.Redact(r.Message)
	}
	if d := gjson.GetBytes(raw, "error.data"); d.Exists() {
		r.Data = []byte(d.Raw)
	}
	return r
}

// readAll reads a whole answer, bounded by max.
func readAll(ctx context.Context, r io.Reader, size, max int64) ([]byte, error) {
	body, err := readUpTo(r, size, max)
	if err != nil {
		return nil, classify(ctx, err)
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

// ReadUpTo is readUpTo for the front doors' request bodies: r read to its
// end, at most max+1 bytes, into a buffer of the announced size.
func ReadUpTo(r io.Reader, size, max int64) ([]byte, error) { return readUpTo(r, size, max) }

// Header values the bridge sends on every call, shared rather than built
// per request (nothing appends to them: net/http only reads a request's
// headers). The keys are written in net/http's canonical form.
var (
	hdrJSON        = []string{"application/json"}
	hdrEventStream = []string{"text/event-stream"}
	hdrVersion10   = []string{"1.0"}
)

// isSSE reports whether a response is an event stream. The common types
// are known without mime.ParseMediaType, which allocates its parameters'
// map.
func isSSE(resp *http.Response) bool {
	ct := resp.Header.Get("Content-Type")
	switch ct {
	case "text/event-stream":
		return true
	case "application/json", "application/json; charset=utf-8", "text/plain; charset=utf-8", "":
		return false // text/plain: what net/http sniffs in an answer sent with no type
	}
	mt, _, _ := mime.ParseMediaType(ct)
	return mt == "text/event-stream"
}
