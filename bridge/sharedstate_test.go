package bridge

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// replicas starts n bridges of cfg sharing one Redis and returns their base URLs.
func replicas(t *testing.T, rs *redisServer, cfg Config, n int) []string {
	t.Helper()
	cfg.Redis = RedisConfig{URL: rs.url(), Prefix: "test:"}
	bases := make([]string, n)
	for i := range bases {
		bases[i] = startBridge(t, cfg)
	}
	return bases
}

// TestSharedChat: with redis.url, turn 2 on replica B continues what turn
// 1 began on replica A: the same context (X-A2A-Context-Id, and re-sent
// history, in context mode) and the same input-required task (by its
// turns and by X-A2A-Task-Id), scoped to the key as on one replica.
func TestSharedChat(t *testing.T) {
	checkLeaks(t)
	rs := startRedis(t)
	p := startJSPeer(t, "js03.mjs")
	cfg := agentsFor(p)
	cfg.Agents[0].Conversation = "context"
	cfg.APIKeys = Keys("sk-alice", "sk-bob")
	r := replicas(t, rs, cfg, 2)
	alice := []string{"Authorization", "Bearer sk-alice"}
	named := append([]string{"X-A2A-Context-Id", "conv-1"}, alice...)

	a1, r1 := answer(t, r[0], turnsBody("a2a/js03", false, "hi MODE:count"), named...)
	a2, r2 := answer(t, r[1], turnsBody("a2a/js03", true, "again MODE:count"), named...)
	if a1 != "turn 1: user: hi MODE:count" || a2 != "turn 2: user: again MODE:count" {
		t.Errorf("turns on A then B by X-A2A-Context-Id = %q, %q, want turn 1 then turn 2 of one context", a1, a2)
	}
	if r2.header.Get("X-A2A-Context-Id") != r1.header.Get("X-A2A-Context-Id") {
		t.Errorf("contexts %q then %q, want one", r1.header.Get("X-A2A-Context-Id"), r2.header.Get("X-A2A-Context-Id"))
	}
	h1, _ := answer(t, r[0], turnsBody("a2a/js03", false, "one MODE:count"), alice...)
	if h2, _ := answer(t, r[1], turnsBody("a2a/js03", false, "one MODE:count", h1, "two MODE:count"), alice...); h2 != "turn 2: user: two MODE:count" {
		t.Errorf("re-sent history on B = %q, want turn 2 in A's context", h2)
	}

	q, rq := answer(t, r[0], turnsBody("a2a/js03", false, "book MODE:input"), alice...)
	task := rq.header.Get("X-A2A-Task-Id")
	if a, ra := answer(t, r[1], turnsBody("a2a/js03", false, "book MODE:input", q, "Paris"), alice...); a != "echo: user: Paris" || ra.header.Get("X-A2A-Task-Id") != task {
		t.Errorf("answer on B = %q on task %q, want %q on A's task %q", a, ra.header.Get("X-A2A-Task-Id"), "echo: user: Paris", task)
	}
	_, rq2 := answer(t, r[0], turnsBody("a2a/js03", false, "book MODE:input"), alice...)
	task2 := rq2.header.Get("X-A2A-Task-Id")
	if a, _ := answer(t, r[1], turnsBody("a2a/js03", false, "Lyon"), append([]string{"X-A2A-Task-Id", task2}, alice...)...); a != "echo: user: Lyon" {
		t.Errorf("answer on B by X-A2A-Task-Id = %q, want A's task answered", a)
	}
	res := post(t, httpClient(t), r[1]+"/v1/chat/completions", turnsBody("a2a/js03", false, "x"), "Authorization", "Bearer sk-bob", "X-A2A-Task-Id", task2)
	if e := decodeError(t, res.body); res.status != 404 || deref(e.Error.Code) != "task_not_found" {
		t.Errorf("another key's task on B = %d %s, want 404 task_not_found", res.status, res.body)
	}
}

