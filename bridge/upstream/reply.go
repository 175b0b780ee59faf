package upstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"time"

	"github.com/a2a-bridge/a2a-bridge/stream"
	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/rs/zerolog"
)

// Reply is an agent's answer to one Request, read as typed events: the
// whole answer (then, for a non-blocking agent's task, each tasks/get poll
// until the task ends or stops for input), or the events of a stream. It
// follows the task's id and state, so that Close can cancel a task whose
// caller went away.
type Reply struct {
	call
	c *Client
	t *Target

	first    transform.Event
	hasFirst bool
	dec      *stream.Decoder // a stream's events; nil for a JSON answer
	body     io.Closer

	continuing bool // the message answers an interrupted task
	events     int
	taskID     string
	state      transform.State
	ended      bool // a Message, a final event, a task ended or interrupted
	pollWait   time.Duration

	shared bool                  // NextShared: a stream event's one artifact goes to one
	one    [1]transform.Artifact // see NextShared
	arena  transform.Arena       // where a stream's events keep their strings
}

// Streamed reports whether the answer is an event stream (as opposed to
// one JSON answer, possibly followed by polls).
func (rp *Reply) Streamed() bool { return rp.dec != nil }

// Ready reports whether the next event is already buffered: a caller that
// writes events out may wait for it before flushing.
func (rp *Reply) Ready() bool { return rp.hasFirst || rp.dec != nil && rp.dec.Ready() }

// TaskID returns the id of the agent's task, once an event named it.
func (rp *Reply) TaskID() string { return rp.taskID }

// Next returns the next event, or io.EOF when the answer has no more: a
// stream ended, or a single answer whose task is not pending. A stream that
// breaks is transform.ErrIncomplete; the agent's timeout ErrAgentTimeout;
// the caller's context ending its error.
func (rp *Reply) Next() (transform.Event, error) {
	if rp.hasFirst {
		// The first event is handed over once: the reply lets go of it,
		// or an idle stream would keep it, and the raw answer its strings
		// point into (a task echoing the prompt), as long as it stays open.
		ev := rp.first
		rp.first, rp.hasFirst = transform.Event{}, false
		rp.note(ev)
		return ev, nil
	}
	if rp.dec == nil {
		return rp.poll()
	}
	if !rp.dec.Ready() {
		rp.touch() // the wait for the next event starts
	}
	raw, err := rp.dec.Next()
	if errors.Is(err, io.EOF) {
		return transform.Event{}, io.EOF
	}
	if err != nil {
		if e := classify(rp.ctx, err); !errors.Is(e, ErrAgentDown) {
			return transform.Event{}, e
		}
		// The connection broke mid-stream: the stream was cut.
		return transform.Event{}, fmt.Errorf("%w: the stream broke: %v", transform.ErrIncomplete, err)
	}
	var one *[1]transform.Artifact
	if rp.shared {
		one = &rp.one
	}
	ev, err := readEvent(rp.t, raw.Data, one, &rp.arena)
	if err != nil {
		return ev, err
	}
	rp.note(ev)
	return ev, nil
}

// NextShared is Next for a caller done with each event before it asks for
// the next, as transform.Translator is: the one artifact of a stream's
// event (every artifact-update) is kept in the Reply, overwritten by the
// next event's, instead of in an allocation of its own per event.
func (rp *Reply) NextShared() (transform.Event, error) {
	rp.shared = true
	return rp.Next()
}

// All returns the events of Next as an iterator, ending at io.EOF.
func (rp *Reply) All() iter.Seq2[transform.Event, error] {
	return func(yield func(transform.Event, error) bool) {
		for {
			ev, err := rp.Next()
			if errors.Is(err, io.EOF) || !yield(ev, err) || err != nil {
				return
			}
		}
	}
}

