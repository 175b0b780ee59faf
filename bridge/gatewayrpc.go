package bridge

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/a2a-bridge/a2a-bridge/bridge/upstream"
	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/tidwall/gjson"
)

// gwOp is what a gateway method does, in either dialect.
type gwOp int

const (
	opSend gwOp = iota
	opStream
	opGet
	opCancel
	opSubscribe
	opList
	opPush
	opExtendedCard
)

// gwMethod is one JSON-RPC method the gateway serves.
type gwMethod struct {
	op      gwOp
	dialect transform.Dialect
}

// gwMethods are the methods of A2A 0.3 and 1.0.
var gwMethods = map[string]gwMethod{
	"message/send":                        {opSend, transform.V03},
	"message/stream":                      {opStream, transform.V03},
	"tasks/get":                           {opGet, transform.V03},
	"tasks/cancel":                        {opCancel, transform.V03},
	"tasks/resubscribe":                   {opSubscribe, transform.V03},
	"tasks/pushNotificationConfig/set":    {opPush, transform.V03},
	"tasks/pushNotificationConfig/get":    {opPush, transform.V03},
	"tasks/pushNotificationConfig/list":   {opPush, transform.V03},
	"tasks/pushNotificationConfig/delete": {opPush, transform.V03},
	"agent/getAuthenticatedExtendedCard":  {opExtendedCard, transform.V03},
	"SendMessage":                         {opSend, transform.V10},
	"SendStreamingMessage":                {opStream, transform.V10},
	"GetTask":                             {opGet, transform.V10},
	"ListTasks":                           {opList, transform.V10},
	"CancelTask":                          {opCancel, transform.V10},
	"SubscribeToTask":                     {opSubscribe, transform.V10},
	"CreateTaskPushNotificationConfig":    {opPush, transform.V10},
	"GetTaskPushNotificationConfig":       {opPush, transform.V10},
	"ListTaskPushNotificationConfigs":     {opPush, transform.V10},
	"DeleteTaskPushNotificationConfig":    {opPush, transform.V10},
	"GetExtendedAgentCard":                {opExtendedCard, transform.V10},
}

// parseRPC reads call.body, a JSON-RPC 2.0 request, into call: -32700 for
// no JSON, -32600 for no request, -32601 for an unknown method, -32009 for
// an A2A-Version neither dialect is (or a method of A2A 0.1), -32602 for
// params that are no object.
func parseRPC(r *http.Request, call *rpcCall) error {
	if err := transform.CheckJSON(call.body); err != nil { // gjson.ValidBytes alone overflowed the stack
		return err
	}
	root := gjson.ParseBytes(call.body)
	if !root.IsObject() {
		return newError(ErrRPCInvalid, "", "Invalid JSON-RPC request: not an object (batches are not served).", nil)
	}
	if name, dup := transform.RPCDuplicate(root); dup {
		return newError(ErrRPCInvalid, "", fmt.Sprintf("Invalid JSON-RPC request: the member %q appears more than once: "+
			"JSON readers disagree on which one counts, so send it once.", clip(name, maxName)), nil)
	}
	if id := root.Get("id"); id.Exists() {
		if id.Type != gjson.String && id.Type != gjson.Number && id.Type != gjson.Null {
			return newError(ErrRPCInvalid, "", "Invalid JSON-RPC request: id must be a string, a number or null.", nil)
		}
		call.id = json.RawMessage(id.Raw)
	}
	m := root.Get("method")
	if root.Get("jsonrpc").String() != "2.0" || m.Type != gjson.String {
		return newError(ErrRPCInvalid, "", `Invalid JSON-RPC request: it needs "jsonrpc": "2.0" and a method.`, nil)
	}
	call.method = strings.Clone(clip(m.String(), maxName))
	method, ok := gwMethods[m.String()]
	if legacyMethods[m.String()] {
		return newError(ErrVersion, "", "A2A 0.1 ("+call.method+") is not supported. Supported versions: 1.0, 0.3.", nil)
	}
	if !ok {
		return newError(ErrRPCMethod, "", "Method not found: "+call.method+".", nil)
	}
	call.op, call.dialect = method.op, method.dialect
	call.stream = method.op == opStream || method.op == opSubscribe
	if err := checkVersion(r, method.dialect); err != nil {
		return err
	}
	call.params = root.Get("params")
	if call.params.Exists() && !call.params.IsObject() {
		return newError(ErrInvalidRequest, "", "Invalid params: params must be an object.", nil)
	}
	switch method.op {
	case opPush:
		return newError(ErrNoPush, "", "", nil)
	case opExtendedCard:
		return newError(ErrNoExtendedCard, "", "", nil)
	}
	return nil
}