// TestSharedResponses: a response stored through replica A is continued
// (previous_response_id: the same context, and the same input-required
// task), read and deleted through replica B, by its own key only.
func TestSharedResponses(t *testing.T) {
	checkLeaks(t)
	rs := startRedis(t)
	p := startJSPeer(t, "js10.mjs")
	cfg := agentsFor(p)
	cfg.APIKeys = Keys("sk-alice", "sk-bob")
	r := replicas(t, rs, cfg, 2)
	first := respPost(t, r[0], "sk-alice", `{"model":"a2a/js10","input":"one MODE:count"}`)
	id := respID(t, first.body)
	next := respPost(t, r[1], "sk-alice", fmt.Sprintf(`{"model":"a2a/js10","input":"two MODE:count","previous_response_id":%q}`, id))
	if got := gjson.GetBytes(next.body, "output.0.content.0.text").String(); next.status != 200 || got != "turn 2: user: two MODE:count" {
		t.Errorf("continued on B = %d %q (%s), want turn 2 of A's context", next.status, got, next.body)
	}
	q := respPost(t, r[0], "sk-alice", `{"model":"a2a/js10","input":"book MODE:input"}`)
	a := respPost(t, r[1], "sk-alice", fmt.Sprintf(`{"model":"a2a/js10","input":"Paris","previous_response_id":%q}`, respID(t, q.body)))
	if got := gjson.GetBytes(a.body, "output.0.content.0.text").String(); a.status != 200 || got != "echo: user: Paris" {
		t.Errorf("answer on B = %d %q, want A's task answered", a.status, got)
	}
	qx := respDo(t, http.MethodGet, r[1]+"/v1/responses/"+respID(t, q.body), "sk-alice")
	ax := respDo(t, http.MethodGet, r[0]+"/v1/responses/"+respID(t, a.body), "sk-alice")
	qTask, aTask := gjson.GetBytes(qx.body, "a2a.task_id").String(), gjson.GetBytes(ax.body, "a2a.task_id").String()
	if aTask == "" || aTask != qTask || gjson.GetBytes(ax.body, "a2a.state").String() != "completed" {
		t.Errorf("question %s, answer %s: want the answer on B to complete A's task", qx.body, ax.body)
	}
	if got := respDo(t, http.MethodGet, r[1]+"/v1/responses/"+id, "sk-alice"); got.status != 200 || string(got.body) != string(first.body) {
		t.Errorf("GET on B = %d %s, want A's response", got.status, got.body)
	}
	if got := respDo(t, http.MethodGet, r[1]+"/v1/responses/"+id, "sk-bob"); got.status != 404 {
		t.Errorf("GET another key's on B = %d, want 404", got.status)
	}
	if got := respDo(t, http.MethodDelete, r[1]+"/v1/responses/"+id, "sk-alice"); got.status != 200 {
		t.Errorf("DELETE on B = %d %s", got.status, got.body)
	}
	if got := respDo(t, http.MethodGet, r[0]+"/v1/responses/"+id, "sk-alice"); got.status != 404 {
		t.Errorf("GET on A after DELETE on B = %d, want 404", got.status)
	}
}

