package stream

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func TestWriterFrames(t *testing.T) {
	tests := []struct {
		name  string
		write func(w *Writer) error
		want  string
	}{
		{"data", func(w *Writer) error { return w.Data([]byte(`{"a":1}`)) }, "data: {\"a\":1}\n\n"},
		{"data trailing newline trimmed", func(w *Writer) error { return w.Data([]byte("{\"a\":1}\n")) }, "data: {\"a\":1}\n\n"},
		{"data trailing newlines trimmed", func(w *Writer) error { return w.Data([]byte("{}\n\n\n")) }, "data: {}\n\n"},
		{"in-band error frame starts as go-openai wants", func(w *Writer) error {
			return w.Data([]byte(`{"error":{"message":"m","type":"agent_error","param":null,"code":null}}`))
		}, "data: {\"error\":{\"message\":\"m\",\"type\":\"agent_error\",\"param\":null,\"code\":null}}\n\n"},
		{"comment", func(w *Writer) error { return w.Comment("keepalive") }, ": keepalive\n\n"},
		{"done", func(w *Writer) error { return w.Done() }, "data: [DONE]\n\n"},
		{"done last", func(w *Writer) error { return errors.Join(w.Frame([]byte(`{"n":1}`)), w.DoneLast()) }, "data: {\"n\":1}\n\ndata: [DONE]\n\n"},
		{"a whole stream", func(w *Writer) error {
			return errors.Join(w.Data([]byte(`{"n":1}`)), w.Comment("keepalive"), w.Data([]byte(`{"n":22}`)), w.Done())
		}, "data: {\"n\":1}\n\n: keepalive\n\ndata: {\"n\":22}\n\ndata: [DONE]\n\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.write(NewWriter(&b)); err != nil {
				t.Fatalf("write to a bytes.Buffer: error = %v, want nil", err)
			}
			if got := b.String(); got != tc.want {
				t.Errorf("written = %q, want %q", got, tc.want)
			}
		})
	}
}

// flushRecorder is a ResponseWriter that records the body written before
// each Flush.
type flushRecorder struct {
	*httptest.ResponseRecorder
	atFlush []string
}

func (f *flushRecorder) Flush() {
	f.atFlush = append(f.atFlush, f.Body.String())
	f.ResponseRecorder.Flush()
}

func TestWriterFlushesEveryFrame(t *testing.T) {
	rec := &flushRecorder{ResponseRecorder: httptest.NewRecorder()}
	w := NewWriter(rec)
	for _, err := range []error{w.Data([]byte(`{"n":1}`)), w.Comment("keepalive"), w.Data([]byte(`{"n":2}`)), w.Done()} {
		if err != nil {
			t.Fatalf("write error = %v, want nil", err)
		}
	}
	want := []string{
		"data: {\"n\":1}\n\n",
		"data: {\"n\":1}\n\n: keepalive\n\n",
		"data: {\"n\":1}\n\n: keepalive\n\ndata: {\"n\":2}\n\n",
		"data: {\"n\":1}\n\n: keepalive\n\ndata: {\"n\":2}\n\ndata: [DONE]\n\n",
	}
	if !reflect.DeepEqual(rec.atFlush, want) {
		t.Errorf("body at each Flush = %q, want %q", rec.atFlush, want)
	}
}

// TestWriterHandDoesNotFlush: Hand and DoneLast give the frames to the
// ResponseWriter and leave the flush to net/http's end of the response.
func TestWriterHandDoesNotFlush(t *testing.T) {
	rec := &flushRecorder{ResponseRecorder: httptest.NewRecorder()}
	w := NewWriter(rec)
	if err := errors.Join(w.Data([]byte(`{"n":1}`)), w.Frame([]byte(`{"n":2}`)), w.Hand(), w.DoneLast()); err != nil {
		t.Fatalf("write error = %v, want nil", err)
	}
	if want := []string{"data: {\"n\":1}\n\n"}; !reflect.DeepEqual(rec.atFlush, want) {
		t.Errorf("body at each Flush = %q, want %q (Hand and DoneLast do not flush)", rec.atFlush, want)
	}
	if got, want := rec.Body.String(), "data: {\"n\":1}\n\ndata: {\"n\":2}\n\ndata: [DONE]\n\n"; got != want {
		t.Errorf("written = %q, want %q", got, want)
	}
}

