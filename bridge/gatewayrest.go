package bridge

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a2a-bridge/a2a-bridge/bridge/upstream"
	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/labstack/echo/v4"
	"github.com/tidwall/gjson"
)

// The A2A 1.0 HTTP+JSON (REST) binding of the gateway, under
// /a2a/{agent}/v1. It is a thin adapter: each REST call is made the
// JSON-RPC 1.0 call the gateway already serves (g.door(g.rpc): keys, the
// allow-list, ownership, limits and the upstream client all shared), and
// its answer is unwrapped on the way out: the JSON-RPC result is the bare
// REST body, each event of a stream a bare StreamResponse, and an error a
// google.rpc.Status with its HTTP status.

// restBase is the REST binding's route prefix, the card's HTTP+JSON URL.
const restBase = "/a2a/:agent/v1"

// restRoutes registers the REST binding's routes on e. Echo reads a colon
// as a parameter, so "message:send" and "{id}:cancel" are parameters
// split here.
func (g *gateway) restRoutes(e *echo.Echo) {
	e.POST(restBase+"/:call", g.rest(restMessage))
	e.GET(restBase+"/tasks", g.rest(restList))
	e.GET(restBase+"/tasks/:task", g.rest(restTaskGet))
	e.POST(restBase+"/tasks/:task", g.rest(restTaskPost))
	e.Any(restBase+"/tasks/:task/pushNotificationConfigs", g.rest(restPush))
	e.Any(restBase+"/tasks/:task/pushNotificationConfigs/*", g.rest(restPush))
	e.GET(restBase+"/extendedAgentCard", g.rest(restExtendedCard))
	e.RouteNotFound(restBase+"/*", func(c echo.Context) error {
		writeREST(c, newError(ErrRouteNotFound, "", "Unknown path "+clip(c.Request().URL.Path, maxLogged)+".", nil))
		return nil
	})
}

// restRPC is the JSON-RPC call a REST call is: its method, and its params,
// either given whole or, for a message, the request body itself.
type restRPC struct {
	method string
	params map[string]any // nil: the request body is the params
}

// rpcID is the id of the JSON-RPC calls the REST binding makes; no REST
// client sees it.
const rpcID = `"rest"`

// rest serves one REST route: op says which JSON-RPC call it is, and the
// gateway serves that call with its answer unwrapped.
func (g *gateway) rest(op func(echo.Context) (restRPC, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		call, err := op(c)
		if err != nil {
			writeREST(c, bounded(toError(err)))
			return nil
		}
		r := c.Request()
		if call.params == nil {
			prefix := `{"jsonrpc":"2.0","id":` + rpcID + `,"method":"` + call.method + `","params":`
			r.Body = struct {
				io.Reader
				io.Closer
			}{io.MultiReader(strings.NewReader(prefix), r.Body, strings.NewReader("}")), r.Body}
			if r.ContentLength >= 0 {
				r.ContentLength += int64(len(prefix) + 1)
			}
		} else {
			body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": json.RawMessage(rpcID), "method": call.method, "params": call.params})
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		}
		if r.Header.Get("A2A-Version") == "" && r.URL.Query().Get("A2A-Version") == "" {
			r.Header.Set("A2A-Version", "1.0") // the REST binding is 1.0's
		}
		res := c.Response()
		w := &restWriter{ResponseWriter: res.Writer, c: c}
		res.Writer = w
		defer func() { res.Writer = w.ResponseWriter }() // a panic's 500 too goes to the client
		err = g.door(g.rpc)(c)
		w.finish()
		res.Status = w.sent
		return err
	}
}

// restMessage is POST message:send and message:stream.
func restMessage(c echo.Context) (restRPC, error) {
	switch c.Param("call") {
	case "message:send":
		return restRPC{method: "SendMessage"}, nil
	case "message:stream":
		return restRPC{method: "SendStreamingMessage"}, nil
	}
	return restRPC{}, restNotFound(c)
}

// restTaskGet is GET tasks/{id} and GET tasks/{id}:subscribe.
func restTaskGet(c echo.Context) (restRPC, error) {
	raw := c.Param("task")
	if id, ok := strings.CutSuffix(raw, ":subscribe"); ok {
		return restRPC{method: "SubscribeToTask", params: map[string]any{"id": taskParam(c, id)}}, nil
	}
	p := map[string]any{"id": taskParam(c, raw)}
	if err := intQuery(c, p, "historyLength"); err != nil {
		return restRPC{}, err
	}
	return restRPC{method: "GetTask", params: p}, nil
}