// TestSharedGateway: a task created through replica A's gateway is the
// key's on replica B too: B answers tasks/get for it, and refuses it to
// another key (-32001, as for no task), and the answer to its question
// through B completes it.
func TestSharedGateway(t *testing.T) {
	checkLeaks(t)
	rs := startRedis(t)
	p := startGoPeer(t, "go03")
	cfg := agentsFor(p)
	cfg.APIKeys = gwKeys
	r := replicas(t, rs, cfg, 2)
	c := httpClient(t)
	send := rpcPost(t, c, r[0]+"/a2a/go03", "sk-ada", `{"jsonrpc":"2.0","id":1,"method":"message/send","params":{"message":`+
		`{"kind":"message","role":"user","messageId":"m1","parts":[{"kind":"text","text":"hello MODE:input"}]}}}`)
	taskID, ctxID := gjson.GetBytes(send.body, "result.id").String(), gjson.GetBytes(send.body, "result.contextId").String()
	if taskID == "" {
		t.Fatalf("message/send on A = %s, want a task", send.body)
	}
	getTask := `{"jsonrpc":"2.0","id":2,"method":"tasks/get","params":{"id":"` + taskID + `"}}`
	if g := rpcPost(t, c, r[1]+"/a2a/go03", "sk-ada", getTask); gjson.GetBytes(g.body, "result.id").String() != taskID {
		t.Errorf("tasks/get on B by the owner = %s, want A's task", g.body)
	}
	if g := rpcPost(t, c, r[1]+"/a2a/go03", "sk-bob", getTask); gjson.GetBytes(g.body, "error.code").Int() != -32001 {
		t.Errorf("tasks/get on B by another key = %s, want -32001", g.body)
	}
	f := rpcPost(t, c, r[1]+"/a2a/go03", "sk-ada", `{"jsonrpc":"2.0","id":3,"method":"message/send","params":{"message":`+
		`{"kind":"message","role":"user","messageId":"m2","taskId":"`+taskID+`","contextId":"`+ctxID+`","parts":[{"kind":"text","text":"Paris"}]}}}`)
	if st := gjson.GetBytes(f.body, "result.status.state").String(); st != "completed" {
		t.Errorf("answer on B = %s, want A's task completed", f.body)
	}
}

// TestSharedRateLimit: a key with rpm 10 gets exactly 10 successes in all
// from three replicas called at once, and the rest 429.
func TestSharedRateLimit(t *testing.T) {
	checkLeaks(t)
	rs := startRedis(t)
	cfg := Config{APIKeys: []APIKey{{Key: "sk-team", Name: "team", RPM: 10}},
		Agents: []AgentConfig{{Name: "a", URL: "http://127.0.0.1:1"}}}
	r := replicas(t, rs, cfg, 3)
	c := httpClient(t)
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			res, err := tryGet(c, r[i%3]+"/v1/models", "Authorization", "Bearer sk-team")
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				codes[-1]++
				return
			}
			codes[res.status]++
		})
	}
	wg.Wait()
	if codes[200] != 10 || codes[429] != 20 {
		t.Errorf("30 calls over 3 replicas, rpm 10: %v, want exactly 10 200s and 20 429s", codes)
	}
}

// tryGet is get without t: for goroutines.
func tryGet(c *http.Client, url string, header ...string) (result, error) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		return result{}, err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return result{status: res.StatusCode, header: res.Header}, nil
}

