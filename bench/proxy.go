package main

import (
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"time"
)

// newProxy is the baseline hop: a bare httputil.ReverseProxy in front of the
// agent, with a transport tuned as the bridge's is. The default transport
// keeps two idle connections per host, which under 64 clients would make
// the baseline dial on most requests and look slow; this one keeps as many
// as the bridge does (1024 in all, 256 per host, above the concurrency).
func newProxy(upstream string, h2c bool) (http.Handler, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, err
	}
	return &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(u)
			boundBody(r.Out)
		},
		Transport: proxyTransport(h2c),
		// FlushInterval 0: ReverseProxy flushes a text/event-stream (or
		// unknown-length) answer after every read from the agent by itself
		// (its flushInterval is -1 for them), and writes a JSON answer of
		// known length in one go. An explicit -1 would also flush JSON
		// answers after their headers: one more write per request.
		FlushInterval: 0,
		ErrorLog:      log.New(os.Stderr, "proxy: ", 0),
	}, nil
}

// boundBody stops the outbound request body at its Content-Length. Without
// it a bare ReverseProxy cuts a few streams under load: once it has copied
// the declared length, the transport reads the body once more to check it
// is not longer, and when the agent's first event has come back by then,
// writing the response headers has already closed the inbound body; that
// read fails, and the transport tears down the agent connection with the
// answer on its way ("read error during body copy: use of closed network
// connection", the client sees unexpected EOF). The bridge reads the whole
// request before calling the agent and is not exposed to this.
func boundBody(out *http.Request) {
	if out.Body != nil && out.ContentLength > 0 {
		out.Body = struct {
			io.Reader
			io.Closer
		}{io.LimitReader(out.Body, out.ContentLength), out.Body}
	}
}

// proxyTransport is the hop's tuned pool: as many idle connections as the
// bridge keeps; with h2c, HTTP/2 without TLS as the bridge's h2c agents get.
func proxyTransport(h2c bool) *http.Transport {
	t := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        1024,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     90 * time.Second,
	}
	if h2c {
		t.Protocols = new(http.Protocols)
		t.Protocols.SetUnencryptedHTTP2(true)
	}
	return t
}
