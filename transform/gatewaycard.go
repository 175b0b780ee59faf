package transform

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/a2a-bridge/a2a-bridge/transform/internal/jsonwalk"
)

// GatewayCard says how to merge an agent's card into the card the A2A
// gateway serves for it at <Base>/a2a/<Agent>.
type GatewayCard struct {
	Base  string // the bridge's base URL as the caller reaches it: public_url, else http://<Host>
	Agent string // the agent's registered name (the path segment)
	// Name and Description replace the card's own when set
	// (agents[].display_name, agents[].description).
	Name, Description string
	Streaming         bool // the agent streams (its card says so and it never refused)
	Keys              bool // the bridge wants a key: its security scheme is declared
	// V10 is a card request sent with A2A-Version: 1.0: the requirement
	// goes in the 1.0 securityRequirements form, else in the 0.3 security
	// form (a2a-go/v2 v2.3.1's card reader rejects {"list": []} and its
	// resolver sends no A2A-Version).
	V10 bool
	// Hide are the agent's own hosts (host:port of its registered and card
	// URLs): a URL member naming one of them is dropped.
	Hide []string
}

// The gateway's security scheme: a bearer key, in the 1.0 (oneof wrapper)
// and 0.3 (OpenAPI) shapes at once.
const gatewayScheme = "a2aBridgeKey"

// errCardNotObject is a card that is JSON but no object.
var errCardNotObject = errors.New("agent card is not a JSON object")

type gatewayInterface struct {
	URL             string `json:"url"`
	ProtocolBinding string `json:"protocolBinding"`
	ProtocolVersion string `json:"protocolVersion"`
}

type gatewayProvider struct {
	Organization string `json:"organization"`
	URL          string `json:"url"`
}

type gatewayScheme1 struct {
	HTTPAuth struct {
		Scheme string `json:"scheme"`
	} `json:"httpAuthSecurityScheme"`
	Type   string `json:"type"`
	Scheme string `json:"scheme"`
}

// mergedCard is the served card, in the order its members are written.
type mergedCard struct {
	ProtocolVersion      string                    `json:"protocolVersion"`
	Name                 string                    `json:"name"`
	Description          string                    `json:"description"`
	URL                  string                    `json:"url"`
	PreferredTransport   string                    `json:"preferredTransport"`
	SupportedInterfaces  []gatewayInterface        `json:"supportedInterfaces"`
	Provider             gatewayProvider           `json:"provider"`
	Version              string                    `json:"version"`
	DocumentationURL     string                    `json:"documentationUrl,omitempty"`
	IconURL              string                    `json:"iconUrl,omitempty"`
	CapabilitiesJSON     map[string]bool           `json:"capabilities"`
	SecuritySchemes      map[string]gatewayScheme1 `json:"securitySchemes,omitempty"`
	SecurityRequirements []map[string]any          `json:"securityRequirements,omitempty"`
	Security             []map[string][]string     `json:"security,omitempty"`
	DefaultInputModes    []string                  `json:"defaultInputModes"`
	DefaultOutputModes   []string                  `json:"defaultOutputModes"`
	Skills               []json.RawMessage         `json:"skills"`
}

// MergeCard returns the card the gateway serves for an agent whose own card
// is raw (nil or empty: the agent serves none). It names only the
// gateway's interfaces (JSON-RPC 1.0 and 0.3, HTTP+JSON 1.0) and no URL of
// the agent: its url, additionalInterfaces, supportedInterfaces and
// signatures (void once URLs change) are dropped, as is every top-level
// member it does not know. Capabilities are only what the gateway relays
// (streaming); push notifications, extensions and the extended card are
// dropped. Missing members get defaults.
func MergeCard(raw []byte, o GatewayCard) ([]byte, error) {
	root, err := cardRoot(raw)
	if err != nil {
		return nil, err
	}
	self := strings.TrimRight(o.Base, "/") + "/a2a/" + url.PathEscape(o.Agent)
	c := mergedCard{
		ProtocolVersion:    "0.3.0",
		Name:               firstOf(o.Name, root.Get("name").String(), o.Agent),
		URL:                self,
		PreferredTransport: "JSONRPC",
		SupportedInterfaces: []gatewayInterface{
			{self, "JSONRPC", "1.0"}, {self, "JSONRPC", "0.3"}, {self + "/v1", "HTTP+JSON", "1.0"},
		},
		Version:            firstOf(root.Get("version").String(), "1.0.0"),
		DocumentationURL:   o.keepURL(root.Get("documentationUrl").String()),
		IconURL:            o.keepURL(root.Get("iconUrl").String()),
		CapabilitiesJSON:   map[string]bool{"streaming": o.Streaming},
		DefaultInputModes:  modes(root.Get("defaultInputModes")),
		DefaultOutputModes: modes(root.Get("defaultOutputModes")),
	}
	c.Description = firstOf(o.Description, root.Get("description").String(), c.Name)
	c.Provider = gatewayProvider{Organization: firstOf(root.Get("provider.organization").String(), "a2a-bridge"),
		URL: firstOf(o.keepURL(root.Get("provider.url").String()), strings.TrimRight(o.Base, "/"))}
	c.Skills = skills(root.Get("skills"), c.Description)
	if o.Keys {
		o.secure(&c)
	}
	return json.Marshal(c)
}

