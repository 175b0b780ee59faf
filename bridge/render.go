package bridge

import (
	"encoding/json"
	"net/http"

	"github.com/a2a-bridge/a2a-bridge/transform"
)

// One renderer per front door, each over the Error that toError made from
// the one table (errors.go).

// Body returns the OpenAI error JSON for e (chat completions, models).
func (e *Error) Body() []byte { return transform.ErrorBody(e.Msg, e.Type, e.Param, e.Code) }

// RPCBody returns the JSON-RPC 2.0 error response for e, answering the
// request of id (raw JSON; null when empty), for the A2A gateway. The
// agent's own error data is passed on when it sent some.
func (e *Error) RPCBody(id json.RawMessage) []byte {
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	type rpcErr struct {
		Code    int64           `json:"code"`
		Message string          `json:"message"`
		Data    json.RawMessage `json:"data,omitempty"`
	}
	var data json.RawMessage
	if json.Valid(e.Data) {
		data = e.Data
	}
	b, _ := json.Marshal(struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   rpcErr          `json:"error"`
	}{"2.0", id, rpcErr{e.RPCCode, e.Msg, data}})
	return b
}

// StatusBody returns the google.rpc.Status error of the A2A HTTP+JSON
// (REST) binding: {"error":{"code":<HTTP status>,"status":"NOT_FOUND",
// "message":…,"details":[]}}.
func (e *Error) StatusBody() []byte {
	status := e.grpc
	if status == "" {
		status = grpcOfHTTP(e.Status)
	}
	b, _ := json.Marshal(struct {
		Error struct {
			Code    int               `json:"code"`
			Status  string            `json:"status"`
			Message string            `json:"message"`
			Details []json.RawMessage `json:"details"`
		} `json:"error"`
	}{Error: struct {
		Code    int               `json:"code"`
		Status  string            `json:"status"`
		Message string            `json:"message"`
		Details []json.RawMessage `json:"details"`
	}{e.Status, status, e.Msg, []json.RawMessage{}}})
	return b
}

// grpcOfHTTP is the google.rpc.Code of an HTTP status, for an Error made
// elsewhere than from a row (Echo's own 404 and 405).
func grpcOfHTTP(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "INVALID_ARGUMENT"
	case http.StatusUnauthorized:
		return "UNAUTHENTICATED"
	case http.StatusForbidden:
		return "PERMISSION_DENIED"
	case http.StatusNotFound:
		return "NOT_FOUND"
	case http.StatusMethodNotAllowed, http.StatusNotImplemented:
		return "UNIMPLEMENTED"
	case http.StatusTooManyRequests:
		return "RESOURCE_EXHAUSTED"
	case http.StatusServiceUnavailable:
		return "UNAVAILABLE"
	case http.StatusGatewayTimeout:
		return "DEADLINE_EXCEEDED"
	}
	return "INTERNAL"
}

// responseError is the error object of the Responses API: the member
// "error" of a response.failed response, {code, message}.
type responseError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// code is e's code for the Responses API, never empty (its clients read
// it as a string): the OpenAI code, else the type.
func (e *Error) code() string {
	if e.Code != "" {
		return e.Code
	}
	return e.Type
}

// ResponseError returns the error object of a failed response:
// {"code":…,"message":…}.
func (e *Error) ResponseError() []byte {
	b, _ := json.Marshal(responseError{e.code(), e.Msg})
	return b
}

// ErrorEvent returns the Responses API stream's "error" event:
// {"type":"error","code","message","param","sequence_number"}.
func (e *Error) ErrorEvent(seq int) []byte {
	var param *string
	if e.Param != "" {
		param = &e.Param
	}
	b, _ := json.Marshal(struct {
		Type     string  `json:"type"`
		Code     string  `json:"code"`
		Message  string  `json:"message"`
		Param    *string `json:"param"`
		Sequence int     `json:"sequence_number"`
	}{"error", e.code(), e.Msg, param, seq})
	return b
}
