package bridge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/a2a-bridge/a2a-bridge/stream"
	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/labstack/echo/v4"
)

// Sentinel errors raised by the bridge itself.
var (
	ErrUnknownAgent = errors.New("unknown agent")
	ErrBodyTooLarge = errors.New("request body too large")
	ErrUnauthorized = errors.New("invalid api key")
	ErrAgentTimeout = errors.New("agent timed out")
	ErrAgentDown    = errors.New("agent unreachable")
	ErrAgentStatus  = errors.New("agent answered an HTTP error")
)

// Error is what a client is told: the HTTP status, the OpenAI error type and
// code, and a message fit to show. Cause is for the log only; it may name
// upstream URLs, which the client must never see.
type Error struct {
	Status int
	Type   string
	Code   string
	Param  string
	Msg    string
	Cause  error
	// RetryAfter is passed on as the Retry-After header (an agent's 429).
	RetryAfter string
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %v", e.Msg, e.Cause)
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Cause }

// Body returns the OpenAI error JSON for e.
func (e *Error) Body() []byte { return transform.ErrorBody(e.Msg, e.Type, e.Param, e.Code) }

// toError is the one place that maps an error to what the client sees.
func toError(err error) *Error {
	var e *Error
	var reqErr *transform.RequestError
	var modelErr *transform.ModelError
	var rpcErr *transform.RPCError
	var httpErr *echo.HTTPError
	var taskErr *transform.TaskError
	var st *statusError
	switch {
	case errors.As(err, &e):
		return e
	case errors.As(err, &st) && st.code == http.StatusTooManyRequests:
		// An agent's rate limit passes through, so SDKs back off as it asks.
		return &Error{Status: 429, Type: "rate_limit_exceeded", Code: "rate_limit_exceeded", RetryAfter: st.retryAfter,
			Msg: "The agent is rate limiting requests; retry later.", Cause: err}
	case errors.Is(err, transform.ErrInvalidJSON):
		return &Error{Status: 400, Type: "invalid_request_error", Msg: "We could not parse the JSON body of your request: " + err.Error() + "."}
	case errors.As(err, &reqErr):
		return &Error{Status: 400, Type: "invalid_request_error", Param: clip(reqErr.Param, maxName), Msg: clip(reqErr.Msg, maxText)}
	case errors.As(err, &modelErr):
		// The name is the caller's, of any length: clipped, or a 1 MB name is echoed whole.
		return &Error{Status: 404, Type: "invalid_request_error", Param: "model", Code: "model_not_found",
			Msg: (&transform.ModelError{Model: clip(modelErr.Model, maxName)}).Error()}
	case errors.Is(err, ErrBodyTooLarge):
		return &Error{Status: 413, Type: "invalid_request_error", Code: "request_too_large", Msg: err.Error()}
	case errors.Is(err, ErrUnauthorized):
		return &Error{Status: 401, Type: "authentication_error", Code: "invalid_api_key", Msg: "Incorrect or missing API key: send Authorization: Bearer <key>."}
	case errors.Is(err, ErrAgentTimeout), errors.Is(err, context.DeadlineExceeded):
		return &Error{Status: 504, Type: "agent_timeout", Code: "agent_timeout", Msg: "The agent did not answer in time.", Cause: err}
	case errors.As(err, &rpcErr):
		return rpcError(rpcErr, err)
	case errors.As(err, &taskErr):
		return &Error{Status: taskStatus(taskErr.State), Type: "agent_error", Code: "agent_task_" + string(taskErr.State), Msg: taskMessage(taskErr), Cause: err}
	case errors.Is(err, ErrAgentDown), errors.Is(err, ErrAgentStatus), errors.Is(err, transform.ErrIncomplete),
		errors.Is(err, transform.ErrTooLarge), errors.Is(err, transform.ErrBadResponse), errors.Is(err, stream.ErrEventTooLarge):
		return &Error{Status: 502, Type: "agent_error", Code: "agent_error", Msg: agentMessage(err), Cause: err}
	case errors.Is(err, context.Canceled):
		return &Error{Status: 499, Type: "invalid_request_error", Code: "client_closed_request", Msg: "The client closed the request.", Cause: err}
	case errors.As(err, &httpErr):
		return &Error{Status: httpErr.Code, Type: "invalid_request_error", Msg: clip(fmt.Sprint(httpErr.Message), maxText), Cause: err}
	}
	return &Error{Status: 500, Type: "server_error", Msg: "Internal error.", Cause: err}
}

