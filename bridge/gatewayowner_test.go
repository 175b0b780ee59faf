package bridge

import (
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// TestGatewayOwnership: a task and a context created through the gateway
// belong to the calling key. Every call of another key naming them gets
// -32001 exactly as for a task that does not exist (same body but the id),
// and ListTasks shows each key only its own.
func TestGatewayOwnership(t *testing.T) {
	checkLeaks(t)
	peers := []peer{startGoPeer(t, "go03"), startJSPeer(t, "js10.mjs")}
	cfg := agentsFor(peers...)
	cfg.APIKeys = gwKeys
	base := startBridge(t, cfg)
	c := httpClient(t)
	for _, tc := range []struct {
		agent, version, send, get, cancel, subscribe, msg string
	}{
		{"go03", "", "message/send", "tasks/get", "tasks/cancel", "tasks/resubscribe",
			`{"kind":"message","role":"user","messageId":"%s","parts":[{"kind":"text","text":"hello MODE:input"}]%s}`},
		{"js10", "1.0", "SendMessage", "GetTask", "CancelTask", "SubscribeToTask",
			`{"role":"ROLE_USER","messageId":"%s","parts":[{"text":"hello MODE:input"}]%s}`},
	} {
		t.Run(tc.agent, func(t *testing.T) {
			u := base + "/a2a/" + tc.agent
			h := []string{"A2A-Version", tc.version}
			msg := func(id, extra string) string {
				return strings.Replace(strings.Replace(tc.msg, "%s", id, 1), "%s", extra, 1)
			}
			r := rpcPost(t, c, u, "sk-ada", `{"jsonrpc":"2.0","id":1,"method":"`+tc.send+`","params":{"message":`+msg("m1", "")+`}}`, h...)
			task := gjson.GetBytes(r.body, "result")
			if task.Get("task").Exists() {
				task = task.Get("task")
			}
			taskID, ctxID := task.Get("id").String(), task.Get("contextId").String()
			if taskID == "" || ctxID == "" {
				t.Fatalf("%s = %s, want a task", tc.send, r.body)
			}
			missing := rpcPost(t, c, u, "sk-bob", `{"jsonrpc":"2.0","id":2,"method":"`+tc.get+`","params":{"id":"no-such-task"}}`, h...)
			for _, call := range []struct{ name, body string }{
				{tc.get, `{"jsonrpc":"2.0","id":2,"method":"` + tc.get + `","params":{"id":"` + taskID + `"}}`},
				{tc.cancel, `{"jsonrpc":"2.0","id":2,"method":"` + tc.cancel + `","params":{"id":"` + taskID + `"}}`},
				{tc.subscribe, `{"jsonrpc":"2.0","id":2,"method":"` + tc.subscribe + `","params":{"id":"` + taskID + `"}}`},
				{"message with taskId", `{"jsonrpc":"2.0","id":2,"method":"` + tc.send + `","params":{"message":` + msg("m2", `,"taskId":"`+taskID+`"`) + `}}`},
				{"message with contextId", `{"jsonrpc":"2.0","id":2,"method":"` + tc.send + `","params":{"message":` + msg("m3", `,"contextId":"`+ctxID+`"`) + `}}`},
			} {
				got := rpcPost(t, c, u, "sk-bob", call.body, h...)
				body := string(got.body)
				if strings.HasPrefix(body, "data: ") { // a stream method: its one event
					body = strings.TrimSpace(strings.TrimPrefix(body, "data: "))
				}
				if got.status != 200 || body != string(missing.body) {
					t.Errorf("bob's %s = %d %s, want as for no task: %s", call.name, got.status, body, missing.body)
				}
			}
			// The owner still reaches it: get, then the answer to its question.
			if g := rpcPost(t, c, u, "sk-ada", `{"jsonrpc":"2.0","id":3,"method":"`+tc.get+`","params":{"id":"`+taskID+`"}}`, h...); !strings.Contains(string(g.body), taskID) || gjson.GetBytes(g.body, "error").Exists() {
				t.Errorf("ada's %s = %s, want her task", tc.get, g.body)
			}
			if tc.version == "1.0" {
				for key, want := range map[string]int{"sk-ada": 1, "sk-bob": 0} {
					l := rpcPost(t, c, u, key, `{"jsonrpc":"2.0","id":4,"method":"ListTasks","params":{}}`, h...)
					if n := len(gjson.GetBytes(l.body, "result.tasks").Array()); n != want || !gjson.GetBytes(l.body, "result").Exists() {
						t.Errorf("ListTasks of %s = %s: %d tasks, want %d", key, l.body, n, want)
					}
				}
			}
			if f := rpcPost(t, c, u, "sk-ada", `{"jsonrpc":"2.0","id":5,"method":"`+tc.send+`","params":{"message":`+msg("m4", `,"taskId":"`+taskID+`","contextId":"`+ctxID+`"`)+`}}`, h...); !strings.Contains(string(f.body), "completed") && !strings.Contains(string(f.body), "COMPLETED") {
				t.Errorf("ada's follow-up = %s, want her task completed", f.body)
			}
		})
	}
}

// TestOwnersBoundAndExpire: the owner map forgets an entry unused for its
// ttl and, past its bound, the least recently used one.
func TestOwnersBoundAndExpire(t *testing.T) {
	now := time.Unix(1e9, 0)
	o := newOwners(time.Minute, 2, func() time.Time { return now })
	k := func(id string) ownedKey { return ownedKey{"a", 't', id} }
	o.claim("ada", k("1"))
	if o.claim("bob", k("1")) {
		t.Errorf("claim(bob, 1) = true, want false: ada owns it")
	}
	o.claim("ada", k("2"))
	o.owner(k("1")) // 1 is used: 2 is the least recently used
	o.claim("bob", k("3"))
	if _, ok := o.owner(k("2")); ok || o.len() != 2 {
		t.Errorf("owner(2) known after a third claim of a 2-bound map (len %d), want forgotten", o.len())
	}
	now = now.Add(time.Minute)
	if _, ok := o.owner(k("1")); ok || o.len() != 0 {
		t.Errorf("owner(1) after the ttl: known (len %d), want forgotten", o.len())
	}
}

// TestGatewayCutStream: an agent that cuts its stream before its task
// ends gets the caller a JSON-RPC error event, never a silent end.
func TestGatewayCutStream(t *testing.T) {
	checkLeaks(t)
	base := startBridge(t, agentsFor(startGoPeer(t, "go03")))
	r := rpcPost(t, httpClient(t), base+"/a2a/go03", "", `{"jsonrpc":"2.0","id":9,"method":"message/stream","params":{"message":{"kind":"message","role":"user","messageId":"c1","parts":[{"kind":"text","text":"hello MODE:cut"}]}}}`)
	frames := strings.Split(strings.TrimSpace(string(r.body)), "\n\n")
	last := strings.TrimPrefix(frames[len(frames)-1], "data: ")
	if len(frames) < 3 || gjson.Get(last, "error.code").Int() != -32603 || gjson.Get(last, "id").Raw != "9" {
		t.Errorf("cut stream = %s, want events then a JSON-RPC error for id 9", r.body)
	}
}
