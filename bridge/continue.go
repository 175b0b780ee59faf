package bridge

import (
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
	msgs := cc.req.Messages
	var conv conversation
	var found bool
	switch {
	case taskID != "":
		if conv, found = s.convs.get(owner, cc.scope+"task:"+taskID); !found {
			return newError(ErrTaskUnknown, headerTaskID,
				fmt.Sprintf("No task %q is known to the bridge for this API key and agent (or it expired).", taskID), nil)
		}
	case name != "":
		conv, found = s.convs.get(owner, cc.scope+"ctx:"+name)
	default:
		if earlier := msgs[:len(msgs)-len(transform.NewTurns(msgs))]; len(earlier) > 0 {
			conv, found = s.convs.get(owner, cc.scope+"turns:"+transform.ConversationKey(cc.req.User, earlier))
		}
	}
	if found && conv.interrupted() {
		// The name found may still hold the task as it was when it asked
		// (the turns before its answer: a client retrying the answer, or
		// sending it edited); the task's own name holds its latest state.
		// Only a task still waiting for input is written to again.
		if latest, ok := s.convs.get(owner, cc.scope+"task:"+conv.TaskID); ok {
			conv.State = latest.State
		}
	}
	if !found || (cc.agent.cfg.Conversation != "context" && !conv.interrupted()) {
		return nil // a new conversation, or flatten mode: the whole history in a new context
	}
	if turns := transform.NewTurns(msgs); len(turns) > 0 {
		cc.sent = turns
	}
	cc.contextID = conv.ContextID
	if conv.interrupted() {
		// Only an interrupted task is written to again, never a terminal one.
		cc.taskID = conv.TaskID
	}
	return nil
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
	s.convs.put(infoOf(c).scope, conv, keys...)
}

// nameHeader returns the name in the request header k, or "" when it is
// absent. The bridge keeps a name as a key of its conversations and echoes
// it in errors: one over maxName bytes, or that is not plain text, is
// refused, and never echoed (1 MB names, several per conversation, took
// the bridge to gigabytes).
func nameHeader(h http.Header, k string) (string, error) {
	v := h.Get(k)
	if validName(v) {
		return v, nil
	}
	return "", newError(ErrInvalidRequest, k, fmt.Sprintf("%s must be at most %d bytes of UTF-8 text without control characters.", k, maxName), nil)
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
