package upstream

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/a2a-bridge/a2a-bridge/transform"
)

// TestHeldStreamLetsGoOfBody: a stream held open by its agent keeps no
// copy of the request it was opened with (the transport keeps the request
// as long as the answer is read): with a 4 MiB message, the live heap of
// the open stream stays far under its size.
func TestHeldStreamLetsGoOfBody(t *testing.T) {
	const size = 4 << 20
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		if n < size {
			return
		}
		io.WriteString(w, `data: {"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"t1","contextId":"c","status":{"state":"working"}}}`+"\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	tg := target(srv)
	tg.Timeout = time.Minute
	c := &Client{MaxAnswer: 1 << 20}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	text := strings.Repeat("x", size)
	rp, err := c.Do(context.Background(), tg, Request{Op: OpStream, Message: transform.Send{MessageID: "m", Text: text}})
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	if ev, err := rp.Next(); err != nil || ev.TaskID != "t1" {
		t.Fatalf("Next() = %+v, %v, want the agent's task t1", ev, err)
	}
	text = ""
	// The transport's write loop lets go of the request once it has
	// reported the body written, which can come a moment after the first
	// event: collect until the heap is down, or give up after many tries.
	var held int64
	for range 200 {
		runtime.GC()
		runtime.ReadMemStats(&after)
		if held = int64(after.HeapAlloc) - int64(before.HeapAlloc); held <= size/4 {
			break
		}
		runtime.Gosched()
	}
	if held > size/4 {
		t.Errorf("an open stream holds %d KiB, want well under its %d KiB request", held>>10, size>>10)
	}
}
