package bridge

import (
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

func TestRedactor(t *testing.T) {
	var logs logBuffer
	c := AgentConfig{Name: "a", URL: "http://agent.internal:8080/a2a/", CardURL: "https://cards.internal/a.json",
		APIKey: "sk-agent", Headers: map[string]string{"X-Tenant": "blue-team", "X-Env": "dev"}}
	r := newRedactor(c, []string{"sk-bridge"}, zerolog.New(&logs))
	cases := []struct{ name, in, want string }{
		{"api key", "bad key Bearer sk-agent", "bad key Bearer [redacted]"},
		{"header value", "tenant blue-team unknown", "tenant [redacted] unknown"},
		{"bridge key", "saw sk-bridge", "saw [redacted]"},
		{"url as a whole", "at http://agent.internal:8080/a2a/ and http://agent.internal:8080/a2a", "at [redacted] and [redacted]"},
		{"host:port then host", "agent.internal:8080 or agent.internal", "[redacted] or [redacted]"},
		{"card_url host", "fetched from cards.internal", "fetched from [redacted]"},
		{"short value kept", "a dev environment", "a dev environment"},
		{"plain text", "the tool crashed", "the tool crashed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := r.text(tc.in); got != tc.want {
				t.Errorf("text(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	if got := r.text(strings.Repeat("x", 2*maxText)); len(got) > maxText {
		t.Errorf("text(2 KiB) is %d bytes, want at most %d", len(got), maxText)
	}
	if s := logs.String(); !strings.Contains(s, "headers.X-Env") || strings.Contains(s, `"dev"`) {
		t.Errorf("log = %s, want a warning naming headers.X-Env, not its value", s)
	}
}
