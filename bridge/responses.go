package bridge

import (
	"encoding/hex"
	"fmt"
	"net/http"

	"github.com/a2a-bridge/a2a-bridge/bridge/upstream"
	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// responsesDoor serves the Responses API (/v1/responses): the chat path's
// parse, upstream and render, with the Responses shapes, and its store of
// responses that previous_response_id continues.
type responsesDoor struct {
	s     *Server
	store *responseStore
}

// responseRoutes registers the Responses API on g (/v1, behind auth).
func (s *Server) responseRoutes(g *echo.Group) {
	d := &responsesDoor{s: s, store: newResponseStore(s.cfg.Conversations.TTL.Duration, s.cfg.Conversations.MaxEntries, s.now)}
	d.store.remote = s.shared
	s.resps = d.store // swept with the conversations
	g.POST("/responses", d.create)
	g.GET("/responses/:id", d.get)
	g.DELETE("/responses/:id", d.delete)
}

// respCall is one POST /v1/responses: a chat call, and what the Responses
// API adds to it.
type respCall struct {
	*chatCall
	rreq transform.ResponsesRequest
	meta transform.ResponseMeta
}

// create serves POST /v1/responses.
func (d *responsesDoor) create(c echo.Context) error {
	s := d.s
	body, err := s.readBody(c)
	if err != nil {
		return err
	}
	rreq, err := transform.ParseResponses(body)
	if err != nil {
		return err
	}
	agent, err := s.allowed(c, rreq.Model, rreq.Agent)
	if err != nil {
		return err
	}
	info := infoOf(c)
	info.agent, info.stream = agent.Name, rreq.Stream
	if err := unsupported(c, agent, rreq.Request); err != nil {
		return err
	}
	if err := d.resolveRefs(c, &rreq); err != nil {
		return err
	}
	rc := d.newCall(c, agent, rreq)
	if err := d.continuation(c, rc); err != nil {
		return err
	}
	rc.prompt = transform.Flatten(rc.sent)
	if err := acceptsFiles(rc.chatCall); err != nil {
		return err
	}
	if rreq.Stream {
		return d.stream(c, rc)
	}
	return d.send(c, rc)
}

// newCall mints the ids of a response: its output message's is its own
// with msg_ for resp_, so that an item_reference to it finds it.
func (d *responsesDoor) newCall(c echo.Context, agent *Agent, rreq transform.ResponsesRequest) *respCall {
	id := hexID()
	return &respCall{
		chatCall: &chatCall{agent: agent, target: d.s.agents.Target(c.Request().Context(), agent),
			req: rreq.Request, sent: rreq.Messages, messageID: uuid.NewString()},
		rreq: rreq,
		meta: transform.ResponseMeta{ID: respPrefix + id, MessageID: msgPrefix + id, CreatedAt: d.s.now().Unix(),
			Model: rreq.Model, Instructions: rreq.Instructions, PreviousResponseID: rreq.PreviousResponseID, Metadata: rreq.Metadata},
	}
}

// hexID is a random id in 32 hex digits (a UUID's, without its dashes),
// in one allocation.
func hexID() string {
	u := uuid.New()
	var b [32]byte
	hex.Encode(b[:], u[:])
	return string(b[:])
}

// continuation continues the stored response previous_response_id names,
// in its agent's context (and its task, when that stopped for input), with
// only this request's input. Without one, the chat path's continuation
// applies (X-A2A-* headers, re-sent history).
func (d *responsesDoor) continuation(c echo.Context, rc *respCall) error {
	id := rc.rreq.PreviousResponseID
	if id == "" {
		return d.s.continuation(c, rc.chatCall)
	}
	scope := infoOf(c).scope
	rc.scope = scope + "\x00" + rc.agent.Name + "\x00"
	prev, ok, err := d.store.lookup(c.Request().Context(), scope, id)
	if err != nil {
		return newError(ErrStateUnavailable, "previous_response_id", "", err)
	}
	if !ok || prev.Agent != rc.agent.Name {
		return newError(ErrPreviousNotFound, "previous_response_id",
			fmt.Sprintf("Previous response with id %q not found (unknown, expired, not stored, or of another API key or model).", id), nil)
	}
	rc.contextID = prev.ContextID
	if prev.interrupted() {
		rc.taskID = prev.TaskID
	}
	return nil
}

// send answers a non-stream request with the whole response object.
func (d *responsesDoor) send(c echo.Context, rc *respCall) error {
	s := d.s
	tr := s.translator(rc.chatCall)
	rp, rep, err := s.callAgent(c, rc.agent, &rc.target, rc.request(upstream.OpSend))
	defer rep.release()
	if err != nil {
		return err
	}
	defer rp.Close() // cancels the agent's task if the client went away
	err = follow(rp, rc.agent, tr, func(string) error { return nil })
	s.noteIDs(c, tr.Ext())
	if err != nil {
		return err
	}
	if _, err := tr.Finish(); err != nil {
		return err
	}
	u := tr.Usage()
	body := d.completed(c, rc, tr, u)
	if cost := s.answered(c, rc.agent, u, tr.Ext()); rc.agent.cfg.priced() {
		c.Response().Header()[hdrCost] = []string{formatUSD(cost)}
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, body)
}

// completed returns the final object of a completed response, of usage
// u, encoded once: the answer, or the response.completed event's, and
// what is kept when the caller asked for it to be stored.
func (d *responsesDoor) completed(c echo.Context, rc *respCall, tr *transform.Translator, u transform.Usage) []byte {
	rc.meta.Ext = tr.Ext()
	body := transform.Response(rc.meta, transform.ResponseState{Status: transform.ResponseCompleted, Text: tr.Text(), Usage: &u})
	if rc.rreq.Store {
		stored := storedResponse{Agent: rc.agent.Name, conversation: leftBy(tr.Ext(), rc.contextID), Body: body}
		if err := d.store.keep(c.Request().Context(), infoOf(c).scope, rc.meta.ID, stored); err != nil {
			d.s.log.Warn().Str("response", rc.meta.ID).Msg("response not stored: the shared state is not answering")
		}
	}
	if rc.rreq.PreviousResponseID == "" {
		d.s.remember(c, rc.chatCall, tr)
	}
	return body
}

// get serves GET /v1/responses/{id}: a stored response of the caller's.
func (d *responsesDoor) get(c echo.Context) error {
	r, ok, err := d.store.lookup(c.Request().Context(), infoOf(c).scope, c.Param("id"))
	if err != nil {
		return newError(ErrStateUnavailable, "", "", err)
	}
	if !ok {
		return responseNotFound(c.Param("id"))
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, r.Body)
}

// delete serves DELETE /v1/responses/{id}.
func (d *responsesDoor) delete(c echo.Context) error {
	ok, err := d.store.drop(c.Request().Context(), infoOf(c).scope, c.Param("id"))
	if err != nil {
		return newError(ErrStateUnavailable, "", "", err)
	}
	if !ok {
		return responseNotFound(c.Param("id"))
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, transform.DeletedResponse(c.Param("id")))
}

func responseNotFound(id string) error {
	return newError(ErrResponseNotFound, "", fmt.Sprintf("No response with id %q is stored for this API key.", clip(id, maxName)), nil)
}
