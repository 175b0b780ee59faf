package upstream

import (
	"context"
	"crypto/rand"
	"net/http"
	"time"

	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/google/uuid"
	"github.com/rs/zerolog"
)

// Target is how to call one agent now: its card (endpoints pinned to the
// registered origin), the dialect and interface to use, its credentials and
// timeout. The registry makes one per call.
type Target struct {
	Name      string              // the agent's registered name, for logs and the Client's hooks
	Card      transform.Card      // the parsed card, or the fallback for an agent that serves none
	Dialect   transform.Dialect   // the dialect to call in
	Interface transform.Interface // Card's endpoint and tenant for Dialect
	CanSwitch bool                // protocol auto: a dialect error may switch dialects
	Streaming bool                // the card says it streams, and it never refused
	APIKey    string              // sent as Authorization: Bearer
	Headers   map[string]string   // sent as given
	// Timeout bounds a non-stream call as a whole (polls included), and on
	// a stream the wait for each event. 0 means none.
	Timeout time.Duration
	HTTP    *http.Client // the pool to call through (see Clients)
	// Redact scrubs the agent's own text (a JSON-RPC error message) of
	// secrets and the agent's whereabouts, where it becomes an error;
	// nil leaves it as it is.
	Redact func(string) string
}

// switchTo returns t in dialect d.
func (t Target) switchTo(d transform.Dialect) Target {
	t.Dialect = d
	t.Interface = t.Card.For(d)
	return t
}

// Op is what a Request asks of the agent.
type Op int

// The operations of a Request.
const (
	OpSend      Op = iota // message/send (SendMessage); a non-blocking agent's task is polled
	OpStream              // message/stream (SendStreamingMessage); send when the agent cannot stream
	OpGet                 // tasks/get (GetTask)
	OpCancel              // tasks/cancel (CancelTask)
	OpSubscribe           // tasks/resubscribe (SubscribeToTask), a stream
)

// Request is one dialect-neutral call.
type Request struct {
	Op Op
	// Message is the message of OpSend and OpStream; its Dialect, Stream,
	// RPCID and Tenant are set per call (a retry in the other dialect
	// keeps its MessageID).
	Message transform.Send
	TaskID  string // OpGet, OpCancel, OpSubscribe
}

// Client calls agents. Its zero value is ready to use; the function fields
// are where a caller's behaviour differs (the httputil.ReverseProxy way).
type Client struct {
	MaxEvent  int   // limits.max_event: one SSE event or JSON answer line; 0: 4 MiB
	MaxAnswer int64 // limits.max_answer: one whole JSON answer; 0: 16 MiB
	// NewID returns a JSON-RPC request id; nil: a random UUID.
	NewID func() string
	// Wait waits d (between polls of a non-blocking task) or until ctx
	// ends; nil: a timer. Tests inject a clock here.
	Wait func(ctx context.Context, d time.Duration) error
	// Quiet arms the per-event timeout of a stream: fire is called once d
	// passes with no Touch; Stop disarms it. nil: a time.Timer reset per
	// event.
	Quiet func(ctx context.Context, d time.Duration, fire func()) Timeout
	// Switched is called when an agent answered in the other dialect, so
	// that it is remembered; may be nil.
	Switched func(t *Target, d transform.Dialect)
	// RefusedStream is called when an agent refused a stream call and was
	// sent the message instead, so that it is remembered; may be nil.
	RefusedStream func(t *Target)
	// CancelTimeout bounds the tasks/cancel sent when a caller goes away;
	// 0: 2 s.
	CancelTimeout time.Duration
}

// Defaults of a Client's zero fields.
const (
	DefaultMaxEvent      = 4 << 20
	DefaultMaxAnswer     = 16 << 20
	DefaultCancelTimeout = 2 * time.Second
	firstPoll            = 100 * time.Millisecond
	maxPoll              = 2 * time.Second
)

func (c *Client) maxEvent() int {
	if c.MaxEvent > 0 {
		return c.MaxEvent
	}
	return DefaultMaxEvent
}

