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

// benchAgent is the fast agent of the door benchmarks: a task with a 1 KiB
// answer, or on a stream the same answer in 32 artifact chunks and a final
// status. It serves card on GET (none: 404).
func benchAgent(b *testing.B, card string) *httptest.Server {
	b.Helper()
	answer := strings.Repeat("lorem ipsum dolor sit amet, ", 37)[:1024]
	task := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"t","contextId":"c","status":{"state":"completed"},"artifacts":[{"artifactId":"a","parts":[{"kind":"text","text":%q}]}]}}`, answer)
	var frames []string
	for i := range 32 {
		frames = append(frames, fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"result":{"kind":"artifact-update","taskId":"t","contextId":"c","append":%t,"artifact":{"artifactId":"a","parts":[{"kind":"text","text":%q}]}}}`, i > 0, answer[i*32:(i+1)*32]))
	}
	frames = append(frames, `{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":"t","contextId":"c","final":true,"status":{"state":"completed"}}}`)
	agent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			if card == "" {
				http.NotFound(w, r)
				return
			}
			_, _ = io.WriteString(w, card)
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
	b.Cleanup(agent.Close)
	return agent
}

// benchDoor measures POST path through a bridge in front of benchAgent,
// for each usage mode, non-stream and stream; body(stream) is the request.
func benchDoor(b *testing.B, path string, body func(stream bool) string) {
	agent := benchAgent(b, "")
	for _, usage := range []string{"tokenizer", "estimate"} {
		s, err := New(Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL}}, Usage: usage}, zerolog.Nop())
		if err != nil {
			b.Fatal(err)
		}
		h := s.Handler()
		for _, stream := range []bool{false, true} {
			body := body(stream)
			b.Run(fmt.Sprintf("usage=%s/stream=%v", usage, stream), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)))
					if rec.Code != 200 {
						b.Fatalf("%d %s", rec.Code, rec.Body)
					}
				}
			})
		}
		s.clients.CloseIdle()
	}
}

// BenchmarkChat measures one chat request through the whole bridge
// (handler, upstream call on loopback, translation) against a fast agent
// answering 1 KiB, non-stream and stream (32 chunks). Profile it with
// go test -run=^$ -bench=Chat -cpuprofile cpu.out ./bridge/.
func BenchmarkChat(b *testing.B) {
	benchDoor(b, "/v1/chat/completions", func(stream bool) string {
		return chatBody("a2a/a", stream, "user", "hello there, how are you today?")
	})
}
