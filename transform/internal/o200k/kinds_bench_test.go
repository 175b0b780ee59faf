package o200k

import (
	"strings"
	"testing"
)

// BenchmarkCountTokensKinds is the count of texts of about 16 KiB the ASCII fast
// paths do not take, or take only in part: they must not be slower for
// them. Invalid UTF-8 among words, text in other scripts, ASCII words
// with accented letters, code, and digits.
func BenchmarkCountTokensKinds(b *testing.B) {
	Load()
	for _, tc := range []struct{ name, unit string }{
		{"invalid-utf8", "plain words \xff\xfe and bytes \xc3 that are not text, "},
		{"cyrillic", "Быстрая бурая лиса отвечает мосту несколькими простыми словами. "},
		{"cjk", "日本語のテキストです。中文文本。한국어 텍스트. "},
		{"accented", "Le café naïve, l'élève à Zürich: déjà vu. "},
		{"code", "func (s *Server) Handle(w http.ResponseWriter, r *http.Request) {\n\tif err != nil {\n\t\treturn\n\t}\n}\n"},
		{"digits", "12345 67 8.9e10 2026-12-02T05:15:00Z 0x7fff "},
		{"spaces", "a  \t\n\n    b\r\n \u00a0 c   \n"},
	} {
		text := strings.Repeat(tc.unit, (16<<10)/len(tc.unit)) // whole units: no rune cut at the end
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				_ = Count(text)
			}
		})
	}
}
