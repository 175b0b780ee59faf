package bridge

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/a2a-bridge/a2a-bridge/bridge/upstream"
	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/labstack/echo/v4"
)

// chatCall is the state of one chat-completions request.
type chatCall struct {
	agent     *Agent
	target    upstream.Target
	req       transform.Request
	sent      []transform.Message // the messages sent to the agent: all, or the new turns
	prompt    string              // sent, flattened
	messageID string
	meta      transform.Meta
	scope     string // the conversation key prefix: caller and agent
	contextID string // the agent's context this call continues
	taskID    string // the interrupted task this call answers
	// turns is the conversation's key in the making, once a stream let go
	// of req.Messages (see letGoOfTurns); not Valid while they are kept.
	turns transform.ConversationPrefix
}

// letGoOfTurns hashes the conversation's turns for the key remember will
// name it by, and lets go of them and of the parsed request's copy of the
// body they point into: an idle stream would hold the whole conversation
// for as long as it stays open. The names kept are copied out of it.
func (cc *chatCall) letGoOfTurns() {
	cc.turns = transform.NewConversationPrefix(cc.req.User, cc.req.Messages)
	cc.req.Messages, cc.sent, cc.req.Unsupported, cc.req.Agent = nil, nil, nil, ""
	cc.req.Model, cc.req.User = strings.Clone(cc.req.Model), strings.Clone(cc.req.User)
	cc.meta.Model = cc.req.Model
}

// turnsKey is the key of the conversation's turns followed by answer.
func (cc *chatCall) turnsKey(answer string) string {
	reply := transform.Message{Role: "assistant", Text: answer}
	if cc.turns.Valid() {
		return cc.turns.Key(reply)
	}
	return transform.ConversationKey(cc.req.User, append(append([]transform.Message(nil), cc.req.Messages...), reply))
}

// chat serves POST /v1/chat/completions.
func (s *Server) chat(c echo.Context) error {
	body, err := s.readBody(c)
	if err != nil {
		return err
	}
	req, err := transform.ParseRequest(body)
	if err != nil {
		return err
	}
	agent, err := s.allowed(c, req.Model, req.Agent)
	if err != nil {
		return err
	}
	info := infoOf(c)
	info.agent, info.stream = agent.Name, req.Stream
	if err := unsupported(c, agent, req); err != nil {
		return err
	}
	cc := &chatCall{
		agent:  agent,
		target: s.agents.Target(c.Request().Context(), agent),
		req:    req,
		sent:   req.Messages,
		meta:   transform.Meta{Created: s.now().Unix(), Model: req.Model},
	}
	cc.messageID, cc.meta.ID = chatIDs()
	if err := s.continuation(c, cc); err != nil {
		return err
	}
	cc.prompt = transform.Flatten(cc.sent)
	if err := acceptsFiles(cc); err != nil {
		return err
	}
	if req.Stream {
		return s.streamChat(c, cc)
	}
	return s.sendChat(c, cc)
}

// chatIDs returns a new messageId for the agent (a random UUID) and a new
// completion id ("chatcmpl-" and the hex digits of another), from one read
// of the random source and one allocation for both.
func chatIDs() (messageID, completionID string) {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (it crashes the program instead)
	for _, u := range [][]byte{b[:16], b[16:]} {
		u[6] = u[6]&0x0f | 0x40 // version 4
		u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	}
	const n = len("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")
	var id [n + len("chatcmpl-") + 32]byte
	// The UUID's canonical form, as uuid.UUID's String writes it.
	hex.Encode(id[0:8], b[0:4])
	hex.Encode(id[9:13], b[4:6])
	hex.Encode(id[14:18], b[6:8])
	hex.Encode(id[19:23], b[8:10])
	hex.Encode(id[24:n], b[10:16])
	id[8], id[13], id[18], id[23] = '-', '-', '-', '-'
	copy(id[n:], "chatcmpl-")
	hex.Encode(id[n+len("chatcmpl-"):], b[16:])
	both := string(id[:])
	return both[:n], both[n:]
}

// request is the upstream request that sends cc's message (op: send or
// stream). The messageId stays the same when the call is retried in
// another dialect.
func (cc *chatCall) request(op upstream.Op) upstream.Request {
	return upstream.Request{Op: op, Message: transform.Send{MessageID: cc.messageID, Text: cc.prompt,
		Params: cc.req.Params, ContextID: cc.contextID, TaskID: cc.taskID, Files: transform.Files(cc.sent)}}
}

// acceptsFiles refuses images and files the agent's card does not take
// (defaultInputModes): sent anyway, they would be dropped or fail there.
func acceptsFiles(cc *chatCall) error {
	for _, f := range transform.Files(cc.sent) {
		if !cc.target.Card.Accepts(f.MediaType) {
			modes := strings.Join(cc.target.Card.InputModes, ", ")
			if modes == "" {
				modes = "none declared"
			}
			return newError(ErrUnsupportedContent, "messages",
				fmt.Sprintf("The agent %s takes text only: its card does not accept %s (its input modes: %s).", cc.req.Model, f.MediaType, modes), nil)
		}
	}
	return nil
}

