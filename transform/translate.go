package transform

import (
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"strings"
)

// DefaultMaxArtifacts bounds the artifacts one answer may hold.
const DefaultMaxArtifacts = 1024

// Errors of a Translator.
var (
	// ErrIncomplete is an exchange that ended before its task did: a stream
	// cut without a final event, or a non-final single answer.
	ErrIncomplete = errors.New("the agent's answer ended before its task did")
	// ErrTooLarge is an answer past its bounds.
	ErrTooLarge = errors.New("the agent's answer is too large")
)

// TaskError is a task that ended without an answer: failed, rejected or
// canceled. Text is the agent's status message, written for its caller.
type TaskError struct {
	State State
	Text  string
}

func (e *TaskError) Error() string {
	if e.Text == "" {
		return fmt.Sprintf("the agent's task ended %s", e.State)
	}
	return fmt.Sprintf("the agent's task ended %s: %s", e.State, e.Text)
}

// Translator follows the events of one exchange with an agent, whatever
// their version and however the agent streams, and says what the OpenAI
// client sees: the text to add to the answer, and when and how it ends.
//
//   - Artifact text is the answer: appended chunks are deltas, and a
//     re-sent snapshot adds only its unseen suffix (Deltas).
//   - A bare agent Message is the whole answer.
//   - Status messages of working tasks are progress, shown only when
//     ShowProgress; when no artifact text came, the last status message is
//     the answer (ADK and LangGraph agents answer that way), and an
//     input-required question is always shown.
//   - Echoes of the caller's own message (some servers put it in the
//     submitted status, or send it back as a user Message) are never shown.
//   - failed, rejected and canceled end in a *TaskError.
type Translator struct {
	Prompt string // the text sent to the agent: echoes of it are not shown, and Usage counts it
	// NoUsage says Usage will not be called (a stream whose caller did not
	// ask for usage). The first Feed then keeps a fingerprint of Prompt,
	// enough to recognise echoes, and lets go of Prompt itself, which an
	// idle stream would otherwise hold for as long as it stays open.
	NoUsage      bool
	ShowProgress bool
	MaxAnswer    int // bytes; 0 means no bound
	MaxArtifacts int // 0 means DefaultMaxArtifacts
	// Estimate counts usage at about four bytes a token instead of with
	// the o200k_base tokenizer.
	Estimate bool
	// Continuing says the message answers an interrupted task. Some servers
	// (@a2a-js/sdk 1.x) start such a stream by re-sending the task as it
	// was, still input-required: that is not the end of this exchange.
	Continuing bool

	events   int
	deltas   Deltas
	out      []byte // everything emitted
	text     string // out, as Text last returned it
	status   string // the agent's last status message
	shown    string // the last status message emitted as progress
	ext      Ext
	shared   *Ext   // the copy Ext last returned; replaced, never changed, when ext changes
	usage    *Usage // the last usage the agent reported
	done     bool
	diverged int
	prompt   promptPrint // Prompt's fingerprint, once NoUsage let go of it
}

// promptPrint is a fingerprint of a prompt: its length and a hash.
type promptPrint struct {
	taken bool
	n     int
	sum   uint64
}

// promptSeed seeds the prompts' hashes, the same for the whole process.
var promptSeed = maphash.MakeSeed()

// isPrompt reports whether s is the prompt sent (a status echoing it).
func (t *Translator) isPrompt(s string) bool {
	if p := t.prompt; p.taken {
		return len(s) == p.n && maphash.String(promptSeed, s) == p.sum
	}
	return s == t.Prompt
}

// Feed reads one event and returns the text to add to the answer.
func (t *Translator) Feed(ev Event) (string, error) {
	t.events++
	if t.NoUsage && !t.prompt.taken {
		t.prompt = promptPrint{taken: true, n: len(t.Prompt), sum: maphash.String(promptSeed, t.Prompt)}
		t.Prompt = ""
	}
	if t.Continuing && t.events == 1 && ev.Kind == KindTask && ev.State.Interrupted() {
		t.note(ev)
		return "", nil // the task as it was before this answer
	}
	t.note(ev)
	switch ev.Kind {
	case KindMessage:
		if ev.Role == "user" {
			return "", nil // an echo of the caller's message
		}
		t.done = true
		return t.artifact(Artifact{ID: "\x00message", Text: ev.Text}, false)
	case KindArtifact:
		return t.artifacts(ev.Artifacts, ev.Append)
	case KindTask, KindStatus:
		text, err := t.artifacts(ev.Artifacts, false)
		if err != nil {
			return text, err
		}
		progress, err := t.statusText(ev)
		return text + progress, err
	}
	return "", fmt.Errorf("%w: an event is neither a task, a message nor an update", ErrBadResponse)
}

func (t *Translator) note(ev Event) {
	if ev.Usage != nil {
		t.usage = ev.Usage
	}
	// The ids are copied when they change: they point into their event,
	// which they would otherwise keep alive (the first event of a task
	// often echoes the whole prompt).
	if ev.TaskID != "" && ev.TaskID != t.ext.TaskID {
		t.ext.TaskID = strings.Clone(ev.TaskID)
	}
	if ev.ContextID != "" && ev.ContextID != t.ext.ContextID {
		t.ext.ContextID = strings.Clone(ev.ContextID)
	}
	if ev.State != "" {
		t.ext.State = ev.State
	}
}

