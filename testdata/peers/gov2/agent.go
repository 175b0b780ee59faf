package main

import (
	"context"
	"fmt"
	"iter"
	"strings"
	"sync"
	"time"

	"github.com/a2aproject/a2a-go/v2/a2a"
	"github.com/a2aproject/a2a-go/v2/a2asrv"
)

// agent is the a2asrv.AgentExecutor: it yields the events of one MODES.md behaviour. The SDK
// serves them as 1.0 on /v1 and, through a2av0, as 0.3 on /v03 (which adds final=true itself).
type agent struct {
	mu    sync.Mutex
	turns map[string]int // messages received per contextId (MODE:count)
}

func newAgent() *agent { return &agent{turns: map[string]int{}} }

func (a *agent) turn(contextID string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.turns[contextID]++
	return a.turns[contextID]
}

func textOf(m *a2a.Message) string {
	if m == nil {
		return ""
	}
	var b strings.Builder
	for _, p := range m.Parts {
		b.WriteString(p.Text())
	}
	return b.String()
}

func sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

func (a *agent) Execute(ctx context.Context, ec *a2asrv.ExecutorContext) iter.Seq2[a2a.Event, error] {
	return func(yield func(a2a.Event, error) bool) {
		a.run(ctx, ec, func(evs ...a2a.Event) bool {
			for _, ev := range evs {
				if !yield(ev, nil) {
					return false
				}
			}
			return true
		})
	}
}

// run emits the events; emit reports false once the SDK stops consuming.
func (a *agent) run(ctx context.Context, ec *a2asrv.ExecutorContext, emit func(...a2a.Event) bool) {
	t := textOf(ec.Message)
	n := a.turn(ec.ContextID)
	mode := pickMode(t)
	r := "echo: " + t

	say := func(s string) *a2a.Message {
		return a2a.NewMessageForTask(a2a.MessageRoleAgent, ec, a2a.NewTextPart(s))
	}
	status := func(state a2a.TaskState, msg *a2a.Message) a2a.Event {
		return a2a.NewStatusUpdateEvent(ec, state, msg) // 1.0: no final; a terminal/interrupted state ends it
	}
	submitted := func() bool {
		task := a2a.NewSubmittedTask(ec, ec.Message)
		if mode == modeEcho {
			task.Status.Message = ec.Message
		}
		return emit(task)
	}
	// chunks emits text as append chunks on one new artifact; snapshot re-sends it whole (ADK style).
	chunks := func(text string, snapshot bool) bool {
		var id a2a.ArtifactID
		parts := split(text)
		for i, c := range parts {
			var ev *a2a.TaskArtifactUpdateEvent
			if i == 0 {
				ev = a2a.NewArtifactEvent(ec, a2a.NewTextPart(c))
				id = ev.Artifact.ID
			} else {
				ev = a2a.NewArtifactUpdateEvent(ec, id, a2a.NewTextPart(c)) // Append=true
			}
			ev.LastChunk = !snapshot && i == len(parts)-1
			if !emit(ev) {
				return false
			}
		}
		if snapshot { // cumulative re-send: same artifact ID, Append=false, LastChunk=true
			ev := a2a.NewArtifactUpdateEvent(ec, id, a2a.NewTextPart(text))
			ev.Append, ev.LastChunk = false, true
			return emit(ev)
		}
		return true
	}
	whole := func(parts ...*a2a.Part) a2a.Event { // one artifact in one event
		ev := a2a.NewArtifactEvent(ec, parts...)
		ev.LastChunk = true
		return ev
	}
	answer := func(text string, snapshot bool) { // working, text in chunks, completed
		_ = emit(status(a2a.TaskStateWorking, nil)) && chunks(text, snapshot) && emit(status(a2a.TaskStateCompleted, nil))
	}

	if ec.StoredTask != nil { // a follow-up (MODE:input's answer) completes the open task with R, whatever its markers
		answer(r, false)
		return
	}
	switch mode {
	case modeMessage:
		emit(a2a.NewMessage(a2a.MessageRoleAgent, a2a.NewTextPart(r)))
		return
	case modeSlow:
		if !sleep(ctx, 3*time.Second) {
			return
		}
	case modeCut:
		armCut(ctx) // the HTTP wrapper drops the connection after the 4th event
	}
	if !submitted() {
		return
	}
	switch mode {
	case modeSnapshot:
		answer(r, true)
	case modeInput:
		emit(status(a2a.TaskStateWorking, nil), status(a2a.TaskStateInputRequired, say(textQuestion)))
	case modeFail:
		emit(status(a2a.TaskStateWorking, nil), status(a2a.TaskStateFailed, say(textFailed)))
	case modeReject:
		emit(status(a2a.TaskStateRejected, say(textRejected)))
	case modeData:
		emit(status(a2a.TaskStateWorking, nil),
			whole(a2a.NewTextPart("result:"), a2a.NewDataPart(map[string]any{"answer": 42})),
			status(a2a.TaskStateCompleted, nil))
	case modeFile:
		byURL := &a2a.Part{Content: a2a.URL("https://example.invalid/report.pdf"), Filename: "report.pdf", MediaType: "application/pdf"}
		inline := &a2a.Part{Content: a2a.Raw("hello"), Filename: "tiny.txt", MediaType: "text/plain"} // JSON: base64
		emit(status(a2a.TaskStateWorking, nil), whole(byURL, inline), status(a2a.TaskStateCompleted, nil))
	case modeProgress:
		_ = emit(status(a2a.TaskStateWorking, say(textLookup)), status(a2a.TaskStateWorking, say(textAlmost))) &&
			chunks(r, false) && emit(status(a2a.TaskStateCompleted, nil))
	case modeStatusOnly:
		emit(status(a2a.TaskStateWorking, say(textThinking)), status(a2a.TaskStateCompleted, say(r)))
	case modeNonBlocking: // the send already returned (see interceptor in wire.go); finish later
		if sleep(ctx, 300*time.Millisecond) {
			answer(r, false)
		}
	case modeCut: // submitted, working, two chunks, and no final event on the wire
		parts := split(r)
		first := a2a.NewArtifactEvent(ec, a2a.NewTextPart(parts[0]))
		second := "" // R has at least two chunks ("echo: " + T with a marker in T)
		if len(parts) > 1 {
			second = parts[1]
		}
		// The failed status is never on the wire (the connection is gone by then); it only ends
		// the stored task.
		emit(status(a2a.TaskStateWorking, nil), first, a2a.NewArtifactUpdateEvent(ec, first.Artifact.ID, a2a.NewTextPart(second)),
			status(a2a.TaskStateFailed, say(textCut)))
	case modeCount:
		answer(fmt.Sprintf("turn %d: %s", n, t), false)
	default: // modeDefault, modeEcho, modeSlow
		answer(r, false)
	}
}

func (a *agent) Cancel(ctx context.Context, ec *a2asrv.ExecutorContext) iter.Seq2[a2a.Event, error] {
	return func(yield func(a2a.Event, error) bool) {
		yield(a2a.NewStatusUpdateEvent(ec, a2a.TaskStateCanceled, nil), nil)
	}
}
