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

// BenchmarkResponses measures one /v1/responses request through the whole
// bridge, as BenchmarkChat does a chat request: the same agent (1 KiB,
// non-stream, or 32 chunks on a stream) and prompt, so that the two read
// side by side (go test -run=^$ -bench='Chat|Responses' -benchmem ./bridge/).
func BenchmarkResponses(b *testing.B) {
	answer := strings.Repeat("lorem ipsum dolor sit amet, ", 37)[:1024]
	task := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"t","contextId":"c","status":{"state":"completed"},"artifacts":[{"artifactId":"a","parts":[{"kind":"text","text":%q}]}]}}`, answer)
	var frames []string
	for i := range 32 {
		frames = append(frames, fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"result":{"kind":"artifact-update","taskId":"t","contextId":"c","append":%t,"artifact":{"artifactId":"a","parts":[{"kind":"text","text":%q}]}}}`, i > 0, answer[i*32:(i+1)*32]))
	}
	frames = append(frames, `{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":"t","contextId":"c","final":true,"status":{"state":"completed"}}}`)
	agent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			http.NotFound(w, r)
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
	for _, usage := range []string{"tokenizer", "estimate"} {
		s, err := New(Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL}}, Usage: usage}, zerolog.Nop())
		if err != nil {
			b.Fatal(err)
		}
		h := s.Handler()
		for _, stream := range []bool{false, true} {
			body := fmt.Sprintf(`{"model":"a2a/a","input":"hello there, how are you today?","stream":%t}`, stream)
			b.Run(fmt.Sprintf("usage=%s/stream=%v", usage, stream), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/responses", strings.NewReader(body)))
					if rec.Code != 200 {
						b.Fatalf("%d %s", rec.Code, rec.Body)
					}
				}
			})
		}
		s.clients.CloseIdle()
	}
}
