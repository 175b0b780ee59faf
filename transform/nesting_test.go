package transform

import (
	"errors"
	"strings"
	"testing"

	"github.com/a2a-bridge/a2a-bridge/transform/internal/jsontest"
)

// nestingDepth and nested are the shared references (jsontest).
var nestingDepth, nested = jsontest.NestingDepth, jsontest.Nested

// deepObject returns n levels of {"k": ... } around inner, for a place where
// only an object fits.
func deepObject(n int) string { return nested("{", n, "1") }

// nestingRequests are request bodies deeper than MaxDepth (or at it, to
// hold the bound exact); they also seed FuzzParseRequest.
var nestingRequests = []struct {
	name string
	body string
	deep bool // ErrTooDeep; else accepted
}{
	{"6 MiB of [", strings.Repeat("[", 6<<20), true},
	{"6 MiB of {\"a\":", strings.Repeat(`{"a":`, 6<<20/5), true},
	{"unterminated arrays just past the bound", strings.Repeat("[", MaxDepth+1), true},
	{"metadata at the bound", `{"model":"a2a/x","messages":[{"role":"user","content":"hi"}],"metadata":` + nested("[", MaxDepth-1, "1") + `}`, false},
	{"metadata one past the bound", `{"model":"a2a/x","messages":[{"role":"user","content":"hi"}],"metadata":` + nested("[", MaxDepth, "1") + `}`, true},
	{"metadata of deep objects", `{"model":"a2a/x","messages":[{"role":"user","content":"hi"}],"metadata":` + deepObject(MaxDepth) + `}`, true},
	{"metadata of mixed nesting", `{"model":"a2a/x","messages":[{"role":"user","content":"hi"}],"metadata":` + nested("{[", MaxDepth, "{}") + `}`, true},
	{"an empty array one past the bound", `{"model":"a2a/x","messages":[{"role":"user","content":"hi"}],"metadata":` + nested("[", MaxDepth-1, "[]") + `}`, true},
	{"message content", `{"model":"a2a/x","messages":[{"role":"user","content":` + nested("[", MaxDepth, "") + `}]}`, true},
	{"content part member", `{"model":"a2a/x","messages":[{"role":"user","content":[{"type":"text","text":"a","x":` + nested("[{", MaxDepth, "0") + `}]}]}`, true},
	{"tool_calls", `{"model":"a2a/x","messages":[{"role":"assistant","tool_calls":[{"function":` + deepObject(MaxDepth) + `}]}]}`, true},
	{"an unknown member before the model", `{"x":` + nested("[", MaxDepth, "") + `,"model":"a2a/x","messages":[{"role":"user","content":"hi"}]}`, true},
	{"brackets in strings do not count", `{"model":"a2a/x","messages":[{"role":"user","content":"` + strings.Repeat("[{", MaxDepth) + `"}],"user":"\"` + strings.Repeat("[", MaxDepth) + `"}`, false},
	{"escaped quotes do not end a string", `{"model":"a2a/x","messages":[{"role":"user","content":"\\\"` + strings.Repeat("[", MaxDepth) + `\\"}]}`, false},
}

func TestParseRequestNesting(t *testing.T) {
	for _, tc := range nestingRequests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRequest([]byte(tc.body))
			switch {
			case tc.deep && !errors.Is(err, ErrTooDeep):
				t.Fatalf("ParseRequest(%.40q…) error = %v, want ErrTooDeep", tc.body, err)
			case tc.deep && !errors.Is(err, ErrInvalidJSON):
				t.Fatalf("ParseRequest(%.40q…) error = %v, want it to be an ErrInvalidJSON", tc.body, err)
			case !tc.deep && err != nil:
				t.Fatalf("ParseRequest(%.40q…) error = %v, want nil", tc.body, err)
			}
			if want := tc.deep; (nestingDepth([]byte(tc.body)) > MaxDepth) != want {
				t.Fatalf("nestingDepth(%.40q…) > MaxDepth = %t, want %t", tc.body, !want, want)
			}
		})
	}
}

func TestErrTooDeepMessage(t *testing.T) {
	if got, want := ErrTooDeep.Error(), "request body is nested deeper than 128 levels"; got != want {
		t.Fatalf("ErrTooDeep.Error() = %q, want %q", got, want)
	}
}

