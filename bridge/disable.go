package bridge

import (
	"encoding/json"
	"fmt"

	"net/http"

	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/labstack/echo/v4"
	"github.com/tidwall/gjson"
)

// stateDisabled is the state of an agent the admin API disabled: it is
// not probed, and calls to it are refused with 503 agent_disabled until
// it is enabled again.
const stateDisabled = "disabled"

// agentDisabled is the refusal of a call to a disabled agent; on the A2A
// gateway its JSON-RPC error's data carries the code.
func agentDisabled(a *Agent) *Error {
	e := newError(ErrAgentDisabled, "", fmt.Sprintf("The agent %s is disabled by the bridge's operator; retry later.", a.Name), nil)
	e.Data = json.RawMessage(`{"code":"agent_disabled"}`)
	return e
}

// patchAgent serves PATCH /v1/agents/{name} (admin keys): the body
// {"disabled": true} disables the agent, {"disabled": false} enables it
// again; the answer is the agent as GET shows it.
func (s *Server) patchAgent(c echo.Context) error {
	name := c.Param("name")
	a, err := s.agents.Get(transform.ModelPrefix+name, name)
	if err != nil {
		return &transform.ModelError{Model: transform.ModelPrefix + name}
	}
	infoOf(c).agent = a.Name
	body, err := s.readBody(c)
	if err != nil {
		return err
	}
	disabled, err := decodePatch(body)
	if err != nil {
		return err
	}
	if a.disabled.Swap(disabled) != disabled {
		verb := "agent enabled"
		if disabled {
			verb = "agent disabled"
		}
		s.log.Info().Str("agent", a.Name).Str("key", infoOf(c).caller.name).Msg(verb)
	}
	return c.JSON(http.StatusOK, s.view(a, s.agents.Card(c.Request().Context(), a)))
}

// decodePatch reads the body of PATCH /v1/agents/{name}: an object whose
// one member is "disabled", a boolean; errors are 400s naming the field.
func decodePatch(body []byte) (disabled bool, err error) {
	if !gjson.ValidBytes(body) {
		return false, transform.ErrInvalidJSON
	}
	doc := gjson.ParseBytes(body)
	if !doc.IsObject() {
		return false, newError(ErrInvalidRequest, "", `The body must be a JSON object: {"disabled": true} or {"disabled": false}.`, nil)
	}
	doc.ForEach(func(k, _ gjson.Result) bool {
		if k.String() != "disabled" && err == nil {
			err = newError(ErrInvalidRequest, clip(k.String(), maxName), clip(fmt.Sprintf("Unknown field %q: only disabled may be changed.", k.String()), maxText), nil)
		}
		return err == nil
	})
	if err != nil {
		return false, err
	}
	v := doc.Get("disabled")
	if v.Type != gjson.True && v.Type != gjson.False {
		return false, newError(ErrInvalidRequest, "disabled", "disabled must be true or false.", nil)
	}
	return v.Bool(), nil
}
