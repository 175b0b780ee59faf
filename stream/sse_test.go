package stream

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// update rewrites the events sections of testdata/golden/sse:
// go test ./stream/ -run Golden -update
var update = flag.Bool("update", false, "rewrite the expected sections of testdata/golden")

const testMax = 1 << 20

// ev is an Event with string fields, for comparing.
type ev struct {
	Type, ID, Data string
}

func (e ev) String() string { return fmt.Sprintf("{Type:%q ID:%q Data:%q}", e.Type, e.ID, e.Data) }

// collect reads every event of r. Data is copied: Events reuses its buffer.
func collect(r io.Reader, max int) ([]ev, error) {
	var evs []ev
	for e, err := range Events(r, max) {
		if err != nil {
			return evs, err
		}
		evs = append(evs, ev{Type: e.Type, ID: e.ID, Data: string(e.Data)})
	}
	return evs, nil
}

// eventsTests are SSE inputs with the events they carry; they also seed FuzzEvents.
var eventsTests = []struct {
	name    string
	in      string
	max     int // 0 means testMax
	want    []ev
	wantErr error
}{
	{name: "LF", in: "data: a\n\ndata: b\n\n", want: []ev{{Data: "a"}, {Data: "b"}}},
	{name: "leading byte order mark is stripped", in: "\xef\xbb\xbfdata: a\n\n", want: []ev{{Data: "a"}}},
	{name: "CRLF", in: "data: a\r\n\r\ndata: b\r\n\r\n", want: []ev{{Data: "a"}, {Data: "b"}}},
	{name: "bare CR", in: "data: a\r\rdata: b\r\r", want: []ev{{Data: "a"}, {Data: "b"}}},
	{name: "mixed line ends", in: "data: a\r\ndata: b\n\rdata: c\r\r\n\n", want: []ev{{Data: "a\nb"}, {Data: "c"}}},
	{name: "CR then LF in one event is one line end", in: "data: a\r\n\n", want: []ev{{Data: "a"}}},
	{name: "comment between events", in: ": ping\n\ndata: a\n\n: ping - 2026-11-24 12:00:00.000000+00:00\n\n", want: []ev{{Data: "a"}}},
	{name: "comment inside an event", in: "data: a\n: keep-alive\ndata: b\n\n", want: []ev{{Data: "a\nb"}}},
	{name: "bare colon comment", in: ":\n\ndata: a\n\n", want: []ev{{Data: "a"}}},
	{name: "multi-line data joined with LF", in: "data: {\ndata: \"a\": 1\ndata: }\n\n", want: []ev{{Data: "{\n\"a\": 1\n}"}}},
	{name: "event field", in: "event: error\ndata: {\"error\":{}}\n\n", want: []ev{{Type: "error", Data: `{"error":{}}`}}},
	{name: "event type resets after dispatch", in: "event: error\ndata: x\n\ndata: y\n\n", want: []ev{{Type: "error", Data: "x"}, {Data: "y"}}},
	{name: "id field persists until changed", in: "id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n", want: []ev{{ID: "1", Data: "a"}, {ID: "1", Data: "b"}, {ID: "2", Data: "c"}}},
	{name: "empty id resets it", in: "id: 1\ndata: a\n\nid\ndata: b\n\n", want: []ev{{ID: "1", Data: "a"}, {Data: "b"}}},
	{name: "id with NUL ignored", in: "id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n", want: []ev{{ID: "1", Data: "a"}, {ID: "1", Data: "b"}}},
	{name: "retry ignored", in: "retry: 1000\ndata: a\n\n", want: []ev{{Data: "a"}}},
	{name: "retry alone is not dispatched", in: "retry: 10\n\n", want: nil},
	{name: "data without a space", in: "data:a\n\n", want: []ev{{Data: "a"}}},
	{name: "only one leading space removed", in: "data:  a \n\n", want: []ev{{Data: " a "}}},
	{name: "colons in the value kept", in: "data: {\"a\":\"b:c\"}\n\n", want: []ev{{Data: `{"a":"b:c"}`}}},
	{name: "field with no colon: data with an empty value", in: "data\n\n", want: []ev{{Data: ""}}},
	{name: "field with no colon: data then more data", in: "data\ndata: x\n\n", want: []ev{{Data: "\nx"}}},
	{name: "unknown field ignored", in: "foo: bar\nbaz\ndata: a\n\n", want: []ev{{Data: "a"}}},
	{name: "field names are case-sensitive", in: "Data: a\nDATA: b\ndata: c\n\n", want: []ev{{Data: "c"}}},
	{name: "empty data line dispatched", in: "data:\n\n", want: []ev{{Data: ""}}},
	{name: "final event without a blank line, with LF", in: "data: a\n\ndata: b\n", want: []ev{{Data: "a"}, {Data: "b"}}},
	{name: "final event without a line end", in: "data: a\n\ndata: b", want: []ev{{Data: "a"}, {Data: "b"}}},
	{name: "final event ending in a bare CR", in: "data: a\r", want: []ev{{Data: "a"}}},
	{name: "blank lines with no data not dispatched", in: "\n\n\r\n\r\r\n", want: nil},
	{name: "event type without data not dispatched", in: "event: ping\n\ndata: a\n\n", want: []ev{{Data: "a"}}},
	{name: "id without data not dispatched but kept", in: "id: 7\n\ndata: a\n\n", want: []ev{{ID: "7", Data: "a"}}},
	{name: "empty stream", in: "", want: nil},
	{name: "only a comment", in: ": hello", want: nil},
	{name: "multi-byte UTF-8 kept", in: "data: café 😀\n\n", want: []ev{{Data: "café 😀"}}},
	{name: "event at exactly max", in: "data:0123456789\n\n", max: 15, want: []ev{{Data: "0123456789"}}},
	{name: "data over max on one line", in: "data: a\n\ndata: 0123456789abcdef\n\n", max: 15, want: []ev{{Data: "a"}}, wantErr: ErrEventTooLarge},
	{name: "data over max across lines", in: "data: 01234\ndata: 01234\ndata: 01234\n\n", max: 15, wantErr: ErrEventTooLarge},
	{name: "comment line over max", in: ": 0123456789abcdef\n\ndata: a\n\n", max: 15, wantErr: ErrEventTooLarge},
	{name: "never-ending line over max", in: "data: " + strings.Repeat("x", 100), max: 64, wantErr: ErrEventTooLarge},
	{name: "line longer than the read buffer", in: "data: " + strings.Repeat("x", 3000) + "\r\n\r\ndata: b\n\n", want: []ev{{Data: strings.Repeat("x", 3000)}, {Data: "b"}}},
	{name: "line longer than the read buffer over max", in: "data: a\n\ndata: " + strings.Repeat("x", 3000) + "\n\n", max: 2000, want: []ev{{Data: "a"}}, wantErr: ErrEventTooLarge},
	{name: "many small events under max", in: strings.Repeat("data:0123456789\n\n", 5), max: 15, want: []ev{
		{Data: "0123456789"}, {Data: "0123456789"}, {Data: "0123456789"}, {Data: "0123456789"}, {Data: "0123456789"}}},
}

