package bridge

import "testing"

// goDialectPeers are the Go SDK agents of the behaviour matrix
// (testdata/peers/go03 and gov2 implement MODES.md).
func goDialectPeers(t *testing.T) []peer {
	t.Helper()
	return nil
}
