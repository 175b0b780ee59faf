package bridge

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"

	"github.com/a2a-bridge/a2a-bridge/transform"

	"github.com/labstack/echo/v4"
	"go.yaml.in/yaml/v3"
)

// APIKey is one key the bridge accepts as Authorization: Bearer <key>. In
// the config it is a plain string (every agent) or an object naming the key
// and the agents it may call.
type APIKey struct {
	Key  string `yaml:"key"`
	Name string `yaml:"name"` // in logs and listings, never the key itself
	// Agents is the allow-list of agent names; absent means every agent.
	Agents []string `yaml:"agents"`
	// RPM bounds the key's requests per minute, over every route; 0 means
	// no limit.
	RPM int `yaml:"rpm"`
}

// UnmarshalYAML reads a plain string as the key itself, else the object.
func (k *APIKey) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*k = APIKey{Key: n.Value}
		return nil
	}
	type plain APIKey // without this method
	return n.Decode((*plain)(k))
}

// yamlMapping tells the config's checker that an APIKey may also be a
// mapping, whose keys it checks as a struct's.
func (APIKey) yamlMapping() {}

// Keys returns the plain keys as APIKeys (every agent allowed), as the
// command line and the environment give them.
func Keys(plain ...string) []APIKey {
	keys := make([]APIKey, len(plain))
	for i, k := range plain {
		keys[i] = APIKey{Key: k}
	}
	return keys
}

// secrets returns the configured keys themselves (admin keys included),
// for the agents' redactors.
func (c *Config) secrets() []string {
	var out []string
	for _, k := range c.APIKeys {
		out = append(out, k.Key)
	}
	for _, k := range c.AdminKeys {
		out = append(out, k.Key)
	}
	return out
}

// keyName is k's name: the configured one, else "key-" and the first eight
// hex digits of the key's SHA-256, which names it without revealing it.
func keyName(k APIKey) string {
	if k.Name != "" {
		return k.Name
	}
	sum := sha256.Sum256([]byte(k.Key))
	return "key-" + hex.EncodeToString(sum[:4])
}

// caller is who sent a request, as auth found it.
type caller struct {
	name   string          // the key's name
	digest string          // a digest of the key: the scope of its conversations and tasks
	agents map[string]bool // nil: every agent
	admin  bool            // an admin key: the admin API, and every agent
	rpm    int             // the key's rate limit; 0: none
	// rpmText is rpm written out, for x-ratelimit-limit-requests.
	rpmText string
}

// may reports whether the caller may call the agent named name.
func (c *caller) may(name string) bool { return c == nil || c.agents == nil || c.agents[name] }

// keyring holds the configured keys for auth.
type keyring struct {
	secrets [][]byte
	callers []*caller
}

// newKeyring holds the api keys, then the admin keys.
func newKeyring(keys, admin []APIKey) keyring {
	var kr keyring
	for i, k := range slices.Concat(keys, admin) {
		sum := sha256.Sum256([]byte(k.Key))
		c := &caller{name: keyName(k), digest: hex.EncodeToString(sum[:8]), admin: i >= len(keys), rpm: k.RPM,
			rpmText: strconv.Itoa(k.RPM)}
		if k.Agents != nil && !c.admin {
			c.agents = map[string]bool{}
			for _, a := range k.Agents {
				c.agents[a] = true
			}
		}
		kr.secrets = append(kr.secrets, []byte(k.Key))
		kr.callers = append(kr.callers, c)
	}
	return kr
}

// find returns the caller whose key is got. Every key is compared, in
// constant time, to leak nothing by timing.
func (kr keyring) find(got string) *caller {
	var found *caller
	for i, k := range kr.secrets {
		if subtle.ConstantTimeCompare([]byte(got), k) == 1 {
			found = kr.callers[i]
		}
	}
	return found
}

// validateKeys checks the keys of the config, api_keys then admin_keys:
// none empty, names unique, allow-lists naming configured agents, limits
// not negative.
func validateKeys(keys, admin []APIKey, agents []AgentConfig) error {
	names := map[string]string{}
	for i, k := range slices.Concat(keys, admin) {
		field := fmt.Sprintf("api_keys[%d]", i)
		if i >= len(keys) {
			field = fmt.Sprintf("admin_keys[%d]", i-len(keys))
		}
		if len(k.Key) == 0 || len(slices.DeleteFunc([]byte(k.Key), func(b byte) bool { return b == ' ' || b == '\t' })) == 0 {
			return fmt.Errorf("%s: empty key", field)
		}
		name := keyName(k)
		if other, dup := names[name]; dup {
			return fmt.Errorf("%s.name: %q is also the name of %s", field, name, other)
		}
		names[name] = field
		if k.RPM < 0 {
			return fmt.Errorf("%s.rpm: %d must not be negative", field, k.RPM)
		}
		for j, a := range k.Agents {
			if !slices.ContainsFunc(agents, func(c AgentConfig) bool { return c.Name == a }) {
				return fmt.Errorf("%s.agents[%d]: %q is not a configured agent", field, j, a)
			}
		}
	}
	return nil
}

// allowed returns the agent of model for the caller of c: ErrUnknownAgent's
// *transform.ModelError for an unknown one, ErrNotAllowed for one its key
// may not call.
func (s *Server) allowed(c echo.Context, model, name string) (*Agent, error) {
	a, err := s.agents.Get(model, name)
	if err != nil {
		return nil, err
	}
	info := infoOf(c)
	if !info.caller.may(a.Name) {
		return nil, newError(ErrNotAllowed, "model", fmt.Sprintf("This API key may not call the agent %s%s.", transform.ModelPrefix, a.Name), nil)
	}
	info.agent, info.target = a.Name, a // a call refused by the agent's limit is the agent's in the log and metrics
	if a.disabled.Load() {
		return nil, agentDisabled(a)
	}
	if err := s.limitAgent(c, a); err != nil {
		return nil, err
	}
	return a, nil
}
