package bridge

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// chatCall is the state of one chat-completions request.
type chatCall struct {
	call
	req    transform.Request
	prompt string // the flattened conversation sent to the agent
	meta   transform.Meta
}

// chat serves POST /v1/chat/completions.
func (s *Server) chat(c echo.Context) error {
	body, err := readBody(c.Request(), int64(s.cfg.Limits.MaxRequestBody))
	if err != nil {
		return err
	}
	req, err := transform.ParseRequest(body)
	if err != nil {
		return err
	}
	agent, err := s.agents.Get(req.Model, req.Agent)
	if err != nil {
		return err
	}
	info := infoOf(c)
	info.agent, info.stream = agent.Name, req.Stream
	cc := &chatCall{req: req, prompt: transform.Flatten(req.Messages)}
	cc.agent = agent
	cc.card = s.agents.Card(c.Request().Context(), agent)
	cc.meta = transform.Meta{ID: "chatcmpl-" + strings.ReplaceAll(uuid.NewString(), "-", ""),
		Created: s.now().Unix(), Model: req.Model}
	send := transform.Send{Dialect: cc.card.Dialect, Stream: req.Stream && cc.card.Streaming,
		RPCID: uuid.NewString(), MessageID: uuid.NewString(), Text: cc.prompt, Tenant: cc.card.Tenant}
	if cc.body, err = transform.SendRequest(send); err != nil {
		return err
	}
	if req.Stream {
		return s.streamChat(c, cc, send.Stream)
	}
	return s.sendChat(c, cc)
}

// readBody reads a request body whatever its Content-Type (curl -d sends
// form encoding), bounded by max.
func readBody(r *http.Request, max int64) ([]byte, error) {
	tooLarge := fmt.Errorf("%w: the limit is %d bytes", ErrBodyTooLarge, max)
	if r.ContentLength > max {
		return nil, tooLarge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Type: "invalid_request_error",
			Msg: "The request body could not be read.", Cause: err}
	}
	if int64(len(body)) > max {
		return nil, tooLarge
	}
	return body, nil
}

// sendChat answers a non-stream request with one message/send call.
func (s *Server) sendChat(c echo.Context, cc *chatCall) error {
	ctx, cancel := context.WithTimeoutCause(c.Request().Context(), cc.agent.cfg.Timeout.Duration, ErrAgentTimeout)
	defer cancel()
	resp, err := s.post(ctx, cc.call, false)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// Any Content-Type is accepted: a2a-go 0.3 answers JSON as text/plain.
	body, err := readAll(ctx, resp.Body, int64(s.cfg.Limits.MaxAnswer))
	if err != nil {
		return err
	}
	ev, err := transform.ReadResponse(body)
	if err != nil {
		return err
	}
	s.noteIDs(c, cc, ev)
	content, err := outcome(ev)
	if err != nil {
		return err
	}
	usage := transform.EstimateUsage(cc.prompt, content)
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, transform.Completion(cc.meta, content, usage))
}

// outcome is the answer of a whole result, or the error a task ended in.
func outcome(ev transform.Event) (string, error) {
	switch {
	case ev.Kind == transform.KindUnknown:
		return "", fmt.Errorf("%w: the result is neither a task nor a message", transform.ErrBadResponse)
	case ev.Kind == transform.KindMessage, ev.State == transform.StateCompleted, ev.State.Interrupted():
		return transform.Answer(ev), nil
	case ev.State.Failed():
		return "", taskFailed(ev.State, ev.Text)
	}
	return "", fmt.Errorf("%w: the agent returned its task still %s", ErrStreamCut, ev.State)
}

func taskFailed(state transform.State, text string) error {
	if text == "" {
		return fmt.Errorf("%w: the agent's task ended %s", ErrTaskUnsuccesful, state)
	}
	return fmt.Errorf("%w: the agent's task ended %s: %s", ErrTaskUnsuccesful, state, text)
}

// noteIDs keeps the agent's task and context ids for the log, the response
// headers and the "a2a" extension member.
func (s *Server) noteIDs(c echo.Context, cc *chatCall, ev transform.Event) {
	if ev.TaskID == "" && ev.ContextID == "" && ev.State == "" {
		return
	}
	ext := cc.meta.Ext
	if ext == nil {
		ext = &transform.Ext{}
	}
	next := *ext
	if ev.TaskID != "" {
		next.TaskID = ev.TaskID
	}
	if ev.ContextID != "" {
		next.ContextID = ev.ContextID
	}
	if ev.State != "" {
		next.State = ev.State
	}
	if next == *ext && cc.meta.Ext != nil {
		return
	}
	cc.meta.Ext = &next
	infoOf(c).taskID = next.TaskID
	if h := c.Response().Header(); !c.Response().Committed {
		setIfSet(h, "X-A2A-Task-Id", next.TaskID)
		setIfSet(h, "X-A2A-Context-Id", next.ContextID)
	}
}

func setIfSet(h http.Header, k, v string) {
	if v != "" {
		h.Set(k, v)
	}
}
