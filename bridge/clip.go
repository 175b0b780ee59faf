package bridge

import "unicode/utf8"

// Bounds on what any request or agent can make the bridge keep, echo or log.
const (
	// maxName bounds a name the bridge keeps or echoes: a context or task
	// id, the user field, a model name in an error message.
	maxName = 256
	// maxText bounds a text the bridge passes on from an agent or logs
	// (an agent's error message, a failed task's status text).
	maxText = 1 << 10
	// maxLogged bounds a request path or other caller text in a log line.
	maxLogged = 256
)

// clip returns s cut to at most n bytes (n ≥ 3), at a rune boundary, with "…"
// in place of what was cut. Whatever a caller or an agent sends, what the
// bridge echoes or logs of it stays small.
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