// unwrapper wraps a ResponseWriter without forwarding Flush, as middleware
// does; http.ResponseController finds the flusher through Unwrap.
type unwrapper struct{ http.ResponseWriter }

func (u unwrapper) Unwrap() http.ResponseWriter { return u.ResponseWriter }

func TestWriterFlushThroughWrapper(t *testing.T) {
	rec := httptest.NewRecorder()
	if err := NewWriter(unwrapper{rec}).Data([]byte(`{}`)); err != nil {
		t.Fatalf("Data through a wrapper: error = %v, want nil", err)
	}
	if !rec.Flushed {
		t.Errorf("Data through a wrapper: Flushed = false, want true")
	}
	if got, want := rec.Body.String(), "data: {}\n\n"; got != want {
		t.Errorf("Data through a wrapper wrote %q, want %q", got, want)
	}
}

// noFlush is a ResponseWriter that cannot flush.
type noFlush struct{ h http.Header }

func (n noFlush) Header() http.Header         { return n.h }
func (n noFlush) Write(p []byte) (int, error) { return len(p), nil }
func (n noFlush) WriteHeader(int)             {}

// TestWriterCannotFlush: a stream that cannot be flushed is reported, not
// silently buffered until the end.
func TestWriterCannotFlush(t *testing.T) {
	err := NewWriter(noFlush{http.Header{}}).Data([]byte(`{}`))
	if !errors.Is(err, http.ErrNotSupported) {
		t.Errorf("Data on a ResponseWriter without Flush: error = %v, want http.ErrNotSupported", err)
	}
}

type failingWriter struct{ err error }

func (f failingWriter) Write([]byte) (int, error) { return 0, f.err }

// flushFails is a ResponseWriter whose flush fails (the client went away).
type flushFails struct {
	*httptest.ResponseRecorder
	err error
}

func (f flushFails) FlushError() error { return f.err }

func TestWriterErrors(t *testing.T) {
	gone := errors.New("write: broken pipe")
	tests := []struct {
		name  string
		w     *Writer
		write func(w *Writer) error
	}{
		{"Data write error", NewWriter(failingWriter{gone}), func(w *Writer) error { return w.Data([]byte(`{}`)) }},
		{"Comment write error", NewWriter(failingWriter{gone}), func(w *Writer) error { return w.Comment("keepalive") }},
		{"Done write error", NewWriter(failingWriter{gone}), func(w *Writer) error { return w.Done() }},
		{"flush error", NewWriter(flushFails{httptest.NewRecorder(), gone}), func(w *Writer) error { return w.Data([]byte(`{}`)) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.write(tc.w); !errors.Is(err, gone) {
				t.Errorf("error = %v, want %v", err, gone)
			}
		})
	}
}

func TestSetHeaders(t *testing.T) {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	SetHeaders(h)
	want := http.Header{
		"Content-Type":      {"text/event-stream"},
		"Cache-Control":     {"no-cache"},
		"Connection":        {"keep-alive"},
		"X-Accel-Buffering": {"no"},
	}
	if !reflect.DeepEqual(h, want) {
		t.Errorf("SetHeaders(h) = %v, want %v", h, want)
	}
}

func TestWriterFrameWaitsForFlush(t *testing.T) {
	rec := httptest.NewRecorder()
	w := NewWriter(rec)
	if err := w.Frame([]byte(`{"a":1}`)); err != nil || rec.Flushed {
		t.Fatalf("Frame: err %v, flushed %v; want written, not flushed", err, rec.Flushed)
	}
	if err := w.Flush(); err != nil || !rec.Flushed || rec.Body.String() != "data: {\"a\":1}\n\n" {
		t.Errorf("after Flush: err %v, flushed %v, body %q", err, rec.Flushed, rec.Body.String())
	}
}