// TestSharedOutage: Redis killed mid-test. While it is down, a call that
// continues something (a named conversation, a task, a previous response,
// a gateway task) is 503 state_unavailable, never a new conversation; a
// call that needs no shared state is served; rate limits fail open;
// /readyz is 503; the errors are counted and the outage logged once.
// Restarted on the same port, the replicas recover by themselves: /readyz
// 200, continuations across replicas and limits work again, the recovery
// logged once. No goroutine outlives the test.
func TestSharedOutage(t *testing.T) {
	checkLeaks(t)
	awaitDialProbe(t)
	rs := startRedis(t)
	p := startJSPeer(t, "js03.mjs")
	cfg := agentsFor(p)
	cfg.Agents[0].Conversation = "context"
	cfg.APIKeys = []APIKey{{Key: "sk-alice"}, {Key: "sk-team", Name: "team", RPM: 2}}
	cfg.Redis = RedisConfig{URL: rs.url()}
	_, a, _ := serveBridge(t, cfg, nil)
	_, b, logs := serveBridge(t, cfg, nil)
	c := httpClient(t)
	alice := []string{"Authorization", "Bearer sk-alice"}
	named := func(name string) []string { return append([]string{"X-A2A-Context-Id", name}, alice...) }

	_, r1 := answer(t, a, turnsBody("a2a/js03", false, "book MODE:input"), named("conv-1")...)
	task := r1.header.Get("X-A2A-Task-Id")
	prev := respID(t, respPost(t, a, "sk-alice", `{"model":"a2a/js03","input":"one"}`).body)
	gw := rpcPost(t, c, a+"/a2a/js03", "sk-alice", `{"jsonrpc":"2.0","id":1,"method":"message/send","params":{"message":`+
		`{"kind":"message","role":"user","messageId":"m1","parts":[{"kind":"text","text":"hello MODE:input"}]}}}`)
	gwTask := gjson.GetBytes(gw.body, "result.id").String()
	for _, base := range []string{a, b} {
		if res := get(t, c, base+readyPath); res.status != 200 {
			t.Fatalf("/readyz with Redis up = %d", res.status)
		}
	}

	rs.kill()
	chat := func(header ...string) result {
		return post(t, c, b+"/v1/chat/completions", turnsBody("a2a/js03", false, "Paris"), header...)
	}
	for _, tc := range []struct {
		name string
		res  result
	}{
		{"X-A2A-Context-Id", chat(named("conv-1")...)},
		{"X-A2A-Task-Id", chat(append([]string{"X-A2A-Task-Id", task}, alice...)...)},
		{"re-sent history", post(t, c, b+"/v1/chat/completions", turnsBody("a2a/js03", false, "book MODE:input", "Which city?", "Paris"), alice...)},
		{"previous_response_id", respPost(t, b, "sk-alice", fmt.Sprintf(`{"model":"a2a/js03","input":"two","previous_response_id":%q}`, prev))},
		{"GET a response", respDo(t, http.MethodGet, b+"/v1/responses/"+prev, "sk-alice")},
		{"item_reference", respPost(t, b, "sk-alice", fmt.Sprintf(`{"model":"a2a/js03","input":[{"type":"item_reference","id":%q},{"role":"user","content":"two"}]}`,
			"msg_"+strings.TrimPrefix(prev, "resp_")))},
	} {
		if e := decodeError(t, tc.res.body); tc.res.status != 503 || deref(e.Error.Code) != "state_unavailable" {
			t.Errorf("%s with Redis down = %d %s, want 503 state_unavailable", tc.name, tc.res.status, tc.res.body)
		}
	}
	g := rpcPost(t, c, b+"/a2a/js03", "sk-alice", `{"jsonrpc":"2.0","id":2,"method":"tasks/get","params":{"id":"`+gwTask+`"}}`)
	if code := gjson.GetBytes(g.body, "error.code").Int(); code != -32000 || !strings.Contains(string(g.body), "Redis") {
		t.Errorf("gateway tasks/get with Redis down = %d %s, want the JSON-RPC error of state_unavailable", g.status, g.body)
	}
	if res := chat(alice...); res.status != 200 {
		t.Errorf("a new conversation with Redis down = %d %s, want it served", res.status, res.body)
	}
	for i := range 4 {
		if res := get(t, c, b+"/v1/models", "Authorization", "Bearer sk-team"); res.status != 200 {
			t.Errorf("call %d of an rpm 2 key with Redis down = %d, want the limit to fail open", i+1, res.status)
		}
	}
	for _, base := range []string{a, b} {
		if res := get(t, c, base+readyPath); res.status != 503 {
			t.Errorf("/readyz with Redis down = %d, want 503", res.status)
		}
	}
	if n, _ := sample(scrape(t, c, b), "a2a_bridge_redis_errors_total"); n < 5 {
		t.Errorf("a2a_bridge_redis_errors_total = %v, want every failed command counted", n)
	}

	rs.start()
	waitReady(t, c, b)
	waitReady(t, c, a)
	if a1, _ := answer(t, a, turnsBody("a2a/js03", false, "hi MODE:count"), named("conv-2")...); a1 != "turn 1: user: hi MODE:count" {
		t.Errorf("turn 1 after the restart = %q", a1)
	}
	if a2, _ := answer(t, b, turnsBody("a2a/js03", false, "again MODE:count"), named("conv-2")...); a2 != "turn 2: user: again MODE:count" {
		t.Errorf("turn 2 on B after the restart = %q, want A's context continued", a2)
	}
	codes := map[int]int{}
	for _, base := range []string{a, b, a, b} {
		codes[get(t, c, base+"/v1/models", "Authorization", "Bearer sk-team").status]++
	}
	if codes[200] != 2 || codes[429] != 2 {
		t.Errorf("4 calls of an rpm 2 key after the restart: %v, want 2 200s and 2 429s", codes)
	}
	if down, up := logs.matching("redis is not answering"), logs.matching("redis is answering again"); len(down) != 1 || len(up) != 1 {
		t.Errorf("outage logged %d times, recovery %d times, want once each:\n%s", len(down), len(up), logs)
	}
}

