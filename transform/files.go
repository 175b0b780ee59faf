package transform

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/tidwall/gjson"
)

// The files of a request: image and file content parts read as A2A file
// parts, and how they are named in the text where they stand.

// urlFile reads an http(s) or data: URL as a file; it is member (such as
// ".image_url.url") of content part a.
func urlFile(a at, member, u, kind string) (*File, error) {
	if head, data, ok := strings.Cut(u, ","); ok && strings.HasPrefix(head, "data:") {
		media, _, _ := strings.Cut(strings.TrimPrefix(head, "data:"), ";")
		if !strings.HasSuffix(head, ";base64") || media == "" {
			return nil, badParam(a.String()+member, "a data: URL must be base64 with a media type (data:image/png;base64,...)")
		}
		return &File{MediaType: media, Data: data}, nil
	}
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		param := a.String() + member
		return nil, badParam(param, "%s must be an http(s) URL or a base64 data: URL", param)
	}
	return &File{URI: u, MediaType: mediaTypeOf(u, kind)}, nil
}

// filePart reads an OpenAI file part: inline file_data (a data: URL or
// bare base64) with a filename. A file_id names a file stored at OpenAI,
// which the bridge cannot fetch.
func filePart(a at, f gjson.Result) (string, *File, error) {
	name := f.Get("filename").String()
	if f.Get("file_data").String() == "" {
		return "", nil, badParam(a.String()+".file", "only inline file_data can be sent to an A2A agent (a file_id cannot be resolved)")
	}
	data := f.Get("file_data").String()
	file := &File{Name: name, MediaType: mediaTypeOf(name, "application/octet-stream"), Data: data}
	if strings.HasPrefix(data, "data:") {
		u, err := urlFile(a, ".file.file_data", data, "")
		if err != nil {
			return "", nil, err
		}
		file.MediaType, file.Data = u.MediaType, u.Data
	}
	return fmt.Sprintf("[file: %s]", cmp.Or(name, "unnamed")), file, nil
}

// mediaTypes are the common extensions of files clients send.
var mediaTypes = map[string]string{
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
	".pdf": "application/pdf", ".txt": "text/plain", ".md": "text/markdown", ".csv": "text/csv", ".json": "application/json",
}

// mediaTypeOf guesses a media type from a name's extension; fallback is a
// default such as "image" (any image) or "application/octet-stream".
func mediaTypeOf(name, fallback string) string {
	path, _, _ := strings.Cut(name, "?")
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		if mt, ok := mediaTypes[strings.ToLower(path[i:])]; ok {
			return mt
		}
	}
	if fallback == "image" {
		return "image/*"
	}
	return fallback
}

// Files returns the files of msgs, in order.
func Files(msgs []Message) []File {
	var out []File
	for _, m := range msgs {
		out = append(out, m.Files...)
	}
	return out
}

// describe names a file in the flattened text: its URL, or for inline
// data its media type and size.
func describe(f *File) string {
	if f.URI != "" {
		return f.URI
	}
	return fmt.Sprintf("inline %s, %d bytes of data", f.MediaType, decodedLen(f.Data))
}

// decodedLen is the size of the data a base64 text holds: padding carries
// none ("aGVsbG8=" is 5 bytes, not 6).
func decodedLen(b64 string) int { return len(strings.TrimRight(b64, "=")) * 3 / 4 }
