package bridge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/a2a-bridge/a2a-bridge/bridge/upstream"
	"github.com/a2a-bridge/a2a-bridge/stream"
	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"
	"github.com/tidwall/gjson"
)

// startEvents commits an event-stream answer and returns its writer.
func startEvents(c echo.Context) *stream.Writer {
	res := c.Response()
	stream.SetHeaders(res.Header())
	res.WriteHeader(http.StatusOK)
	return stream.NewWriter(res.Writer)
}

// events writes one gateway stream; keepalives come from a timer, so
// writes are serialised.
type events struct{ sseOut }

func (ev *events) write(b []byte) error { return ev.writeMore(b, false) }

// writeMore writes b (none when nil), flushing what is buffered unless
// more frames follow at once: a burst of events reaches the client in one
// write, as on the chat path.
func (ev *events) writeMore(b []byte, more bool) error {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	if b != nil {
		if err := ev.w.Frame(b); err != nil {
			return errClientGone
		}
	}
	if !more {
		return ev.flushLocked()
	}
	if ev.ka != nil {
		ev.ka.touch()
	}
	return nil
}

// relay answers a stream method: the agent's events relayed as they come,
// one "data: {JSON-RPC response}" each, in the caller's dialect, flushed
// each; keepalive comments while the agent is quiet; the agent's errors
// rewritten; a stream the agent cut before its task ended closed with a
// JSON-RPC error event. The client going away cancels the upstream call
// (its context).
func (g *gateway) relay(c echo.Context, call *rpcCall, t *upstream.Target) error {
	up, err := upBody(call, t)
	if err != nil {
		return err
	}
	// Before the subscription: a 0.3 agent's resubscribe may answer only
	// once the task has moved on.
	first, err := g.subscribeStart(c, call, t)
	if err != nil {
		return err
	}
	raw, m, err := g.raw(c, call, t, up, true) // gatewayops.go: replica, trace, accounting, open streams
	defer m.release()
	if err != nil {
		return err
	}
	defer raw.Close()
	call.body, call.params = nil, gjson.Result{}
	answerExtensions(c, call, raw)
	if !raw.Streamed() { // a JSON answer: an error (JS 1.x), or one result
		return g.relayOne(c, call, t, raw, m)
	}
	out := &events{sseOut{w: startEvents(c), now: g.s.now}}
	out.keepalive(g.s.cfg.Keepalive.Duration, zerolog.Ctx(c.Request().Context()), nil)
	defer out.close()
	if first != nil {
		if err := out.write(first); err != nil {
			return err
		}
	}
	rs := relayed{g: g, call: call, t: t, m: m, skipTask: first != nil}
	for frame, err := range raw.Frames() {
		if err == nil {
			frame, err = rs.next(frame)
		}
		if err != nil {
			return out.fail(c, call, err)
		}
		if frame == nil { // dropped: what is buffered must not wait for the next frame
			if err := out.writeMore(nil, raw.Ready()); err != nil {
				return err
			}
			continue
		}
		if err := out.writeMore(frame, raw.Ready()); err != nil {
			return err
		}
	}
	if !rs.done {
		return out.fail(c, call, fmt.Errorf("%w: the stream ended with no final event", transform.ErrIncomplete))
	}
	m.answered()
	return nil
}

// relayed is what relay knows of the stream it relays.
type relayed struct {
	g        *gateway
	call     *rpcCall
	t        *upstream.Target
	m        *gwMeter // gatewayops.go: the call's accounting
	skipTask bool     // the Task was sent first (subscribeStart): the agent's own is dropped
	done     bool     // the task ended, or was interrupted, or the answer was a Message
	one      [1]transform.Artifact
	buf      []byte // the translated event, reused for each: the writer copies it
}

