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

// burstAgent answers every stream with a 1 KiB answer in 32 artifact
// chunks, all at once (BenchmarkChat's agent).
func burstAgent(t testing.TB) *httptest.Server {
	answer := strings.Repeat("lorem ipsum dolor sit amet, ", 37)[:1024]
	var frames strings.Builder
	for i := range 32 {
		fmt.Fprintf(&frames, "data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"kind\":\"artifact-update\",\"taskId\":\"t\",\"contextId\":\"c\",\"append\":%t,\"artifact\":{\"artifactId\":\"a\",\"parts\":[{\"kind\":\"text\",\"text\":%q}]}}}\n\n", i > 0, answer[i*32:(i+1)*32])
	}
	frames.WriteString("data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"kind\":\"status-update\",\"taskId\":\"t\",\"contextId\":\"c\",\"final\":true,\"status\":{\"state\":\"completed\"}}}\n\n")
	body := frames.String()
	agent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			http.NotFound(w, r)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(agent.Close)
	return agent
}

// TestStreamRequestAllocs bounds the allocations of one stream request
// through the whole bridge, agent and recorder included (284 before the
// stream path was trimmed: a slice per event, the answer grown from the
// first chunk's size, the ids, the SSE headers; 236 after, 241 once an
// idle stream lets go of its request: see TestIdleStreamHoldsNoPrompt).
func TestStreamRequestAllocs(t *testing.T) {
	if raceOn {
		t.Skip("the race detector drops sync.Pool items: counts differ")
	}
	agent := burstAgent(t)
	s, err := New(Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL}}}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.clients.CloseIdle)
	h := s.Handler()
	body := chatBody("a2a/a", true, "user", "hello there, how are you today?")
	got := testing.AllocsPerRun(200, func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(body)))
		if rec.Code != http.StatusOK || !strings.HasSuffix(rec.Body.String(), "data: [DONE]\n\n") {
			panic(fmt.Sprintf("status %d: %s", rec.Code, rec.Body))
		}
	})
	if want := 260.0; got > want {
		t.Errorf("allocations per stream request = %v, want at most %v", got, want)
	}
}
