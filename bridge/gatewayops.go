package bridge

import (
	"errors"
	"net/http/httptrace"
	"strings"
	"sync/atomic"

	"github.com/a2a-bridge/a2a-bridge/bridge/upstream"
	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/labstack/echo/v4"
)

// The gateway's operations: which replica a call goes to, and what it
// counts (tokens, cost, time to first token, open streams, the replica's
// health), as the chat and Responses doors count theirs through callAgent
// and answered. gateway.go and gatewaystream.go call raw, and feed the
// meter it returns what they relay.

// gwMeter follows one gateway call to its agent: the replica it went to,
// and, for a message, the answer's events, for its usage.
type gwMeter struct {
	s            *Server
	c            echo.Context
	call         *rpcCall
	r            *replica              // nil until a replica was chosen
	tr           *transform.Translator // nil for a call that is no message: only messages are priced
	failed       bool                  // Feed refused an event: usage counts what came before
	stream       *agentMetrics         // the open stream counted, until release
	held         string                // the last task and context ids remembered with r
	promptTokens int                   // the prompt's, counted before the Translator lets go of it
}

// raw makes call's exchange with its agent through Client.Raw, on the
// replica pick chooses, as callAgent does: the one that holds the task or
// context the call names, else the least loaded healthy one; a new task
// whose replica refused the connection (no byte of the request written)
// goes to the next. A disabled agent is refused (503 agent_disabled). t is
// aimed at the replica here, with the caller's trace context. The meter is
// never nil: the caller defers its release.
func (g *gateway) raw(c echo.Context, call *rpcCall, t *upstream.Target, body []byte, sse bool) (*upstream.Raw, *gwMeter, error) {
	a, info := call.agent, infoOf(c)
	info.target = a
	m := &gwMeter{s: g.s, c: c, call: call}
	if a.disabled.Load() {
		return nil, m, agentDisabled(a)
	}
	taskID, contextID := gwIDs(call)
	if call.op == opSend || call.op == opStream {
		prompt := gwPrompt(call)
		m.promptTokens = g.s.countTokens(prompt)
		m.tr = &transform.Translator{Prompt: prompt, NoUsage: true, Estimate: g.s.cfg.estimateUsage(),
			MaxAnswer: int(g.s.cfg.Limits.MaxAnswer), Continuing: taskID != ""}
	}
	if sse {
		m.stream = g.s.streamOpened(a.Name)
	}
	base := *t
	if parent, state, _ := traceOf(c.Request().Header); parent != "" {
		base.Headers = withTrace(base.Headers, parent, state)
	}
	ctx := c.Request().Context()
	var skip map[int]bool
	for {
		r, held := a.pick(taskID, contextID, skip)
		*t = aim(base, r)
		info.replica, m.r = r, r
		r.inflight.Add(1)
		if len(a.replicas) == 1 {
			raw, err := g.s.up.Raw(ctx, t, body, sse)
			return raw, m, err
		}
		var wrote atomic.Bool
		trace := &httptrace.ClientTrace{WroteHeaderField: func(string, []string) { wrote.Store(true) }}
		raw, err := g.s.up.Raw(httptrace.WithClientTrace(ctx, trace), t, body, sse)
		if err == nil || held || wrote.Load() || !errors.Is(err, ErrAgentDown) || len(skip)+1 == len(a.replicas) {
			return raw, m, err
		}
		r.release()
		m.r = nil
		if skip == nil {
			skip = map[int]bool{}
		}
		skip[r.index] = true
		g.s.called(a, r, true)
	}
}

// gwIDs are the task and context a call names: a message's taskId and
// contextId, the task of tasks/get, cancel and resubscribe, the context
// of a ListTasks.
func gwIDs(call *rpcCall) (taskID, contextID string) {
	switch call.op {
	case opSend, opStream:
		msg := call.params.Get("message")
		return msg.Get("taskId").String(), msg.Get("contextId").String()
	case opList:
		return "", call.params.Get("contextId").String()
	}
	return call.params.Get("id").String(), ""
}

// gwPrompt is the text of a message call's parts, as usage counts it.
func gwPrompt(call *rpcCall) string {
	var b strings.Builder
	for _, p := range call.params.Get("message.parts").Array() {
		if text := p.Get("text"); text.Exists() {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(text.String())
		}
	}
	return b.String()
}

// release ends what raw counted: the call on its replica, the open stream.
func (m *gwMeter) release() {
	if m.r != nil {
		m.r.release()
		m.r = nil
	}
	if m.stream != nil {
		m.stream.streamClosed()
		m.stream = nil
	}
}

// event notes one event of the answer as it is relayed: the replica holds
// its task and context, its text counts towards the usage, and the first
// text is the first token.
func (m *gwMeter) event(ev transform.Event) {
	a := m.call.agent
	if len(a.replicas) > 1 && m.r != nil && (ev.TaskID != "" || ev.ContextID != "") && ev.TaskID+"\x00"+ev.ContextID != m.held {
		m.held = ev.TaskID + "\x00" + ev.ContextID
		a.holds(m.r, &transform.Ext{TaskID: ev.TaskID, ContextID: ev.ContextID})
	}
	if m.tr == nil || m.failed {
		return
	}
	text, err := m.tr.Feed(ev)
	m.failed = err != nil
	if info := infoOf(m.c); text != "" && info.first.IsZero() {
		info.first = m.s.now()
	}
}

// answered counts the call's answer: for a message, its usage (the
// agent's, else counted as the chat door counts it) and its cost, with
// X-A2A-Bridge-Cost on a non-stream answer; any other call counts for the
// replica's health only.
func (m *gwMeter) answered() {
	a := m.call.agent
	if m.tr == nil {
		if m.r != nil {
			m.s.called(a, m.r, false)
		}
		return
	}
	_, _ = m.tr.Finish() // a status message that is the whole answer is counted
	usage := m.tr.Usage()
	if usage.PromptTokens == 0 {
		usage.PromptTokens = m.promptTokens
		usage.TotalTokens = usage.PromptTokens + usage.CompletionTokens
	}
	cost := m.s.answered(m.c, a, usage, nil)
	if a.cfg.priced() && m.stream == nil && !m.c.Response().Committed {
		m.c.Response().Header()[hdrCost] = []string{formatUSD(cost)}
	}
}
