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
	seen  map[string]*[]byte // artifactId -> text already shown
	order []string           // artifact ids in first-seen order
	total int                // bytes shown in all
}

// Artifact records one artifact update and returns the text to emit, and
// whether the update was a snapshot that diverged from what was shown (the
// caller may log it; nothing more is emitted for it). Appends grow the
// artifact's buffer in place: a long answer streamed in many chunks costs
// linear time, not a copy of the whole text per chunk.
func (d *Deltas) Artifact(id, text string, appendMode bool) (delta string, diverged bool) {
	if d.seen == nil {
		d.seen = make(map[string]*[]byte)
	}
	prev, known := d.seen[id]
	switch {
	case !known:
		d.order = append(d.order, id)
		b := []byte(text)
		d.seen[id] = &b
		if len(d.order) > 1 {
			delta = "\n" + text
		} else {
			delta = text
		}
	case appendMode:
		*prev = append(*prev, text...)
		delta = text
	case len(text) >= len(*prev) && text[:len(*prev)] == string(*prev):
		delta = text[len(*prev):]
		*prev = append(*prev, delta...)
	default:
		// A replacement that does not extend what the client saw cannot be
		// taken back on an append-only stream: keep what was shown.
		return "", true
	}
	d.total += len(delta)
	return delta, false
}

// Shown reports how many bytes of artifact text were emitted in all.
func (d *Deltas) Shown() int { return d.total }

// Text returns the artifacts' text as a non-stream answer would carry it.
func (d *Deltas) Text() string {
	parts := make([]string, len(d.order))
	for i, id := range d.order {
		parts[i] = string(*d.seen[id])
	}
	return strings.Join(parts, "\n")
}
