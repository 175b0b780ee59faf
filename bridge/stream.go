package bridge

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/a2a-bridge/a2a-bridge/bridge/upstream"
	"github.com/a2a-bridge/a2a-bridge/stream"
	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"
	openai "github.com/sashabaranov/go-openai"
)

// streamChat answers a stream request.
//
// Headers are sent with the first content, or when the task ends or stops
// for input, or with the first keepalive comment, whichever comes first:
// a task that fails before that (submitted, then failed) gets a plain HTTP
// error that every client raises, where a started stream that ends in an
// in-band error looks like success to some (langchaingo, the AI SDK's
// compatible provider), and the task id is in the response headers. After
// that, errors are in-band error events. An agent slow to answer gets the
// stream started by the keepalive, so that proxies with idle timeouts do
// not cut it.
//
// An agent whose card says it cannot stream, or that refuses the stream
// call, gets one message/send; its answer (polled while its task runs) is
// still delivered as a valid SSE stream.
func (s *Server) streamChat(c echo.Context, cc *chatCall) error {
	r := &relay{s: s, c: c, cc: cc, tr: s.translator(cc), info: infoOf(c), sseOut: sseOut{now: s.now}}
	defer s.streamOpened(cc.agent.Name).streamClosed()
	r.keepalive(s.cfg.Keepalive.Duration, zerolog.Ctx(c.Request().Context()), r.startLocked)
	defer r.close()
	rp, rep, err := s.callAgent(c, cc.agent, &cc.target, cc.request(upstream.OpStream))
	defer rep.release()
	if err != nil {
		return r.fail(err)
	}
	defer rp.Close() // cancels the agent's task if the client went away
	if r.tr.NoUsage {
		// The caller asked for no usage, but the metrics and the cost
		// count the prompt: counted now, before it is let go of.
		r.promptTokens = s.countTokens(cc.prompt)
	}
	// Sent: the flattened prompt is not needed any more (the Translator
	// keeps what it needs of it), nor the turns, and an idle stream need
	// not hold them.
	cc.prompt = ""
	cc.letGoOfTurns()
	emit := func(text string) error {
		if err := r.text(text); err != nil {
			return err
		}
		if rp.Ready() {
			return nil // the next event is here already: flush them together
		}
		return r.flush()
	}
	if err := follow(rp, cc.agent, r.tr, emit); err != nil {
		return r.fail(err)
	}
	err = r.finish()
	if err == nil {
		if s.shared != nil {
			// remember may wait on Redis: the client gets its end first.
			// Else the end goes out with the chunked body's, in one write.
			_ = r.flush()
		}
		s.remember(c, cc, r.tr)
	}
	return err
}

// errClientGone is a failed write to the client: it went away, and is
// handled as a cancelled request.
var errClientGone = fmt.Errorf("write to client: %w: %w", ErrClientGone, context.Canceled)

// relay writes the OpenAI chunks of one stream answer. Its writes are
// serialised: keepalives come from a timer.
type relay struct {
	s  *Server
	c  echo.Context
	cc *chatCall
	tr *transform.Translator
	// info is the request's, read once; promptTokens the prompt's count
	// when the translator does not keep the prompt (NoUsage).
	info         *reqInfo
	promptTokens int

	sseOut
	chunks *transform.Chunks
	noted  *transform.Ext // the ids noteIDs was last given
}

// text sends a content delta, starting the stream first if need be.
func (r *relay) text(s string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ext := r.tr.Ext(); ext != r.noted {
		// Ext returns the same pointer until the ids or the state change:
		// noting them again would change nothing (nil: nothing to note).
		r.s.noteIDs(r.c, ext)
		r.noted = ext
	}
	if s == "" && r.w == nil {
		return nil // nothing to show yet (submitted, working): not started
	}
	if err := r.startLocked(); err != nil || s == "" {
		return err
	}
	if r.info.first.IsZero() {
		r.info.first = r.s.now()
	}
	return r.endLocked(r.chunks.AppendText(r.w.Begin(), r.tr.Ext(), s))
}

// startLocked commits the response headers and sends the role chunk, once.
func (r *relay) startLocked() error {
	if r.w != nil {
		return nil
	}
	res := r.c.Response()
	stream.SetHeaders(res.Header())
	res.WriteHeader(http.StatusOK)
	r.w = stream.NewWriter(res.Writer)
	r.chunks = transform.NewChunks(r.cc.meta, r.cc.req.IncludeUsage)
	return r.chunkLocked(transform.RoleDelta(), "")
}

// chunkLocked writes one chunk, encoded straight into the writer's buffer.
func (r *relay) chunkLocked(d transform.Delta, finish openai.FinishReason) error {
	return r.endLocked(r.chunks.Append(r.w.Begin(), r.tr.Ext(), d, finish))
}

// endLocked ends the chunk encoded into the writer's buffer (see Begin).
func (r *relay) endLocked(b []byte) error {
	if err := r.w.End(b); err != nil {
		return errClientGone
	}
	return nil
}

// writeLocked writes one frame, buffered: emit flushes once the upstream
// has no event ready, so a burst of events costs one write to the client.
func (r *relay) writeLocked(b []byte) error {
	if err := r.w.Frame(b); err != nil {
		return errClientGone
	}
	return nil
}

// finish ends a stream whose task is done: the rest of the answer, the
// finish chunk, the usage chunk when asked, then [DONE].
func (r *relay) finish() error {
	if err := finishText(r.c, r.tr, r.text); err != nil {
		return r.fail(err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.startLocked(); err != nil { // a task done with no text at all
		return err
	}
	if err := r.chunkLocked(transform.Delta{}, openai.FinishReasonStop); err != nil {
		return err
	}
	usage := r.tr.Usage()
	if r.cc.req.IncludeUsage {
		r.cc.meta.Ext = r.tr.Ext()
		if err := r.writeLocked(transform.UsageChunk(r.cc.meta, usage)); err != nil {
			return err
		}
	}
	if r.tr.NoUsage && usage.PromptTokens == 0 {
		usage.PromptTokens = r.promptTokens // the agent reported none: the bridge's count
		usage.TotalTokens = usage.PromptTokens + usage.CompletionTokens
	}
	r.s.answered(r.c, r.cc.agent, usage, r.tr.Ext())
	return r.w.DoneLast() // flushed with the response's end (streamChat)
}

// fail reports err: as a plain HTTP error while nothing was sent, else as
// an in-band error event that SDKs raise, then the end of the stream.
func (r *relay) fail(err error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	if r.w == nil || errors.Is(err, context.Canceled) {
		return err
	}
	e := toError(err)
	infoOf(r.c).err = e
	_ = r.w.Data(e.Body())
	return nil
}
