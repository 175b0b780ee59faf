package upstream

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/tidwall/gjson"
)

// ListQuery is what an A2A 1.0 ListTasks call asks for: the caller's tasks
// of one context, or in one state, a page at a time. A zero field asks for
// nothing in particular.
type ListQuery struct {
	ContextID        string
	State            transform.State // "" for any state
	PageSize         int             // 0: the agent's default (50 in the SDKs); at most 100
	PageToken        string          // a TaskList's NextPageToken, for the next page
	IncludeArtifacts bool
}

// TaskList is one page of a ListTasks answer, each task read as an Event
// (KindTask) by the tolerant reader.
type TaskList struct {
	Tasks         []transform.Event
	NextPageToken string // "" on the last page
	TotalSize     int    // the tasks matching, all pages together
}

// ErrListUnsupported is a ListTasks call for an agent spoken to in A2A
// 0.3, which has no method that lists tasks: no call is made.
var ErrListUnsupported = fmt.Errorf("%w: A2A 0.3 has no ListTasks (it came with 1.0)", ErrUnsupportedOperation)

// ListTasksRequest returns the JSON-RPC request of q in t's dialect, 1.0's
// ListTasks; ErrListUnsupported in 0.3.
func ListTasksRequest(t *Target, rpcID string, q ListQuery) ([]byte, error) {
	if t.Dialect != transform.V10 {
		return nil, ErrListUnsupported
	}
	params := struct {
		Tenant           string `json:"tenant,omitempty"`
		ContextID        string `json:"contextId,omitempty"`
		Status           string `json:"status,omitempty"`
		PageSize         int    `json:"pageSize,omitempty"`
		PageToken        string `json:"pageToken,omitempty"`
		IncludeArtifacts bool   `json:"includeArtifacts,omitempty"`
	}{t.Interface.Tenant, q.ContextID, stateEnum(q.State), q.PageSize, q.PageToken, q.IncludeArtifacts}
	return json.Marshal(struct {
		JSONRPC string `json:"jsonrpc"`
		ID      string `json:"id"`
		Method  string `json:"method"`
		Params  any    `json:"params"`
	}{"2.0", rpcID, "ListTasks", params})
}

// stateEnum is a state as 1.0 spells it: "input-required" is
// "TASK_STATE_INPUT_REQUIRED".
func stateEnum(s transform.State) string {
	if s == "" {
		return ""
	}
	return "TASK_STATE_" + strings.ToUpper(strings.ReplaceAll(string(s), "-", "_"))
}

// List calls ListTasks on t's agent, within t's timeout, and reads the
// page it answers. An agent in 0.3 is ErrListUnsupported, with no call;
// the agent's JSON-RPC error is an *RPCError.
func (c *Client) List(ctx context.Context, t *Target, q ListQuery) (TaskList, error) {
	body, err := ListTasksRequest(t, c.newID(), q)
	if err != nil {
		return TaskList{}, err
	}
	var cl call
	cl.start(c, ctx, t.Timeout, false)
	defer cl.release()
	resp, err := c.post(cl.ctx, t, body, false, true)
	if err != nil {
		return TaskList{}, err
	}
	defer resp.Body.Close()
	raw, err := readAll(cl.ctx, resp.Body, resp.ContentLength, c.maxAnswer())
	if err != nil {
		return TaskList{}, err
	}
	return readTaskList(t, raw)
}

// readTaskList reads a ListTasks answer: its error, or its tasks, each
// read as the result of a GetTask would be.
func readTaskList(t *Target, raw []byte) (TaskList, error) {
	if !gjson.ValidBytes(raw) {
		return TaskList{}, transform.ErrBadResponse
	}
	res := gjson.ParseBytes(raw)
	if e := res.Get("error"); e.Exists() && e.Type != gjson.Null {
		_, err := transform.ReadResponse(raw)
		return TaskList{}, rpcError(t, err, raw, 200)
	}
	result := res.Get("result")
	if !result.IsObject() {
		return TaskList{}, transform.ErrBadResponse
	}
	list := TaskList{NextPageToken: result.Get("nextPageToken").String(), TotalSize: int(result.Get("totalSize").Int())}
	var err error
	result.Get("tasks").ForEach(func(_, task gjson.Result) bool {
		var ev transform.Event
		ev, err = transform.ReadResponse([]byte(`{"jsonrpc":"2.0","id":1,"result":` + task.Raw + `}`))
		if err == nil && ev.Kind != transform.KindTask {
			err = fmt.Errorf("%w: a listed task is no task", transform.ErrBadResponse)
		}
		list.Tasks = append(list.Tasks, ev)
		return err == nil
	})
	if err != nil {
		return TaskList{}, err
	}
	return list, nil
}