// restTaskPost is POST tasks/{id}:cancel and tasks/{id}:subscribe.
func restTaskPost(c echo.Context) (restRPC, error) {
	raw := c.Param("task")
	if id, ok := strings.CutSuffix(raw, ":cancel"); ok {
		return restRPC{method: "CancelTask", params: map[string]any{"id": taskParam(c, id)}}, nil
	}
	if id, ok := strings.CutSuffix(raw, ":subscribe"); ok {
		return restRPC{method: "SubscribeToTask", params: map[string]any{"id": taskParam(c, id)}}, nil
	}
	return restRPC{}, restNotFound(c)
}

// restList is GET tasks: ListTasks, its filters from the query.
func restList(c echo.Context) (restRPC, error) {
	p := map[string]any{}
	q := c.QueryParams()
	for _, k := range []string{"contextId", "status", "pageToken", "statusTimestampAfter"} {
		if v := q.Get(k); v != "" {
			p[k] = v
		}
	}
	if v := q.Get("lastUpdatedAfter"); v != "" { // a2a-go/v2's name of it
		p["statusTimestampAfter"] = v
	}
	for _, k := range []string{"pageSize", "historyLength"} {
		if err := intQuery(c, p, k); err != nil {
			return restRPC{}, err
		}
	}
	if v := q.Get("includeArtifacts"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return restRPC{}, newError(ErrInvalidRequest, "includeArtifacts", "includeArtifacts must be true or false.", nil)
		}
		p["includeArtifacts"] = b
	}
	return restRPC{method: "ListTasks", params: p}, nil
}

// restPush is the push notification config routes: the gateway serves no
// push notifications (-32003, after auth as every call).
func restPush(echo.Context) (restRPC, error) {
	return restRPC{method: "CreateTaskPushNotificationConfig", params: map[string]any{}}, nil
}

// restExtendedCard is GET extendedAgentCard: none on the gateway (-32007).
func restExtendedCard(echo.Context) (restRPC, error) {
	return restRPC{method: "GetExtendedAgentCard", params: map[string]any{}}, nil
}

func restNotFound(c echo.Context) error {
	return newError(ErrRouteNotFound, "", "Unknown path "+clip(c.Request().URL.Path, maxLogged)+".", nil)
}

// taskParam is the task id of a path parameter, unescaped when the path
// came escaped (Echo matches the raw path then).
func taskParam(c echo.Context, p string) string {
	if c.Request().URL.RawPath == "" {
		return p
	}
	if u, err := url.PathUnescape(p); err == nil {
		return u
	}
	return p
}

// intQuery copies the query parameter k into p as an integer: 400 naming
// it when it is none.
func intQuery(c echo.Context, p map[string]any, k string) error {
	v := c.QueryParam(k)
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return newError(ErrInvalidRequest, k, k+" must be an integer.", nil)
	}
	p[k] = n
	return nil
}

// restWriter stands between the JSON-RPC door and the REST client: it
// keeps a JSON answer whole and unwraps it in finish; a stream's events it
// unwraps as they come, each flushed on. A stream whose first event is an
// error is answered as an error (an HTTP status), not as a stream.
type restWriter struct {
	http.ResponseWriter // the client's
	c                   echo.Context
	sse                 bool   // the door answers with an event stream
	started             bool   // the REST stream's header went out
	failed              *Error // a stream's first event, an error: answered in finish
	buf                 []byte // a JSON answer; a stream's unfinished event
	sent                int    // the status the client got
}

// WriteHeader notes whether the door's answer is a stream; the client's
// status comes later, from the answer.
func (w *restWriter) WriteHeader(int) {
	w.sse = strings.HasPrefix(w.Header().Get("Content-Type"), "text/event-stream")
}

func (w *restWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	if !w.sse {
		return len(p), nil
	}
	for {
		i := bytes.Index(w.buf, []byte("\n\n"))
		if i < 0 {
			return len(p), nil
		}
		ev := w.buf[:i]
		err := w.event(ev)
		w.buf = w.buf[i+2:]
		if err != nil {
			return 0, err
		}
	}
}

