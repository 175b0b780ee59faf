package bridge

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/a2a-bridge/a2a-bridge/bridge/shared"
	"github.com/a2a-bridge/a2a-bridge/bridge/upstream"
	"github.com/a2a-bridge/a2a-bridge/stream"
	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/labstack/echo/v4"
)

// Sentinel errors raised by the bridge itself. Those of a call to an agent
// are declared where they arise, in package upstream (ErrAgentDown, the
// JSON-RPC codes' sentinels...), and in transform (ErrBadResponse,
// ErrIncomplete, ErrTooLarge, *TaskError); the table below maps them all.
var (
	ErrUnknownAgent         = errors.New("unknown agent")
	ErrNotAllowed           = errors.New("agent not allowed for this key")
	ErrAdminOnly            = errors.New("admin key required")
	ErrNameInUse            = errors.New("agent name in use")
	ErrUnauthorized         = errors.New("invalid api key")
	ErrBodyTooLarge         = errors.New("request body too large")
	ErrRequestTimeout       = errors.New("request body timed out")
	ErrInvalidRequest       = errors.New("invalid request")
	ErrUnsupportedParameter = errors.New("unsupported parameter")
	ErrUnsupportedContent   = errors.New("unsupported content")
	ErrTaskUnknown          = errors.New("task unknown to the bridge")
	ErrResponseNotFound     = errors.New("no such stored response")
	ErrPreviousNotFound     = errors.New("previous response unknown to the bridge")
	ErrItemNotFound         = errors.New("referenced item unknown to the bridge")
	ErrRouteNotFound        = errors.New("no such route")
	ErrRateLimited          = errors.New("rate limit exceeded")
	ErrOverloaded           = errors.New("too many requests in flight")
	ErrDraining             = errors.New("shutting down")
	ErrAgentDisabled        = errors.New("agent disabled")
	ErrClientGone           = errors.New("client went away")
	ErrInternal             = errors.New("internal error")
	// ErrStateUnavailable is a lookup of shared state (redis.url) that
	// Redis did not answer: a continuation cannot be told from a new
	// conversation, so it is refused rather than started afresh.
	ErrStateUnavailable = shared.ErrUnavailable

	// The A2A gateway's own JSON-RPC refusals.
	ErrRPCInvalid     = errors.New("invalid JSON-RPC request")
	ErrRPCMethod      = errors.New("unknown JSON-RPC method")
	ErrVersion        = errors.New("A2A version not supported")
	ErrNoPush         = errors.New("push notifications not supported by the gateway")
	ErrNoExtendedCard = errors.New("no extended agent card on the gateway")
	ErrTaskNotYours   = errors.New("task or context unknown to this key")

	// The agent's, re-declared here for the bridge's callers.
	ErrAgentTimeout = upstream.ErrAgentTimeout
	ErrAgentDown    = upstream.ErrAgentDown
	ErrAgentStatus  = upstream.ErrAgentStatus

	// errUnclassified is the row of an error nothing else matched.
	errUnclassified = errors.New("unclassified")
	// errAgentRPC is the row of an agent's JSON-RPC error of a code the
	// table does not name.
	errAgentRPC = errors.New("agent JSON-RPC error")
)

// kind is one row of the error table: what every front door answers for
// errors that are a sentinel.
type kind struct {
	err    error
	status int    // HTTP status (the A2A gateway's JSON-RPC errors go in 200 but for its own auth)
	typ    string // OpenAI error type
	code   string // OpenAI error code, also the Responses API's
	rpc    int64  // JSON-RPC code on the A2A gateway
	grpc   string // google.rpc.Code name on the A2A REST binding
	msg    string // the client's message, when the error brings none
}

