package bridge

import (
	"fmt"
	"io"
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
	answer := strings.Repeat("lorem ipsum dolor sit amet, ", 37)[:1024]
	task := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"t","contextId":"c","status":{"state":"completed"},"artifacts":[{"artifactId":"a","parts":[{"kind":"text","text":%q}]}]}}`, answer)
	var frames []string
	for i := range 32 {
		frames = append(frames, fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"result":{"kind":"artifact-update","taskId":"t","contextId":"c","append":%t,"artifact":{"artifactId":"a","parts":[{"kind":"text","text":%q}]}}}`, i > 0, answer[i*32:(i+1)*32]))
	}
	frames = append(frames, `{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":"t","contextId":"c","final":true,"status":{"state":"completed"}}}`)
	agent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			_, _ = io.WriteString(w, `{"name":"a","protocolVersion":"0.3.0","url":"/","capabilities":{"streaming":true}}`)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		if !strings.Contains(r.Header.Get("Accept"), "event-stream") {
			_, _ = io.WriteString(w, task)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for _, f := range frames {
			_, _ = io.WriteString(w, "data: "+f+"\n\n")
		}
	}))
	defer agent.Close()
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
