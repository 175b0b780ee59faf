package transform

import (
	"cmp"
	"fmt"

	"github.com/tidwall/gjson"
)

// PartText renders one A2A part of any version as text. Non-text parts are
// never dropped: data becomes a fenced JSON block and a file a Markdown link
// or a note of its media type and size.
func PartText(p gjson.Result) string {
	if t := p.Get("text"); t.Type == gjson.String {
		return t.Str
	}
	if d := p.Get("data"); d.Exists() && p.Get("kind").String() != "file" {
		return "\n```json\n" + d.Raw + "\n```\n"
	}
	f := p.Get("file")
	if !f.IsObject() {
		f = p // 1.0: url/raw/filename/mediaType on the part itself
	}
	name := cmp.Or(f.Get("name").String(), f.Get("filename").String(), "file")
	if uri := cmp.Or(f.Get("uri").String(), f.Get("url").String()); uri != "" {
		return fmt.Sprintf("[%s](%s)", name, uri)
	}
	if raw := cmp.Or(f.Get("bytes").String(), f.Get("raw").String()); raw != "" {
		media := cmp.Or(f.Get("mimeType").String(), f.Get("mediaType").String(), "application/octet-stream")
		return fmt.Sprintf("[%s: %s, %d bytes inline]", name, media, decodedLen(raw))
	}
	return ""
}
