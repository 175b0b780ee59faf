package bridge

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/rs/zerolog"
)

// redacted stands for a secret or an agent's whereabouts in agent text.
const redacted = "[redacted]"

// minRedacted is the shortest value redacted: a shorter one (a header
// "X-Env: dev") would shred ordinary words of the text. Such values are
// named, never shown, in a warning when the registry is built.
const minRedacted = 4

// redactor removes what the bridge knows and an agent's callers must not
// learn from the agent's own text (a JSON-RPC error message, a failed
// task's status text): the agent's api_key and configured header values
// (an agent that echoes its Authorization header), the bridge's API keys,
// and the agent's url and card_url, their host:port and host. The agent
// writes that text for its callers, and the bridge passes it on and logs
// it; so it is scrubbed once, where it first becomes an error.
type redactor struct {
	r *strings.Replacer
}

// newRedactor builds a's redactor; too short values are skipped, each with
// a warning naming where it comes from.
func newRedactor(c AgentConfig, bridgeKeys []string, log zerolog.Logger) redactor {
	type value struct{ from, v string }
	vals := []value{{"api_key", c.APIKey}}
	for k, v := range c.Headers {
		vals = append(vals, value{"headers." + k, v})
	}
	for _, k := range bridgeKeys {
		vals = append(vals, value{"api_keys", k})
	}
	urls := map[string]string{"url": c.URL, "card_url": c.CardURL}
	for i, u := range c.URLs { // every replica's whereabouts, not only the first's
		urls[fmt.Sprintf("urls[%d]", i)] = u
	}
	for field, raw := range urls {
		vals = append(vals, value{field, raw}, value{field, strings.TrimSuffix(raw, "/")})
		if u, err := url.Parse(raw); err == nil && raw != "" {
			vals = append(vals, value{field + " host", u.Host}, value{field + " host", u.Hostname()})
		}
	}
	var olds []string
	for _, v := range vals {
		switch {
		case v.v == "":
		case len(v.v) < minRedacted:
			log.Warn().Str("agent", c.Name).Str("value_of", v.from).Int("shorter_than", minRedacted).
				Msg("too short to redact from the agent's error text without shredding it; it may be passed on and logged")
		default:
			olds = append(olds, v.v)
		}
	}
	// Longest first: strings.Replacer tries its pairs in order, and a url
	// must go as a whole before its host would leave its path behind.
	slices.SortFunc(olds, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b)) })
	olds = slices.Compact(olds)
	pairs := make([]string, 0, 2*len(olds))
	for _, o := range olds {
		pairs = append(pairs, o, redacted)
	}
	return redactor{r: strings.NewReplacer(pairs...)}
}

// text returns s redacted and bounded to maxText.
func (r redactor) text(s string) string {
	if r.r != nil {
		s = r.r.Replace(s)
	}
	return clip(s, maxText)
}

// maxModes bounds the input modes kept of a card.
const maxModes = 32

// scrubCard redacts and bounds the card's text the bridge passes on: its
// provider (owned_by in /v1/models) and its input modes (named in an
// error). The card was fetched with the agent's credentials, which a
// hostile card could echo there.
func (a *Agent) scrubCard(c *transform.Card) {
	c.Provider = clip(a.redact.text(c.Provider), maxName)
	c.InputModes = c.InputModes[:min(len(c.InputModes), maxModes)]
	for i, m := range c.InputModes {
		c.InputModes[i] = clip(a.redact.text(m), maxName)
	}
}

// scrub redacts and bounds, in place, the agent's own text in err: the
// status text of a *transform.TaskError (an agent's JSON-RPC error message
// is scrubbed by the upstream client, through Target.Redact, where it is
// read). The client's message, an in-band stream error and the log line all
// render from that one error, so every front door and the log see only the
// scrubbed text. It returns err.
func (a *Agent) scrub(err error) error {
	if err == nil {
		return nil
	}
	var task *transform.TaskError
	if errors.As(err, &task) {
		task.Text = a.redact.text(task.Text)
	}
	return err
}