// event writes one event of the door's stream (a keepalive comment, or
// one "data: {JSON-RPC response}") as the REST stream's. An event that is
// neither (an agent's frame that is no JSON-RPC response, relayed as it
// came) is the REST stream's error: the agent's answer is unreadable.
func (w *restWriter) event(ev []byte) error {
	if bytes.HasPrefix(ev, []byte(":")) && bytes.IndexByte(ev, '\n') < 0 { // a comment
		w.start()
		_, err := w.ResponseWriter.Write(append(append([]byte{}, ev...), "\n\n"...))
		return err
	}
	if w.failed != nil {
		return nil
	}
	data, ok := bytes.CutPrefix(ev, []byte("data: "))
	res := gjson.ParseBytes(data)
	if !ok || !gjson.ValidBytes(data) || !res.Get("error").Exists() && !res.Get("result").Exists() {
		return w.streamError(newError(transform.ErrBadResponse, "", "", nil))
	}
	if res.Get("error").Exists() {
		return w.streamError(w.rpcErr(res))
	}
	w.start()
	_, err := w.ResponseWriter.Write(append(append([]byte("data: "), compact([]byte(res.Get("result").Raw))...), "\n\n"...))
	return err
}

// streamError is e as the REST stream's error: the answer itself when
// the stream has not started, else an error event.
func (w *restWriter) streamError(e *Error) error {
	if !w.started {
		w.failed = e
		return nil
	}
	_, err := w.ResponseWriter.Write(append(append([]byte("event: error\ndata: "), restBody(e, restStatus(e))...), "\n\n"...))
	return err
}

// Flush flushes what went to the client.
func (w *restWriter) Flush() {
	if w.started {
		_ = http.NewResponseController(w.ResponseWriter).Flush()
	}
}

