package bridge

import (
	"maps"
	"net/http"
)

// W3C Trace Context headers, forwarded to the agent so that a trace spans
// the bridge (https://www.w3.org/TR/trace-context/).
const (
	hdrTraceparent = "Traceparent"
	hdrTracestate  = "Tracestate"
	maxTracestate  = 512 // the spec's bound on what a vendor must propagate
)

// traceOf returns the request's traceparent and tracestate when the
// traceparent is well formed (version 00's shape: 00-<32 hex>-<16 hex>-<2
// hex>, ids not all zero), and its trace id; else nothing: a malformed one
// is not passed on.
func traceOf(h http.Header) (parent, state, traceID string) {
	p := h.Get(hdrTraceparent)
	if len(p) != 55 || p[2] != '-' || p[35] != '-' || p[52] != '-' || p[:2] == "ff" {
		return "", "", ""
	}
	for i, ch := range []byte(p) {
		if i == 2 || i == 35 || i == 52 {
			continue
		}
		if (ch < '0' || ch > '9') && (ch < 'a' || ch > 'f') {
			return "", "", ""
		}
	}
	if p[3:35] == "00000000000000000000000000000000" || p[36:52] == "0000000000000000" {
		return "", "", ""
	}
	state = h.Get(hdrTracestate)
	if len(state) > maxTracestate || !printable(state) {
		state = ""
	}
	return p, state, p[3:35]
}

// printable reports whether s is printable ASCII, as tracestate is.
func printable(s string) bool {
	for i := range len(s) {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// withTrace returns the agent's headers with the request's trace context
// added (a copy: the configured map is shared by every call).
func withTrace(headers map[string]string, parent, state string) map[string]string {
	h := make(map[string]string, len(headers)+2)
	maps.Copy(h, headers)
	h[hdrTraceparent] = parent
	if state != "" {
		h[hdrTracestate] = state
	}
	return h
}