// taskStatus is the HTTP status of a task that ended failed, rejected or
// canceled: the agent's own verdict, not a fault of the transport, and one
// that no client retries on its default settings (running the task again
// could repeat its side effects). The AI SDK retries every status >= 500,
// 408 and 409 whatever x-should-retry says; LangChain.js retries all but
// 400-407, 409 and 413. So: 403 for a task the agent rejected (it will not
// do it), 400 for one that failed or was canceled. 502 and 504 stay for the
// transport (an agent down, cut or slow), which a retry may cure.
func taskStatus(s transform.State) int {
	if s == transform.StateRejected {
		return http.StatusForbidden
	}
	return http.StatusBadRequest
}

// agentMessage says what went wrong with an agent without naming where it is.
func agentMessage(err error) string {
	var re *redirectError
	switch {
	case errors.As(err, &re):
		return "The agent could not be reached: it redirected the call elsewhere, which the bridge does not follow."
	case errors.Is(err, ErrAgentDown):
		return "The agent could not be reached."
	case errors.Is(err, ErrAgentStatus):
		return "The agent answered with an HTTP error."
	case errors.Is(err, transform.ErrIncomplete):
		return "The agent's stream ended before its task finished."
	case errors.Is(err, transform.ErrTooLarge), errors.Is(err, stream.ErrEventTooLarge):
		return "The agent's answer exceeded the bridge's size limit."
	}
	return "The agent sent an answer the bridge could not read."
}

// rpcError maps an agent's JSON-RPC error. Its message is the agent's own
// and is passed on, as agents write it for their callers: scrubbed of
// secrets where it was read (Agent.scrub), and bounded here again.
func rpcError(r *transform.RPCError, err error) *Error {
	msg := fmt.Sprintf("The agent answered error %d: %s", r.Code, clip(r.Message, maxText))
	switch r.Code {
	case -32001:
		return &Error{Status: 404, Type: "invalid_request_error", Code: "task_not_found", Msg: msg, Cause: err}
	case -32600, -32602, -32700, -32004, -32005, -32009:
		return &Error{Status: 400, Type: "invalid_request_error", Code: "agent_rejected_request", Msg: msg, Cause: err}
	}
	return &Error{Status: 502, Type: "agent_error", Code: "agent_error", Msg: msg, Cause: err}
}

// taskMessage says how the agent's task ended, with its status text:
// scrubbed where it was read (Agent.scrub), and bounded here again.
func taskMessage(e *transform.TaskError) string {
	return capitalize((&transform.TaskError{State: e.State, Text: clip(e.Text, maxText)}).Error()) + "."
}

// handleError is Echo's HTTPErrorHandler: one error, once, in OpenAI shape.
// A response already committed (a stream under way) is left alone; the
// stream writes its own in-band error.
func (s *Server) handleError(err error, c echo.Context) {
	e := bounded(toError(err))
	if info := infoOf(c); info != nil {
		info.err = e
	}
	if c.Response().Committed {
		return
	}
	var taskErr *transform.TaskError
	if errors.As(e, &taskErr) {
		// The agent's task failed: asking again cannot help, so SDKs should not retry.
		c.Response().Header().Set("X-Should-Retry", "false")
	}
	if e.RetryAfter != "" {
		c.Response().Header().Set("Retry-After", e.RetryAfter)
	}
	_ = c.Blob(e.Status, echo.MIMEApplicationJSON, e.Body())
}

// bounded is e with a message and param of a bounded size: whatever caller
// text an error was made with (a media type, a field name), what is
// answered and logged of it stays small.
func bounded(e *Error) *Error {
	if len(e.Msg) <= maxText && len(e.Param) <= maxName {
		return e
	}
	b := *e
	b.Msg, b.Param = clip(e.Msg, maxText), clip(e.Param, maxName)
	return &b
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