func TestEvents(t *testing.T) {
	for _, tc := range eventsTests {
		t.Run(tc.name, func(t *testing.T) {
			checkEvents(t, "whole", strings.NewReader(tc.in), tc.in, tc.max, tc.want, tc.wantErr)
		})
	}
}

// TestEventsSplit reads every table input split at every byte boundary, one
// byte at a time, and with the last bytes returned together with io.EOF: a
// frame split across reads decodes the same.
func TestEventsSplit(t *testing.T) {
	for _, tc := range eventsTests {
		t.Run(tc.name, func(t *testing.T) {
			for i := 0; i <= len(tc.in); i++ {
				r := io.MultiReader(strings.NewReader(tc.in[:i]), strings.NewReader(tc.in[i:]))
				checkEvents(t, fmt.Sprintf("split at %d", i), r, tc.in, tc.max, tc.want, tc.wantErr)
			}
			checkEvents(t, "OneByteReader", iotest.OneByteReader(strings.NewReader(tc.in)), tc.in, tc.max, tc.want, tc.wantErr)
			checkEvents(t, "HalfReader", iotest.HalfReader(strings.NewReader(tc.in)), tc.in, tc.max, tc.want, tc.wantErr)
			checkEvents(t, "DataErrReader", iotest.DataErrReader(strings.NewReader(tc.in)), tc.in, tc.max, tc.want, tc.wantErr)
		})
	}
}

