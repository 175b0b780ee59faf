package bridge

import (
	"context"
	"encoding/json"
	"net/http"

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
// an A2A-Version neither dialect is, -32602 for params that are no object.
func parseRPC(r *http.Request, call *rpcCall) error {
	if !gjson.ValidBytes(call.body) {
		return transform.ErrInvalidJSON
	}
	root := gjson.ParseBytes(call.body)
	if !root.IsObject() {
		return newError(ErrRPCInvalid, "", "Invalid JSON-RPC request: not an object (batches are not served).", nil)
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
	call.method = clip(m.String(), maxName)
	method, ok := gwMethods[m.String()]
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