// poll follows the task of a non-blocking agent with tasks/get (GetTask),
// backing off from 100 ms to 2 s, while it is submitted or working.
func (rp *Reply) poll() (transform.Event, error) {
	if rp.ended || rp.taskID == "" || rp.state != transform.StateSubmitted && rp.state != transform.StateWorking {
		return transform.Event{}, io.EOF
	}
	rp.touch()
	rp.pollWait = max(rp.pollWait, firstPoll)
	if err := rp.c.wait(rp.ctx, rp.pollWait); err != nil {
		return transform.Event{}, classify(rp.ctx, err)
	}
	rp.pollWait = min(2*rp.pollWait, maxPoll)
	if err := rp.exchange(rp.taskBody(OpGet, rp.taskID), false); err != nil {
		return transform.Event{}, err
	}
	return rp.Next()
}

// note follows the task's id and state, as transform.Translator does.
func (rp *Reply) note(ev transform.Event) {
	rp.events++
	if ev.TaskID != "" && ev.TaskID != rp.taskID {
		rp.taskID = strings.Clone(ev.TaskID) // the event's strings point into its raw answer
	}
	if ev.State != "" {
		rp.state = ev.State
	}
	switch ev.Kind {
	case transform.KindMessage:
		rp.ended = rp.ended || ev.Role != "user" // a user Message is an echo
	case transform.KindTask, transform.KindStatus:
		if rp.continuing && rp.events == 1 && ev.Kind == transform.KindTask && ev.State.Interrupted() {
			return // the task as it was before this answer (@a2a-js/sdk 1.x)
		}
		rp.ended = rp.ended || ev.Final || ev.State.Terminal() || ev.State.Interrupted()
	}
}

// exchange posts one JSON-RPC request and reads the first response: the
// whole JSON answer or the first SSE event. Any Content-Type is accepted on
// a JSON answer (a2a-go 0.3 sends text/plain), and a stream request may be
// answered with plain JSON (an error, or an agent that cannot stream).
func (rp *Reply) exchange(body []byte, sse bool) error {
	resp, err := rp.c.post(rp.ctx, rp.t, body, sse, true)
	if err != nil {
		return err
	}
	if !isSSE(resp) {
		defer resp.Body.Close()
		raw, err := readAll(rp.ctx, resp.Body, resp.ContentLength, rp.c.maxAnswer())
		if err != nil {
			return err
		}
		ev, err := readEvent(rp.t, raw, nil, nil)
		if err != nil {
			return err
		}
		rp.first, rp.hasFirst = ev, true
		return nil
	}
	dec := stream.NewDecoder(resp.Body, rp.c.maxEvent())
	raw, err := dec.Next()
	if errors.Is(err, io.EOF) {
		err = fmt.Errorf("%w: the stream ended before its first event", transform.ErrIncomplete)
	}
	var ev transform.Event
	if err == nil {
		ev, err = readEvent(rp.t, raw.Data, nil, &rp.arena)
	}
	if err != nil {
		resp.Body.Close()
		return classify(rp.ctx, err)
	}
	rp.dec, rp.body = dec, resp.Body
	rp.first, rp.hasFirst = ev, true
	return nil
}

// Close ends the call. When the caller went away (the context Do was given
// ended) while the agent's task still ran, it first cancels the task (best
// effort, bounded by Client.CancelTimeout).
func (rp *Reply) Close() {
	if rp.parent.Err() != nil && rp.taskID != "" && !rp.state.Terminal() && !rp.ended {
		rp.cancelTask()
	}
	rp.release()
}

func (rp *Reply) release() {
	if rp.body != nil {
		rp.body.Close()
	}
	rp.call.release()
}

func (rp *Reply) cancelTask() {
	d := rp.c.CancelTimeout
	if d <= 0 {
		d = DefaultCancelTimeout
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(rp.parent), d)
	defer cancel()
	log := zerolog.Ctx(ctx).With().Str("agent", rp.t.Name).Str("task_id", clip(rp.taskID, maxHost)).Logger()
	t := *rp.t
	crp, err := rp.c.Do(ctx, &t, Request{Op: OpCancel, TaskID: rp.taskID})
	if err != nil {
		log.Warn().Err(err).Msg("client went away; cancelling the agent's task failed")
		return
	}
	crp.Close()
	log.Info().Msg("client went away; agent's task cancelled")
}
