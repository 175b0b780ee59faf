package upstream

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Where the bridge sends an agent's credentials. Every call carries the
// agent's api_key and configured headers, so only the agent's registered
// origin (scheme, host and port of its url, or of its card_url) may get
// them: a redirect elsewhere is refused, and a card that names another
// origin for its endpoint is called at the registered one.

// origin is the scheme, host and port of u, lower-cased, with the default
// port made explicit, so that http://A and http://a:80 compare equal.
func origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	return strings.ToLower(u.Scheme) + "://" + net.JoinHostPort(host, port)
}

// sameOrigin reports whether a and b are absolute URLs of one origin.
func sameOrigin(a, b *url.URL) bool {
	return a.Host != "" && b.Host != "" && origin(a) == origin(b)
}

// maxRedirects bounds the same-origin redirects followed on one call.
const maxRedirects = 5

// redirectError is a redirect the bridge refused to follow: to another
// origin, or one too many. It names only the host it pointed at, never the
// whole URL (a query may carry anything), and counts as the agent being
// unreachable.
type redirectError struct {
	host string // host[:port] of the target; empty for too many redirects
}

func (e *redirectError) Error() string {
	if e.host == "" {
		return fmt.Sprintf("the agent redirected the call more than %d times", maxRedirects)
	}
	return "the agent redirected the call to another origin, " + e.host + ", which does not get the agent's credentials"
}

// Unwrap makes a refused redirect both ErrRedirected and, for the
// statuses of the error table, ErrAgentDown.
func (e *redirectError) Unwrap() []error { return []error{ErrRedirected, ErrAgentDown} }

// CheckRedirect is the upstream clients' CheckRedirect. Go strips
// Authorization only on a redirect to another domain, and never the
// configured headers; a 307 or 308 re-sends the prompt too. So no redirect
// leaves the origin of the call, on the same host another port included.
func CheckRedirect(req *http.Request, via []*http.Request) error {
	if !sameOrigin(req.URL, via[0].URL) {
		return &redirectError{host: clip(req.URL.Host, maxHost)}
	}
	if len(via) > maxRedirects {
		return &redirectError{}
	}
	return nil
}

// refusedRedirect returns the *redirectError in err, without the *url.Error
// around it that names the redirect's whole URL; other errors are returned
// as they are.
func refusedRedirect(err error) error {
	var re *redirectError
	if errors.As(err, &re) {
		return re
	}
	return err
}

// PinEndpoint returns the endpoint to call for one a card advertises. The
// agent's registered url is the trust anchor: the card's endpoint is used
// as is only when it has the origin of url, or of card_url (unless it is a
// link-local address, which no card may send the bridge to); otherwise its
// path and query are called at url's origin, and rewritten is true. This
// keeps sample agents working that advertise 0.0.0.0, or localhost while
// they are reached through another host.
func PinEndpoint(endpoint, registered, cardURL string) (pinned string, rewritten bool) {
	reg, err := url.Parse(registered)
	if err != nil {
		return registered, true // Validate rejects such a url: not reached
	}
	e, err := url.Parse(endpoint)
	if err != nil {
		return registered, true
	}
	if sameOrigin(e, reg) {
		return endpoint, false
	}
	if card, err := url.Parse(cardURL); err == nil && cardURL != "" && sameOrigin(e, card) && !linkLocal(e.Hostname()) {
		return endpoint, false
	}
	e.Scheme, e.Host, e.User, e.Opaque = reg.Scheme, reg.Host, reg.User, ""
	return e.String(), true
}

// linkLocal reports whether host is a link-local or cloud metadata address
// (169.254.0.0/16 such as 169.254.169.254, fe80::/10, AWS's fd00:ec2::254),
// where a call with an agent's credentials must never go unasked.
func linkLocal(host string) bool {
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	ip = ip.Unmap().WithZone("")
	return ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip == awsMetadataV6
}

var awsMetadataV6 = netip.MustParseAddr("fd00:ec2::254")

// maxHost bounds the host a refused redirect names.
const maxHost = 256

// clip returns s cut to at most n bytes (n >= 3), at a rune boundary, with
// "…" in place of what was cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ellipsis = "…"
	cut := max(n-len(ellipsis), 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}