// Unwrap is the client's writer, for http.ResponseController.
func (w *restWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// start sends the REST stream's header, once.
func (w *restWriter) start() {
	if !w.started {
		w.started, w.sent = true, http.StatusOK
		w.ResponseWriter.WriteHeader(http.StatusOK)
	}
}

// finish answers what the door answered: a JSON answer's result or error,
// or the error a stream began with.
func (w *restWriter) finish() {
	switch {
	case w.started:
		return
	case w.failed != nil:
		w.fail(w.failed)
		return
	case w.sse: // a stream that sent nothing
		w.start()
		return
	}
	res := gjson.ParseBytes(w.buf)
	switch {
	case res.Get("error").Exists():
		w.fail(w.rpcErr(res))
	case !gjson.ValidBytes(w.buf) || !res.Get("result").Exists(): // an agent's answer relayed as it came
		w.fail(newError(transform.ErrBadResponse, "", "", nil))
	default:
		w.Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
		w.Header().Del(echo.HeaderContentLength)
		w.sent = http.StatusOK
		w.ResponseWriter.WriteHeader(http.StatusOK)
		_, _ = w.ResponseWriter.Write([]byte(res.Get("result").Raw))
	}
}

// fail answers e as the REST call's answer: its HTTP status and a
// google.rpc.Status, as JSON (a stream's headers undone).
func (w *restWriter) fail(e *Error) {
	for _, k := range []string{"Cache-Control", "Connection", "X-Accel-Buffering", echo.HeaderContentLength} {
		w.Header().Del(k)
	}
	w.sent = restStatus(e)
	w.Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	w.ResponseWriter.WriteHeader(w.sent)
	_, _ = w.ResponseWriter.Write(restBody(e, w.sent))
}

// rpcErr is the Error of the door's JSON-RPC error res: the one the door
// rendered (it keeps it for the log), else one of the code and message.
func (w *restWriter) rpcErr(res gjson.Result) *Error {
	if e := infoOf(w.c).err; e != nil {
		return e
	}
	e := agentRPCError(res.Get("error.code").Int(), "", nil, nil)
	e.Msg = clip(res.Get("error.message").String(), maxText)
	return e
}

// writeREST answers e in the REST binding's shape, outside the door.
func writeREST(c echo.Context, e *Error) {
	infoOf(c).err = e
	if c.Response().Committed {
		return
	}
	if e.RetryAfter != "" {
		c.Response().Header().Set("Retry-After", e.RetryAfter)
	}
	status := restStatus(e)
	_ = c.Blob(status, echo.MIMEApplicationJSON, restBody(e, status))
}

// restStatus is the HTTP status of e on the REST binding: its own, but
// that an agent's refusal of the caller's request (a task it will not
// cancel, an operation it does not serve) is the caller's 400, as A2A's
// REST binding has it, not the bridge's 502.
func restStatus(e *Error) int {
	switch e.RPCCode {
	case upstream.CodeTaskNotFound:
		return http.StatusNotFound
	case upstream.CodeTaskNotCancelable, upstream.CodePushNotSupported, upstream.CodeUnsupportedOperation,
		upstream.CodeContentTypeNotSupported, upstream.CodeExtendedCardNotConfigured,
		upstream.CodeExtensionSupportRequired, upstream.CodeVersionNotSupported:
		if e.Status >= 500 {
			return http.StatusBadRequest
		}
	}
	return e.Status
}

// restReasons are the google.rpc.ErrorInfo reasons of A2A's errors, by
// JSON-RPC code: what the REST clients (a2a-go/v2, @a2a-js/sdk 1.x) read
// the kind of an error from.
var restReasons = map[int64]string{
	upstream.CodeParse:                     "PARSE_ERROR",
	upstream.CodeInvalidRequest:            "INVALID_REQUEST",
	upstream.CodeMethodNotFound:            "METHOD_NOT_FOUND",
	upstream.CodeInvalidParams:             "INVALID_PARAMS",
	upstream.CodeInternal:                  "INTERNAL_ERROR",
	upstream.CodeTaskNotFound:              "TASK_NOT_FOUND",
	upstream.CodeTaskNotCancelable:         "TASK_NOT_CANCELABLE",
	upstream.CodePushNotSupported:          "PUSH_NOTIFICATION_NOT_SUPPORTED",
	upstream.CodeUnsupportedOperation:      "UNSUPPORTED_OPERATION",
	upstream.CodeContentTypeNotSupported:   "CONTENT_TYPE_NOT_SUPPORTED",
	upstream.CodeInvalidAgentResponse:      "INVALID_AGENT_RESPONSE",
	upstream.CodeExtendedCardNotConfigured: "EXTENDED_AGENT_CARD_NOT_CONFIGURED",
	upstream.CodeExtensionSupportRequired:  "EXTENSION_SUPPORT_REQUIRED",
	upstream.CodeVersionNotSupported:       "VERSION_NOT_SUPPORTED",
}

// restReason is e's ErrorInfo reason: the A2A one of its code, the
// gateway's own auth as A2A names it, else none.
func restReason(e *Error, status int) string {
	switch status {
	case http.StatusUnauthorized:
		return "UNAUTHENTICATED"
	case http.StatusForbidden:
		if e.RPCCode == upstream.CodeServer {
			return "UNAUTHORIZED"
		}
	}
	return restReasons[e.RPCCode]
}

// restError is the google.rpc.Status of the REST binding.
type restError struct {
	Code    int               `json:"code"`
	Status  string            `json:"status"`
	Message string            `json:"message"`
	Details []json.RawMessage `json:"details"`
}

// restBody is e as a google.rpc.Status of HTTP status status:
// {"error":{"code","status","message","details":[ErrorInfo]}}, the
// ErrorInfo naming A2A's reason when e has one.
func restBody(e *Error, status int) []byte {
	grpc := e.grpc
	if grpc == "" {
		grpc = grpcOfHTTP(status)
	}
	details := []json.RawMessage{}
	if reason := restReason(e, status); reason != "" {
		info, _ := json.Marshal(map[string]string{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
			"reason": reason, "domain": "a2a-protocol.org"})
		details = append(details, info)
	}
	b, _ := json.Marshal(struct {
		Error restError `json:"error"`
	}{restError{status, grpc, e.Msg, details}})
	return b
}

// gatewayError answers e, an error raised before the gateway's own
// handlers (the bound on requests in flight, draining), in
// the shape of the gateway door the request came to: a google.rpc.Status
// on the REST binding, a JSON-RPC error (id null, the HTTP status kept) on
// the JSON-RPC routes and the cards. It reports whether the request was
// the gateway's; handleError answers the others.
func gatewayError(c echo.Context, e *Error) bool {
	switch p := c.Path(); {
	case p == restBase || strings.HasPrefix(p, restBase+"/"):
		status := restStatus(e)
		_ = c.Blob(status, echo.MIMEApplicationJSON, restBody(e, status))
	case p == "/a2a/:agent" || strings.HasPrefix(p, "/a2a/:agent/") || strings.HasPrefix(p, "/v1/a2a/:agent/"):
		_ = c.Blob(e.Status, echo.MIMEApplicationJSON, e.RPCBody(nil))
	default:
		return false
	}
	return true
}
