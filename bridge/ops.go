package bridge

import (
	"net/http"
	"strconv"

	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/labstack/echo/v4"
)

// opsRoutes registers the operations routes: /metrics, and on v1 (behind
// auth) the registry API and the stats.
func (s *Server) opsRoutes(e *echo.Echo, v1 *echo.Group) {
	if s.cfg.Metrics.RequireAdmin {
		e.GET(metricsPath, s.metrics.handler(), s.auth, s.adminOnly)
	} else {
		e.GET(metricsPath, s.metrics.handler())
	}
	e.GET(readyPath, s.ready)
	s.uiRoutes(e)
	v1.GET("/agents", s.listAgents)
	v1.GET("/agents/:name", s.getAgent)
	v1.POST("/agents", s.addAgent, s.adminOnly)
	v1.DELETE("/agents/:name", s.removeAgent, s.adminOnly)
	v1.PATCH("/agents/:name", s.patchAgent, s.adminOnly)
	v1.GET("/stats", s.stats)
}

// adminOnly lets only admin keys through (after auth, which found the key).
func (s *Server) adminOnly(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if who := infoOf(c).caller; who == nil || !who.admin {
			return newError(ErrAdminOnly, "", "", nil)
		}
		return next(c)
	}
}

// answered notes that a answered c's call with usage: its tokens and its
// cost (returned) go to the metrics, the stats and the access log, and
// the replica that answered holds its task and context (ext). The
// first token went out with it unless a stream sent one before.
func (s *Server) answered(c echo.Context, a *Agent, usage transform.Usage, ext *transform.Ext) (cost float64) {
	info := infoOf(c)
	a.holds(info.replica, ext)
	info.answered, info.usage, info.cost = true, usage, a.cfg.cost(usage)
	if info.first.IsZero() {
		info.first = s.now()
	}
	return info.cost
}

// hdrCost carries a non-stream answer's cost in USD (a stream's headers
// are gone before its cost is known).
var hdrCost = http.CanonicalHeaderKey("X-A2A-Bridge-Cost")

// priced reports whether the agent has a cost configured.
func (a *AgentConfig) priced() bool {
	return a.CostPerRequest != 0 || a.CostPerInputToken != 0 || a.CostPerOutputToken != 0
}

// cost is the USD cost of one answered call of usage.
func (a *AgentConfig) cost(u transform.Usage) float64 {
	return a.CostPerRequest + float64(u.PromptTokens)*a.CostPerInputToken + float64(u.CompletionTokens)*a.CostPerOutputToken
}

// formatUSD writes a cost as the shortest decimal that reads back the same.
func formatUSD(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// countTokens counts the tokens of text as the usage setting says.
func (s *Server) countTokens(text string) int {
	if s.cfg.estimateUsage() {
		return transform.EstimateUsage(text, "").PromptTokens
	}
	return transform.CountTokens(text)
}
