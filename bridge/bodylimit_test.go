package bridge

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// bodyDoors are the routes that take a body, each with how its door
// renders an error: OpenAI JSON on /v1, JSON-RPC on the A2A gateway.
var bodyDoors = []struct {
	name, method, path string
	rpc                bool
}{
	{"chat", http.MethodPost, "/v1/chat/completions", false},
	{"responses", http.MethodPost, "/v1/responses", false},
	{"agents API", http.MethodPost, "/v1/agents", false},
	{"responses delete (reads no body)", http.MethodDelete, "/v1/responses/resp_x", false},
	{"gateway JSON-RPC", http.MethodPost, "/a2a/a", true},
	{"gateway message/send", http.MethodPost, "/v1/a2a/a/message/send", true},
}

// checkShape checks that an answer is the door's error for code: an
// OpenAI error of that code and status, or a JSON-RPC error -32600 with a
// null id, in HTTP 200.
func checkShape(t *testing.T, rpc bool, status int, body []byte, code string, wantStatus int) {
	t.Helper()
	if rpc {
		var got struct {
			JSONRPC string          `json:"jsonrpc"`
			ID      json.RawMessage `json:"id"`
			Error   struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(body, &got); err != nil || status != http.StatusOK || got.JSONRPC != "2.0" ||
			string(got.ID) != "null" || got.Error.Code != -32600 || got.Error.Message == "" {
			t.Errorf("answer %d %s, want 200 and a JSON-RPC error -32600 with a null id", status, body)
		}
		return
	}
	var got struct {
		Error struct {
			Type, Code, Message string
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &got); err != nil || status != wantStatus || got.Error.Code != code ||
		got.Error.Type != "invalid_request_error" || got.Error.Message == "" {
		t.Errorf("answer %d %s, want %d and an OpenAI error %s", status, body, wantStatus, code)
	}
}

// TestBodyLimitEveryDoor: a body past limits.max_request_body is refused
// on every route that may carry one, announced (Content-Length) or not
// (chunked), in the door's error shape, whether or not its handler reads
// a body.
func TestBodyLimitEveryDoor(t *testing.T) {
	agent := newFaultAgent(t, true, func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusTeapot) })
	cfg := Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL}}}
	cfg.Limits.MaxRequestBody = 4096
	base := startBridge(t, cfg)
	client := httpClient(t)
	big := `{"model":"a2a/a","x":"` + strings.Repeat("x", 5000) + `"}`
	for _, door := range bodyDoors {
		for _, announced := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/announced=%t", door.name, announced), func(t *testing.T) {
				var body io.Reader = strings.NewReader(big)
				if !announced {
					body = io.MultiReader(body) // no length known: sent chunked
				}
				req, err := http.NewRequest(door.method, base+door.path, body)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				got, _ := io.ReadAll(resp.Body)
				checkShape(t, door.rpc, resp.StatusCode, got, "request_too_large", http.StatusRequestEntityTooLarge)
			})
		}
	}
}

// TestBodyTimeoutEveryDoor: a client that stops sending its body midway
// gets the door's request_timeout error once server.read_body_timeout has
// passed, and its connection closed.
func TestBodyTimeoutEveryDoor(t *testing.T) {
	agent := newFaultAgent(t, true, func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusTeapot) })
	cfg := Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL}},
		Server: ServerConfig{ReadBodyTimeout: Duration{200 * time.Millisecond}}}
	base := startBridge(t, cfg)
	addr := strings.TrimPrefix(base, "http://")
	for _, door := range bodyDoors {
		t.Run(door.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"model\":", door.method, door.path); err != nil {
				t.Fatal(err)
			}
			// The bound of the wait, not a stand-in for it: the answer comes
			// once the server's read deadline has passed.
			_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			checkShape(t, door.rpc, resp.StatusCode, got, "request_timeout", http.StatusRequestTimeout)
			if !resp.Close {
				t.Errorf("Connection: %q, want the connection closed", resp.Header.Get("Connection"))
			}
		})
	}
}
