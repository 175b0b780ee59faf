package bridge

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/a2a-bridge/a2a-bridge/bridge/upstream"
	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/labstack/echo/v4"
	"github.com/tidwall/gjson"
)

// The A2A gateway: /a2a/{agent} for A2A SDK clients. Its card names only
// the gateway; its JSON-RPC calls go through the one upstream client as
// the caller wrote them (Client.Raw), and every task and context created
// through it belongs to the calling key.

// gateway is the state of the A2A front door.
type gateway struct {
	s      *Server
	owners *owners
}

// gatewayRoutes registers the A2A gateway's routes on e.
func (s *Server) gatewayRoutes(e *echo.Echo) {
	g := &gateway{s: s, owners: newOwners(s.cfg.Conversations.TTL.Duration, s.cfg.Conversations.MaxEntries, s.now)}
	g.owners.remote = s.shared
	for _, p := range []string{"/.well-known/agent-card.json", "/.well-known/agent.json"} {
		e.GET("/a2a/:agent"+p, g.public(g.card))
	}
	for _, p := range []string{"/a2a/:agent", "/a2a/:agent/message/send", "/v1/a2a/:agent/message/send"} {
		e.POST(p, g.door(g.rpc))
	}
	g.restRoutes(e) // /a2a/{agent}/v1/...: the HTTP+JSON binding (gatewayrest.go)
}

// cardMaxAge is how long a client may keep a merged card.
const cardMaxAge = "max-age=300"

// card serves the merged card (transform.MergeCard). No key is needed: a
// card is public, as an agent's own is.
func (g *gateway) card(c echo.Context) error {
	a, err := g.agent(c.Param("agent"))
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	raw, _ := g.s.agents.RawCard(ctx, a)
	t := g.s.agents.Target(ctx, a)
	base := g.s.cfg.publicBase()
	if base == "" {
		base = "http://" + c.Request().Host
	}
	o := transform.GatewayCard{Base: base, Agent: a.Name, Name: a.cfg.DisplayName, Description: a.cfg.Description, Streaming: t.Streaming,
		Keys: len(g.s.cfg.APIKeys) > 0, V10: strings.HasPrefix(c.Request().Header.Get("A2A-Version"), "1."),
		Hide: agentHosts(a, t)}
	body, err := transform.MergeCard(raw, o)
	if err != nil { // a card that is no object: the gateway's defaults
		body, _ = transform.MergeCard(nil, o)
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	h := c.Response().Header()
	h.Set("Cache-Control", cardMaxAge)
	h.Set("ETag", etag)
	h.Set("Vary", "A2A-Version")
	if c.Request().Header.Get("If-None-Match") == etag {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, body)
}

// agentHosts are the hosts of a's URLs, which its merged card must not name.
func agentHosts(a *Agent, t upstream.Target) []string {
	var hosts []string
	for _, u := range []string{a.cfg.URL, a.cfg.CardURL, t.Interface.URL, t.Card.Endpoint} {
		if p, err := url.Parse(u); err == nil && p.Host != "" {
			hosts = append(hosts, p.Host)
		}
	}
	for _, i := range t.Card.Interfaces {
		if p, err := url.Parse(i.URL); err == nil && p.Host != "" {
			hosts = append(hosts, p.Host)
		}
	}
	return hosts
}

// agent returns the registered agent called name: HTTP 404 with a
// JSON-RPC error -32000 otherwise (as the seed answered).
func (g *gateway) agent(name string) (*Agent, error) {
	a, err := g.s.agents.Get("", name)
	if err != nil {
		return nil, newError(ErrUnknownAgent, "", fmt.Sprintf("agent %q is not registered", clip(name, maxName)), nil)
	}
	return a, nil
}

// rpcCall is one JSON-RPC request to the gateway.
type rpcCall struct {
	id      json.RawMessage // the caller's id, echoed in every answer
	method  string
	op      gwOp
	dialect transform.Dialect // the caller's
	stream  bool              // answered as an event stream
	body    []byte
	params  gjson.Result
	owner   string // the caller's key digest; "" when no keys are configured
	agent   *Agent
	// translate: the agent speaks the other dialect, so the request goes
	// up translated and every answer comes back in the caller's.
	translate bool
}

// door serves one JSON-RPC route: auth, then h, and every error h returns
// as a JSON-RPC error answering the caller's id.
func (g *gateway) door(h func(echo.Context, *rpcCall) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		call := &rpcCall{}
		err := g.s.auth(g.s.limitKey(g.s.limitBody(func(c echo.Context) error { return h(c, call) })))(c)
		if err != nil {
			g.rpcError(c, call, err)
		}
		return nil
	}
}

// public serves a route that needs no key (the cards), its errors as
// door's are.
func (g *gateway) public(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := h(c); err != nil {
			g.rpcError(c, &rpcCall{}, err)
		}
		return nil
	}
}

