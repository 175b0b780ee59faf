package main

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/a2aproject/a2a-go/v2/a2a"
	"github.com/a2aproject/a2a-go/v2/a2asrv"
)

// nonBlocking is an a2asrv.CallInterceptor that makes MODE:nonblocking sends (of a new task) return at once
// (configuration.returnImmediately=true; on /v03 the compat layer has already turned the 0.3
// request into this 1.0 one), so the SDK answers with the Task as soon as its first event is stored.
// -no-stream needs no interceptor: a2asrv.WithCapabilityChecks makes the SDK refuse stream calls.
type nonBlocking struct {
	a2asrv.PassthroughCallInterceptor
}

func (nonBlocking) Before(ctx context.Context, cc *a2asrv.CallContext, req *a2asrv.Request) (context.Context, any, error) {
	if cc.Method() == "SendMessage" {
		if p, ok := req.Payload.(*a2a.SendMessageRequest); ok && p != nil && p.Message != nil && p.Message.TaskID == "" && pickMode(textOf(p.Message)) == modeNonBlocking {
			if p.Config == nil {
				p.Config = &a2a.SendMessageConfig{}
			}
			p.Config.ReturnImmediately = true
		}
	}
	return ctx, nil, nil
}

// cutEvents is how many SSE events a MODE:cut stream gets before its connection is dropped:
// the Task, working, and two artifact chunks.
const cutEvents = 4

type cutKey struct{}

// cutter travels in the request context; the SDK runs the executor in a context.WithoutCancel
// of it, so the executor can arm it.
type cutter struct{ armed atomic.Bool }

func armCut(ctx context.Context) {
	if c, ok := ctx.Value(cutKey{}).(*cutter); ok {
		c.armed.Store(true)
	}
}

// withCut wraps an SDK JSON-RPC handler. Once the executor has armed the request's cutter,
// the response is aborted (panic(http.ErrAbortHandler): net/http closes the connection without
// the terminating chunk): an SSE response after its cutEvents-th event, any other response
// before its first byte.
func withCut(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &cutter{}
		next.ServeHTTP(&cutWriter{ResponseWriter: w, cut: c}, r.WithContext(context.WithValue(r.Context(), cutKey{}, c)))
	})
}

type cutWriter struct {
	http.ResponseWriter
	cut    *cutter
	events int
}

func (w *cutWriter) sse() bool {
	return strings.HasPrefix(w.Header().Get("Content-Type"), "text/event-stream")
}

func (w *cutWriter) Write(p []byte) (int, error) {
	if w.cut.armed.Load() && !w.sse() {
		panic(http.ErrAbortHandler)
	}
	return w.ResponseWriter.Write(p)
}

// Flush is called once per SSE event by the SDK's writer.
func (w *cutWriter) Flush() {
	w.ResponseWriter.(http.Flusher).Flush()
	if w.cut.armed.Load() && w.sse() {
		if w.events++; w.events >= cutEvents {
			panic(http.ErrAbortHandler)
		}
	}
}
