package bridge

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tidwall/gjson"
)

// gatewayDoors are a JSON-RPC route, a card and a REST route of the
// gateway, each with the shape of its errors.
var gatewayDoors = []struct {
	name, method, path, body string
	rest                     bool
}{
	{"JSON-RPC", "POST", "/a2a/a10", send10Body, false},
	{"alias", "POST", "/v1/a2a/a10/message/send", send10Body, false},
	{"card", "GET", "/a2a/a10/.well-known/agent-card.json", "", false},
	{"REST", "POST", "/a2a/a10/v1/message:send", `{"message":{"role":"ROLE_USER","messageId":"m1","parts":[{"text":"hi"}]}}`, true},
	{"REST get", "GET", "/a2a/a10/v1/tasks/t1", "", true},
}

// checkDoorError checks that r is the error of status and gRPC status grpc
// in the shape of its door: a JSON-RPC error (id null) or a
// google.rpc.Status.
func checkDoorError(t *testing.T, rest bool, r result, status int, grpc string) {
	t.Helper()
	b := gjson.ParseBytes(r.body)
	if r.status != status || r.header.Get("Content-Type") != "application/json" {
		t.Errorf("answer = %d %q %s, want %d application/json", r.status, r.header.Get("Content-Type"), r.body, status)
	}
	if rest {
		if b.Get("error.code").Int() != int64(status) || b.Get("error.status").String() != grpc || b.Get("error.message").String() == "" {
			t.Errorf("REST error = %s, want a google.rpc.Status %d %s", r.body, status, grpc)
		}
		return
	}
	if b.Get("jsonrpc").String() != "2.0" || b.Get("id").Raw != "null" || b.Get("error.code").Int() != -32000 || b.Get("error.message").String() == "" {
		t.Errorf("JSON-RPC error = %s, want a JSON-RPC error -32000 with id null", r.body)
	}
}

// doorRequest sends one request of a gateway door; no t.Fatal, for
// goroutines other than the test's.
func doorRequest(c *http.Client, base, method, path, body string) (result, error) {
	if method != "GET" {
		return tryPost(c, base+path, body, "Content-Type", "application/json", "A2A-Version", "1.0")
	}
	resp, err := c.Get(base + path)
	if err != nil {
		return result{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, header: resp.Header, body: b}, err
}

// TestGatewayOverloaded: past server.max_concurrent, every gateway door
// answers 503 at once in its own shape, with Retry-After: 1 (overloaded).
func TestGatewayOverloaded(t *testing.T) {
	checkLeaks(t)
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	agent := newAgent10(t, true, func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
		_, _ = w.Write([]byte(task10))
	})
	cfg := Config{Agents: []AgentConfig{{Name: "a10", URL: agent.URL}}, Server: ServerConfig{MaxConcurrent: 1}}
	base := startBridge(t, cfg)
	c := httpClient(t)
	held := make(chan error, 1)
	go func() {
		r, err := tryPost(c, base+"/a2a/a10", send10Body, "Content-Type", "application/json", "A2A-Version", "1.0")
		if err == nil && r.status != 200 {
			err = &Error{Msg: string(r.body)}
		}
		held <- err
	}()
	<-arrived // the one request in flight the bound allows
	for _, d := range gatewayDoors {
		t.Run(d.name, func(t *testing.T) {
			r, err := doorRequest(c, base, d.method, d.path, d.body)
			if err != nil {
				t.Fatal(err)
			}
			checkDoorError(t, d.rest, r, 503, "UNAVAILABLE")
			if got := r.header.Get("Retry-After"); got != "1" {
				t.Errorf("Retry-After = %q, want 1", got)
			}
			if d.rest && gjson.GetBytes(r.body, "error.message").String() != rowOf(ErrOverloaded).msg {
				t.Errorf("REST error message = %s, want the overloaded one", r.body)
			}
		})
	}
	close(release)
	if err := <-held; err != nil {
		t.Errorf("the request in flight: %v", err)
	}
}

// TestGatewayDraining: once shutdown has begun, every gateway door
// answers 503 in its own shape.
func TestGatewayDraining(t *testing.T) {
	s, err := New(Config{Agents: []AgentConfig{{Name: "a10", URL: "http://127.0.0.1:1"}}}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	s.draining.Store(true)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	c := httpClient(t)
	for _, d := range gatewayDoors {
		t.Run(d.name, func(t *testing.T) {
			r, err := doorRequest(c, srv.URL, d.method, d.path, d.body)
			if err != nil {
				t.Fatal(err)
			}
			checkDoorError(t, d.rest, r, 503, "UNAVAILABLE")
		})
	}
	// The OpenAI routes keep the OpenAI shape.
	r := post(t, c, srv.URL+"/v1/chat/completions", chatBody("a2a/a10", false, "user", "hi"))
	if r.status != 503 || gjson.GetBytes(r.body, "error.type").String() != "service_unavailable" {
		t.Errorf("chat while draining = %d %s, want 503 in the OpenAI shape", r.status, r.body)
	}
}
