package transform

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/a2a-bridge/a2a-bridge/transform/internal/jsonwalk"
)

// Card is what the bridge needs from an agent card.
type Card struct {
	Name      string
	Endpoint  string // absolute JSON-RPC URL of the preferred dialect
	Dialect   Dialect
	Tenant    string // 1.0 interface tenant, sent as params.tenant
	Streaming bool
	Provider  string // provider.organization, shown as owned_by
	// Interfaces holds every JSON-RPC interface the card offers, by
	// dialect; hybrid cards offer both.
	Interfaces map[Dialect]Interface
	// InputModes are the media types the agent accepts (defaultInputModes).
	InputModes []string
}

// Accepts reports whether the card's input modes take media type mt:
// exactly, by a wildcard ("image/*", "*/*"), or, for a file whose exact
// type is unknown ("image/*"), by any mode of that kind.
func (c Card) Accepts(mt string) bool {
	kind, _, _ := strings.Cut(mt, "/")
	for _, m := range c.InputModes {
		mk, ms, _ := strings.Cut(m, "/")
		switch {
		case m == mt, m == "*/*", m == "*":
		case mk == kind && (ms == "*" || strings.HasSuffix(mt, "/*")):
		default:
			continue
		}
		return true
	}
	return false
}

// Interface is one JSON-RPC endpoint of an agent.
type Interface struct {
	URL    string // absolute
	Tenant string
}

// For returns the interface to call in dialect d: the card's own for d,
// else the preferred one (agents that serve both on one URL).
func (c Card) For(d Dialect) Interface {
	if i, ok := c.Interfaces[d]; ok {
		return i
	}
	return Interface{URL: c.Endpoint, Tenant: c.Tenant}
}

// ErrNoJSONRPC is returned for a card that offers no JSON-RPC interface.
var ErrNoJSONRPC = errors.New("agent card offers no JSON-RPC interface")

// errCardTooDeep is a card nested deeper than MaxDepth.
var errCardTooDeep = fmt.Errorf("agent card is nested deeper than %d levels", MaxDepth)

// ReadCard reads an agent card of any version. A 1.x JSON-RPC entry of
// supportedInterfaces wins (hybrid cards carry both; their top-level url is
// the 0.3 compat path); then a 0.3 entry there; then the 0.2/0.3 url with
// preferredTransport, then additionalInterfaces. Relative URLs are resolved
// against base, the URL the card was fetched from.
func ReadCard(body []byte, base string) (Card, error) {
	if ok, deep := jsonwalk.Check(body); deep {
		return Card{}, errCardTooDeep
	} else if !ok {
		return Card{}, errors.New("agent card is not valid JSON")
	}
	root := gjson.ParseBytes(body)
	c := Card{
		Name:      root.Get("name").String(),
		Streaming: root.Get("capabilities.streaming").Bool(),
		Provider:  root.Get("provider.organization").String(),
	}
	root.Get("defaultInputModes").ForEach(func(_, m gjson.Result) bool {
		c.InputModes = append(c.InputModes, m.String())
		return true
	})
	c.Interfaces = map[Dialect]Interface{}
	if ifaces := root.Get("supportedInterfaces"); ifaces.IsArray() {
		for _, d := range []struct {
			dialect Dialect
			prefix  string
		}{{V03, "0."}, {V10, "1."}} {
			if u, tenant, ok := pickInterface(ifaces, d.prefix); ok {
				abs, err := resolve(base, u)
				if err != nil {
					return c, err
				}
				c.Interfaces[d.dialect] = Interface{URL: abs, Tenant: tenant}
			}
		}
	}
	if _, ok := c.Interfaces[V03]; !ok {
		if u, ok := legacyEndpoint(root); ok {
			abs, err := resolve(base, u)
			if err != nil {
				return c, err
			}
			c.Interfaces[V03] = Interface{URL: abs}
		}
	}
	// A 1.x interface wins: hybrid cards carry both, their top-level url
	// being the 0.3 compat path.
	c.Dialect = V10
	pref, ok := c.Interfaces[V10]
	if !ok {
		c.Dialect = V03
		pref, ok = c.Interfaces[V03]
	}
	if !ok {
		return c, ErrNoJSONRPC
	}
	c.Endpoint, c.Tenant = pref.URL, pref.Tenant
	return c, nil
}

func pickInterface(ifaces gjson.Result, version string) (url, tenant string, ok bool) {
	var found gjson.Result
	ifaces.ForEach(func(_, i gjson.Result) bool {
		if strings.EqualFold(i.Get("protocolBinding").String(), "JSONRPC") &&
			strings.HasPrefix(i.Get("protocolVersion").String(), version) && i.Get("url").String() != "" {
			found = i
			return false
		}
		return true
	})
	if !found.Exists() {
		return "", "", false
	}
	return found.Get("url").String(), found.Get("tenant").String(), true
}

func legacyEndpoint(root gjson.Result) (string, bool) {
	pt := root.Get("preferredTransport").String()
	if u := root.Get("url").String(); u != "" && (pt == "" || strings.EqualFold(pt, "JSONRPC")) {
		return u, true
	}
	var u string
	root.Get("additionalInterfaces").ForEach(func(_, i gjson.Result) bool {
		if strings.EqualFold(i.Get("transport").String(), "JSONRPC") {
			u = i.Get("url").String()
		}
		return u == ""
	})
	return u, u != ""
}

func resolve(base, ref string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	r, err := url.Parse(ref)
	if err != nil {
		return "", errors.New("agent card has an invalid url")
	}
	u := b.ResolveReference(r)
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return "", errors.New("agent card url is not an absolute http or https URL")
	}
	return u.String(), nil
}
