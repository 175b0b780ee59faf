package bridge

import (
	"embed"
	"io/fs"
	"net/http"

	"github.com/labstack/echo/v4"
)

// uiFiles is the status page: plain HTML, CSS and JavaScript, no build step.
//
//go:embed ui
var uiFiles embed.FS

// uiPath serves the status page, without a key: it holds no data, and
// asks for a key to fetch /v1/agents and /v1/stats with.
const uiPath = "/ui/"

// uiCSP lets the page load its own files and call the bridge, nothing else.
const uiCSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// uiRoutes registers the status page.
func (s *Server) uiRoutes(e *echo.Echo) {
	sub, _ := fs.Sub(uiFiles, "ui")
	files := http.StripPrefix(uiPath, http.FileServer(http.FS(sub)))
	e.GET(uiPath+"*", func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", uiCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-cache")
		files.ServeHTTP(c.Response(), c.Request())
		return nil
	})
	e.GET("/ui", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, uiPath) })
}