// artifacts emits the text of as. Their text is what they add to t.out:
// joined there, not by a string concatenation per artifact, which copied
// all the text before for each next one (a task of 1,024 artifacts of
// 16 KiB, 8 GiB of copies).
func (t *Translator) artifacts(as []Artifact, appendMode bool) (string, error) {
	if len(as) == 1 {
		return t.artifact(as[0], appendMode) // an event's one artifact: no copy
	}
	n := 0
	for _, a := range as {
		n += len("\n") + len(a.Text) // a bound on what each adds
	}
	if t.MaxAnswer > 0 {
		n = min(n, t.MaxAnswer)
	}
	t.out = slices.Grow(t.out, n)
	start := len(t.out)
	for _, a := range as {
		if _, err := t.artifact(a, appendMode); err != nil {
			return string(t.out[start:]), err
		}
	}
	return string(t.out[start:]), nil
}

func (t *Translator) artifact(a Artifact, appendMode bool) (string, error) {
	max := t.MaxArtifacts
	if max <= 0 {
		max = DefaultMaxArtifacts
	}
	known := t.deltas.Known(a.ID)
	if !known && t.deltas.Len() >= max {
		return "", fmt.Errorf("%w: over %d artifacts", ErrTooLarge, max)
	}
	delta, diverged := t.deltas.Artifact(a.ID, a.Text, appendMode)
	if diverged {
		t.diverged++
	}
	switch {
	case len(t.out) == 0:
		delta = trimLeadingNewline(delta) // nothing shown yet: no separator
	case !known && t.deltas.Len() == 1 && delta != "":
		delta = "\n" + delta // the first artifact after progress text
	}
	return t.emit(delta)
}

// trimLeadingNewline drops the artifact separator when nothing came before.
func trimLeadingNewline(s string) string {
	if len(s) > 0 && s[0] == '\n' {
		return s[1:]
	}
	return s
}

// statusText handles a status: progress, the candidate answer, the end.
func (t *Translator) statusText(ev Event) (string, error) {
	if ev.Text != "" && ev.Role != "user" && ev.State != StateSubmitted && !t.isPrompt(ev.Text) {
		if ev.Text != t.status {
			t.status = detach(ev.Text)
		}
	}
	switch {
	case ev.State.Failed():
		t.done = true
		return "", &TaskError{State: ev.State, Text: ev.Text}
	case ev.Final || ev.State.Terminal() || ev.State.Interrupted():
		t.done = true
		return "", nil
	case t.ShowProgress && ev.State == StateWorking && t.status != "" && t.status != t.shown:
		t.shown = t.status
		return t.emit(t.sep() + t.status)
	}
	return "", nil
}

func (t *Translator) sep() string {
	if len(t.out) == 0 {
		return ""
	}
	return "\n"
}

func (t *Translator) emit(s string) (string, error) {
	if t.MaxAnswer > 0 && len(t.out)+len(s) > t.MaxAnswer {
		return "", fmt.Errorf("%w: over %d bytes", ErrTooLarge, t.MaxAnswer)
	}
	if t.out == nil && s != "" {
		// A stream's deltas are a few dozen bytes each: growing from
		// their size took an allocation per doubling up to the answer's.
		t.out = make([]byte, 0, max(len(s), firstOut))
	}
	t.out = append(t.out, s...)
	return s, nil
}

// firstOut is the room the first text emitted gets (see emit).
const firstOut = 512

// Done reports whether the exchange has ended: a final or terminal event,
// an interrupted task, or a Message.
func (t *Translator) Done() bool { return t.done }

// Pending reports whether a task was seen that is still submitted or
// working while the exchange delivered no end: a non-blocking agent's task,
// to be polled.
func (t *Translator) Pending() bool {
	return !t.done && t.ext.TaskID != "" && (t.ext.State == StateSubmitted || t.ext.State == StateWorking)
}

// Finish returns the text that ends the answer once the exchange is done:
// the status message when no artifact text came (or the question of an
// input-required task), unless it was shown already as progress.
func (t *Translator) Finish() (string, error) {
	if !t.done {
		return "", ErrIncomplete
	}
	if t.status == "" || t.status == t.shown {
		return "", nil
	}
	if t.deltas.Shown() == 0 || t.ext.State.Interrupted() {
		return t.emit(t.sep() + t.status)
	}
	return "", nil
}

// Usage is the usage of the exchange: what the agent reported, if it did,
// else the bridge's own count of the prompt sent and the answer (with
// NoUsage, the prompt counts as empty once Feed let go of it).
func (t *Translator) Usage() Usage {
	switch {
	case t.usage != nil:
		return *t.usage
	case t.Estimate:
		return estimateUsage(len(t.Prompt), len(t.out))
	}
	return CountUsage(t.Prompt, t.Text())
}

// Text returns everything emitted so far: the answer. The string is kept
// until more is emitted (t.out only grows: a string as long is the same
// text), so that the answer, its usage and its conversation key share one
// copy of it.
func (t *Translator) Text() string {
	if len(t.text) != len(t.out) {
		t.text = string(t.out)
	}
	return t.text
}

// Ext returns the task and context ids and the task state seen so far, or
// nil when none was.
//
// The result is shared between calls until the ids or state change (it is
// read once per event on the hot path), so callers must not modify it.
func (t *Translator) Ext() *Ext {
	if t.ext == (Ext{}) {
		return nil
	}
	if t.shared == nil || *t.shared != t.ext {
		e := t.ext
		t.shared = &e
	}
	return t.shared
}

// Diverged counts snapshots that did not extend what was already shown
// (kept as shown; the caller may log it).
func (t *Translator) Diverged() int { return t.diverged }
