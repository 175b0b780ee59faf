package stream

import (
	"io"
	"net/http"
)

// Writer writes an OpenAI-style SSE stream: "data: <json>\n\n" frames, each
// flushed at once, ending with "data: [DONE]\n\n".
type Writer struct {
	w     io.Writer
	flush func() error
	buf   []byte
}

// NewWriter returns a Writer on w. When w is an http.ResponseWriter (or
// wraps one), every frame is flushed through http.ResponseController.
func NewWriter(w io.Writer) *Writer {
	sw := &Writer{w: w, flush: func() error { return nil }}
	if rw, ok := w.(http.ResponseWriter); ok {
		rc := http.NewResponseController(rw)
		sw.flush = rc.Flush
	}
	return sw
}

// SetHeaders sets the response headers an SSE stream needs. Proxies in
// between must not buffer it (X-Accel-Buffering) nor cache it.
func SetHeaders(h http.Header) {
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	h.Set("X-Accel-Buffering", "no")
}

// Data writes one "data:" frame holding the JSON document b and flushes it.
// b must not contain a newline (JSON encoders do not write one inside a
// document; a trailing one is trimmed).
func (sw *Writer) Data(b []byte) error {
	if err := sw.Frame(b); err != nil {
		return err
	}
	return sw.flush()
}

// Frame writes one "data:" frame like Data but leaves it buffered: a caller
// that knows more frames follow at once flushes them together (Flush).
func (sw *Writer) Frame(b []byte) error {
	for len(b) > 0 && b[len(b)-1] == '\n' {
		b = b[:len(b)-1]
	}
	sw.buf = append(append(append(sw.buf[:0], "data: "...), b...), "\n\n"...)
	_, err := sw.w.Write(sw.buf)
	return err
}

// Begin returns the Writer's buffer holding the start of a "data:" frame:
// the caller appends its JSON document to it and hands the result to End.
// That spares the document its own allocation and a copy.
func (sw *Writer) Begin() []byte { return append(sw.buf[:0], "data: "...) }

// End finishes the frame Begin started and writes it, buffered like Frame.
// b must hold no newline.
func (sw *Writer) End(b []byte) error {
	sw.buf = append(b, "\n\n"...)
	_, err := sw.w.Write(sw.buf)
	return err
}

// Flush sends what Frame left buffered.
func (sw *Writer) Flush() error { return sw.flush() }

// Comment writes an SSE comment line (skipped by every SSE parser), used as
// a keepalive on idle streams.
func (sw *Writer) Comment(text string) error {
	sw.buf = append(append(append(sw.buf[:0], ": "...), text...), "\n\n"...)
	return sw.write()
}

// Done writes the terminating "data: [DONE]" frame.
func (sw *Writer) Done() error {
	sw.buf = append(sw.buf[:0], "data: [DONE]\n\n"...)
	return sw.write()
}

func (sw *Writer) write() error {
	if _, err := sw.w.Write(sw.buf); err != nil {
		return err
	}
	return sw.flush()
}
