// Package bridge is the a2a-bridge server: the OpenAI-compatible front door
// (/v1/chat/completions, /v1/models), the agent registry, and the one error
// table. The A2A client is package bridge/upstream; the pure translation
// work lives in transform and stream.
package bridge

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/a2a-bridge/a2a-bridge/bridge/shared"
	"github.com/a2a-bridge/a2a-bridge/bridge/upstream"
	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"
)

// Server is one bridge: an Echo server in front of a registry of agents.
type Server struct {
	cfg      Config
	log      zerolog.Logger
	echo     *echo.Echo
	agents   *Registry
	convs    *conversations
	resps    *responseStore // the Responses API's stored responses (responses.go)
	clients  upstream.Clients
	up       *upstream.Client // the one upstream A2A client of every front door
	now      func() time.Time
	started  time.Time   // the "created" of every model
	draining atomic.Bool // shutting down: new requests get 503

	maxConcurrent int          // server.max_concurrent, as the open-files limit allows
	inFlight      atomic.Int64 // requests being served, /healthz aside
	// demoToken is the credential the bridge calls its own demo agent with
	// (when keys are configured, the demo agent wants one too). Never logged.
	demoToken string
	keys      keyring // the configured API keys, for auth
	metrics   *metrics
	limits    *limiter // rpm of keys and agents
	// shared is the state shared with other replicas (redis.url), nil
	// without: the stores then keep everything in memory.
	shared *shared.Client
}

// DemoAgentName is the model "a2a/echo" served when no agent is configured.
const DemoAgentName = "echo"

// demoPath is where the built-in demo agent is served on the bridge itself.
const demoPath = "/demo/echo"

// healthPath answers 200 while the bridge serves, under any load.
const healthPath = "/healthz"

// New returns a bridge for cfg (validated, defaults applied by the caller
// or here). It serves nothing until Serve.
func New(cfg Config, log zerolog.Logger) (*Server, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		keys:    newKeyring(cfg.APIKeys, cfg.AdminKeys),
		log:     log,
		clients: upstream.NewClients(),
		now:     time.Now,
		metrics: newMetrics(),
		limits:  newLimiter(),
	}
	s.started = s.now()
	s.boundConcurrency()
	if len(cfg.Agents) == 0 {
		s.demoToken = rand.Text()
	}
	if !cfg.estimateUsage() {
		transform.LoadTokenizer() // once per process (~80 ms), not in the first request
	}
	s.convs = newConversations(cfg.Conversations.TTL.Duration, cfg.Conversations.MaxEntries, s.now)
	s.agents = newRegistry(cfg.Agents, cfg.secrets(), s.clients, log, s.now)
	if err := s.openShared(); err != nil {
		return nil, err
	}
	s.up = s.upstreamClient()
	s.echo = s.routes()
	return s, nil
}

func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	s.logEcho(e)
	e.Use(s.front)
	e.GET(healthPath, func(c echo.Context) error { return c.String(http.StatusOK, "ok\n") })
	v1 := e.Group("/v1", s.v1Chain) // auth, limitKey, limitBody
	v1.POST("/chat/completions", s.chat)
	v1.GET("/models", s.listModels)
	v1.GET("/models/*", s.getModel)
	s.responseRoutes(v1)
	s.gatewayRoutes(e) // /a2a/{agent}: the A2A gateway (gateway.go)
	s.opsRoutes(e, v1)
	if len(s.cfg.Agents) == 0 {
		// The card is public, as an agent's card is (it names nothing but
		// the demo); the agent itself wants a key when keys are configured.
		demo := echoAgent{maxBody: 2 * int64(s.cfg.Limits.MaxRequestBody)}
		e.GET(demoPath+"/.well-known/agent-card.json", demo.card)
		e.POST(demoPath, demo.rpc, s.demoAuth)
	}
	// Unknown routes and methods answer in the OpenAI error shape too.
	e.RouteNotFound("/*", func(c echo.Context) error {
		return newError(ErrRouteNotFound, "", "Unknown path "+clip(c.Request().URL.Path, maxLogged)+".", nil)
	})
	return e
}

// Handler returns the bridge's HTTP handler.
func (s *Server) Handler() http.Handler { return s.echo }

// Serve serves on ln until ctx ends, then shuts down gracefully: requests in
// flight get up to server.shutdown_grace to finish.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if len(s.cfg.Agents) == 0 {
		s.addDemoAgent(ln.Addr())
	}
	s.warnIfOpen(ln.Addr())
	srv := &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: s.cfg.Server.ReadHeaderTimeout.Duration,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          s.netLog(),
	}
	discoverCtx, stopDiscover := context.WithCancel(ctx)
	discovered := make(chan struct{})
	go func() {
		defer close(discovered)
		defer s.recoverGoroutine("agent discovery")
		s.agents.discover(discoverCtx)
	}()
	// Expired conversations are freed as time passes, not only when their
	// own name comes back: an idle bridge lets go of them too.
	swept := make(chan struct{})
	go func() {
		defer close(swept)
		defer s.recoverGoroutine("conversation sweep")
		s.sweepEvery(discoverCtx, s.convs.sweepInterval())
	}()
	probed, shared := s.startProbes(discoverCtx), s.startShared(discoverCtx)
	defer func() {
		stopDiscover()
		<-discovered
		<-swept
		<-probed
		<-shared
		s.agents.close()
		s.closeShared()
	}()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info().Str("listen", ln.Addr().String()).Int("agents", len(s.agents.All())).Msg("a2a-bridge serving")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Requests that still arrive on open connections get 503; Shutdown
	// stops accepting new ones and lets those in flight finish.
	s.draining.Store(true)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.cfg.Server.ShutdownGrace.Duration)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	s.clients.CloseIdle()
	if errors.Is(err, context.DeadlineExceeded) {
		_ = srv.Close()
		err = nil
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr // Serve ends with ErrServerClosed once shut down; anything else is news
	}
	return err
}