func (c *Client) maxAnswer() int64 {
	if c.MaxAnswer > 0 {
		return c.MaxAnswer
	}
	return DefaultMaxAnswer
}

func (c *Client) newID() string {
	if c.NewID != nil {
		return c.NewID()
	}
	return NewUUID()
}

// NewUUID returns a random (version 4) UUID, as uuid.NewString does, in
// one allocation: uuid.NewString reads the random bytes through an
// io.Reader, which puts them on the heap too.
func NewUUID() string {
	var u uuid.UUID
	_, _ = rand.Read(u[:])  // crypto/rand.Read never fails (it crashes the program instead)
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u.String()
}

func (c *Client) wait(ctx context.Context, d time.Duration) error {
	if c.Wait != nil {
		return c.Wait(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}

// Do makes the call req asks for and returns the agent's answer as events;
// the caller closes the Reply. t is updated when the agent proved to speak
// the other dialect. The Reply cancels the agent's task on Close when ctx
// ended (the caller went away) while the task still ran.
func (c *Client) Do(ctx context.Context, t *Target, req Request) (*Reply, error) {
	rp := &Reply{c: c, t: t, continuing: req.Message.TaskID != ""}
	rp.start(c, ctx, t.Timeout, req.Op == OpStream || req.Op == OpSubscribe)
	if err := rp.open(req); err != nil {
		rp.release()
		return nil, err
	}
	return rp, nil
}

// open makes the first exchange of rp: for a message, in the target's
// dialect, then the other one when the agent answers as if it spoke that
// (-32601, -32009, HTTP 404/405) and its protocol is auto, remembering the
// one that worked; a stream refused is sent instead, remembered too.
func (rp *Reply) open(req Request) error {
	switch req.Op {
	case OpGet, OpCancel, OpSubscribe:
		return rp.exchange(rp.taskBody(req.Op, req.TaskID), req.Op == OpSubscribe)
	}
	sse := req.Op == OpStream && rp.t.Streaming
	err := rp.send(req, sse)
	if sse && streamRefused(err) {
		zerolog.Ctx(rp.ctx).Info().Str("agent", rp.t.Name).Err(err).Msg("agent refused to stream; sending instead from now on")
		if f := rp.c.RefusedStream; f != nil {
			f(rp.t)
		}
		rp.t.Streaming = false
		err = rp.send(req, false)
	}
	return err
}

// send sends req's message, switching dialects once when the agent asks.
func (rp *Reply) send(req Request, sse bool) error {
	t := rp.t
	err := rp.exchange(rp.sendBody(req, sse), sse)
	if err == nil || !t.CanSwitch || !wrongDialect(err) {
		return err
	}
	first := err
	*t = t.switchTo(other(t.Dialect))
	if err = rp.exchange(rp.sendBody(req, sse), sse); err != nil {
		*t = t.switchTo(other(t.Dialect))
		if wrongDialect(err) {
			return first // neither dialect: report the first answer
		}
		return err
	}
	if f := rp.c.Switched; f != nil {
		f(t, t.Dialect)
	}
	zerolog.Ctx(rp.ctx).Info().Str("agent", t.Name).Stringer("protocol", t.Dialect).
		Msg("agent answered in the other A2A dialect; using it from now on")
	return nil
}

func (rp *Reply) sendBody(req Request, sse bool) []byte {
	m := req.Message
	m.Dialect, m.Stream, m.RPCID, m.Tenant = rp.t.Dialect, sse, rp.c.newID(), rp.t.Interface.Tenant
	return transform.SendRequest(m)
}

func (rp *Reply) taskBody(op Op, taskID string) []byte {
	d, id, tenant := rp.t.Dialect, rp.c.newID(), rp.t.Interface.Tenant
	switch op {
	case OpCancel:
		return transform.CancelTaskRequest(d, id, taskID, tenant)
	case OpSubscribe:
		return transform.SubscribeTaskRequest(d, id, taskID, tenant)
	}
	return transform.GetTaskRequest(d, id, taskID, tenant)
}

func other(d transform.Dialect) transform.Dialect {
	if d == transform.V10 {
		return transform.V03
	}
	return transform.V10
}