// table is the one table of errors; toError picks its row, and each front
// door's renderer reads it. Order matters only where an error is more than
// one sentinel: the first row wins.
var table = []kind{
	{ErrUnauthorized, 401, "authentication_error", "invalid_api_key", upstream.CodeServer, "UNAUTHENTICATED",
		"Incorrect or missing API key: send Authorization: Bearer <key>."},
	{ErrNotAllowed, 403, "permission_denied", "agent_not_allowed", upstream.CodeServer, "PERMISSION_DENIED",
		"This API key may not call this agent."},
	{ErrAdminOnly, 403, "permission_denied", "permission_denied", upstream.CodeServer, "PERMISSION_DENIED",
		"This route needs an admin key (admin_keys)."},
	{ErrNameInUse, 409, "invalid_request_error", "agent_exists", upstream.CodeInvalidParams, "ALREADY_EXISTS",
		"An agent of that name is registered already."},
	{ErrUnknownAgent, 404, "invalid_request_error", "model_not_found", upstream.CodeServer, "NOT_FOUND", "Unknown agent."},
	{ErrRouteNotFound, 404, "invalid_request_error", "not_found", upstream.CodeMethodNotFound, "NOT_FOUND", "Unknown path."},
	{ErrTaskUnknown, 404, "invalid_request_error", "task_not_found", upstream.CodeTaskNotFound, "NOT_FOUND", "Unknown task."},
	{ErrResponseNotFound, 404, "invalid_request_error", "not_found", upstream.CodeTaskNotFound, "NOT_FOUND", "No such response."},
	{ErrPreviousNotFound, 400, "invalid_request_error", "previous_response_not_found", upstream.CodeInvalidParams, "INVALID_ARGUMENT",
		"The previous response is not known to the bridge."},
	{ErrItemNotFound, 400, "invalid_request_error", "item_not_found", upstream.CodeInvalidParams, "INVALID_ARGUMENT",
		"The referenced item is not known to the bridge."},
	{ErrTaskNotYours, 404, "invalid_request_error", "task_not_found", upstream.CodeTaskNotFound, "NOT_FOUND", "Task not found."},
	{ErrRPCInvalid, 400, "invalid_request_error", "", upstream.CodeInvalidRequest, "INVALID_ARGUMENT", "Invalid JSON-RPC request."},
	{ErrRPCMethod, 404, "invalid_request_error", "", upstream.CodeMethodNotFound, "UNIMPLEMENTED", "Method not found."},
	{ErrVersion, 400, "invalid_request_error", "", upstream.CodeVersionNotSupported, "UNIMPLEMENTED",
		"A2A version not supported. Supported versions: 1.0, 0.3."},
	{ErrNoPush, 400, "invalid_request_error", "", upstream.CodePushNotSupported, "UNIMPLEMENTED",
		"Push notifications are not supported by the gateway."},
	{ErrNoExtendedCard, 400, "invalid_request_error", "", upstream.CodeExtendedCardNotConfigured, "FAILED_PRECONDITION",
		"The gateway serves no extended agent card."},
	{ErrBodyTooLarge, 413, "invalid_request_error", "request_too_large", upstream.CodeInvalidRequest, "INVALID_ARGUMENT",
		"The request body is too large."},
	{ErrRequestTimeout, 408, "invalid_request_error", "request_timeout", upstream.CodeInvalidRequest, "DEADLINE_EXCEEDED",
		"The request body did not arrive in time."},
	{transform.ErrInvalidJSON, 400, "invalid_request_error", "", upstream.CodeParse, "INVALID_ARGUMENT", "We could not parse the JSON body of your request."},
	{ErrInvalidRequest, 400, "invalid_request_error", "", upstream.CodeInvalidParams, "INVALID_ARGUMENT", "Invalid request."},
	{ErrUnsupportedParameter, 400, "invalid_request_error", "unsupported_parameter", upstream.CodeInvalidParams, "INVALID_ARGUMENT",
		"A parameter is not supported."},
	{ErrUnsupportedContent, 400, "invalid_request_error", "unsupported_content", upstream.CodeContentTypeNotSupported, "INVALID_ARGUMENT",
		"The agent does not accept this content."},
	{ErrRateLimited, 429, "rate_limit_exceeded", "rate_limit_exceeded", upstream.CodeServer, "RESOURCE_EXHAUSTED",
		"Rate limit exceeded; retry later."},
	{upstream.ErrRateLimited, 429, "rate_limit_exceeded", "rate_limit_exceeded", upstream.CodeServer, "RESOURCE_EXHAUSTED",
		"The agent is rate limiting requests; retry later."},
	{ErrOverloaded, 503, "overloaded", "overloaded", upstream.CodeServer, "UNAVAILABLE",
		"The bridge is serving as many requests as it may at once; retry shortly."},
	{ErrDraining, 503, "service_unavailable", "service_unavailable", upstream.CodeServer, "UNAVAILABLE",
		"The bridge is shutting down; retry on another instance."},
	{ErrAgentDisabled, 503, "service_unavailable", "agent_disabled", upstream.CodeServer, "UNAVAILABLE",
		"The agent is disabled by the bridge's operator; retry later."},
	{ErrStateUnavailable, 503, "service_unavailable", "state_unavailable", upstream.CodeServer, "UNAVAILABLE",
		"The bridge's shared state (Redis) is not answering, so this continuation cannot be looked up; retry shortly."},
	{ErrAgentTimeout, 504, "agent_timeout", "agent_timeout", upstream.CodeInternal, "DEADLINE_EXCEEDED", "The agent did not answer in time."},
	{context.DeadlineExceeded, 504, "agent_timeout", "agent_timeout", upstream.CodeInternal, "DEADLINE_EXCEEDED", "The agent did not answer in time."},

	// An agent's JSON-RPC errors, by code: its own message is passed on.
	{upstream.ErrTaskNotFound, 404, "invalid_request_error", "task_not_found", upstream.CodeTaskNotFound, "NOT_FOUND", ""},
	{upstream.ErrParse, 400, "invalid_request_error", "agent_rejected_request", upstream.CodeParse, "INVALID_ARGUMENT", ""},
	{upstream.ErrInvalidRequest, 400, "invalid_request_error", "agent_rejected_request", upstream.CodeInvalidRequest, "INVALID_ARGUMENT", ""},
	{upstream.ErrInvalidParams, 400, "invalid_request_error", "agent_rejected_request", upstream.CodeInvalidParams, "INVALID_ARGUMENT", ""},
	{upstream.ErrUnsupportedOperation, 400, "invalid_request_error", "agent_rejected_request", upstream.CodeUnsupportedOperation, "UNIMPLEMENTED", ""},
	{upstream.ErrContentTypeNotSupported, 400, "invalid_request_error", "agent_rejected_request", upstream.CodeContentTypeNotSupported, "INVALID_ARGUMENT", ""},
	{upstream.ErrVersionNotSupported, 400, "invalid_request_error", "agent_rejected_request", upstream.CodeVersionNotSupported, "UNIMPLEMENTED", ""},
	{upstream.ErrMethodNotFound, 502, "agent_error", "agent_error", upstream.CodeMethodNotFound, "UNIMPLEMENTED", ""},
	{upstream.ErrInternal, 502, "agent_error", "agent_error", upstream.CodeInternal, "INTERNAL", ""},
	{upstream.ErrTaskNotCancelable, 502, "agent_error", "agent_error", upstream.CodeTaskNotCancelable, "FAILED_PRECONDITION", ""},
	{upstream.ErrPushNotSupported, 502, "agent_error", "agent_error", upstream.CodePushNotSupported, "UNIMPLEMENTED", ""},
	{upstream.ErrInvalidAgentResponse, 502, "agent_error", "agent_error", upstream.CodeInvalidAgentResponse, "INTERNAL", ""},
	{upstream.ErrExtendedCardNotConfigured, 502, "agent_error", "agent_error", upstream.CodeExtendedCardNotConfigured, "FAILED_PRECONDITION", ""},
	{upstream.ErrExtensionSupportRequired, 502, "agent_error", "agent_error", upstream.CodeExtensionSupportRequired, "FAILED_PRECONDITION", ""},
	{errAgentRPC, 502, "agent_error", "agent_error", upstream.CodeInternal, "INTERNAL", ""},

	// A task the agent ended without an answer: its own verdict, not a
	// fault of the transport (see taskStatus).
	{errTaskFailed, 400, "agent_error", "agent_task_failed", upstream.CodeInternal, "FAILED_PRECONDITION", ""},
	{errTaskCanceled, 400, "agent_error", "agent_task_canceled", upstream.CodeInternal, "CANCELLED", ""},
	{errTaskUnknown, 400, "agent_error", "agent_task_unknown", upstream.CodeInternal, "UNKNOWN", ""},
	{errTaskRejected, 403, "agent_error", "agent_task_rejected", upstream.CodeInternal, "PERMISSION_DENIED", ""},

	// The transport and the answer: a retry may cure them.
	{upstream.ErrRedirected, 502, "agent_error", "agent_error", upstream.CodeInternal, "UNAVAILABLE",
		"The agent could not be reached: it redirected the call elsewhere, which the bridge does not follow."},
	{ErrAgentDown, 502, "agent_error", "agent_error", upstream.CodeInternal, "UNAVAILABLE", "The agent could not be reached."},
	{ErrAgentStatus, 502, "agent_error", "agent_error", upstream.CodeInternal, "UNAVAILABLE", "The agent answered with an HTTP error."},
	{transform.ErrIncomplete, 502, "agent_error", "agent_error", upstream.CodeInternal, "UNAVAILABLE", "The agent's stream ended before its task finished."},
	{transform.ErrTooLarge, 502, "agent_error", "agent_error", upstream.CodeInternal, "INTERNAL", "The agent's answer exceeded the bridge's size limit."},
	{stream.ErrEventTooLarge, 502, "agent_error", "agent_error", upstream.CodeInternal, "INTERNAL", "The agent's answer exceeded the bridge's size limit."},
	{transform.ErrBadResponse, 502, "agent_error", "agent_error", upstream.CodeInvalidAgentResponse, "INTERNAL", "The agent sent an answer the bridge could not read."},

	{ErrClientGone, statusClientClosed, "invalid_request_error", "client_closed_request", upstream.CodeInternal, "CANCELLED", "The client closed the request."},
	{context.Canceled, statusClientClosed, "invalid_request_error", "client_closed_request", upstream.CodeInternal, "CANCELLED", "The client closed the request."},
	{ErrInternal, 500, "server_error", "server_error", upstream.CodeInternal, "INTERNAL", "Internal error."},
	{errUnclassified, 500, "server_error", "", upstream.CodeInternal, "INTERNAL", "Internal error."},
}

