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
		again, err := collect(strings.NewReader(encodeEvents(whole)), 1<<20)
		if err != nil || !reflect.DeepEqual(again, whole) {
			t.Fatalf("Events(encode(%v)) = %v, %v; want the same events", whole, again, err)
		}
	})
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

// FuzzDeltas feeds any sequence of artifact updates to Deltas, decoded from
// the fuzzer's bytes. Invariants: the emitted deltas are only ever appended;
// each artifact's emitted text is its accepted history (an append adds the
// update, a snapshot that extends what was shown adds only the unseen
// suffix, anything else adds nothing and reports divergence); Text() is the
// artifacts' emitted texts joined with "\n"; Shown() is the total emitted.
func FuzzDeltas(f *testing.F) {
	for _, tc := range deltasTests {
		f.Add(encodeUpdates(tc.updates))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var d Deltas
		var total strings.Builder
		perID := map[string]string{}
		var order []string
		for _, u := range decodeUpdates(data) {
			delta, diverged := d.Artifact(u.id, u.text, u.append)
			prev, known := perID[u.id]
			switch {
			case !known:
				want := u.text
				if len(order) > 0 {
					want = "\n" + u.text
				}
				if delta != want || diverged {
					t.Fatalf("new artifact %v: Artifact = %q, %v; want %q, false", u, delta, diverged, want)
				}
				order = append(order, u.id)
				perID[u.id] = u.text
			case u.append:
				if delta != u.text || diverged {
					t.Fatalf("append %v: Artifact = %q, %v; want %q, false", u, delta, diverged, u.text)
				}
				perID[u.id] = prev + u.text
			case strings.HasPrefix(u.text, prev):
				if delta != u.text[len(prev):] || diverged {
					t.Fatalf("snapshot %v after %q: Artifact = %q, %v; want %q, false", u, prev, delta, diverged, u.text[len(prev):])
				}
				perID[u.id] = u.text
			default:
				if delta != "" || !diverged {
					t.Fatalf("diverging snapshot %v after %q: Artifact = %q, %v; want \"\", true", u, prev, delta, diverged)
				}
			}
			total.WriteString(delta)
			if d.Shown() != total.Len() {
				t.Fatalf("Shown() = %d after emitting %d bytes", d.Shown(), total.Len())
			}
		}
		texts := make([]string, len(order))
		for i, id := range order {
			texts[i] = perID[id]
		}
		if got, want := d.Text(), strings.Join(texts, "\n"); got != want {
			t.Fatalf("Text() = %q, want %q", got, want)
		}
		if len(d.Text()) != d.Shown() {
			t.Fatalf("len(Text()) = %d, Shown() = %d; want equal", len(d.Text()), d.Shown())
		}
	})
}

// decodeUpdates turns fuzz bytes into updates: each starts with a header
// byte (low 2 bits: one of four ids; bit 2: append; high 5 bits: text
// length), followed by the text. A small alphabet of ids and a mostly
// repetitive text make prefixes, and so snapshots, likely.
func decodeUpdates(b []byte) []artifactUpdate {
	var us []artifactUpdate
	for len(b) > 0 {
		h := b[0]
		b = b[1:]
		n := min(int(h>>3), len(b))
		us = append(us, artifactUpdate{id: string(rune('A' + h&3)), text: string(b[:n]), append: h&4 != 0})
		b = b[n:]
	}
	return us
}

// encodeUpdates is decodeUpdates' inverse, for seeding from the table;
// ids map onto the four fuzz ids in first-seen order.
func encodeUpdates(us []artifactUpdate) []byte {
	ids := map[string]byte{}
	var b []byte
	for _, u := range us {
		id, ok := ids[u.id]
		if !ok {
			id = byte(len(ids) & 3)
			ids[u.id] = id
		}
		text := u.text
		if len(text) > 31 {
			text = text[:31]
		}
		h := byte(len(text))<<3 | id
		if u.append {
			h |= 4
		}
		b = append(append(b, h), text...)
	}
	return b
}
