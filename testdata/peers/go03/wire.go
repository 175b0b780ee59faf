package main

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/a2aproject/a2a-go/a2a"
	"github.com/a2aproject/a2a-go/a2asrv"
)

// interceptor is an a2asrv.CallInterceptor that
//   - makes MODE:nonblocking sends (of a new task) non-blocking (configuration.blocking=false), so the SDK answers
//     message/send with the Task as soon as its first event is stored;
//   - with -no-stream, answers message/stream and tasks/resubscribe with a2a.ErrUnsupportedOperation
//     (-32004): a2a-go v0.3.15 does not check the card's capabilities itself.
type interceptor struct {
	a2asrv.PassthroughCallInterceptor
	noStream bool
}

func (i interceptor) Before(ctx context.Context, cc *a2asrv.CallContext, req *a2asrv.Request) (context.Context, error) {
	switch cc.Method() {
	case "OnSendMessageStream", "OnResubscribeToTask":
		if i.noStream {
			return ctx, a2a.ErrUnsupportedOperation
		}
	case "OnSendMessage":
		if p, ok := req.Payload.(*a2a.MessageSendParams); ok && p != nil && p.Message != nil && p.Message.TaskID == "" && pickMode(textOf(p.Message)) == modeNonBlocking {
			if p.Config == nil {
				p.Config = &a2a.MessageSendConfig{}
			}
			blocking := false
			p.Config.Blocking = &blocking
		}
	}
	return ctx, nil
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

// withCut wraps the SDK's JSON-RPC handler. Once the executor has armed the request's cutter,
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
