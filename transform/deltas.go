package transform

import "strings"

// Deltas turns A2A artifact updates into the text to append to what a
// client has already been shown, so that no answer is ever shown twice.
//
// Agents mix two styles. Most send deltas ("append": true) after a first
// chunk; Google ADK and others re-send the whole artifact again under the
// same artifactId with "append": false (a snapshot). A snapshot replaces the
// artifact: only the part the client has not seen yet is emitted. Several
// artifacts are shown one after the other, separated by a newline, the way
// a non-stream answer joins them.
type Deltas struct {
	// The first artifact is kept here: most answers have one, which then
	// costs no map, slice or allocation of its own.
	firstID string
	first   shownText
	n       int                   // artifacts seen
	seen    map[string]*shownText // artifactId -> text already shown, of the artifacts after the first
	order   []string              // their ids in first-seen order
	total   int                   // bytes shown in all
}

// find returns the text shown of the artifact id, if it was seen.
func (d *Deltas) find(id string) (*shownText, bool) {
	if d.n > 0 && id == d.firstID {
		return &d.first, true
	}
	t, ok := d.seen[id]
	return t, ok
}

// Known reports whether the artifact id was seen.
func (d *Deltas) Known(id string) bool {
	_, ok := d.find(id)
	return ok
}

// Len is the number of artifacts seen.
func (d *Deltas) Len() int { return d.n }

// shownText is the text of one artifact shown so far. A snapshot is kept
// as the string it came in, without a copy: the next snapshot replaces it
// (a short first chunk is copied: see detach). Appended chunks go to a buffer grown in place, so
// that a long answer streamed in many chunks costs linear time, not a copy
// of the whole text per chunk.
type shownText struct {
	s   string // the text, while buf is nil
	buf []byte // the text, once a chunk was appended
}

func (t *shownText) String() string {
	if t.buf != nil {
		return string(t.buf)
	}
	return t.s
}

// prefixOf reports whether text starts with the text shown.
func (t *shownText) prefixOf(text string) bool {
	if t.buf != nil {
		return len(text) >= len(t.buf) && text[:len(t.buf)] == string(t.buf) // no conversion is allocated
	}
	return strings.HasPrefix(text, t.s)
}

func (t *shownText) len() int { return len(t.s) + len(t.buf) }

func (t *shownText) append(text string) {
	if t.buf == nil {
		t.buf = make([]byte, 0, max(2*(len(t.s)+len(text)), firstOut))
		t.buf, t.s = append(t.buf, t.s...), ""
	}
	t.buf = append(t.buf, text...)
}

// Artifact records one artifact update and returns the text to emit, and
// whether the update was a snapshot that diverged from what was shown (the
// caller may log it; nothing more is emitted for it).
func (d *Deltas) Artifact(id, text string, appendMode bool) (delta string, diverged bool) {
	prev, known := d.find(id)
	switch {
	case !known && d.n == 0:
		d.firstID, d.first, d.n = strings.Clone(id), shownText{s: detach(text)}, 1
		delta = text
	case !known:
		if d.seen == nil {
			d.seen = make(map[string]*shownText)
		}
		id = strings.Clone(id)
		d.order = append(d.order, id)
		d.seen[id] = &shownText{s: detach(text)}
		d.n++
		delta = "\n" + text
	case appendMode:
		prev.append(text)
		delta = text
	case prev.prefixOf(text):
		delta = text[prev.len():]
		*prev = shownText{s: text}
	default:
		// A replacement that does not extend what the client saw cannot be
		// taken back on an append-only stream: keep what was shown.
		return "", true
	}
	d.total += len(delta)
	return delta, false
}

// detach returns a short s copied: a string read from an event points
// into that event's copy (ids, other members), which an idle stream would
// otherwise hold for as long as it stays open, for a few bytes of text. A
// long s is most of its event: it is kept as it is, without a copy.
func detach(s string) string {
	if len(s) <= detachMax {
		return strings.Clone(s)
	}
	return s
}

const detachMax = 256

// Shown reports how many bytes of artifact text were emitted in all.
func (d *Deltas) Shown() int { return d.total }

// Text returns the artifacts' text as a non-stream answer would carry it.
func (d *Deltas) Text() string {
	if d.n == 0 {
		return ""
	}
	parts := make([]string, 0, d.n)
	parts = append(parts, d.first.String())
	for _, id := range d.order {
		parts = append(parts, d.seen[id].String())
	}
	return strings.Join(parts, "\n")
}
