package bridge

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// BenchmarkResponses measures one /v1/responses request through the whole
// bridge, as BenchmarkChat does a chat request: the same agent (1 KiB,
// non-stream, or 32 chunks on a stream) and prompt, so that the two read
// side by side (go test -run=^$ -bench='Chat|Responses' -benchmem ./bridge/).
func BenchmarkResponses(b *testing.B) {
	benchDoor(b, "/v1/responses", responsesBenchBody)
}

func responsesBenchBody(stream bool) string {
	return fmt.Sprintf(`{"model":"a2a/a","input":"hello there, how are you today?","stream":%t}`, stream)
}

// BenchmarkDoorsDiscard measures the chat and the Responses door side by
// side as BenchmarkChat and BenchmarkResponses do, but writes the answers
// to a writer that only counts them: an httptest.ResponseRecorder keeps
// the whole answer in a bytes.Buffer that doubles as it grows, and a
// Responses stream, half as long again as a chat one (its events repeat
// the text at the end), costs the recorder 24 KB more an op than chat's;
// the bridge writes to the connection's bufio.Writer, which does not grow.
func BenchmarkDoorsDiscard(b *testing.B) {
	agent := benchAgent(b, "")
	doors := []struct {
		name, path string
		body       func(bool) string
	}{
		{"chat", "/v1/chat/completions", func(stream bool) string {
			return chatBody("a2a/a", stream, "user", "hello there, how are you today?")
		}},
		{"responses", "/v1/responses", responsesBenchBody},
	}
	s, err := New(Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL}}, Usage: "tokenizer"}, zerolog.Nop())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.clients.CloseIdle)
	h := s.Handler()
	for _, stream := range []bool{false, true} {
		for _, d := range doors {
			body := d.body(stream)
			b.Run(fmt.Sprintf("stream=%v/door=%s", stream, d.name), func(b *testing.B) {
				b.ReportAllocs()
				w := &countingWriter{h: http.Header{}}
				for b.Loop() {
					clear(w.h)
					w.code, w.n = 0, 0
					h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, d.path, strings.NewReader(body)))
					if w.code != http.StatusOK || w.n == 0 {
						b.Fatalf("%d, %d bytes", w.code, w.n)
					}
				}
			})
		}
	}
}

// BenchmarkDoorsRatio times a chat request and a Responses request in
// turn, each op one of both (through the counting writer), and reports
// each door's ns per request and their ratio: on a loaded machine the two
// see the same load, request by request, where two benchmarks run apart
// do not (go test -run=^$ -bench=DoorsRatio -cpu 1 ./bridge/).
func BenchmarkDoorsRatio(b *testing.B) {
	agent := benchAgent(b, "")
	s, err := New(Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL}}, Usage: "tokenizer"}, zerolog.Nop())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.clients.CloseIdle)
	h := s.Handler()
	for _, stream := range []bool{false, true} {
		bodies := [2]string{chatBody("a2a/a", stream, "user", "hello there, how are you today?"), responsesBenchBody(stream)}
		paths := [2]string{"/v1/chat/completions", "/v1/responses"}
		b.Run(fmt.Sprintf("stream=%v", stream), func(b *testing.B) {
			var spent [2]time.Duration
			w := &countingWriter{h: http.Header{}}
			n := 0
			for b.Loop() {
				for k := range 2 {
					door := (n + k) % 2 // chat first on even ops, Responses on odd
					clear(w.h)
					w.code, w.n = 0, 0
					req := httptest.NewRequest(http.MethodPost, paths[door], strings.NewReader(bodies[door]))
					start := time.Now()
					h.ServeHTTP(w, req)
					spent[door] += time.Since(start)
					if w.code != http.StatusOK {
						b.Fatalf("%s: %d", paths[door], w.code)
					}
				}
				n++
			}
			b.ReportMetric(float64(spent[0].Nanoseconds())/float64(n), "chat-ns/req")
			b.ReportMetric(float64(spent[1].Nanoseconds())/float64(n), "resp-ns/req")
			b.ReportMetric(float64(spent[1])/float64(spent[0]), "resp/chat")
		})
	}
}

// countingWriter is a ResponseWriter that keeps only the status and the
// count of the bytes written.
type countingWriter struct {
	h    http.Header
	code int
	n    int
}

func (w *countingWriter) Header() http.Header { return w.h }

func (w *countingWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *countingWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.n += len(b)
	return len(b), nil
}

func (w *countingWriter) Flush() {}