// cardRoot parses raw, an object or nothing.
func cardRoot(raw []byte) (gjson.Result, error) {
	if len(strings.TrimSpace(string(raw))) == 0 {
		return gjson.Parse("{}"), nil
	}
	if ok, deep := jsonwalk.Check(raw); deep {
		return gjson.Result{}, errCardTooDeep
	} else if !ok {
		return gjson.Result{}, errors.New("agent card is not valid JSON")
	}
	root := gjson.ParseBytes(raw)
	if !root.IsObject() {
		return gjson.Result{}, errCardNotObject
	}
	return root, nil
}

// secure declares the gateway's bearer key and requires it, in the form
// the card request's version reads.
func (o GatewayCard) secure(c *mergedCard) {
	var s gatewayScheme1
	s.HTTPAuth.Scheme, s.Type, s.Scheme = "Bearer", "http", "bearer"
	c.SecuritySchemes = map[string]gatewayScheme1{gatewayScheme: s}
	if o.V10 {
		c.SecurityRequirements = []map[string]any{{"schemes": map[string]any{gatewayScheme: map[string][]string{"list": {}}}}}
		return
	}
	c.Security = []map[string][]string{{gatewayScheme: {}}}
}

// keepURL returns u unless it names one of the agent's hosts, or is no
// absolute http(s) URL.
func (o GatewayCard) keepURL(u string) string {
	p, err := url.Parse(u)
	if u == "" || err != nil || p.Scheme != "http" && p.Scheme != "https" || p.Host == "" {
		return ""
	}
	for _, h := range o.Hide {
		if h != "" && (strings.EqualFold(p.Host, h) || strings.Contains(strings.ToLower(u), strings.ToLower(h))) {
			return ""
		}
	}
	return u
}

// modes reads a card's input or output modes, ["text"] when it has none.
func modes(r gjson.Result) []string {
	var out []string
	r.ForEach(func(_, m gjson.Result) bool {
		if m.Type == gjson.String && m.String() != "" {
			out = append(out, m.String())
		}
		return true
	})
	if len(out) == 0 {
		return []string{"text"}
	}
	return out
}

// skillMembers are the members of a skill the merged card keeps: its
// security requirements name the agent's schemes, which the card does not
// carry.
var skillMembers = []string{"id", "name", "description", "tags", "examples", "inputModes", "outputModes"}

// skills returns the card's skills, each cut to skillMembers; a card with
// none gets one "chat" skill.
func skills(r gjson.Result, description string) []json.RawMessage {
	var out []json.RawMessage
	r.ForEach(func(_, s gjson.Result) bool {
		if !s.IsObject() || s.Get("id").String() == "" {
			return true
		}
		out = append(out, skill(s, description))
		return true
	})
	if len(out) == 0 {
		b, _ := json.Marshal(struct {
			ID          string   `json:"id"`
			Name        string   `json:"name"`
			Description string   `json:"description"`
			Tags        []string `json:"tags"`
		}{"chat", "Chat", description, []string{"chat"}})
		out = append(out, b)
	}
	return out
}

// skill is one skill cut to skillMembers, with the required name,
// description and tags filled when missing.
func skill(s gjson.Result, description string) json.RawMessage {
	b := []byte{'{'}
	for _, k := range skillMembers {
		v := s.Get(k)
		switch {
		case k == "name" && v.String() == "":
			v = gjson.Parse(quote(s.Get("id").String()))
		case k == "description" && v.String() == "":
			v = gjson.Parse(quote(description))
		case k == "tags" && !v.IsArray():
			v = gjson.Parse("[]")
		case !v.Exists():
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(append(append(b, quote(k)...), ':'), v.Raw...)
	}
	return append(b, '}')
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// firstOf is the first non-empty of ss.
func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