// checkVersion refuses an A2A-Version (header, else ?A2A-Version=) that is
// neither 0.3 nor 1.0: only Major.Minor is sent. A 1.0 method name makes
// the call 1.0 whatever was sent (a client that sends no header).
func checkVersion(r *http.Request, d transform.Dialect) error {
	v := r.Header.Get("A2A-Version")
	if v == "" {
		v = r.URL.Query().Get("A2A-Version")
	}
	switch v {
	case "", "0.3", "1.0":
		return nil
	}
	return newError(ErrVersion, "", "A2A version "+clip(v, 16)+" is not supported. Supported versions: 1.0, 0.3.", nil)
}

// Owned ids of a call's agent.
func taskKey(call *rpcCall, id string) ownedKey    { return ownedKey{call.agent.Name, 't', id} }
func contextKey(call *rpcCall, id string) ownedKey { return ownedKey{call.agent.Name, 'c', id} }

// checkOwner answers -32001 for a call that names a task or context the
// caller does not own, exactly as for a task that does not exist: the
// task of get, cancel and subscribe must be the caller's; a message's
// taskId must be the caller's, and its contextId no other key's. With no
// keys configured every call is the same caller's, and the agent decides.
func (g *gateway) checkOwner(call *rpcCall) error {
	if call.owner == "" {
		return nil
	}
	ctx := context.Background() // each lookup is bounded by the shared state's own timeout
	var k ownedKey
	switch call.op {
	case opGet, opCancel, opSubscribe:
		k = taskKey(call, call.params.Get("id").String())
	case opSend, opStream:
		msg := call.params.Get("message")
		if id := msg.Get("taskId").String(); id != "" {
			if err := g.owns(ctx, call, taskKey(call, id)); err != nil {
				return err
			}
		}
		if id := msg.Get("contextId").String(); id != "" {
			// A context no key owns yet becomes the caller's.
			ok, err := g.owners.claimed(ctx, call.owner, contextKey(call, id))
			if err != nil {
				return newError(ErrStateUnavailable, "", "", err)
			}
			if !ok {
				return newError(ErrTaskNotYours, "", "", nil)
			}
		}
		return nil
	case opList:
		id := call.params.Get("contextId").String()
		if id == "" {
			return nil
		}
		k = contextKey(call, id)
	default:
		return nil
	}
	return g.owns(ctx, call, k)
}

// owns answers nil when call's caller owns k, -32001 when it does not
// (exactly as for a task that does not exist), and state_unavailable when
// the shared state (redis.url) cannot say.
func (g *gateway) owns(ctx context.Context, call *rpcCall, k ownedKey) error {
	who, ok, err := g.owners.ownerOf(ctx, k)
	if err != nil {
		return newError(ErrStateUnavailable, "", "", err)
	}
	if !ok || who != call.owner {
		return newError(ErrTaskNotYours, "", "", nil)
	}
	return nil
}

// claim records the task and context of ev as the caller's.
func (g *gateway) claim(call *rpcCall, ev transform.Event) {
	if call.owner == "" {
		return
	}
	// A claim the shared state could not record is lost, and logged: the
	// answer is the caller's already; a later call naming the task is 503
	// while Redis is down, and -32001 after.
	ctx := context.Background()
	for _, k := range []ownedKey{taskKey(call, ev.TaskID), contextKey(call, ev.ContextID)} {
		if _, err := g.owners.claimed(ctx, call.owner, k); err != nil {
			g.s.log.Warn().Str("agent", call.agent.Name).Msg("gateway task ownership not recorded: the shared state is not answering")
			return
		}
	}
}

