package upstream

import (
	"net"
	"net/http"
	"time"
)

// Clients are the bridge's two ways to reach agents, each with its own
// connection pool: HTTP/1.1 (one connection per call in flight), and
// HTTP/2 without TLS for agents configured with h2c, whose calls share a
// few connections. Neither follows a redirect to another origin (see
// CheckRedirect): every call carries the agent's credentials.
type Clients struct {
	HTTP1, H2C *http.Client
}

// NewClients returns the two clients, each on a transport of its own.
func NewClients() Clients {
	h2c := newTransport()
	h2c.Protocols = new(http.Protocols)
	h2c.Protocols.SetUnencryptedHTTP2(true) // http:// agents: prior knowledge, no upgrade
	h2c.Protocols.SetHTTP2(true)            // https:// agents: HTTP/2 over TLS
	return Clients{
		HTTP1: &http.Client{Transport: newTransport(), CheckRedirect: CheckRedirect},
		H2C:   &http.Client{Transport: h2c, CheckRedirect: CheckRedirect},
	}
}

// For returns the client of an agent configured with h2c or not.
func (u Clients) For(h2c bool) *http.Client {
	if h2c {
		return u.H2C
	}
	return u.HTTP1
}

// CloseIdle closes both pools' idle connections.
func (u Clients) CloseIdle() {
	u.HTTP1.CloseIdleConnections()
	u.H2C.CloseIdleConnections()
}

// newTransport returns the upstream transport: a pool deep enough that
// concurrent calls to one agent reuse connections instead of opening new
// ones (the default keeps two idle connections per host).
//
// Its write buffer is 2 KiB, not 4: every connection keeps one, and a
// stream's connection keeps it idle as long as the stream is open, once its
// one request is written. A request of up to 2 KiB (headers, and the body
// for a prompt of about 1.5 KiB) still goes out in one write; one of 2 to
// 4 KiB now takes two, as a longer one always did. The read buffer stays
// 4 KiB: it batches the reads of a burst of events.
func newTransport() *http.Transport {
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   10 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     true,
		WriteBufferSize:       2 << 10,
	}
}
