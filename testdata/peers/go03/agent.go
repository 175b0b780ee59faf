package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/a2aproject/a2a-go/a2a"
	"github.com/a2aproject/a2a-go/a2asrv"
	"github.com/a2aproject/a2a-go/a2asrv/eventqueue"
)

// agent is the a2asrv.AgentExecutor: it writes the events of one MODES.md behaviour to the queue.
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
		if t, ok := p.(a2a.TextPart); ok {
			b.WriteString(t.Text)
		}
	}
	return b.String()
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

func (a *agent) Execute(ctx context.Context, rc *a2asrv.RequestContext, q eventqueue.Queue) error {
	t := textOf(rc.Message)
	n := a.turn(rc.ContextID)
	mode := pickMode(t)
	r := "echo: " + t

	emit := func(evs ...a2a.Event) error {
		for _, ev := range evs {
			if err := q.Write(ctx, ev); err != nil {
				return err
			}
		}
		return nil
	}
	say := func(s string) *a2a.Message {
		return a2a.NewMessageForTask(a2a.MessageRoleAgent, rc, a2a.TextPart{Text: s})
	}
	status := func(state a2a.TaskState, msg *a2a.Message) *a2a.TaskStatusUpdateEvent {
		ev := a2a.NewStatusUpdateEvent(rc, state, msg)
		ev.Final = state.Terminal() || state == a2a.TaskStateInputRequired // 0.3: Final ends the stream
		return ev
	}
	submitted := func() error {
		task := a2a.NewSubmittedTask(rc, rc.Message)
		if mode == modeEcho {
			task.Status.Message = rc.Message
		}
		return emit(task)
	}
	// chunks writes text as append chunks on one new artifact; snapshot re-sends it whole (ADK style).
	chunks := func(text string, snapshot bool) error {
		var id a2a.ArtifactID
		parts := split(text)
		for i, c := range parts {
			var ev *a2a.TaskArtifactUpdateEvent
			if i == 0 {
				ev = a2a.NewArtifactEvent(rc, a2a.TextPart{Text: c})
				id = ev.Artifact.ID
			} else {
				ev = a2a.NewArtifactUpdateEvent(rc, id, a2a.TextPart{Text: c}) // Append=true
			}
			ev.LastChunk = !snapshot && i == len(parts)-1
			if err := emit(ev); err != nil {
				return err
			}
		}
		if snapshot { // cumulative re-send: same artifact ID, Append=false, LastChunk=true
			ev := a2a.NewArtifactUpdateEvent(rc, id, a2a.TextPart{Text: text})
			ev.Append, ev.LastChunk = false, true
			return emit(ev)
		}
		return nil
	}
	whole := func(parts ...a2a.Part) error { // one artifact in one event
		ev := a2a.NewArtifactEvent(rc, parts...)
		ev.LastChunk = true
		return emit(ev)
	}
	answer := func(text string, snapshot bool) error { // working, R in chunks, completed
		if err := emit(status(a2a.TaskStateWorking, nil)); err != nil {
			return err
		}
		if err := chunks(text, snapshot); err != nil {
			return err
		}
		return emit(status(a2a.TaskStateCompleted, nil))
	}

	if rc.StoredTask != nil { // a follow-up (MODE:input's answer) completes the open task with R, whatever its markers
		return answer(r, false)
	}
	switch mode {
	case modeMessage:
		return emit(a2a.NewMessage(a2a.MessageRoleAgent, a2a.TextPart{Text: r}))
	case modeSlow:
		if err := sleep(ctx, 3*time.Second); err != nil {
			return err
		}
	case modeCut:
		armCut(ctx) // the HTTP wrapper drops the connection after the 4th event
	}
	if err := submitted(); err != nil {
		return err
	}
	switch mode {
	case modeSnapshot:
		return answer(r, true)
	case modeInput:
		return emit(status(a2a.TaskStateWorking, nil), status(a2a.TaskStateInputRequired, say(textQuestion)))
	case modeFail:
		return emit(status(a2a.TaskStateWorking, nil), status(a2a.TaskStateFailed, say(textFailed)))
	case modeReject:
		return emit(status(a2a.TaskStateRejected, say(textRejected)))
	case modeData:
		if err := emit(status(a2a.TaskStateWorking, nil)); err != nil {
			return err
		}
		if err := whole(a2a.TextPart{Text: "result:"}, a2a.DataPart{Data: map[string]any{"answer": 42}}); err != nil {
			return err
		}
		return emit(status(a2a.TaskStateCompleted, nil))
	case modeFile:
		if err := emit(status(a2a.TaskStateWorking, nil)); err != nil {
			return err
		}
		byURI := a2a.FilePart{File: a2a.FileURI{
			FileMeta: a2a.FileMeta{Name: "report.pdf", MimeType: "application/pdf"},
			URI:      "https://example.invalid/report.pdf"}}
		inline := a2a.FilePart{File: a2a.FileBytes{
			FileMeta: a2a.FileMeta{Name: "tiny.txt", MimeType: "text/plain"},
			Bytes:    base64.StdEncoding.EncodeToString([]byte("hello"))}}
		if err := whole(byURI, inline); err != nil {
			return err
		}
		return emit(status(a2a.TaskStateCompleted, nil))
	case modeProgress:
		if err := emit(status(a2a.TaskStateWorking, say(textLookup)), status(a2a.TaskStateWorking, say(textAlmost))); err != nil {
			return err
		}
		if err := chunks(r, false); err != nil {
			return err
		}
		return emit(status(a2a.TaskStateCompleted, nil))
	case modeStatusOnly:
		return emit(status(a2a.TaskStateWorking, say(textThinking)), status(a2a.TaskStateCompleted, say(r)))
	case modeNonBlocking: // the send already returned (see nonBlocking in wire.go); finish later
		if err := sleep(ctx, 300*time.Millisecond); err != nil {
			return err
		}
		return answer(r, false)
	case modeCut: // submitted, working, two chunks, and no final event
		if err := emit(status(a2a.TaskStateWorking, nil)); err != nil {
			return err
		}
		parts := split(r)
		first := a2a.NewArtifactEvent(rc, a2a.TextPart{Text: parts[0]})
		second := "" // R has at least two chunks ("echo: " + T with a marker in T)
		if len(parts) > 1 {
			second = parts[1]
		}
		if err := emit(first, a2a.NewArtifactUpdateEvent(rc, first.Artifact.ID, a2a.TextPart{Text: second})); err != nil {
			return err
		}
		// Never on the wire (the connection is gone by now), but it ends the task: v0.3.15 keeps
		// an execution open until a final event, even after Execute returned.
		return emit(status(a2a.TaskStateFailed, say(textCut)))
	case modeCount:
		return answer(fmt.Sprintf("turn %d: %s", n, t), false)
	default: // modeDefault, modeEcho, modeSlow
		return answer(r, false)
	}
}

func (a *agent) Cancel(ctx context.Context, rc *a2asrv.RequestContext, q eventqueue.Queue) error {
	ev := a2a.NewStatusUpdateEvent(rc, a2a.TaskStateCanceled, nil)
	ev.Final = true
	return q.Write(ctx, ev)
}