func checkEvents(t *testing.T, how string, r io.Reader, in string, max int, want []ev, wantErr error) {
	t.Helper()
	if max == 0 {
		max = testMax
	}
	got, err := collect(r, max)
	if !errors.Is(err, wantErr) || (wantErr == nil && err != nil) {
		t.Errorf("Events(%q, %d) [%s] error = %v, want %v", in, max, how, err, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Events(%q, %d) [%s] = %v, want %v", in, max, how, got, want)
	}
}

// TestEventsReadError: an error from the reader ends the events with it; the
// event it cut is not dispatched.
func TestEventsReadError(t *testing.T) {
	boom := errors.New("connection reset")
	r := io.MultiReader(strings.NewReader("data: a\n\ndata: b"), iotest.ErrReader(boom))
	got, err := collect(r, testMax)
	if want := []ev{{Data: "a"}}; !reflect.DeepEqual(got, want) || !errors.Is(err, boom) {
		t.Errorf("Events(a, then reset) = %v, %v, want %v, %v", got, err, want, boom)
	}
}

// TestEventsStopEarly: a consumer that breaks out of the loop stops the
// reading; nothing more is read.
func TestEventsStopEarly(t *testing.T) {
	r := &countingReader{r: strings.NewReader("data: a\n\n" + strings.Repeat("data: b\n\n", 10000))}
	n := 0
	for range Events(r, testMax) {
		n++
		break
	}
	if n != 1 {
		t.Fatalf("Events yielded %d events before break, want 1", n)
	}
	if r.n > 16<<10 {
		t.Errorf("Events read %d bytes for one event, want at most one buffer (16 KiB)", r.n)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestEventsErrEventTooLargeMessage: the error says the bound, for the log.
func TestEventsErrEventTooLargeMessage(t *testing.T) {
	_, err := collect(strings.NewReader("data: 0123456789\n\n"), 8)
	if !errors.Is(err, ErrEventTooLarge) || !strings.Contains(err.Error(), "8 bytes") {
		t.Errorf("Events(16-byte line, 8) error = %v, want ErrEventTooLarge naming 8 bytes", err)
	}
}

// TestGoldenSSE decodes the recorded agent streams of testdata/golden/sse and
// compares the events with the events section. Each is also read one byte
// at a time, with CRLF and with bare CR line ends, and with sse-starlette's
// ": ping" comments between events: all must decode the same.
func TestGoldenSSE(t *testing.T) {
	files, err := filepath.Glob("../testdata/golden/sse/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files in testdata/golden/sse (err %v)", err)
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			a := readArchive(t, path)
			in, ok := a.get("a2a.stream.sse")
			if !ok {
				t.Fatalf("%s has no a2a.stream.sse section", path)
			}
			evs, err := collect(bytes.NewReader(in), testMax)
			if err != nil {
				t.Fatalf("Events(%s) error = %v", path, err)
			}
			got := renderEvents(evs)
			if *update {
				a.set("events", got)
				if err := os.WriteFile(path, a.format(), 0o644); err != nil {
					t.Fatal(err)
				}
			} else if want, _ := a.get("events"); !bytes.Equal(got, want) {
				t.Errorf("Events(%s)\n = %s\nwant %s\n(run go test ./stream/ -run Golden -update to accept)", path, got, want)
			}
			variants := map[string]io.Reader{
				"OneByteReader": iotest.OneByteReader(bytes.NewReader(in)),
				"CRLF":          strings.NewReader(strings.ReplaceAll(string(in), "\n", "\r\n")),
				"bare CR":       strings.NewReader(strings.ReplaceAll(string(in), "\n", "\r")),
				"pings":         strings.NewReader(strings.ReplaceAll(string(in), "\n\n", "\r\n\r\n: ping - 2026-11-24 12:14:45.000000+00:00\r\n\r\n")),
			}
			for name, r := range variants {
				if v, err := collect(r, testMax); err != nil || !reflect.DeepEqual(v, evs) {
					t.Errorf("Events(%s) [%s] = %v, %v, want %v", path, name, v, err, evs)
				}
			}
		})
	}
}