// waitReady waits until base's /readyz answers 200 (Redis back), for at most 10 s.
func waitReady(t *testing.T, c *http.Client, base string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		res := get(t, c, base+readyPath)
		if res.status == 200 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz = %d 10 s after Redis came back, want 200", res.status)
		}
		time.Sleep(50 * time.Millisecond) // go-redis redials on the next command: nothing to wait on
	}
}

// pooledAgent is one replica of an agent (agents[].urls) that knows only
// its own tasks, as A2A servers do: a message saying HANG waits for
// release (it holds the replica busy); a new message starts a task named
// after the replica that asks a question; an answer to one of its tasks
// completes it, to another's task is -32001.
func pooledAgent(t *testing.T, name string, started chan<- struct{}, release <-chan struct{}) *faultAgent {
	return newFaultAgent(t, false, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		msg := gjson.GetBytes(body, "params.message")
		switch task := msg.Get("taskId").String(); {
		case strings.Contains(msg.Get("parts.0.text").String(), "HANG"):
			started <- struct{}{}
			select {
			case <-release:
			case <-r.Context().Done():
			}
			fmt.Fprintf(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"message","role":"agent","messageId":"h","contextId":"h","parts":[{"kind":"text","text":"done"}]}}`)
		case task == "":
			fmt.Fprintf(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"%s-t1","contextId":"%s-c1","status":{"state":"input-required",`+
				`"message":{"kind":"message","role":"agent","messageId":"m","parts":[{"kind":"text","text":"Which city?"}]}}}}`, name, name)
		case strings.HasPrefix(task, name+"-"):
			fmt.Fprintf(w, `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":%q,"contextId":"%s-c1","status":{"state":"completed"},`+
				`"artifacts":[{"artifactId":"a","parts":[{"kind":"text","text":"%s answered"}]}]}}`, task, name, name)
		default:
			fmt.Fprint(w, `{"jsonrpc":"2.0","id":1,"error":{"code":-32001,"message":"Task not found"}}`)
		}
	})
}

// TestSharedSticky: the replica of an agent that holds a task is
// remembered across bridges: a task begun through bridge A on the agent's
// second replica (its first busy) is answered through bridge B on that
// same replica, not on B's least loaded one.
func TestSharedSticky(t *testing.T) {
	checkLeaks(t)
	rs := startRedis(t)
	started, release := make(chan struct{}, 1), make(chan struct{})
	r0, r1 := pooledAgent(t, "r0", started, release), pooledAgent(t, "r1", started, release)
	cfg := Config{Agents: []AgentConfig{{Name: "pool", URLs: []string{r0.URL + "/rpc", r1.URL + "/rpc"}}}}
	r := replicas(t, rs, cfg, 2)
	c := httpClient(t)
	hung := make(chan result, 1)
	go func() {
		res, _ := tryPost(c, r[0]+"/v1/chat/completions", turnsBody("a2a/pool", false, "HANG"))
		hung <- res
	}()
	<-started // replica 0 is busy on bridge A
	_, r1res := answer(t, r[0], turnsBody("a2a/pool", false, "book"))
	close(release)
	<-hung
	task := r1res.header.Get("X-A2A-Task-Id")
	if task != "r1-t1" {
		t.Fatalf("task %q, want r1-t1: the new task on the idle replica", task)
	}
	if a, _ := answer(t, r[1], turnsBody("a2a/pool", false, "Paris"), "X-A2A-Task-Id", task); a != "r1 answered" {
		t.Errorf("answer through B = %q, want it on the replica holding the task (r1 answered)", a)
	}
}