// Sentinels of a task's end state, for its row.
var (
	errTaskFailed   = errors.New("task failed")
	errTaskCanceled = errors.New("task canceled")
	errTaskRejected = errors.New("task rejected")
	errTaskUnknown  = errors.New("task ended in an unknown state")
)

// kindOf returns the first row err is.
func kindOf(err error) *kind {
	for i := range table {
		if errors.Is(err, table[i].err) {
			return &table[i]
		}
	}
	return rowOf(errUnclassified)
}

// rowOf returns the row of a sentinel of the table.
func rowOf(sentinel error) *kind {
	for i := range table {
		if errors.Is(table[i].err, sentinel) {
			return &table[i]
		}
	}
	panic("bridge: no error table row for " + sentinel.Error())
}

// Error is what a client is told: the HTTP status, the OpenAI error type and
// code, and a message fit to show; the row of the table it comes from gives
// the other front doors' shapes. Cause is for the log only; it may name
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
	// RPCCode is the JSON-RPC code of the gateway's answer: the row's, or
	// the agent's own; Data is the agent's error data, for pass-through.
	RPCCode int64
	Data    []byte
	grpc    string
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %v", e.Msg, e.Cause)
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Cause }

// newError is the one constructor of an Error: the row of sentinel, with
// msg (the row's when empty), param and cause.
func newError(sentinel error, param, msg string, cause error) *Error {
	k := rowOf(sentinel)
	return fromKind(k, param, msg, cause)
}

