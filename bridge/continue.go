package bridge

import (
	"context"
	"fmt"
	"net/http"
	"unicode"
	"unicode/utf8"

	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/labstack/echo/v4"
)

// Request headers that name what a call continues.
const (
	headerContextID = "X-A2A-Context-Id" // a conversation: the agent's context id the bridge returned, or the caller's own name
	headerTaskID    = "X-A2A-Task-Id"    // a task to continue, as the bridge returned it
)

// continuation finds the conversation cc continues, if any, and decides
// what to send: in context mode, or when the last task waits for an answer
// (input-required), only the turns the agent has not seen, in its context
// (and to that task). A conversation is named by X-A2A-Task-Id, else
// X-A2A-Context-Id, else by the OpenAI user field and its earlier turns;
// every name is scoped to the caller's API key and the agent.
func (s *Server) continuation(c echo.Context, cc *chatCall) error {
	owner := infoOf(c).scope
	cc.scope = owner + "\x00" + cc.agent.Name + "\x00"
	h := c.Request().Header
	// Both names are checked, whichever is used: remember keeps the
	// context name even when a task id names the call.
	taskID, err := nameHeader(h, headerTaskID)
	if err != nil {
		return err
	}
	name, err := nameHeader(h, headerContextID)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	conv, found, err := s.named(ctx, cc, owner, taskID, name)
	if err != nil {
		return err
	}
	if found && conv.interrupted() {
		// The name found may still hold the task as it was when it asked
		// (the turns before its answer: a client retrying the answer, or
		// sending it edited); the task's own name holds its latest state.
		// Only a task still waiting for input is written to again.
		latest, ok, err := s.convs.lookup(ctx, owner, cc.scope+"task:"+conv.TaskID)
		if err != nil {
			return newError(ErrStateUnavailable, "", "", err)
		}
		if ok {
			conv.State = latest.State
		}
	}
	if !found || (cc.agent.cfg.Conversation != "context" && !conv.interrupted()) {
		return nil // a new conversation, or flatten mode: the whole history in a new context
	}
	if turns := transform.NewTurns(cc.req.Messages); len(turns) > 0 {
		cc.sent = turns
	}
	cc.contextID = conv.ContextID
	if conv.interrupted() {
		// Only an interrupted task is written to again, never a terminal one.
		cc.taskID = conv.TaskID
	}
	return nil
}

// named finds the conversation a call names: by X-A2A-Task-Id (unknown is
// 404), else X-A2A-Context-Id, else its re-sent turns. A lookup the
// shared state (redis.url) could not answer may hide a continuation: the
// call is refused (503 state_unavailable), never started afresh as a new
// conversation. Only re-sent history in flatten mode goes on: it is sent
// whole, as for a new conversation.
func (s *Server) named(ctx context.Context, cc *chatCall, owner, taskID, name string) (conversation, bool, error) {
	switch {
	case taskID != "":
		conv, found, err := s.convs.lookup(ctx, owner, cc.scope+"task:"+taskID)
		if err != nil {
			return conv, false, newError(ErrStateUnavailable, headerTaskID, "", err)
		}
		if !found {
			return conv, false, newError(ErrTaskUnknown, headerTaskID,
				fmt.Sprintf("No task %q is known to the bridge for this API key and agent (or it expired).", taskID), nil)
		}
		return conv, true, nil
	case name != "":
		conv, found, err := s.convs.lookup(ctx, owner, cc.scope+"ctx:"+name)
		if err != nil {
			return conv, false, newError(ErrStateUnavailable, headerContextID, "", err)
		}
		return conv, found, nil
	}
	msgs := cc.req.Messages
	earlier := msgs[:len(msgs)-len(transform.NewTurns(msgs))]
	if len(earlier) == 0 {
		return conversation{}, false, nil
	}
	conv, found, err := s.convs.lookup(ctx, owner, cc.scope+"turns:"+transform.ConversationKey(cc.req.User, earlier))
	if err != nil && cc.agent.cfg.Conversation == "context" {
		return conv, false, newError(ErrStateUnavailable, "messages", "", err)
	}
	return conv, found && err == nil, nil
}

// remember keeps the conversation after an answer under every name the
// next call may use: its task, the agent's context id, the caller's own
// context name, and its turns with this answer.
func (s *Server) remember(c echo.Context, cc *chatCall, tr *transform.Translator) {
	ext := tr.Ext()
	if ext == nil || (ext.ContextID == "" && ext.TaskID == "") {
		return
	}
	if cc.agent.cfg.Conversation != "context" && !ext.State.Interrupted() && cc.taskID == "" {
		// Flatten mode continues only interrupted tasks: unless this call
		// interrupted or answered one, there is nothing to keep, and no
		// history to hash on the hot path.
		return
	}
	conv := conversation{ContextID: ext.ContextID, TaskID: ext.TaskID, State: ext.State}
	if conv.ContextID == "" {
		conv.ContextID = cc.contextID // Go SDKs leave it out of bare Message replies
	}
	if !validName(conv.ContextID) || !validName(conv.TaskID) {
		// An agent's ids are kept as keys and in the entry, several per
		// conversation: one over the bound is not kept at all.
		return
	}
	var keys []string
	if conv.TaskID != "" {
		keys = append(keys, cc.scope+"task:"+conv.TaskID)
	}
	if conv.ContextID != "" {
		keys = append(keys, cc.scope+"ctx:"+conv.ContextID)
	}
	if name := c.Request().Header.Get(headerContextID); name != "" {
		keys = append(keys, cc.scope+"ctx:"+name)
	}
	keys = append(keys, cc.scope+"turns:"+cc.turnsKey(tr.Text()))
	if err := s.convs.keep(c.Request().Context(), infoOf(c).scope, conv, keys...); err != nil {
		// The answer is the caller's already; only its continuation is lost.
		s.log.Warn().Str("agent", cc.agent.Name).Msg("conversation not kept: the shared state is not answering")
	}
}

// nameHeader returns the name in the request header k, or "" when it is
// absent. The bridge keeps a name as a key of its conversations and echoes
// it in errors: one over maxName bytes, or that is not plain text, is
// refused, and never echoed (1 MB names, several per conversation, took
// the bridge to gigabytes).
func nameHeader(h http.Header, k string) (string, error) {
	var v string
	if vs := h[canonicalName(k)]; len(vs) > 0 {
		v = vs[0] // h.Get(k)
	}
	if validName(v) {
		return v, nil
	}
	return "", newError(ErrInvalidRequest, k, fmt.Sprintf("%s must be at most %d bytes of UTF-8 text without control characters.", k, maxName), nil)
}

// canonicalName is the canonical form of the header key k, known for the
// two names of a conversation (converting them took an allocation each).
func canonicalName(k string) string {
	switch k {
	case headerTaskID:
		return hdrTaskID
	case headerContextID:
		return hdrContextID
	}
	return http.CanonicalHeaderKey(k)
}

// validName reports whether s fits the bound on a name the bridge keeps or
// echoes: at most maxName bytes of UTF-8 text, no control characters.
func validName(s string) bool {
	if len(s) > maxName || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}