// TestSharedAgents: an agent registered through replica A's admin API is
// callable and listed on replica B, and once deleted through B is gone
// on both; a name registered through A is taken on B too.
func TestSharedAgents(t *testing.T) {
	checkLeaks(t)
	rs := startRedis(t)
	agent := newFaultAgent(t, true, answering)
	cfg := Config{APIKeys: []APIKey{{Key: teamKey, Name: teamName}}, AdminKeys: []APIKey{{Key: adminKey, Name: adminName}},
		Agents: []AgentConfig{{Name: "fa", URL: agent.URL}}}
	r := replicas(t, rs, cfg, 2)
	c := httpClient(t)
	entry := fmt.Sprintf(`{"name":"added","url":%q,"timeout":"10s"}`, agent.URL)
	chat := chatBody("a2a/added", false, "user", "hi")
	steps := []struct {
		name, method, base, path, key, body string
		status                              int
	}{
		{"POST on A", "POST", r[0], "/v1/agents", adminKey, entry, 201},
		{"call it on B", "POST", r[1], "/v1/chat/completions", teamKey, chat, 200},
		{"see it on B", "GET", r[1], "/v1/agents/added", teamKey, "", 200},
		{"POST the same name on B", "POST", r[1], "/v1/agents", adminKey, entry, 409},
		{"DELETE on B", "DELETE", r[1], "/v1/agents/added", adminKey, "", 200},
		{"call it on A", "POST", r[0], "/v1/chat/completions", teamKey, chat, 404},
		{"see it on A", "GET", r[0], "/v1/agents/added", teamKey, "", 404},
		{"call it on B again", "POST", r[1], "/v1/chat/completions", teamKey, chat, 404},
		{"POST it again on B", "POST", r[1], "/v1/agents", adminKey, entry, 201},
		{"call it on A again", "POST", r[0], "/v1/chat/completions", teamKey, chat, 200},
	}
	for _, st := range steps {
		if res := send(t, c, st.method, st.base+st.path, st.key, st.body); res.status != st.status {
			t.Errorf("%s: %s %s = %d %s, want %d", st.name, st.method, st.path, res.status, res.body, st.status)
		}
	}
}

// TestSharedStats: /v1/stats sums the requests, errors and tokens of
// every replica (each adds its counters to the shared ones as it flushes),
// on whichever replica it is read.
func TestSharedStats(t *testing.T) {
	checkLeaks(t)
	rs := startRedis(t)
	agent := newFaultAgent(t, true, answering)
	cfg := Config{APIKeys: []APIKey{{Key: teamKey, Name: teamName}}, Agents: []AgentConfig{{Name: "fa", URL: agent.URL}},
		Redis: RedisConfig{URL: rs.url()}}
	sa, a, _ := serveBridge(t, cfg, nil)
	sb, b, _ := serveBridge(t, cfg, nil)
	c := httpClient(t)
	for i, prompt := range []string{"hello", "fail now", "hello again"} {
		post(t, c, []string{a, a, b}[i]+"/v1/chat/completions", chatBody("a2a/fa", false, "user", prompt), "Authorization", "Bearer "+teamKey)
	}
	read := func(base string) statsView {
		var st struct {
			Totals statsView `json:"totals"`
		}
		res := send(t, c, http.MethodGet, base+"/v1/stats", teamKey, "")
		if err := json.Unmarshal(res.body, &st); err != nil || res.status != 200 {
			t.Fatalf("GET /v1/stats = %d %s (%v)", res.status, res.body, err)
		}
		return st.Totals
	}
	sa.flushStats(t.Context())
	sb.flushStats(t.Context())
	va, vb := read(a), read(b)
	if va.Requests != 3 || va.Errors != 1 || va.Tokens != vb.Tokens || va.Requests != vb.Requests || va.Errors != vb.Errors {
		t.Errorf("totals on A %+v, on B %+v, want both 3 requests and 1 error: those of both replicas", va, vb)
	}
	sa.flushStats(t.Context()) // nothing new: nothing counted twice
	if v := read(a); v.Requests != 3 {
		t.Errorf("after a second flush: %d requests, want 3", v.Requests)
	}
}