func fromKind(k *kind, param, msg string, cause error) *Error {
	if msg == "" {
		msg = k.msg
	}
	return &Error{Status: k.status, Type: k.typ, Code: k.code, Param: param, Msg: msg, Cause: cause, RPCCode: k.rpc, grpc: k.grpc}
}

// toError is the one place that maps an error to what the client sees.
func toError(err error) *Error {
	var e *Error
	var reqErr *transform.RequestError
	var modelErr *transform.ModelError
	var rpcErr *upstream.RPCError
	var legacyRPC *transform.RPCError
	var httpErr *echo.HTTPError
	var taskErr *transform.TaskError
	var st *upstream.StatusError
	switch {
	case errors.As(err, &e):
		return e
	case errors.As(err, &st) && errors.Is(st, upstream.ErrRateLimited):
		// An agent's rate limit passes through, so SDKs back off as it asks.
		e := newError(upstream.ErrRateLimited, "", "", err)
		e.RetryAfter = st.RetryAfter
		return e
	case errors.Is(err, transform.ErrInvalidJSON):
		return newError(transform.ErrInvalidJSON, "", "We could not parse the JSON body of your request: "+err.Error()+".", nil)
	case errors.As(err, &reqErr):
		return newError(ErrInvalidRequest, clip(reqErr.Param, maxName), clip(reqErr.Msg, maxText), nil)
	case errors.As(err, &modelErr):
		// The name is the caller's, of any length: clipped, or a 1 MB name is echoed whole.
		return newError(ErrUnknownAgent, "model", (&transform.ModelError{Model: clip(modelErr.Model, maxName)}).Error(), nil)
	case errors.Is(err, ErrBodyTooLarge):
		return newError(ErrBodyTooLarge, "", err.Error(), nil)
	case errors.As(err, &rpcErr):
		return agentRPCError(rpcErr.Code, rpcErr.Message, rpcErr.Data, err)
	case errors.As(err, &legacyRPC): // read by transform alone (replays)
		return agentRPCError(legacyRPC.Code, legacyRPC.Message, nil, err)
	case errors.As(err, &taskErr):
		return newError(taskSentinel(taskErr.State), "", taskMessage(taskErr), err)
	case errors.Is(err, ErrUnauthorized):
		return newError(ErrUnauthorized, "", "", nil)
	}
	if k := kindOf(err); !errors.Is(k.err, errUnclassified) {
		return fromKind(k, "", "", err)
	}
	if errors.As(err, &httpErr) { // Echo's own: 404 and 405 of the router
		e := newError(ErrInvalidRequest, "", clip(fmt.Sprint(httpErr.Message), maxText), err)
		e.Status = httpErr.Code
		return e
	}
	return newError(errUnclassified, "", "", err)
}

