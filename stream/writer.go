package stream

import (
	"io"
	"net/http"
	"sync"
)

// Writer writes an OpenAI-style SSE stream: "data: <json>\n\n" frames, each
// flushed at once, ending with "data: [DONE]\n\n".
type Writer struct {
	w    io.Writer
	rc   http.ResponseController // w's, when it is an http.ResponseWriter
	isRW bool                    // it is: rc flushes
	buf  []byte                  // frames not yet written, in *pool's array
	pool *[]byte                 // the buffer taken from frameBufs, nil when none
}

// NewWriter returns a Writer on w. When w is an http.ResponseWriter (or
// wraps one), every frame is flushed through http.ResponseController (kept
// in the Writer: a pointer to one and its Flush method value were two
// allocations a stream).
func NewWriter(w io.Writer) *Writer {
	sw := &Writer{w: w}
	if rw, ok := w.(http.ResponseWriter); ok {
		sw.rc, sw.isRW = *http.NewResponseController(rw), true
	}
	return sw
}

// flush flushes the underlying writer, if it can be.
func (sw *Writer) flush() error {
	if !sw.isRW {
		return nil
	}
	return sw.rc.Flush()
}

// SetHeaders sets the response headers an SSE stream needs. Proxies in
// between must not buffer it (X-Accel-Buffering) nor cache it.
//
// The values are shared by every stream, not a slice each: a header's
// values are replaced (Set) or appended to (Add, which copies a full
// slice), never written in place.
func SetHeaders(h http.Header) {
	h["Content-Type"] = sseContentType
	h["Cache-Control"] = noCache
	h["Connection"] = keepAlive
	h["X-Accel-Buffering"] = no
}

var (
	sseContentType = []string{"text/event-stream"}
	noCache        = []string{"no-cache"}
	keepAlive      = []string{"keep-alive"}
	no             = []string{"no"}
)

// Data writes one "data:" frame holding the JSON document b and flushes it.
// b must not contain a newline (JSON encoders do not write one inside a
// document; a trailing one is trimmed).
func (sw *Writer) Data(b []byte) error {
	if err := sw.Frame(b); err != nil {
		return err
	}
	return sw.Flush()
}

// Frame adds one "data:" frame like Data but leaves it buffered: a caller
// that knows more frames follow at once flushes them together (Flush).
func (sw *Writer) Frame(b []byte) error {
	for len(b) > 0 && b[len(b)-1] == '\n' {
		b = b[:len(b)-1]
	}
	return sw.End(append(sw.Begin(), b...))
}

// Begin returns the Writer's buffer ending with the start of a "data:"
// frame: the caller appends its JSON document to it and hands the result
// to End. That spares the document its own allocation and a copy.
func (sw *Writer) Begin() []byte {
	sw.take()
	return append(sw.buf, "data: "...)
}

// take gets a buffer from frameBufs, unless the Writer has one.
func (sw *Writer) take() {
	if sw.pool == nil {
		sw.pool = frameBufs.Get().(*[]byte)
		sw.buf = (*sw.pool)[:0]
	}
}

// End finishes the frame Begin started and keeps it buffered like Frame.
// b must hold no newline.
//
// Frames wait in the Writer's own buffer until Flush, which hands them to
// the underlying writer in one Write: an http.ResponseWriter costs about
// as much per Write as per frame's worth of copying, and a burst of events
// is a few dozen frames. A burst past maxPending is written at once.
func (sw *Writer) End(b []byte) error {
	sw.buf = append(b, "\n\n"...)
	if len(sw.buf) < maxPending {
		return nil
	}
	return sw.write()
}

// maxPending bounds what the Writer holds before Flush.
const maxPending = 32 << 10

// frameBufs are the buffers of Writers with frames pending, shared: a
// Writer gives its buffer back on Flush, so that an idle stream holds none.
var frameBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1<<10); return &b }}

// Flush writes the buffered frames and flushes them to the client.
func (sw *Writer) Flush() error {
	if err := sw.Hand(); err != nil {
		return err
	}
	return sw.flush()
}

// Hand writes the buffered frames to the underlying writer without
// flushing it, and gives the buffer back. It is for a stream's last
// frames, written just before its handler returns: net/http then sends
// them with the end of the chunked body, in one system call rather than
// two.
func (sw *Writer) Hand() error {
	err := sw.write()
	if sw.pool != nil {
		if cap(sw.buf) <= 2*maxPending { // a huge frame's buffer is left to the GC
			*sw.pool = sw.buf[:0]
			frameBufs.Put(sw.pool)
		}
		sw.buf, sw.pool = nil, nil
	}
	return err
}

// write hands the buffered frames to the underlying writer.
func (sw *Writer) write() error {
	if len(sw.buf) == 0 {
		return nil
	}
	_, err := sw.w.Write(sw.buf)
	sw.buf = sw.buf[:0]
	return err
}

// Comment writes an SSE comment line (skipped by every SSE parser), used as
// a keepalive on idle streams, and flushes it with any buffered frame.
func (sw *Writer) Comment(text string) error {
	sw.take()
	sw.buf = append(append(append(sw.buf, ": "...), text...), "\n\n"...)
	return sw.Flush()
}

// Done writes the terminating "data: [DONE]" frame and flushes.
func (sw *Writer) Done() error {
	return sw.Data([]byte("[DONE]"))
}

// DoneLast writes the terminating "data: [DONE]" frame like Done, but
// leaves it unflushed (see Hand): for a handler that returns next.
func (sw *Writer) DoneLast() error {
	if err := sw.Frame([]byte("[DONE]")); err != nil {
		return err
	}
	return sw.Hand()
}
