package upstream

import "errors"

// JSON-RPC error codes: JSON-RPC 2.0's own and A2A's (0.3 and 1.0). This
// file is the one place that names them; everything else matches the
// sentinels with errors.Is.
const (
	CodeParse                     = -32700
	CodeInvalidRequest            = -32600
	CodeMethodNotFound            = -32601
	CodeInvalidParams             = -32602
	CodeInternal                  = -32603
	CodeServer                    = -32000 // implementation-defined: the bridge's own conditions (unknown agent, rate limit)
	CodeTaskNotFound              = -32001
	CodeTaskNotCancelable         = -32002
	CodePushNotSupported          = -32003
	CodeUnsupportedOperation      = -32004
	CodeContentTypeNotSupported   = -32005
	CodeInvalidAgentResponse      = -32006
	CodeExtendedCardNotConfigured = -32007
	CodeExtensionSupportRequired  = -32008
	CodeVersionNotSupported       = -32009
)

// Sentinels of the JSON-RPC codes: an *RPCError of a code unwraps to its
// sentinel, so errors.Is(err, ErrTaskNotFound) holds for an agent's -32001.
var (
	ErrParse                     = errors.New("JSON parse error")
	ErrInvalidRequest            = errors.New("invalid JSON-RPC request")
	ErrMethodNotFound            = errors.New("method not found")
	ErrInvalidParams             = errors.New("invalid params")
	ErrInternal                  = errors.New("internal error")
	ErrTaskNotFound              = errors.New("task not found")
	ErrTaskNotCancelable         = errors.New("task not cancelable")
	ErrPushNotSupported          = errors.New("push notifications not supported")
	ErrUnsupportedOperation      = errors.New("unsupported operation")
	ErrContentTypeNotSupported   = errors.New("content type not supported")
	ErrInvalidAgentResponse      = errors.New("invalid agent response")
	ErrExtendedCardNotConfigured = errors.New("authenticated extended card not configured")
	ErrExtensionSupportRequired  = errors.New("extension support required")
	ErrVersionNotSupported       = errors.New("version not supported")
)

// Codes is the table of JSON-RPC codes and their sentinels, both ways.
var Codes = []struct {
	Code int64
	Err  error
}{
	{CodeParse, ErrParse},
	{CodeInvalidRequest, ErrInvalidRequest},
	{CodeMethodNotFound, ErrMethodNotFound},
	{CodeInvalidParams, ErrInvalidParams},
	{CodeInternal, ErrInternal},
	{CodeTaskNotFound, ErrTaskNotFound},
	{CodeTaskNotCancelable, ErrTaskNotCancelable},
	{CodePushNotSupported, ErrPushNotSupported},
	{CodeUnsupportedOperation, ErrUnsupportedOperation},
	{CodeContentTypeNotSupported, ErrContentTypeNotSupported},
	{CodeInvalidAgentResponse, ErrInvalidAgentResponse},
	{CodeExtendedCardNotConfigured, ErrExtendedCardNotConfigured},
	{CodeExtensionSupportRequired, ErrExtensionSupportRequired},
	{CodeVersionNotSupported, ErrVersionNotSupported},
}

// ErrorOf returns the sentinel of a JSON-RPC code, or nil.
func ErrorOf(code int64) error {
	for _, c := range Codes {
		if c.Code == code {
			return c.Err
		}
	}
	return nil
}

// CodeOf returns the JSON-RPC code of the first sentinel of the table err
// is, and whether there is one.
func CodeOf(err error) (int64, bool) {
	var rpc *RPCError
	if errors.As(err, &rpc) {
		return rpc.Code, true
	}
	for _, c := range Codes {
		if errors.Is(err, c.Err) {
			return c.Code, true
		}
	}
	return 0, false
}

// wrongDialect reports whether err says the agent speaks the other
// dialect: method not found, version not supported, HTTP 404 or 405.
func wrongDialect(err error) bool {
	var st *StatusError
	if errors.As(err, &st) {
		return st.Code == 404 || st.Code == 405
	}
	return errors.Is(err, ErrMethodNotFound) || errors.Is(err, ErrVersionNotSupported)
}

// streamRefused reports whether err says the agent cannot stream: the
// operation is unsupported or the method unknown.
func streamRefused(err error) bool {
	return errors.Is(err, ErrUnsupportedOperation) || errors.Is(err, ErrMethodNotFound)
}