// agentRPCError maps an agent's JSON-RPC error. Its message is the agent's
// own and is passed on, as agents write it for their callers: scrubbed of
// secrets where it was read (Target.Redact), and bounded here again.
func agentRPCError(code int64, message string, data []byte, err error) *Error {
	k := rowOf(errAgentRPC)
	if s := upstream.ErrorOf(code); s != nil {
		k = kindOf(s)
	}
	e := fromKind(k, "", fmt.Sprintf("The agent answered error %d: %s", code, clip(message, maxText)), err)
	e.RPCCode, e.Data = code, data
	return e
}

// taskSentinel is the row of a task that ended failed, rejected or
// canceled: the agent's own verdict, not a fault of the transport, and one
// that no client retries on its default settings (running the task again
// could repeat its side effects). The AI SDK retries every status >= 500,
// 408 and 409 whatever x-should-retry says; LangChain.js retries all but
// 400-407, 409 and 413. So: 403 for a task the agent rejected (it will not
// do it), 400 for one that failed or was canceled. 502 and 504 stay for the
// transport (an agent down, cut or slow), which a retry may cure.
func taskSentinel(s transform.State) error {
	switch s {
	case transform.StateRejected:
		return errTaskRejected
	case transform.StateCanceled:
		return errTaskCanceled
	case transform.StateFailed:
		return errTaskFailed
	}
	return errTaskUnknown
}

// taskMessage says how the agent's task ended, with its status text:
// scrubbed where it was read (Agent.scrub), and bounded here again.
func taskMessage(e *transform.TaskError) string {
	return capitalize((&transform.TaskError{State: e.State, Text: clip(e.Text, maxText)}).Error()) + "."
}

// handleError is Echo's HTTPErrorHandler: one error, once, in OpenAI shape
// (the A2A gateway's routes in theirs, gatewayError).
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
	if gatewayError(c, e) { // the A2A gateway's routes answer in their own shapes
		return
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

// statusClientClosed is the status logged for a client that went away
// (nginx's 499): never sent, since no one is there to read it.
const statusClientClosed = 499
