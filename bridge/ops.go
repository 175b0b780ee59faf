package bridge

import (
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
	v1.GET("/agents", s.listAgents)
	v1.GET("/agents/:name", s.getAgent)
	v1.POST("/agents", s.addAgent, s.adminOnly)
	v1.DELETE("/agents/:name", s.removeAgent, s.adminOnly)
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

// answered notes that the agent answered c's call with usage: its tokens
// (and, from them, its cost) go to the metrics and the access log. The
// first token went out with it unless a stream sent one before.
func (s *Server) answered(c echo.Context, usage transform.Usage) {
	info := infoOf(c)
	info.answered, info.usage = true, usage
	if info.first.IsZero() {
		info.first = s.now()
	}
}

// countTokens counts the tokens of text as the usage setting says.
func (s *Server) countTokens(text string) int {
	if s.cfg.estimateUsage() {
		return transform.EstimateUsage(text, "").PromptTokens
	}
	return transform.CountTokens(text)
}
