package upstream

import (
	"context"
	"errors"
	"io"
	"iter"
	"net/http"

	"github.com/a2a-bridge/a2a-bridge/stream"
)

// Raw is an agent's answer as it came, for a front door that relays it
// (the A2A gateway): its status, the headers that matter, and its body, a
// JSON-RPC error body included; or, for an event stream, its frames.
type Raw struct {
	call
	c      *Client
	Status int
	Header http.Header // Content-Type, Retry-After, A2A-Version, the extensions headers, when the agent sent them
	Body   []byte      // a JSON (or error) answer, whole, bounded by MaxAnswer; nil for a stream
	resp   *http.Response
	dec    *stream.Decoder // the stream's, while Frames runs
}

// relayed are the response headers a pass-through keeps.
var relayed = []string{"Content-Type", "Retry-After", "A2a-Version", "A2a-Extensions", "X-A2a-Extensions"}

// Raw posts body, a JSON-RPC request as the caller wrote it, to t's
// endpoint, signed, in t's dialect (its A2A-Version header), and returns
// the answer as it came: no dialect switch, no fallback, no polls. Only a
// transport failure is an error; a non-2xx answer is a Raw with its status
// and body. The caller closes it.
func (c *Client) Raw(ctx context.Context, t *Target, body []byte, sse bool) (*Raw, error) {
	r := &Raw{c: c}
	r.start(c, ctx, t.Timeout, sse)
	resp, err := c.post(r.ctx, t, body, sse, false)
	if err != nil {
		r.release()
		return nil, err
	}
	r.Status, r.Header = resp.StatusCode, http.Header{}
	for _, k := range relayed {
		if v := resp.Header.Values(k); len(v) > 0 {
			r.Header[k] = v
		}
	}
	if isSSE(resp) && resp.StatusCode/100 == 2 {
		r.resp = resp
		return r, nil
	}
	defer resp.Body.Close()
	limit := c.maxAnswer()
	if resp.StatusCode/100 != 2 {
		limit = maxErrorBody
	}
	if r.Body, err = readAll(r.ctx, resp.Body, resp.ContentLength, limit); err != nil {
		r.release()
		return nil, err
	}
	return r, nil
}

// Streamed reports whether the answer is an event stream.
func (r *Raw) Streamed() bool { return r.resp != nil }

// Frames returns the data of each event of a stream, each bounded by
// MaxEvent, with the per-event timeout applied; it closes the stream when
// the iteration ends. A cut stream or a timeout ends it with an error.
func (r *Raw) Frames() iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		if r.resp == nil {
			return
		}
		defer r.Close()
		dec := stream.NewDecoder(r.resp.Body, r.c.maxEvent())
		r.dec = dec
		for {
			if !dec.Ready() {
				r.touch()
			}
			ev, err := dec.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				yield(nil, classify(r.ctx, err))
				return
			}
			if !yield(ev.Data, nil) {
				return
			}
		}
	}
}

// Ready reports whether the next frame of the stream Frames is reading is
// here already, so that a relay can write the two together.
func (r *Raw) Ready() bool { return r.dec != nil && r.dec.Ready() }

// Close ends the call.
func (r *Raw) Close() {
	if r.resp != nil {
		r.resp.Body.Close()
	}
	r.release()
}
