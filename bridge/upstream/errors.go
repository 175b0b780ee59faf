package upstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
)

// Sentinel errors of a call to an agent. The bridge's error table (package
// bridge, errors.go) maps them, with errors.Is, to what each front door
// answers.
var (
	ErrAgentDown    = errors.New("agent unreachable")
	ErrAgentTimeout = errors.New("agent timed out")
	ErrAgentStatus  = errors.New("agent answered an HTTP error")
	// ErrRedirected is a redirect the bridge refused (another origin, or
	// too many); it is ErrAgentDown too.
	ErrRedirected = errors.New("agent redirected the call")
	// ErrRateLimited is an agent's HTTP 429; its StatusError carries the
	// Retry-After to pass on.
	ErrRateLimited = errors.New("agent is rate limiting")
)

// StatusError is an agent's non-2xx HTTP answer that is not a JSON-RPC
// error. Body is what the agent sent (bounded), kept for pass-through;
// it is never shown to a client of another shape.
type StatusError struct {
	Code       int
	RetryAfter string // its Retry-After, for 429
	Body       []byte
}

func (e *StatusError) Error() string { return fmt.Sprintf("agent answered HTTP %d", e.Code) }

// Unwrap is ErrAgentStatus, and ErrRateLimited for a 429.
func (e *StatusError) Unwrap() []error {
	if e.Code == http.StatusTooManyRequests {
		return []error{ErrAgentStatus, ErrRateLimited}
	}
	return []error{ErrAgentStatus}
}

// RPCError is a JSON-RPC error answered by an agent. Message is the
// agent's own, scrubbed (Target.Redact) where it was read; Data is its
// "data" member as sent, for pass-through. HTTPStatus is the HTTP status it
// came with (some servers answer a JSON-RPC error with 400).
type RPCError struct {
	Code       int64
	Message    string
	Data       []byte
	HTTPStatus int
}

func (e *RPCError) Error() string { return fmt.Sprintf("agent error %d: %s", e.Code, e.Message) }

// Unwrap is the sentinel of e's code (see codes.go), nil for a code the
// table does not name.
func (e *RPCError) Unwrap() error { return ErrorOf(e.Code) }

// classify names a transport error: the caller's deadline or the agent's
// timeout (ErrAgentTimeout), the caller gone (its context error), a broken
// connection (ErrAgentDown); anything else is returned as it is.
func classify(ctx context.Context, err error) error {
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
