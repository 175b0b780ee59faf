package transform

import (
	"strings"
	"testing"
)

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