// renderEvents writes events for review: a header line, then the data.
func renderEvents(evs []ev) []byte {
	var b bytes.Buffer
	for i, e := range evs {
		fmt.Fprintf(&b, "# %d event=%q id=%q\n%s\n", i+1, e.Type, e.ID, e.Data)
	}
	return b.Bytes()
}

// TestDecoderMatchesEvents: pulling events with a Decoder yields what the
// Events iterator yields.
func TestDecoderMatchesEvents(t *testing.T) {
	in := "\xef\xbb\xbfdata: a\r\n\r\n: ping\n\nevent: error\nid: 7\ndata: b\ndata: c\n\ndata: d"
	var want []string
	for ev, err := range Events(strings.NewReader(in), 1<<10) {
		want = append(want, fmt.Sprintf("%s|%s|%s|%v", ev.Type, ev.ID, ev.Data, err))
	}
	dec := NewDecoder(strings.NewReader(in), 1<<10)
	var got []string
	for {
		ev, err := dec.Next()
		if err == io.EOF {
			break
		}
		got = append(got, fmt.Sprintf("%s|%s|%s|%v", ev.Type, ev.ID, ev.Data, err))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || len(got) != 3 {
		t.Errorf("Decoder = %q, Events = %q", got, want)
	}
}

func TestDecoderReady(t *testing.T) {
	dec := NewDecoder(strings.NewReader("data: a\n\ndata: b\n\ndata: c"), 1<<10)
	var ready []bool
	for {
		_, err := dec.Next()
		if err == io.EOF {
			break
		}
		ready = append(ready, dec.Ready())
	}
	// After a: b is buffered whole; after b: c has no blank line yet; after c: nothing.
	if fmt.Sprint(ready) != "[true false false]" {
		t.Errorf("Ready after each event = %v, want [true false false]", ready)
	}
}

// TestDecoderReadyNeedsData: a buffered comment or an event without data
// is not an event Next returns without waiting; saying Ready for it would
// hold back the flush of what came before it.
func TestDecoderReadyNeedsData(t *testing.T) {
	cases := []struct {
		after string // buffered after the first event
		want  bool
	}{
		{": ping\n\n", false},
		{": ping\r\n\r\n", false},
		{"event: x\nid: 1\n\n", false},
		{"retry: 10\n\n: c\n\n", false},
		{"datum: 1\n\n", false},
		{": ping\n\ndata: b\n\n", true},
		{"data\n\n", true},
		{"data: b\r\n\r\n", true},
		{"data: b\r\r", true},
		{"data: b\n", false},
		{"\ndata: b", false},
	}
	for _, tc := range cases {
		dec := NewDecoder(strings.NewReader("data: a\n\n"+tc.after), 1<<10)
		if ev, err := dec.Next(); err != nil || string(ev.Data) != "a" {
			t.Fatalf("%q: first event %q, %v", tc.after, ev.Data, err)
		}
		if got := dec.Ready(); got != tc.want {
			t.Errorf("Ready with %q buffered = %v, want %v", tc.after, got, tc.want)
		}
	}
}

// TestDecoderLetsGoOfLongEvents: once past an event longer than its small
// buffer, a Decoder that waits for more holds no more than that buffer (a
// bridge keeps one per open stream, most of them idle).
func TestDecoderLetsGoOfLongEvents(t *testing.T) {
	long := strings.Repeat("x", 3*largeBuf)
	dec := NewDecoder(strings.NewReader("data: "+long+"\n\ndata: b\n\n"), 1<<20)
	if ev, err := dec.Next(); err != nil || string(ev.Data) != long {
		t.Fatalf("Next = %.20q, %v, want the long event", ev.Data, err)
	}
	if ev, err := dec.Next(); err != nil || string(ev.Data) != "b" {
		t.Fatalf("Next = %q, %v, want b", ev.Data, err)
	}
	if _, err := dec.Next(); err != io.EOF {
		t.Fatalf("Next = %v, want io.EOF", err)
	}
	if d := &dec.d; len(d.b.buf) > smallBuf || d.b.large != nil || cap(d.line) > smallBuf || cap(d.buf) > smallBuf {
		t.Errorf("waiting, the decoder holds buffers of %d, %d and %d bytes, want at most %d", len(d.b.buf), cap(d.line), cap(d.buf), smallBuf)
	}
}

// TestDecoderReadyInABurst: events that arrive together are read together,
// several KiB at a time, as from the 4 KiB bufio.Reader of an HTTP
// transport: Ready says the next is buffered for all but about one event
// per read, so a writer flushes a burst in a few writes, not one per KiB.
func TestDecoderReadyInABurst(t *testing.T) {
	frame := "data: " + strings.Repeat("x", 300) + "\n\n"
	in := strings.Repeat(frame, 40)
	dec := NewDecoder(&chunkReader{r: strings.NewReader(in), n: 4 << 10}, 1<<20)
	events, waits := 0, 0
	for {
		if _, err := dec.Next(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		events++
		if !dec.Ready() {
			waits++
		}
	}
	if max := len(in)/(3<<10) + 1; events != 40 || waits > max {
		t.Errorf("%d events, not Ready after %d of them, want 40 events, at most %d not Ready", events, waits, max)
	}
}

// chunkReader returns at most n bytes a read.
type chunkReader struct {
	r io.Reader
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

func TestLineEnd(t *testing.T) {
	for _, in := range []string{"", "a", "\n", "\r", "\r\n", "\n\r", "ab\ncd\r", "ab\rcd\n", "abc", "a\r\r\n", strings.Repeat("x", 100) + "\r"} {
		if got, want := lineEnd([]byte(in)), strings.IndexAny(in, "\r\n"); got != want {
			t.Errorf("lineEnd(%q) = %d, want %d", in, got, want)
		}
	}
}

// TestReadyRemembered: Ready's remembered answer is the one a scan of the
// buffer gives, at every step of a stream that arrives in pieces, through
// Next's reads and discards.
func TestReadyRemembered(t *testing.T) {
	stream := "data: {\"a\":1}\n\n: ping\n\ndata: b\ndata: c\n\nevent: x\ndata: d\r\n\r\ndata: e\n\n"
	for _, piece := range []int{1, 3, 7, 64} {
		t.Run(fmt.Sprintf("pieces of %d", piece), func(t *testing.T) {
			dec := NewDecoder(&pieceReader{s: stream, n: piece}, 1<<10)
			for step := 0; ; step++ {
				for range 2 { // the second answer is the remembered one
					if got, want := dec.Ready(), dec.scanReady(); got != want {
						t.Fatalf("step %d: Ready() = %v, a scan of the buffer says %v", step, got, want)
					}
				}
				if _, err := dec.Next(); err != nil {
					if !errors.Is(err, io.EOF) {
						t.Fatalf("step %d: Next() error %v", step, err)
					}
					return
				}
			}
		})
	}
}

// pieceReader reads s n bytes at a time.
type pieceReader struct {
	s string
	n int
}

func (r *pieceReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), r.n)], r.s)
	r.s = r.s[k:]
	return k, nil
}