// ownTasks cuts a ListTasks answer to the caller's tasks.
func (g *gateway) ownTasks(call *rpcCall, body []byte) []byte {
	if call.owner == "" {
		return body
	}
	var resp map[string]json.RawMessage
	var result map[string]json.RawMessage
	if json.Unmarshal(body, &resp) != nil || json.Unmarshal(resp["result"], &result) != nil {
		return body
	}
	mine := []json.RawMessage{}
	gjson.ParseBytes(result["tasks"]).ForEach(func(_, t gjson.Result) bool {
		if g.owns(context.Background(), call, taskKey(call, t.Get("id").String())) == nil { // unknown: not listed
			mine = append(mine, json.RawMessage(t.Raw))
		}
		return true
	})
	result["tasks"], _ = json.Marshal(mine)
	if _, ok := result["totalSize"]; ok {
		result["totalSize"], _ = json.Marshal(len(mine))
	}
	resp["result"], _ = json.Marshal(result)
	out, _ := json.Marshal(resp)
	return out
}

// legacyMethods are the methods of A2A 0.1, a version neither dialect of
// the gateway is: -32009, not -32601, so that the caller learns why.
var legacyMethods = map[string]bool{"tasks/send": true, "tasks/sendSubscribe": true}

// translate marks call for translation to t's dialect, the agent's, when
// the agent does not speak the caller's: the request goes up translated,
// every answer and event comes back in the caller's dialect. ListTasks
// has no 0.3 method, and the gateway keeps no task store to answer it
// from (its owner map knows only the tasks made through it, since it
// started, with keys), so a ListTasks to a 0.3 agent is -32004: a list
// that silently missed tasks would be worse than a clear refusal.
func (g *gateway) translate(call *rpcCall, t *upstream.Target) error {
	if call.op == opList && t.Dialect == transform.V03 {
		return newError(upstream.ErrUnsupportedOperation, "", fmt.Sprintf(
			"ListTasks is not supported: the agent %s speaks A2A 0.3, which has no task list.", call.agent.Name), nil)
	}
	call.translate = true
	return nil
}

// upBody is call's request as the agent reads it: in t's dialect, with
// t's tenant, when the call is translated.
func upBody(call *rpcCall, t *upstream.Target) ([]byte, error) {
	if !call.translate {
		return call.body, nil
	}
	body, err := transform.ConvertRequest(call.body, t.Dialect, t.Interface.Tenant)
	if err != nil {
		return nil, newError(ErrInvalidRequest, "", "Invalid params: the request cannot be translated to A2A "+
			t.Dialect.String()+".", err)
	}
	return body, nil
}

// answerIn is one answer of the agent (a whole body or one event) in the
// caller's dialect. GetTask and CancelTask answer a bare Task in 1.0.
func answerIn(call *rpcCall, body []byte) ([]byte, error) {
	if !call.translate {
		return body, nil
	}
	out, err := transform.ConvertResponse(body, call.dialect, bareTask(call))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", transform.ErrBadResponse, err)
	}
	return out, nil
}

// bareTask reports whether call's answer is a bare Task in 1.0: GetTask's
// and CancelTask's.
func bareTask(call *rpcCall) bool { return call.op == opGet || call.op == opCancel }

// callerError is the agent's JSON-RPC error in body (agentError), its
// data in the shape of the caller's dialect: a2a-go v0.3 cannot read the
// 1.0 list (that a2a-go/v2's 0.3 endpoint sends too), a2a-go/v2 no object.
func callerError(call *rpcCall, t *upstream.Target, body []byte) *Error {
	e := agentError(t, body)
	if e != nil && len(e.Data) > 0 {
		e.Data = transform.ErrorData(e.Data, call.dialect)
	}
	return e
}
