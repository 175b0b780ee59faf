package upstream

import (
	"errors"
	"testing"

	"github.com/a2a-bridge/a2a-bridge/transform"
)

func TestListTasksRequest(t *testing.T) {
	for _, tc := range []struct {
		name    string
		t       Target
		q       ListQuery
		want    string
		wantErr error
	}{
		{"empty query", Target{Dialect: transform.V10}, ListQuery{},
			`{"jsonrpc":"2.0","id":"r1","method":"ListTasks","params":{}}`, nil},
		{"every field", Target{Dialect: transform.V10, Interface: transform.Interface{Tenant: "acme"}},
			ListQuery{ContextID: "c1", State: transform.StateInputRequired, PageSize: 10, PageToken: "p2", IncludeArtifacts: true},
			`{"jsonrpc":"2.0","id":"r1","method":"ListTasks","params":{"tenant":"acme","contextId":"c1","status":"TASK_STATE_INPUT_REQUIRED","pageSize":10,"pageToken":"p2","includeArtifacts":true}}`, nil},
		{"0.3", Target{Dialect: transform.V03}, ListQuery{ContextID: "c1"}, "", ErrListUnsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ListTasksRequest(&tc.t, "r1", tc.q)
			if string(got) != tc.want || !errors.Is(err, tc.wantErr) {
				t.Errorf("ListTasksRequest(%+v) = %s, %v, want %s, %v", tc.q, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestReadTaskList(t *testing.T) {
	var rpc *RPCError
	if _, err := readTaskList(&Target{}, []byte(`{"jsonrpc":"2.0","id":1,"error":{"code":-32001,"message":"no"}}`)); !errors.As(err, &rpc) || !errors.Is(err, ErrTaskNotFound) {
		t.Errorf("readTaskList(error -32001) error %v, want an *RPCError of ErrTaskNotFound", err)
	}
	list, err := readTaskList(&Target{}, []byte(`{"jsonrpc":"2.0","id":1,"result":{"tasks":[{"id":"t1","contextId":"c","status":{"state":"TASK_STATE_COMPLETED"}}],"nextPageToken":"n","totalSize":3,"pageSize":1}}`))
	if err != nil || len(list.Tasks) != 1 || list.Tasks[0].TaskID != "t1" || list.Tasks[0].State != transform.StateCompleted || list.NextPageToken != "n" || list.TotalSize != 3 {
		t.Errorf("readTaskList(one task) = %+v, %v", list, err)
	}
	if _, err := readTaskList(&Target{}, []byte(`{"jsonrpc":"2.0","id":1,"result":{"tasks":[{"parts":[]}]}}`)); !errors.Is(err, transform.ErrBadResponse) {
		t.Errorf("readTaskList(a message listed) error %v, want ErrBadResponse", err)
	}
}
