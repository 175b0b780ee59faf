package bridge

import (
	"fmt"
	"maps"
	"net/http"
	"unicode"
	"unicode/utf8"

	"github.com/a2a-bridge/a2a-bridge/bridge/upstream"
	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/labstack/echo/v4"
)

// A2A extensions on the gateway: the caller's A2A-Extensions (1.0) or
// X-A2A-Extensions (0.3) request header goes to the agent under the name
// of the agent's dialect, and the agent's answer header comes back under
// the name of the caller's. Both are bounded: a caller's header past
// maxExtensions bytes, or that is not plain text, is refused (400 naming
// it); an agent's is dropped.

// The extension headers of each dialect, canonical.
const (
	hdrExtensions   = "A2a-Extensions"   // 1.0
	hdrExtensions03 = "X-A2a-Extensions" // 0.3
)

// maxExtensions bounds an extensions header: a comma-separated list of
// extension URIs.
const maxExtensions = maxText

func extensionsHeader(d transform.Dialect) string {
	if d == transform.V10 {
		return hdrExtensions
	}
	return hdrExtensions03
}

// validExtensions reports whether v is fit to pass on: at most
// maxExtensions bytes of UTF-8 text, no control characters.
func validExtensions(v string) bool {
	if len(v) > maxExtensions || !utf8.ValidString(v) {
		return false
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// extensions adds the caller's extensions header, when it sent one, to
// t's headers (a copy: t's map is the agent's), named for t's dialect.
func extensions(r *http.Request, t *upstream.Target) error {
	name := hdrExtensions
	v := r.Header.Get(name)
	if v == "" {
		name = hdrExtensions03
		v = r.Header.Get(name)
	}
	if v == "" {
		return nil
	}
	if !validExtensions(v) {
		return newError(ErrInvalidRequest, name, fmt.Sprintf("%s must be at most %d bytes of UTF-8 text without control characters.", name, maxExtensions), nil)
	}
	h := make(map[string]string, len(t.Headers)+1)
	maps.Copy(h, t.Headers)
	h[extensionsHeader(t.Dialect)] = v
	t.Headers = h
	return nil
}

// answerExtensions passes the agent's extensions header in raw on to the
// caller, named for the caller's dialect; one unfit to pass on is dropped.
func answerExtensions(c echo.Context, call *rpcCall, raw *upstream.Raw) {
	v := raw.Header.Get(hdrExtensions)
	if v == "" {
		v = raw.Header.Get(hdrExtensions03)
	}
	if v != "" && validExtensions(v) {
		c.Response().Header().Set(extensionsHeader(call.dialect), v)
	}
}
