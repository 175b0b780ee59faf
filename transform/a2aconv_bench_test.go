package transform

import "testing"

// The translation runs once per event of every translated gateway stream.
var (
	benchArtifact10 = []byte(`{"jsonrpc":"2.0","id":1,"result":{"artifactUpdate":{"append":true,"artifact":{"artifactId":"01a20d9b-3448-78bc-ad48-65313e2e317d","parts":[{"text":" world"}]},"contextId":"01a20d9b-3448-7817-a18b-208f0ee3ebd4","taskId":"01a20d9b-3448-77ca-8a65-79176de05296"}}}`)
	benchArtifact03 = []byte(`{"jsonrpc":"2.0","id":1,"result":{"kind":"artifact-update","append":true,"artifact":{"artifactId":"01a20d9b-3448-78bc-ad48-65313e2e317d","parts":[{"kind":"text","text":" world"}]},"contextId":"01a20d9b-3448-7817-a18b-208f0ee3ebd4","taskId":"01a20d9b-3448-77ca-8a65-79176de05296","lastChunk":false}}`)
)

func BenchmarkConvertEvent(b *testing.B) {
	for _, bc := range []struct {
		name string
		in   []byte
		to   Dialect
	}{{"1.0 to 0.3", benchArtifact10, V03}, {"0.3 to 1.0", benchArtifact03, V10}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ConvertResponse(bc.in, bc.to, false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("ReadResponse", func(b *testing.B) { // the read every relayed event costs already
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ReadResponse(benchArtifact10); err != nil {
				b.Fatal(err)
			}
		}
	})
}
