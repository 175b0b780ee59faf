package bridge

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

// BenchmarkGateway measures one /a2a/{agent} call through the whole
// bridge against a fast 0.3 agent answering 1 KiB, message/send and
// message/stream (32 chunks), with its accounting (tokens, cost, stats):
// a 0.3 caller's, relayed as they come, and a 1.0 caller's SendMessage
// and SendStreamingMessage, translated both ways.
func BenchmarkGateway(b *testing.B) {
	agent := benchAgent(b, `{"name":"a","protocolVersion":"0.3.0","url":"/","capabilities":{"streaming":true}}`)
	s, err := New(Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL, CostPerRequest: 0.001}}, Usage: "estimate"}, zerolog.Nop())
	if err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	for _, method := range []string{"message/send", "message/stream", "SendMessage", "SendStreamingMessage"} {
		body := gwMessage(method, "hello there, how are you today?", 1)
		v10 := !strings.Contains(method, "/")
		if v10 {
			body = gwMessage10(method, "hello there, how are you today?", 1)
		}
		b.Run(method, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodPost, "/a2a/a", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				h.ServeHTTP(rec, req)
				if rec.Code != 200 || strings.Contains(rec.Body.String(), `"error"`) || v10 && strings.Contains(rec.Body.String(), `"kind"`) {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
		})
	}
	s.clients.CloseIdle()
}

// gwMessage10 is a 1.0 JSON-RPC request of method with one user message.
func gwMessage10(method, text string, id int) string {
	return `{"jsonrpc":"2.0","id":` + strconv.Itoa(id) + `,"method":"` + method + `","params":{"message":{"role":"ROLE_USER","messageId":"m` +
		strconv.Itoa(id) + `","parts":[{"text":"` + text + `"}]}}}`
}
