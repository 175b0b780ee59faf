package stream

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// FuzzEvents feeds SSE bytes to Events, seeded from the table and the
// recorded streams. Invariants:
// no panic; reading one byte at a time, or split at any offset, yields the
// same events and error as reading all at once; no event exceeds max; no
// line end survives in a field; writing the events back out as SSE and
// reading them again gives the same events.
func FuzzEvents(f *testing.F) {
	for _, tc := range eventsTests {
		max := tc.max - 1 // the target adds 1
		if tc.max == 0 {
			max = 4095
		}
		f.Add([]byte(tc.in), uint16(max), uint16(len(tc.in)/2))
	}
	files, _ := filepath.Glob("../testdata/golden/sse/*.txtar")
	for _, path := range files {
		if in, ok := readArchive(f, path).get("a2a.stream.sse"); ok {
			f.Add(in, uint16(4095), uint16(len(in)/3))
		}
	}
	f.Fuzz(func(t *testing.T, in []byte, max16, split16 uint16) {
		max := int(max16)%4096 + 1
		for k := range min(len(in), 64) {
			if got, want := lineEnd(in[k:]), bytes.IndexAny(in[k:], "\r\n"); got != want {
				t.Fatalf("lineEnd(%q) = %d, want %d", in[k:], got, want)
			}
		}
		whole, wholeErr := collect(bytes.NewReader(in), max)
		split := int(split16) % (len(in) + 1)
		readers := map[string]io.Reader{
			"OneByteReader":                   iotest.OneByteReader(bytes.NewReader(in)),
			fmt.Sprintf("split at %d", split): io.MultiReader(bytes.NewReader(in[:split]), bytes.NewReader(in[split:])),
		}
		for how, r := range readers {
			got, err := collect(r, max)
			if !reflect.DeepEqual(got, whole) || !sameErr(err, wholeErr) {
				t.Fatalf("Events(%q, %d) [%s] = %v, %v; read whole = %v, %v", in, max, how, got, err, whole, wholeErr)
			}
		}
		if wholeErr != nil && !errors.Is(wholeErr, ErrEventTooLarge) {
			t.Fatalf("Events(%q, %d) error = %v, want nil or ErrEventTooLarge", in, max, wholeErr)
		}
		for _, e := range whole {
			if len(e.Data) > max {
				t.Fatalf("Events(%q, %d) yielded %d bytes of data, over max", in, max, len(e.Data))
			}
			if strings.ContainsRune(e.Data, '\r') || strings.ContainsAny(e.Type, "\r\n") || strings.ContainsAny(e.ID, "\r\n\x00") {
				t.Fatalf("Events(%q, %d) yielded %v, with a line end or NUL in a field", in, max, e)
			}
		}
		// Ready is a promise: the next event is buffered, Next reads nothing.
		for _, chunk := range []int{1, 7, 64} {
			r := &readCounter{r: iotest.HalfReader(bytes.NewReader(in)), most: chunk}
			dec := NewDecoder(r, max)
			for {
				ready, reads := dec.Ready(), r.reads
				_, err := dec.Next()
				if ready && r.reads != reads {
					t.Fatalf("Decoder(%q, %d, reads of %d): Ready, then Next read from the network (err %v)", in, max, chunk, err)
				}
				if err != nil {
					break
				}
			}
		}
		again, err := collect(strings.NewReader(encodeEvents(whole)), 1<<20)
		if err != nil || !reflect.DeepEqual(again, whole) {
			t.Fatalf("Events(encode(%v)) = %v, %v; want the same events", whole, again, err)
		}
	})
}

// readCounter counts reads and returns at most most bytes a read.
type readCounter struct {
	r     io.Reader
	most  int
	reads int
}

func (c *readCounter) Read(p []byte) (int, error) {
	c.reads++
	return c.r.Read(p[:min(len(p), c.most)])
}

func sameErr(a, b error) bool {
	return (a == nil) == (b == nil) && (a == nil || errors.Is(a, ErrEventTooLarge) == errors.Is(b, ErrEventTooLarge))
}

// encodeEvents writes events back as an SSE stream.
func encodeEvents(evs []ev) string {
	var b strings.Builder
	for _, e := range evs {
		if e.Type != "" {
			b.WriteString("event: " + e.Type + "\n")
		}
		b.WriteString("id: " + e.ID + "\n")
		for _, line := range strings.Split(e.Data, "\n") {
			b.WriteString("data: " + line + "\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}
