package bridge

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/a2a-bridge/a2a-bridge/bridge/upstream"
	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"
)

// TestRenderers renders errors of the table in every front door's shape.
func TestRenderers(t *testing.T) {
	cases := []struct {
		name                   string
		err                    error
		openai, rpc, rest      string
		responseErr, errorEvnt string
	}{
		{"draining", ErrDraining,
			`{"error":{"message":"The bridge is shutting down; retry on another instance.","type":"service_unavailable","param":null,"code":"service_unavailable"}}`,
			`{"jsonrpc":"2.0","id":7,"error":{"code":-32000,"message":"The bridge is shutting down; retry on another instance."}}`,
			`{"error":{"code":503,"status":"UNAVAILABLE","message":"The bridge is shutting down; retry on another instance.","details":[]}}`,
			`{"code":"service_unavailable","message":"The bridge is shutting down; retry on another instance."}`,
			`{"type":"error","code":"service_unavailable","message":"The bridge is shutting down; retry on another instance.","param":null,"sequence_number":3}`},
		{"agent task not found", &upstream.RPCError{Code: upstream.CodeTaskNotFound, Message: "no task", Data: []byte(`{"id":"t"}`)},
			`{"error":{"message":"The agent answered error -32001: no task","type":"invalid_request_error","param":null,"code":"task_not_found"}}`,
			`{"jsonrpc":"2.0","id":7,"error":{"code":-32001,"message":"The agent answered error -32001: no task","data":{"id":"t"}}}`,
			`{"error":{"code":404,"status":"NOT_FOUND","message":"The agent answered error -32001: no task","details":[]}}`,
			`{"code":"task_not_found","message":"The agent answered error -32001: no task"}`,
			`{"type":"error","code":"task_not_found","message":"The agent answered error -32001: no task","param":null,"sequence_number":3}`},
		{"failed task", &transform.TaskError{State: transform.StateFailed, Text: "boom"},
			`{"error":{"message":"The agent's task ended failed: boom.","type":"agent_error","param":null,"code":"agent_task_failed"}}`,
			`{"jsonrpc":"2.0","id":7,"error":{"code":-32603,"message":"The agent's task ended failed: boom."}}`,
			`{"error":{"code":400,"status":"FAILED_PRECONDITION","message":"The agent's task ended failed: boom.","details":[]}}`,
			`{"code":"agent_task_failed","message":"The agent's task ended failed: boom."}`,
			`{"type":"error","code":"agent_task_failed","message":"The agent's task ended failed: boom.","param":null,"sequence_number":3}`},
		{"agent timeout", fmt.Errorf("%w: slow", ErrAgentTimeout),
			`{"error":{"message":"The agent did not answer in time.","type":"agent_timeout","param":null,"code":"agent_timeout"}}`,
			`{"jsonrpc":"2.0","id":7,"error":{"code":-32603,"message":"The agent did not answer in time."}}`,
			`{"error":{"code":504,"status":"DEADLINE_EXCEEDED","message":"The agent did not answer in time.","details":[]}}`,
			`{"code":"agent_timeout","message":"The agent did not answer in time."}`,
			`{"type":"error","code":"agent_timeout","message":"The agent did not answer in time.","param":null,"sequence_number":3}`},
		{"agent rate limit", &upstream.StatusError{Code: 429, RetryAfter: "7"},
			`{"error":{"message":"The agent is rate limiting requests; retry later.","type":"rate_limit_exceeded","param":null,"code":"rate_limit_exceeded"}}`,
			`{"jsonrpc":"2.0","id":7,"error":{"code":-32000,"message":"The agent is rate limiting requests; retry later."}}`,
			`{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","message":"The agent is rate limiting requests; retry later.","details":[]}}`,
			`{"code":"rate_limit_exceeded","message":"The agent is rate limiting requests; retry later."}`,
			`{"type":"error","code":"rate_limit_exceeded","message":"The agent is rate limiting requests; retry later.","param":null,"sequence_number":3}`},
		{"internal", fmt.Errorf("nil map"),
			`{"error":{"message":"Internal error.","type":"server_error","param":null,"code":null}}`,
			`{"jsonrpc":"2.0","id":7,"error":{"code":-32603,"message":"Internal error."}}`,
			`{"error":{"code":500,"status":"INTERNAL","message":"Internal error.","details":[]}}`,
			`{"code":"server_error","message":"Internal error."}`,
			`{"type":"error","code":"server_error","message":"Internal error.","param":null,"sequence_number":3}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := toError(tc.err)
			for _, r := range []struct{ shape, got, want string }{
				{"Body", string(e.Body()), tc.openai},
				{"RPCBody", string(e.RPCBody(json.RawMessage("7"))), tc.rpc},
				{"StatusBody", string(e.StatusBody()), tc.rest},
				{"ResponseError", string(e.ResponseError()), tc.responseErr},
				{"ErrorEvent", string(e.ErrorEvent(3)), tc.errorEvnt},
			} {
				if r.got != r.want {
					t.Errorf("toError(%v).%s() = %s, want %s", tc.err, r.shape, r.got, r.want)
				}
			}
		})
	}
}

// TestTableRows: every sentinel of the table has one row, and every
// JSON-RPC code of upstream's table a row of its own.
func TestTableRows(t *testing.T) {
	seen := map[error]bool{}
	for _, k := range table {
		if seen[k.err] {
			t.Errorf("two rows for %v", k.err)
		}
		seen[k.err] = true
		if k.status == 0 || k.typ == "" || k.rpc == 0 || k.grpc == "" {
			t.Errorf("row %v is incomplete: %+v", k.err, k)
		}
	}
	for _, c := range upstream.Codes {
		if !seen[c.Err] {
			t.Errorf("no row for JSON-RPC code %d (%v)", c.Code, c.Err)
		}
	}
	if e := toError(&transform.TaskError{State: transform.StateRejected}); e.Status != 403 || e.Code != "agent_task_rejected" {
		t.Errorf("toError(rejected task) = %d %s, want 403 agent_task_rejected", e.Status, e.Code)
	}
}

// TestClientGoneLoggedAtInfo: a client that went away (499) is no fault to
// warn an operator of; an agent's error still is.
func TestClientGoneLoggedAtInfo(t *testing.T) {
	cases := []struct {
		name  string
		err   error
		level string
	}{
		{"client gone", errClientGone, `"level":"info"`},
		{"context canceled", context.Canceled, `"level":"info"`},
		{"failed task", &transform.TaskError{State: transform.StateFailed}, `"level":"warn"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var logs logBuffer
			s := &Server{now: time.Now}
			c := echo.New().NewContext(httptest.NewRequest(http.MethodPost, "/v1/chat/completions", nil), httptest.NewRecorder())
			s.logRequest(zerolog.New(&logs), c, &reqInfo{err: toError(tc.err)}, nil, time.Now())
			if got := logs.String(); !strings.Contains(got, tc.level) {
				t.Errorf("log of %v = %s, want %s", tc.err, got, tc.level)
			}
		})
	}
}
