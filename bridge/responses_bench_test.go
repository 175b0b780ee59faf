package bridge

import (
	"fmt"
	"testing"
)

// BenchmarkResponses measures one /v1/responses request through the whole
// bridge, as BenchmarkChat does a chat request: the same agent (1 KiB,
// non-stream, or 32 chunks on a stream) and prompt, so that the two read
// side by side (go test -run=^$ -bench='Chat|Responses' -benchmem ./bridge/).
func BenchmarkResponses(b *testing.B) {
	benchDoor(b, "/v1/responses", func(stream bool) string {
		return fmt.Sprintf(`{"model":"a2a/a","input":"hello there, how are you today?","stream":%t}`, stream)
	})
}
