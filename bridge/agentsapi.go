package bridge

import (
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/labstack/echo/v4"
	"github.com/tidwall/gjson"
	"go.yaml.in/yaml/v3"
)

// The agent states of /v1/agents (the contract's; the health prober sets
// degraded and unhealthy from its probes, the admin API disabled).
const (
	stateUnknown  = "unknown"
	stateHealthy  = "healthy"
	stateDegraded = "degraded"
)

// maxSkills bounds the skills listed of one card.
const maxSkills = 64

// agentView is one entry of GET /v1/agents: what a caller may know of an
// agent, never its URL, key or headers.
type agentView struct {
	Name        string      `json:"name"`
	DisplayName string      `json:"display_name,omitempty"` // agents[].display_name
	Object      string      `json:"object"`
	Model       string      `json:"model"`
	Description string      `json:"description"`
	Streaming   bool        `json:"streaming"`
	Protocol    string      `json:"protocol"`
	Skills      []skillView `json:"skills"`
	Tags        []string    `json:"tags"`
	State       string      `json:"state"`
	Replicas    int         `json:"replicas"`
	Stats       statsView   `json:"stats"`
}

// skillView is one skill of an agent's card.
type skillView struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Tags        []string `json:"tags"`
}

// view is a's entry, from its card as now known.
func (s *Server) view(a *Agent, card transform.Card) agentView {
	a.mu.Lock()
	raw, resolved, fetchErr := a.cardRaw, a.resolved, a.fetchErr
	a.mu.Unlock()
	v := agentView{Name: a.Name, DisplayName: a.cfg.DisplayName, Object: "agent", Model: transform.ModelPrefix + a.Name, Streaming: card.Streaming,
		Protocol: card.Dialect.String(), Skills: []skillView{}, Tags: slices.Clone(a.cfg.Tags), Replicas: len(a.replicas), State: a.stateOf()}
	if v.Tags == nil {
		v.Tags = []string{}
	}
	switch {
	case v.State != stateUnknown: // probed, or called
	case fetchErr != nil: // not probed yet: the card fetch of discovery says as much as a probe
		v.State = stateDegraded
	case resolved:
		v.State = stateHealthy
	}
	// The card's own texts are the agent's, scrubbed of secrets and
	// bounded as every agent text the bridge passes on.
	text := func(r gjson.Result) string { return clip(a.redactText(r.String()), maxText) }
	v.Description = a.cfg.Description
	if v.Description == "" {
		v.Description = text(gjson.GetBytes(raw, "description"))
	}
	for i, sk := range gjson.GetBytes(raw, "skills").Array() {
		if i == maxSkills {
			break
		}
		sv := skillView{ID: clip(sk.Get("id").String(), maxName), Name: text(sk.Get("name")), Description: text(sk.Get("description")), Tags: []string{}}
		for _, t := range sk.Get("tags").Array() {
			sv.Tags = append(sv.Tags, clip(t.String(), maxName))
		}
		v.Skills = append(v.Skills, sv)
	}
	var none []float64
	v.Stats = s.metrics.agent(a.Name).view(&none)
	return v
}

// listAgents serves GET /v1/agents: the agents this key may call.
func (s *Server) listAgents(c echo.Context) error {
	who := infoOf(c).caller
	agents := slices.DeleteFunc(slices.Clone(s.agents.All()), func(a *Agent) bool { return !who.may(a.Name) })
	list := struct {
		Object string      `json:"object"`
		Data   []agentView `json:"data"`
	}{Object: "list", Data: []agentView{}}
	for i, card := range s.agents.Cards(c.Request().Context(), agents) {
		list.Data = append(list.Data, s.view(agents[i], card))
	}
	return c.JSON(http.StatusOK, list)
}

// getAgent serves GET /v1/agents/{name}; an agent the key may not call is
// not found, as in /v1/models.
func (s *Server) getAgent(c echo.Context) error {
	name := c.Param("name")
	a, err := s.agents.Get(transform.ModelPrefix+name, name)
	if err != nil {
		return err
	}
	if !infoOf(c).caller.may(a.Name) {
		return &transform.ModelError{Model: transform.ModelPrefix + name}
	}
	return c.JSON(http.StatusOK, s.view(a, s.agents.Card(c.Request().Context(), a)))
}

// addAgent serves POST /v1/agents (admin keys): registers the agent of one
// agents[] entry as JSON, checked as the config file is (unknown keys, wrong
// types, and then Validate), with no ${VAR} expansion: a caller must not
// read the bridge's environment.
func (s *Server) addAgent(c echo.Context) error {
	body, err := s.readBody(c)
	if err != nil {
		return err
	}
	cfg, err := decodeAgent(body)
	if err != nil {
		return err
	}
	a, err := s.agents.Add(cfg)
	if err != nil {
		return newError(ErrNameInUse, "name", "", err)
	}
	if err := s.agents.shareAgent(c.Request().Context(), a); err != nil {
		_ = s.agents.Remove(a.Name) // registered on every replica, or on none
		if errors.Is(err, ErrNameInUse) {
			return newError(ErrNameInUse, "name", "", err)
		}
		return newError(ErrStateUnavailable, "", "", err)
	}
	infoOf(c).agent = a.Name
	s.log.Info().Str("agent", a.Name).Str("key", infoOf(c).caller.name).Msg("agent registered")
	return c.JSON(http.StatusCreated, s.view(a, s.agents.Card(c.Request().Context(), a)))
}

// decodeAgent reads one agents[] entry; errors are 400s naming the field.
func decodeAgent(body []byte) (AgentConfig, error) {
	var cfg AgentConfig
	var doc yaml.Node
	invalid := func(err error) error {
		msg := strings.TrimPrefix(err.Error(), ".")
		param, _, _ := strings.Cut(msg, ":")
		if strings.ContainsAny(param, " \"") {
			param = ""
		}
		return newError(ErrInvalidRequest, clip(param, maxName), clip("Invalid agent: "+msg, maxText), nil)
	}
	if err := yaml.Unmarshal(body, &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return cfg, newError(transform.ErrInvalidJSON, "", "The body must be one agents[] entry as a JSON object.", nil)
	}
	t := configTree{written: map[*yaml.Node]string{}}
	if err := t.check(doc.Content[0], reflect.TypeFor[AgentConfig](), ""); err != nil {
		return cfg, invalid(err)
	}
	if err := doc.Content[0].Decode(&cfg); err != nil {
		return cfg, invalid(err)
	}
	if err := cfg.validate(""); err != nil {
		return cfg, invalid(err)
	}
	if cfg.Timeout.Duration == 0 {
		cfg.Timeout.Duration = DefaultAgentTimeout
	}
	return cfg, nil
}

// removeAgent serves DELETE /v1/agents/{name} (admin keys).
func (s *Server) removeAgent(c echo.Context) error {
	name := c.Param("name")
	shared, err := s.agents.unshareAgent(c.Request().Context(), name)
	if err != nil {
		return newError(ErrStateUnavailable, "", "", err) // it would live on on the other replicas
	}
	if err := s.agents.Remove(name); err != nil && !shared {
		return &transform.ModelError{Model: transform.ModelPrefix + name}
	}
	s.metrics.forget(name)
	s.log.Info().Str("agent", name).Str("key", infoOf(c).caller.name).Msg("agent unregistered")
	return c.JSON(http.StatusOK, struct {
		Name    string `json:"name"`
		Object  string `json:"object"`
		Deleted bool   `json:"deleted"`
	}{name, "agent", true})
}
