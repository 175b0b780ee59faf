package bridge

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

// flushCounter is a recorder that counts the flushes a handler asks for.
type flushCounter struct {
	*httptest.ResponseRecorder
	flushes int
}

func (f *flushCounter) Flush() { f.flushes++; f.ResponseRecorder.Flush() }

// TestGatewayStreamBurst: events an agent sends in one burst reach the
// caller in a few writes, not one flush per event (the proxy hop's cost:
// 33 flushes for burstAgent's 33 frames made the gateway stream 0.6x the
// hop's throughput), and every one of them arrives.
func TestGatewayStreamBurst(t *testing.T) {
	agent := burstAgent(t)
	s, err := New(Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL}}}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.clients.CloseIdle)
	rec := &flushCounter{ResponseRecorder: httptest.NewRecorder()}
	req := httptest.NewRequest(http.MethodPost, "/a2a/a", strings.NewReader(gwMessage("message/stream", "hello", 1)))
	req.Header.Set("Content-Type", "application/json")
	s.Handler().ServeHTTP(rec, req)
	body := rec.Body.String()
	if n := strings.Count(body, "data: "); rec.Code != http.StatusOK || n != 33 || !strings.Contains(body, `"final":true`) {
		t.Fatalf("gateway stream = %d with %d events, want 200 with all 33:\n%.400s", rec.Code, n, body)
	}
	if rec.flushes > 6 {
		t.Errorf("a burst of 33 events took %d flushes, want a few", rec.flushes)
	}
}