// addDemoAgent registers the built-in echo agent, served on this very server.
func (s *Server) addDemoAgent(addr net.Addr) {
	host, port, _ := net.SplitHostPort(addr.String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	cfg := AgentConfig{Name: DemoAgentName, URL: "http://" + net.JoinHostPort(host, port) + demoPath,
		Timeout: Duration{DefaultAgentTimeout}, APIKey: s.demoToken}
	s.agents = newRegistry([]AgentConfig{cfg}, s.cfg.secrets(), s.clients, s.log, s.now)
	if s.shared != nil {
		s.agents.share(s.shared, s.cfg.Conversations.TTL.Duration)
	}
}

func (s *Server) warnIfOpen(addr net.Addr) {
	host, _, _ := net.SplitHostPort(addr.String())
	if !s.keyed() && !isLoopback(host) {
		s.log.Warn().Str("listen", addr.String()).
			Msg("NO API KEY CONFIGURED and listening beyond loopback: anyone who reaches this address can call your agents; set api_keys or --api-key")
	}
}

// serveUndrained answers 503 once shutdown has begun (a step of front).
func (s *Server) serveUndrained(c echo.Context, next echo.HandlerFunc) error {
	if s.draining.Load() {
		c.Response().Header().Set(echo.HeaderConnection, "close")
		return newError(ErrDraining, "", "", nil)
	}
	return next(c)
}

// front is the middleware of every route: the access log (serveLogged),
// the concurrency limit (serveLimited) and the refusal while draining
// (serveUndrained), in that order, in one closure. Echo applies
// middleware per request, each a closure of its own; the steps inside are
// func literals that do not escape, on the stack.
func (s *Server) front(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		return s.serveLogged(c, func(c echo.Context) error {
			return s.serveLimited(c, func(c echo.Context) error { return s.serveUndrained(c, next) })
		})
	}
}

// v1Chain is the middleware of /v1: auth, limitKey and limitBody, in that
// order, in one closure (see front).
func (s *Server) v1Chain(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		return s.serveAuthed(c, func(c echo.Context) error {
			return s.serveKeyLimited(c, func(c echo.Context) error { return s.serveBodyLimited(c, next) })
		})
	}
}

// auth requires one of the configured API keys on /v1/* when any is set.
func (s *Server) auth(next echo.HandlerFunc) echo.HandlerFunc {
	if !s.keyed() {
		return next
	}
	return func(c echo.Context) error { return s.serveAuthed(c, next) }
}

// serveAuthed is auth's work for one request.
func (s *Server) serveAuthed(c echo.Context, next echo.HandlerFunc) error {
	if !s.keyed() {
		return next(c)
	}
	got, ok := bearer(c.Request())
	who := s.keys.find(got)
	if !ok || who == nil {
		return ErrUnauthorized
	}
	// Conversations and tasks are scoped to the key: a digest, not the key itself.
	info := infoOf(c)
	info.caller, info.scope = who, who.digest
	return next(c)
}

// demoAuth lets the demo agent be called, when keys are configured, with
// one of them or with the bridge's own demoToken: it was served outside
// auth, and anyone could make it write.
func (s *Server) demoAuth(next echo.HandlerFunc) echo.HandlerFunc {
	if !s.keyed() {
		return next
	}
	return func(c echo.Context) error {
		if got, ok := bearer(c.Request()); !ok || !s.isDemoCall(c.Request()) && !s.isKey(got) {
			return ErrUnauthorized
		}
		return next(c)
	}
}

// isDemoCall reports whether r is the bridge's own call to its demo agent.
func (s *Server) isDemoCall(r *http.Request) bool {
	got, ok := bearer(r)
	return ok && s.demoToken != "" && r.URL.Path == demoPath &&
		subtle.ConstantTimeCompare([]byte(got), []byte(s.demoToken)) == 1
}

// keyed reports whether any key is configured (else /v1 is open).
func (s *Server) keyed() bool { return len(s.keys.secrets) > 0 }

// isKey reports whether got is one of the configured API keys.
func (s *Server) isKey(got string) bool { return s.keys.find(got) != nil }

// bearer is the request's bearer token.
func bearer(r *http.Request) (string, bool) {
	got, ok := strings.CutPrefix(r.Header.Get(echo.HeaderAuthorization), "Bearer ")
	return strings.TrimSpace(got), ok
}
