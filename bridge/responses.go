package bridge

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/a2a-bridge/a2a-bridge/bridge/upstream"
	"github.com/a2a-bridge/a2a-bridge/transform"
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
	chatCall
	store bool // the caller asked for the response to be stored (store)
	meta  transform.ResponseMeta
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
	rc := d.newCall(c, agent, &rreq)
	if err := d.continuation(c, rc); err != nil {
		return err
	}
	rc.prompt = transform.Flatten(rc.sent)
	if err := acceptsFiles(&rc.chatCall); err != nil {
		return err
	}
	if rreq.Stream {
		return d.stream(c, rc)
	}
	return d.send(c, rc)
}

// newCall starts the call of rreq, with its ids (respMeta).
func (d *responsesDoor) newCall(c echo.Context, agent *Agent, rreq *transform.ResponsesRequest) *respCall {
	rc := &respCall{chatCall: chatCall{agent: agent, target: d.s.agents.Target(c.Request().Context(), agent),
		req: rreq.Request, sent: rreq.Messages}, store: rreq.Store}
	rc.messageID, rc.meta = respMeta(rreq)
	rc.meta.CreatedAt, rc.meta.Metadata = d.s.now().Unix(), rreq.Metadata
	return rc
}

// respMeta mints the ids of a response: a new messageId for the agent (a
// random UUID), and the response's id, whose output message's is the
// same with msg_ for resp_, so that an item_reference to it finds it. It
// copies the names the response echoes (model, previous_response_id,
// instructions) out of the request's body, which a stored response must
// not hold; all in one allocation, from one read of the random source.
func respMeta(rreq *transform.ResponsesRequest) (messageID string, m transform.ResponseMeta) {
	var r [32]byte
	_, _ = rand.Read(r[:]) // crypto/rand.Read never fails (it crashes the program instead)
	for _, u := range [][]byte{r[:16], r[16:]} {
		u[6] = u[6]&0x0f | 0x40 // version 4
		u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	}
	var id [32]byte
	hex.Encode(id[:], r[16:])
	var sb strings.Builder
	sb.Grow(len(respPrefix) + len(msgPrefix) + 2*len(id) + len(uuidBuf{}) + len(rreq.Model) + len(rreq.PreviousResponseID) + len(rreq.Instructions))
	for _, part := range [...][]byte{[]byte(respPrefix), id[:], []byte(msgPrefix), id[:]} {
		sb.Write(part)
	}
	u := uuidText(r[:16])
	sb.Write(u[:])
	for _, name := range [...]string{rreq.Model, rreq.PreviousResponseID, rreq.Instructions} {
		sb.WriteString(name)
	}
	all := sb.String()
	cut := func(n int) string {
		s := all[:n]
		all = all[n:]
		return s
	}
	m.ID, m.MessageID = cut(len(respPrefix)+len(id)), cut(len(msgPrefix)+len(id))
	messageID = cut(len(u))
	m.Model, m.PreviousResponseID, m.Instructions = cut(len(rreq.Model)), cut(len(rreq.PreviousResponseID)), cut(len(rreq.Instructions))
	return messageID, m
}

// uuidBuf holds a UUID's text.
type uuidBuf [36]byte

// uuidText is the text of the UUID u, as uuid.UUID.String writes it.
func uuidText(u []byte) uuidBuf {
	var b uuidBuf
	hex.Encode(b[0:8], u[0:4])
	hex.Encode(b[9:13], u[4:6])
	hex.Encode(b[14:18], u[6:8])
	hex.Encode(b[19:23], u[8:10])
	hex.Encode(b[24:], u[10:])
	b[8], b[13], b[18], b[23] = '-', '-', '-', '-'
	return b
}

// continuation continues the stored response previous_response_id names,
// in its agent's context (and its task, when that stopped for input), with
// only this request's input. Without one, the chat path's continuation
// applies (X-A2A-* headers, re-sent history).
func (d *responsesDoor) continuation(c echo.Context, rc *respCall) error {
	id := rc.meta.PreviousResponseID
	if id == "" {
		return d.s.continuation(c, &rc.chatCall)
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
	tr := s.translator(&rc.chatCall)
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
	u, text := tr.Usage(), tr.Text()
	rc.meta.Ext = tr.Ext()
	buf := answerBufs.Get().(*[]byte)
	defer putAnswerBuf(buf)
	body := transform.AppendResponse((*buf)[:0], rc.meta, transform.ResponseState{Status: transform.ResponseCompleted, Text: text, Usage: &u})
	*buf = body
	d.completed(c, rc, tr, text, u, body)
	if cost := s.answered(c, rc.agent, u, tr.Ext()); rc.agent.cfg.priced() {
		c.Response().Header()[hdrCost] = []string{formatUSD(cost)}
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, body)
}

// answerBufs are the buffers non-stream answers are encoded into: written
// to the client, then reused.
var answerBufs = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledAnswer bounds the buffers answerBufs keeps: a rare long answer
// is not held for the next ones.
const maxPooledAnswer = 64 << 10

func putAnswerBuf(b *[]byte) {
	if cap(*b) <= maxPooledAnswer {
		answerBufs.Put(b)
	}
}

// completed keeps what is kept of a completed response, of text and
// usage u (its meta's ext the last tr saw): the response when the caller
// asked for it to be stored, and its conversation. body is its object,
// the answer or the response.completed event's, if it is encoded already;
// it is not kept (the bridge's own store keeps rc.meta, text and u; the
// shared state encodes what it keeps at once, and needs body only then).
func (d *responsesDoor) completed(c echo.Context, rc *respCall, tr *transform.Translator, text string, u transform.Usage, body []byte) {
	if rc.store {
		stored := storedResponse{Agent: rc.agent.Name, conversation: leftBy(tr.Ext(), rc.contextID)}
		if d.store.remote == nil {
			stored.final = storedFinal{meta: rc.meta, text: text, usage: u}
		} else if stored.Body = body; body == nil {
			stored.Body = transform.Response(rc.meta, transform.ResponseState{Status: transform.ResponseCompleted, Text: text, Usage: &u})
		}
		if err := d.store.keep(c.Request().Context(), infoOf(c).scope, rc.meta.ID, stored); err != nil {
			d.s.log.Warn().Str("response", rc.meta.ID).Msg("response not stored: the shared state is not answering")
		}
	}
	if rc.meta.PreviousResponseID == "" {
		d.s.remember(c, &rc.chatCall, tr)
	}
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
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, r.body())
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
