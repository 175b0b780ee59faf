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

func (ev *events) write(b []byte) error {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	if err := ev.w.Data(b); err != nil {
		return errClientGone
	}
	if ev.ka != nil {
		ev.ka.touch()
	}
	return nil
}

// relay answers a stream method: the agent's events relayed as they come,
// one "data: {JSON-RPC response}" each, flushed each; keepalive comments
// while the agent is quiet; the agent's errors rewritten; a stream the
// agent cut before its task ended closed with a JSON-RPC error event. The
// client going away cancels the upstream call (its context).
func (g *gateway) relay(c echo.Context, call *rpcCall, t *upstream.Target) error {
	raw, m, err := g.raw(c, call, t, true) // gatewayops.go: replica, trace, accounting, open streams
	defer m.release()
	if err != nil {
		return err
	}
	defer raw.Close()
	answerExtensions(c, call, raw)
	if !raw.Streamed() { // a JSON answer: an error (JS 1.x), or one result
		if e := agentError(t, raw.Body); e != nil || raw.Status/100 != 2 {
			if e == nil {
				return fmt.Errorf("%w: HTTP %d", ErrAgentStatus, raw.Status)
			}
			return e
		}
		ev, _ := transform.ReadResponse(raw.Body)
		g.claim(call, ev)
		m.event(ev)
		m.answered()
		return (&events{sseOut{w: startEvents(c)}}).write(compact(raw.Body))
	}
	out := &events{sseOut{w: startEvents(c)}}
	out.keepalive(g.s.cfg.Keepalive.Duration, zerolog.Ctx(c.Request().Context()), nil)
	defer out.close()
	done := false
	for frame, err := range raw.Frames() {
		if err != nil {
			return out.fail(c, call, err)
		}
		frame = compact(frame)
		if e := agentError(t, frame); e != nil {
			return out.fail(c, call, e)
		}
		ev, err := transform.ReadResponse(frame)
		if err == nil {
			g.claim(call, ev)
			m.event(ev)
			done = done || ev.Final || ev.State.Terminal() || ev.State.Interrupted() || ev.Kind == transform.KindMessage
		}
		if err := out.write(frame); err != nil {
			return err
		}
	}
	if !done {
		return out.fail(c, call, fmt.Errorf("%w: the stream ended with no final event", transform.ErrIncomplete))
	}
	m.answered()
	return nil
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