// rpcError answers err as a JSON-RPC error. It comes in HTTP 200, as the
// spec has it, but for the gateway's own auth (401, 403) and an unknown
// agent (404); on a stream method, as one event of a stream.
func (g *gateway) rpcError(c echo.Context, call *rpcCall, err error) {
	e := bounded(toError(err))
	infoOf(c).err = e
	if c.Response().Committed {
		return
	}
	status := http.StatusOK
	switch e.Code {
	case rowOf(ErrUnauthorized).code, rowOf(ErrNotAllowed).code, rowOf(ErrUnknownAgent).code, rowOf(ErrAgentDisabled).code:
		status = e.Status
	case rowOf(ErrRateLimited).code: // the contract's 429 with a JSON-RPC error -32000
		status = http.StatusTooManyRequests
	}
	if e.RetryAfter != "" {
		c.Response().Header().Set("Retry-After", e.RetryAfter)
	}
	if call.stream && status == http.StatusOK {
		w := startEvents(c)
		_ = w.Data(e.RPCBody(call.id))
		return
	}
	_ = c.Blob(status, echo.MIMEApplicationJSON, e.RPCBody(call.id))
}

// rpc serves POST /a2a/{agent}: every method of 0.3 and 1.0.
func (g *gateway) rpc(c echo.Context, call *rpcCall) error {
	a, err := g.agent(c.Param("agent"))
	if err != nil {
		return err
	}
	info := infoOf(c)
	if !info.caller.may(a.Name) {
		return newError(ErrNotAllowed, "", fmt.Sprintf("This API key may not call the agent %s.", a.Name), nil)
	}
	info.agent, call.agent = a.Name, a
	if info.caller != nil {
		call.owner = info.caller.digest
	}
	if call.body, err = g.s.readBody(c); err != nil {
		return err
	}
	if err := parseRPC(c.Request(), call); err != nil {
		return err
	}
	// After the parse, so that the refusal carries the caller's id.
	if err := g.s.limitAgent(c, a); err != nil {
		return err
	}
	info.stream = call.stream
	if err := g.checkOwner(call); err != nil {
		return err
	}
	t, err := g.target(c, call)
	if err != nil {
		return err
	}
	if err := extensions(c.Request(), &t); err != nil { // A2A-Extensions (gatewayext.go)
		return err
	}
	if call.stream {
		return g.relay(c, call, &t)
	}
	return g.forward(c, call, &t)
}

// target is how to call call's agent: in the caller's dialect when the
// agent speaks it (its own, or its card's interface for the caller's when
// it serves both, protocol auto), else in the agent's, translated.
func (g *gateway) target(c echo.Context, call *rpcCall) (upstream.Target, error) {
	t := g.s.agents.Target(c.Request().Context(), call.agent)
	if t.Dialect == call.dialect {
		return t, nil
	}
	if i, ok := t.Card.Interfaces[call.dialect]; ok && t.CanSwitch {
		t.Dialect, t.Interface = call.dialect, i
		return t, nil
	}
	return t, g.translate(call, &t)
}

// forward answers a non-stream call with the agent's JSON-RPC answer, in
// the caller's dialect, its errors rewritten (redacted, with the caller's
// id).
func (g *gateway) forward(c echo.Context, call *rpcCall, t *upstream.Target) error {
	up, err := upBody(call, t)
	if err != nil {
		return err
	}
	raw, m, err := g.raw(c, call, t, up, false) // gatewayops.go: replica, trace, accounting
	defer m.release()
	if err != nil {
		return err
	}
	defer raw.Close()
	answerExtensions(c, call, raw)
	body := raw.Body
	if raw.Status/100 != 2 && !gjson.GetBytes(body, "error").Exists() {
		return fmt.Errorf("%w: HTTP %d", ErrAgentStatus, raw.Status)
	}
	if e := callerError(call, t, body); e != nil {
		return e
	}
	translated := false
	switch call.op {
	case opList:
		body = g.ownTasks(call, body)
	case opSend:
		var ev transform.Event
		if call.translate { // read and translated off one validation
			ce, err := transform.AppendConvertEvent(make([]byte, 0, len(body)+len(body)/4), body, call.dialect, bareTask(call), nil)
			if err != nil {
				return fmt.Errorf("%w: %w", transform.ErrBadResponse, err)
			}
			ev, body, translated = ce.Event, ce.Out, true
		} else {
			ev, _ = transform.ReadResponse(body)
		}
		g.claim(call, ev)
		m.event(ev)
	}
	m.answered()
	if !translated {
		if body, err = answerIn(call, body); err != nil {
			return err
		}
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, body)
}

// agentError returns the agent's JSON-RPC error in body, its message and
// data scrubbed by t.Redact, or nil when body is no error.
func agentError(t *upstream.Target, body []byte) *Error {
	eb := gjson.GetBytes(body, "error")
	if !eb.IsObject() {
		return nil
	}
	msg, data := eb.Get("message").String(), eb.Get("data").Raw
	if t.Redact != nil {
		msg, data = t.Redact(msg), t.Redact(data)
	}
	e := agentRPCError(eb.Get("code").Int(), msg, nil, nil)
	e.Msg = clip(msg, maxText)
	if json.Valid([]byte(data)) {
		e.Data = []byte(data)
	}
	return e
}