// unsupported refuses the fields an A2A agent cannot honour (tools,
// functions, a JSON response_format), or, when the agent's config says
// ignore_unsupported, ignores them with a warning header.
func unsupported(c echo.Context, a *Agent, req transform.Request) error {
	if len(req.Unsupported) == 0 {
		return nil
	}
	if a.cfg.IgnoreUnsupported {
		c.Response().Header().Set("X-A2A-Bridge-Warning", "ignored: "+strings.Join(req.Unsupported, ", "))
		return nil
	}
	return newError(ErrUnsupportedParameter, req.Unsupported[0], fmt.Sprintf("%s is not supported: an A2A agent cannot call your tools or promise a JSON shape "+
		"(the bridge can ignore it when the agent is configured with ignore_unsupported: true).", strings.Join(req.Unsupported, ", ")), nil)
}

// translator follows the agent's answer to cc.
func (s *Server) translator(cc *chatCall) *transform.Translator {
	return &transform.Translator{Prompt: cc.prompt, NoUsage: cc.req.Stream && !cc.req.IncludeUsage, ShowProgress: cc.agent.cfg.ShowProgress,
		MaxAnswer: int(s.cfg.Limits.MaxAnswer), Continuing: cc.taskID != "", Estimate: s.cfg.estimateUsage()}
}

// sendChat answers a non-stream request: one message/send call, then
// tasks/get polls while a non-blocking agent's task runs, all within the
// agent's timeout.
func (s *Server) sendChat(c echo.Context, cc *chatCall) error {
	tr := s.translator(cc)
	rp, r, err := s.callAgent(c, cc.agent, &cc.target, cc.request(upstream.OpSend))
	defer r.release()
	if err != nil {
		return err
	}
	defer rp.Close() // cancels the agent's task if the client went away
	err = follow(rp, cc.agent, tr, func(string) error { return nil })
	s.noteIDs(c, tr.Ext())
	if err != nil {
		return err
	}
	if _, err := tr.Finish(); err != nil {
		return err
	}
	content := tr.Text()
	cc.meta.Ext = tr.Ext()
	s.remember(c, cc, tr)
	usage := tr.Usage()
	if cost := s.answered(c, cc.agent, usage, tr.Ext()); cc.agent.cfg.priced() {
		c.Response().Header()[hdrCost] = []string{formatUSD(cost)}
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, transform.Completion(cc.meta, content, usage))
}

// follow feeds the reply's events (polls included) to tr, giving each
// event's text to emit, until the exchange is done or the reply ends.
func follow(rp *upstream.Reply, a *Agent, tr *transform.Translator, emit func(string) error) error {
	for {
		ev, err := rp.NextShared() // tr keeps nothing of ev.Artifacts
		if errors.Is(err, io.EOF) {
			if rp.Streamed() {
				// A stream that ends before its task did is cut, never a success.
				return fmt.Errorf("%w: the stream ended with no final event", transform.ErrIncomplete)
			}
			return nil // a single answer: Finish says whether it is whole
		}
		if err != nil {
			return err
		}
		text, err := tr.Feed(ev)
		if err != nil {
			return a.scrub(err)
		}
		if err := emit(text); err != nil {
			return err
		}
		if tr.Done() {
			return nil
		}
	}
}

// noteIDs puts the agent's task and context ids in the response headers
// (while they can still be set) and the access log.
func (s *Server) noteIDs(c echo.Context, ext *transform.Ext) {
	if ext == nil {
		return
	}
	infoOf(c).taskID = clip(ext.TaskID, maxName)
	if c.Response().Committed {
		return
	}
	h := c.Response().Header()
	task, ctx := isNewID(h, hdrTaskID, ext.TaskID), isNewID(h, hdrContextID, ext.ContextID)
	switch {
	case task && ctx:
		// Both at once (the first event): one copy and one slice for the two.
		both, vs := ext.TaskID+ext.ContextID, new([2]string)
		vs[0], vs[1] = both[:len(ext.TaskID)], both[len(ext.TaskID):]
		h[hdrTaskID], h[hdrContextID] = vs[0:1:1], vs[1:2:2]
	case task:
		h[hdrTaskID] = []string{strings.Clone(ext.TaskID)}
	case ctx:
		h[hdrContextID] = []string{strings.Clone(ext.ContextID)}
	}
}

// The id headers' keys in the canonical form net/http writes them in (a
// non-canonical key costs a conversion on every Set).
var (
	hdrTaskID    = http.CanonicalHeaderKey("X-A2A-Task-Id")
	hdrContextID = http.CanonicalHeaderKey("X-A2A-Context-Id")
)

// isNewID reports whether h[k] is to be set to v: v is new. The id set is
// a copy: it points into the raw event it was read from (for the first
// event, a task that may echo the whole prompt), which the headers of a
// stream would otherwise keep as long as it stays open. An id that is no
// fit name (over maxName bytes, control characters) is not echoed: a
// caller could not send it back anyway.
func isNewID(h http.Header, k, v string) bool {
	return v != "" && (len(h[k]) != 1 || h[k][0] != v) && validName(v)
}
