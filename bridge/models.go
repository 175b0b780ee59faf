package bridge

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/labstack/echo/v4"
)

// model is one entry of GET /v1/models, in OpenAI's shape.
type model struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
	// The agent's agents[].display_name and description, when configured.
	DisplayName string `json:"display_name,omitempty"`
	Description string `json:"description,omitempty"`
}

func (s *Server) modelOf(a *Agent, card transform.Card) model {
	return model{ID: transform.ModelPrefix + a.Name, Object: "model", Created: s.started.Unix(),
		OwnedBy: cmp.Or(card.Provider, "a2a-bridge"), DisplayName: a.cfg.DisplayName, Description: a.cfg.Description}
}

// listModels serves GET /v1/models: one model "a2a/<name>" per agent.
func (s *Server) listModels(c echo.Context) error {
	list := struct {
		Object string  `json:"object"`
		Data   []model `json:"data"`
	}{Object: "list", Data: []model{}}
	// A key lists only the agents it may call.
	who := infoOf(c).caller
	agents := slices.DeleteFunc(slices.Clone(s.agents.All()), func(a *Agent) bool { return !who.may(a.Name) })
	for i, card := range s.agents.Cards(c.Request().Context(), agents) {
		list.Data = append(list.Data, s.modelOf(agents[i], card))
	}
	return c.JSON(http.StatusOK, list)
}

// getModel serves GET /v1/models/{id}; ids hold a slash ("a2a/echo"),
// which openai-go and openai-node's models.retrieve escape ("a2a%2Fecho"):
// the router matches the raw path, so the id is unescaped here.
func (s *Server) getModel(c echo.Context) error {
	id := c.Param("*")
	if u, err := url.PathUnescape(id); err == nil {
		id = u
	}
	name, ok := strings.CutPrefix(id, transform.ModelPrefix)
	if !ok {
		return &transform.ModelError{Model: id}
	}
	a, err := s.agents.Get(id, name)
	if err != nil {
		return err
	}
	if !infoOf(c).caller.may(a.Name) {
		return &transform.ModelError{Model: id} // not listed for this key: not found either
	}
	return c.JSON(http.StatusOK, s.modelOf(a, s.agents.Card(c.Request().Context(), a)))
}
