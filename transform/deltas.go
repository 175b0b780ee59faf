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
	seen  map[string]string // artifactId -> text already shown
	order []string          // artifact ids in first-seen order
	total int               // bytes shown in all
}

// Artifact records one artifact update and returns the text to emit, and
// whether the update was a snapshot that diverged from what was shown (the
// caller may log it; nothing more is emitted for it).
func (d *Deltas) Artifact(id, text string, appendMode bool) (delta string, diverged bool) {
	if d.seen == nil {
		d.seen = make(map[string]string)
	}
	prev, known := d.seen[id]
	switch {
	case !known:
		d.order = append(d.order, id)
		d.seen[id] = text
		if len(d.order) > 1 {
			delta = "\n" + text
		} else {
			delta = text
		}
	case appendMode:
		d.seen[id] = prev + text
		delta = text
	case strings.HasPrefix(text, prev):
		d.seen[id] = text
		delta = text[len(prev):]
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
		parts[i] = d.seen[id]
	}
	return strings.Join(parts, "\n")
}