// next is the agent's frame as the caller reads it, or nil to drop it; an
// agent's error event is an error. Its task and context are claimed. A
// translated frame is read and translated off one validation, into the
// stream's one buffer.
func (rs *relayed) next(frame []byte) ([]byte, error) {
	frame = compact(frame)
	var ev transform.Event
	var readErr, convErr error
	out := frame
	if rs.call.translate {
		var c transform.ConvertedEvent
		c, convErr = transform.AppendConvertEvent(rs.buf[:0], frame, rs.call.dialect, bareTask(rs.call), &rs.one)
		ev, readErr, out, rs.buf = c.Event, c.ReadErr, c.Out, c.Out
	} else {
		ev, readErr = transform.ReadResponseInto(frame, &rs.one)
	}
	if readErr != nil { // an event read has no error member holding an object
		if e := callerError(rs.call, rs.t, frame); e != nil {
			return nil, e
		}
	} else {
		rs.g.claim(rs.call, ev)
		rs.m.event(ev)
		rs.done = rs.done || ev.Final || ev.State.Terminal() || ev.State.Interrupted() || ev.Kind == transform.KindMessage
		if rs.skipTask && ev.Kind == transform.KindTask {
			rs.skipTask = false
			return nil, nil
		}
	}
	rs.skipTask = false
	if convErr != nil {
		return nil, fmt.Errorf("%w: %w", transform.ErrBadResponse, convErr)
	}
	return out, nil
}

// subscribeStart is the first event of a 1.0 SubscribeToTask relayed to a
// 0.3 agent (currentTask), or nil for any other call.
func (g *gateway) subscribeStart(c echo.Context, call *rpcCall, t *upstream.Target) ([]byte, error) {
	if !call.translate || call.op != opSubscribe || call.dialect != transform.V10 {
		return nil, nil
	}
	// On the replica that holds the task, where the subscription goes too.
	taskID, contextID := gwIDs(call)
	r, _ := call.agent.pick(taskID, contextID, nil)
	at := aim(*t, r)
	return g.currentTask(c, call, &at)
}

// relayOne answers a stream method the agent answered with one JSON body.
func (g *gateway) relayOne(c echo.Context, call *rpcCall, t *upstream.Target, raw *upstream.Raw, m *gwMeter) error {
	if e := callerError(call, t, raw.Body); e != nil || raw.Status/100 != 2 {
		if e == nil {
			return fmt.Errorf("%w: HTTP %d", ErrAgentStatus, raw.Status)
		}
		return e
	}
	ev, _ := transform.ReadResponse(raw.Body)
	g.claim(call, ev)
	m.event(ev)
	m.answered()
	body, err := answerIn(call, compact(raw.Body))
	if err != nil {
		return err
	}
	return (&events{sseOut{w: startEvents(c), now: g.s.now}}).write(body)
}

// currentTask is the first event of a 1.0 SubscribeToTask relayed to a 0.3
// agent: the task as tasks/get reads it now, in 1.0. The 1.0 stream must
// start with the Task, and a2a-go v0.3's tasks/resubscribe starts with
// the updates instead. A task that has ended is -32004, as 1.0 has it.
func (g *gateway) currentTask(c echo.Context, call *rpcCall, t *upstream.Target) ([]byte, error) {
	req := transform.GetTaskRequest(t.Dialect, "subscribe", call.params.Get("id").String(), t.Interface.Tenant)
	raw, err := g.s.up.Raw(c.Request().Context(), t, req, false)
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	if e := callerError(call, t, raw.Body); e != nil {
		return nil, e
	}
	ev, err := transform.ReadResponse(raw.Body)
	if err != nil || ev.Kind != transform.KindTask {
		return nil, fmt.Errorf("%w: tasks/get answered no task", transform.ErrBadResponse)
	}
	if ev.State.Terminal() {
		return nil, newError(upstream.ErrUnsupportedOperation, "", "The task has ended: there is nothing to subscribe to.", nil)
	}
	id := call.id
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	env, _ := json.Marshal(struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Result  json.RawMessage `json:"result"`
	}{"2.0", id, json.RawMessage(gjson.GetBytes(raw.Body, "result").Raw)})
	return answerIn(call, env)
}

// fail ends a started stream with err as a JSON-RPC error event.
func (ev *events) fail(c echo.Context, call *rpcCall, err error) error {
	e := bounded(toError(err))
	infoOf(c).err = e
	_ = ev.write(e.RPCBody(call.id))
	return nil
}

// compact is b on one line, as an SSE data line must be (an agent may
// send its JSON over several data: lines, joined with newlines).
func compact(b []byte) []byte {
	if bytes.IndexByte(b, '\n') < 0 {
		return b
	}
	var out bytes.Buffer
	if json.Compact(&out, b) != nil {
		return b
	}
	return out.Bytes()
}
