package bridge

import "net/http"

// upstreamClients are the bridge's two ways to reach agents, each with its
// own connection pool: HTTP/1.1 (one connection per call in flight), and
// HTTP/2 without TLS for agents configured with h2c, whose calls share a
// few connections. Neither follows a redirect to another origin (see
// checkRedirect): every call carries the agent's credentials.
type upstreamClients struct {
	http1, h2c *http.Client
}

func newUpstreamClients() upstreamClients {
	h2c := newTransport()
	h2c.Protocols = new(http.Protocols)
	h2c.Protocols.SetUnencryptedHTTP2(true) // http:// agents: prior knowledge, no upgrade
	h2c.Protocols.SetHTTP2(true)            // https:// agents: HTTP/2 over TLS
	return upstreamClients{
		http1: &http.Client{Transport: newTransport(), CheckRedirect: checkRedirect},
		h2c:   &http.Client{Transport: h2c, CheckRedirect: checkRedirect},
	}
}

func (u upstreamClients) forAgent(c AgentConfig) *http.Client {
	if c.H2C {
		return u.h2c
	}
	return u.http1
}

func (u upstreamClients) closeIdle() {
	u.http1.CloseIdleConnections()
	u.h2c.CloseIdleConnections()
}