func TestWriterBeginEnd(t *testing.T) {
	rec := httptest.NewRecorder()
	w := NewWriter(rec)
	for _, doc := range []string{`{"a":1}`, `{"b":"two"}`} {
		if err := w.End(append(w.Begin(), doc...)); err != nil || rec.Flushed {
			t.Fatalf("End: err %v, flushed %v; want written, not flushed", err, rec.Flushed)
		}
	}
	if err := w.Flush(); err != nil || rec.Body.String() != "data: {\"a\":1}\n\ndata: {\"b\":\"two\"}\n\n" {
		t.Errorf("after Flush: err %v, body %q", err, rec.Body.String())
	}
	if got := testing.AllocsPerRun(100, func() {
		_ = w.End(append(w.Begin(), `{"c":3}`...))
		_ = w.Flush()
	}); got != 0 {
		t.Errorf("Begin/End/Flush allocate %v times per frame once a buffer is pooled; want 0", got)
	}
}

// countingWriter counts the Writes it gets.
type countingWriter struct {
	bytes.Buffer
	writes int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.writes++
	return c.Buffer.Write(p)
}

func TestWriterOneWritePerFlush(t *testing.T) {
	var cw countingWriter
	w := NewWriter(&cw)
	for i := range 40 {
		if err := w.End(fmt.Appendf(w.Begin(), `{"n":%d}`, i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Frame([]byte(`{"n":"last"}` + "\n")); err != nil {
		t.Fatal(err)
	}
	if cw.writes != 0 {
		t.Fatalf("%d writes before Flush, want 0: frames wait in the Writer", cw.writes)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if cw.writes != 1 || strings.Count(cw.String(), "data: ") != 41 || !strings.HasSuffix(cw.String(), "data: {\"n\":\"last\"}\n\n") {
		t.Fatalf("after Flush: %d writes, body %q; want the 41 frames in one write", cw.writes, cw.String())
	}
	if w.buf != nil || w.pool != nil {
		t.Errorf("a flushed Writer keeps a buffer of %d bytes; want none (an idle stream holds none)", cap(w.buf))
	}
	if err := w.Comment("keepalive"); err != nil || cw.writes != 2 || !strings.HasSuffix(cw.String(), ": keepalive\n\n") {
		t.Errorf("Comment: err %v, %d writes, body ends %q", err, cw.writes, cw.String()[max(0, cw.Len()-20):])
	}
}

func TestWriterWritesPastMaxPending(t *testing.T) {
	var cw countingWriter
	w := NewWriter(&cw)
	doc := `"` + strings.Repeat("x", 1000) + `"`
	n := 0
	for cw.writes == 0 {
		if n++; n > 2*maxPending/len(doc) {
			t.Fatalf("no write after %d frames of %d bytes; want one by %d bytes pending", n, len(doc), maxPending)
		}
		if err := w.Frame([]byte(doc)); err != nil {
			t.Fatal(err)
		}
	}
	if cw.Len() < maxPending || cw.Len() > maxPending+len(doc)+16 {
		t.Errorf("first write of %d bytes, want just past %d", cw.Len(), maxPending)
	}
}

// TestNewWriterAllocs: a Writer on a ResponseWriter is one allocation,
// its ResponseController kept inside it, and flushes through it.
func TestNewWriterAllocs(t *testing.T) {
	rec := httptest.NewRecorder()
	sw := NewWriter(rec)
	if err := sw.Data([]byte(`{}`)); err != nil || !rec.Flushed || rec.Body.String() != "data: {}\n\n" {
		t.Errorf("Data({}) = %v, flushed %v, body %q, want data: {} flushed", err, rec.Flushed, rec.Body)
	}
	if !raceEnabled && testing.AllocsPerRun(100, func() { sinkWriter = NewWriter(rec) }) != 1 {
		t.Errorf("NewWriter(ResponseRecorder) allocations = %v, want 1", testing.AllocsPerRun(100, func() { sinkWriter = NewWriter(rec) }))
	}
}

var sinkWriter *Writer
