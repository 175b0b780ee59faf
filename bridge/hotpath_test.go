package bridge

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"
)

// allocs is the allocations of one f, averaged; the race detector's own
// allocations make it meaningless there.
func allocs(t *testing.T, f func()) float64 {
	t.Helper()
	if raceOn {
		t.Skip("the race detector allocates on its own")
	}
	return testing.AllocsPerRun(100, f)
}

// TestChatIDs: the agent's messageId is a random version 4 UUID in its
// canonical form and the completion id is chatcmpl- and 32 hex digits,
// both from one allocation.
func TestChatIDs(t *testing.T) {
	msg, cmpl := chatIDs()
	u, err := uuid.Parse(msg)
	if err != nil || u.String() != msg || u.Version() != 4 || u.Variant() != uuid.RFC4122 {
		t.Errorf("chatIDs() messageID = %q (%v), want a canonical version 4 UUID", msg, err)
	}
	if len(cmpl) != len("chatcmpl-")+32 || cmpl[:len("chatcmpl-")] != "chatcmpl-" {
		t.Errorf("chatIDs() completionID = %q, want chatcmpl- and 32 hex digits", cmpl)
	}
	if m2, c2 := chatIDs(); m2 == msg || c2 == cmpl {
		t.Errorf("chatIDs() twice = %q %q, then %q %q, want new ids each time", msg, cmpl, m2, c2)
	}
	if n := allocs(t, func() { chatIDs() }); n != 1 {
		t.Errorf("chatIDs() allocations = %v, want 1", n)
	}
}

// TestNoteIDsAllocs: the first event's task and context ids go into the
// response headers as copies, both in one string and one slice.
func TestNoteIDsAllocs(t *testing.T) {
	s := &Server{}
	raw := []byte("t-1c-1")
	ext := &transform.Ext{TaskID: string(raw[:3]), ContextID: string(raw[3:])}
	var rec *httptest.ResponseRecorder
	var c echo.Context
	e := echo.New()
	fresh := func() {
		rec = httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/", nil)
		req = req.WithContext(&infoCtx{Context: context.Background()})
		c = e.NewContext(req, rec)
	}
	fresh()
	s.noteIDs(c, ext)
	h := rec.Header()
	if got := h[hdrTaskID]; len(got) != 1 || got[0] != "t-1" {
		t.Errorf("X-A2A-Task-Id = %q, want [t-1]", got)
	}
	if got := h[hdrContextID]; len(got) != 1 || got[0] != "c-1" {
		t.Errorf("X-A2A-Context-Id = %q, want [c-1]", got)
	}
	h.Add(hdrTaskID, "more") // the two share a backing array: an append must not reach the other
	if got := h[hdrContextID]; len(got) != 1 || got[0] != "c-1" {
		t.Errorf("X-A2A-Context-Id after an Add to the task's = %q, want [c-1]", got)
	}
	n := 0.0
	if !raceOn {
		for range 50 {
			fresh()
			n += testing.AllocsPerRun(1, func() { s.noteIDs(c, ext) })
		}
	}
	if n /= 50; n > 2 {
		t.Errorf("noteIDs(both new) allocations = %v, want 2", n)
	}
}

// TestWithLogger: the request's logger is stored where WithContext would
// store it, and a disabled logger over none costs nothing.
func TestWithLogger(t *testing.T) {
	enabled := zerolog.New(nil)
	nop := zerolog.Nop()
	bg := context.Background()
	withEnabled := enabled.WithContext(bg)
	for _, tc := range []struct {
		name   string
		ctx    context.Context
		logger zerolog.Logger
		want   *zerolog.Logger // nil: the logger given
	}{
		{"enabled over none", bg, enabled, nil},
		{"disabled over none", bg, nop, zerolog.Ctx(bg)},
		{"disabled over enabled", withEnabled, nop, nil},
		{"enabled over enabled", withEnabled, enabled, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := zerolog.Ctx(withLogger(tc.ctx, &tc.logger))
			if tc.want != nil && got != tc.want || tc.want == nil && got.GetLevel() != tc.logger.GetLevel() {
				t.Errorf("Ctx(withLogger(%s)) level = %v, want %v", tc.name, got.GetLevel(), tc.logger.GetLevel())
			}
			if ref := zerolog.Ctx(tc.logger.WithContext(tc.ctx)); ref.GetLevel() != got.GetLevel() {
				t.Errorf("Ctx(withLogger(%s)) level = %v, WithContext's %v", tc.name, got.GetLevel(), ref.GetLevel())
			}
		})
	}
	if n := allocs(t, func() { withLogger(bg, &nop) }); n != 0 {
		t.Errorf("withLogger(nop) allocations = %v, want 0", n)
	}
}

// TestMiddlewareAllocs: the middleware of every route and of /v1 are a
// closure each per request (Echo applies middleware per request), not one
// per step: a /v1 request past them costs no more than this.
func TestMiddlewareAllocs(t *testing.T) {
	s, err := New(Config{Agents: []AgentConfig{{Name: "a", URL: "http://127.0.0.1:1"}}, Usage: "estimate"}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	req := httptest.NewRequest(http.MethodGet, "/v1/models", nil)
	var rec *httptest.ResponseRecorder
	serve := func() {
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
	}
	serve()
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /v1/models = %d, want 200", rec.Code)
	}
	// 27 before: the five steps a closure each.
	if n := allocs(t, serve); n > 24 {
		t.Errorf("GET /v1/models allocations = %v, want at most 24", n)
	}
}
