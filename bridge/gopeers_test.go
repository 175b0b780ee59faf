package bridge

import "testing"

// goDialectPeers are the Go SDK agents of the behaviour matrix: a2a-go
// v0.3.15 (0.3), and a2a-go/v2 v2.3.1 with its hybrid card, called in 1.0
// at /v1 (as auto picks it) and pinned to 0.3 at its /v03 compat endpoint.
func goDialectPeers(t *testing.T) []peer {
	t.Helper()
	v2 := startGoPeer(t, "gov2")
	return []peer{startGoPeer(t, "go03"), v2, {name: "gov2-pinned03", url: v2.url, protocol: "0.3"}}
}
