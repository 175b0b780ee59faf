package bridge

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

// BenchmarkGateway measures one /a2a/{agent} call through the whole
// bridge against a fast agent answering 1 KiB, message/send and
// message/stream (32 chunks), with its accounting (tokens, cost, stats).
func BenchmarkGateway(b *testing.B) {
	agent := benchAgent(b, `{"name":"a","protocolVersion":"0.3.0","url":"/","capabilities":{"streaming":true}}`)
	s, err := New(Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL, CostPerRequest: 0.001}}, Usage: "estimate"}, zerolog.Nop())
	if err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	for _, method := range []string{"message/send", "message/stream"} {
		body := gwMessage(method, "hello there, how are you today?", 1)
		b.Run(method, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodPost, "/a2a/a", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				h.ServeHTTP(rec, req)
				if rec.Code != 200 || strings.Contains(rec.Body.String(), `"error"`) {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
		})
	}
	s.clients.CloseIdle()
}