// nestingResponses are agent answers and stream events deeper than
// MaxDepth (or at it); they also seed FuzzReadResponse.
var nestingResponses = []struct {
	name string
	body string
	deep bool // ErrBadResponse; else read
}{
	{"6 MiB of [", strings.Repeat("[", 6<<20), true},
	{"4 MiB of [ in a result", `{"result":` + strings.Repeat("[", 4<<20), true},
	{"metadata at the bound", `{"result":{"kind":"task","id":"T","metadata":` + nested("[", MaxDepth-2, "1") + `}}`, false},
	{"metadata one past the bound", `{"result":{"kind":"task","id":"T","metadata":` + nested("[", MaxDepth-1, "1") + `}}`, true},
	{"metadata of deep objects", `{"result":{"kind":"task","id":"T","metadata":` + deepObject(MaxDepth) + `}}`, true},
	{"history of mixed nesting", `{"result":{"kind":"task","id":"T","history":` + nested("[{", MaxDepth, "{}") + `}}`, true},
	{"artifact part data", `{"result":{"kind":"artifact-update","taskId":"T","artifact":{"artifactId":"a","parts":[{"kind":"data","data":` + nested("{[", MaxDepth, "0") + `}]}}}`, true},
	{"artifact part data at the bound", `{"result":{"kind":"artifact-update","taskId":"T","artifact":{"artifactId":"a","parts":[{"kind":"data","data":` + nested("[", MaxDepth-5, "0") + `}]}}}`, false},
	{"task artifacts", `{"result":{"kind":"task","id":"T","artifacts":[{"parts":[{"data":` + nested("[", MaxDepth, "0") + `}]}]}}`, true},
	{"status message part", `{"result":{"kind":"status-update","taskId":"T","status":{"state":"working","message":{"parts":[{"text":` + nested("[", MaxDepth, "0") + `}]}}}}`, true},
	{"1.0 wrapper", `{"result":{"statusUpdate":{"taskId":"T","metadata":` + deepObject(MaxDepth) + `}}}`, true},
	{"a JSON-RPC error's data", `{"error":{"code":1,"message":"m","data":` + nested("[", MaxDepth, "") + `}}`, true},
	{"a member after the result", `{"result":{"kind":"task","id":"T"},"x":` + nested("[", MaxDepth, "") + `}`, true},
	{"parts as a deep object", `{"result":{"kind":"message","parts":` + deepObject(MaxDepth) + `}}`, true},
}

func TestReadResponseNesting(t *testing.T) {
	for _, tc := range nestingResponses {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadResponse([]byte(tc.body))
			if tc.deep != errors.Is(err, ErrBadResponse) || !tc.deep && err != nil {
				t.Fatalf("ReadResponse(%.40q…) error = %v, want ErrBadResponse: %t", tc.body, err, tc.deep)
			}
			if len(tc.body) < 1<<20 {
				checkReadResponseRef(t, []byte(tc.body))
			}
		})
	}
}

// nestingCards are cards deeper than MaxDepth (or at it); they also seed
// FuzzReadCard.
var nestingCards = []struct {
	name string
	card string
	deep bool
}{
	{"6 MiB of [", strings.Repeat("[", 6<<20), true},
	{"a skill one past the bound", `{"url":"http://a/rpc","skills":[` + deepObject(MaxDepth-1) + `]}`, true},
	{"a skill at the bound", `{"url":"http://a/rpc","skills":[` + deepObject(MaxDepth-2) + `]}`, false},
	{"capabilities", `{"url":"http://a/rpc","capabilities":{"extensions":` + nested("[", MaxDepth, "") + `}}`, true},
	{"an interface member", `{"supportedInterfaces":[{"url":"http://a/rpc","protocolBinding":"JSONRPC","protocolVersion":"1.0","x":` + nested("{[", MaxDepth, "0") + `}]}`, true},
}

func TestReadCardNesting(t *testing.T) {
	for _, tc := range nestingCards {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadCard([]byte(tc.card), "http://a/")
			switch {
			case tc.deep && (err == nil || !strings.Contains(err.Error(), "nested deeper than 128 levels")):
				t.Fatalf("ReadCard(%.40q…) error = %v, want nested deeper than 128 levels", tc.card, err)
			case !tc.deep && err != nil:
				t.Fatalf("ReadCard(%.40q…) error = %v, want nil", tc.card, err)
			}
		})
	}
}

func TestNestingDepth(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{``, 0},
		{`1`, 0},
		{`[]`, 1},
		{`[[1],{"a":{}}]`, 3},
		{`"[[["`, 0},
		{`"\"[["`, 0},
		{`["\\",[[]]]`, 3},
		{`]]][[[`, 0},
		{`[[[`, 3},
	} {
		if got := nestingDepth([]byte(tc.in)); got != tc.want {
			t.Errorf("nestingDepth(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}
