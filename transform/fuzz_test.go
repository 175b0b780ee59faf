package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"
	"github.com/tidwall/gjson"

	"github.com/a2a-bridge/a2a-bridge/transform/internal/jsonwalk"
)

// FuzzParseRequest feeds request bodies to ParseRequest, seeded from the
// tables and the nesting table. Invariants: no panic; a body deeper than
// MaxDepth is refused as ErrTooDeep before gjson sees it; an error is one
// of the three kinds bridge maps; an accepted request names an a2a/ agent,
// holds messages and a user of at most MaxName bytes; the text built from
// it goes out as valid JSON that decodes back to it, and the message with
// its params and files as valid UTF-8 and valid JSON.
func FuzzParseRequest(f *testing.F) {
	for _, tc := range parseRequestTests {
		f.Add([]byte(tc.body))
	}
	for _, tc := range parseRequestErrorTests {
		f.Add([]byte(tc.body))
	}
	for _, tc := range nestingRequests {
		if len(tc.body) <= maxNestingSeed {
			f.Add([]byte(tc.body))
		}
	}
	for _, tc := range paramsUTF8Tests {
		f.Add([]byte(paramsBody(tc.params)))
	}
	addGoldenSeeds(f, "request", "openai.request.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		checkNesting(t, body)
		req, err := ParseRequest(body)
		if err != nil {
			checkRequestError(t, body, err)
			return
		}
		if !strings.HasPrefix(req.Model, ModelPrefix) || req.Agent == "" || req.Model != ModelPrefix+req.Agent {
			t.Fatalf("ParseRequest(%q) = Model %q Agent %q, want Model = %q + a non-empty Agent", body, req.Model, req.Agent, ModelPrefix)
		}
		if len(req.Messages) == 0 {
			t.Fatalf("ParseRequest(%q) accepted no messages", body)
		}
		for i, m := range req.Messages {
			if !knownRoles[m.Role] {
				t.Fatalf("ParseRequest(%q).Messages[%d].Role = %q, not a known role", body, i, m.Role)
			}
		}
		// Re-parsing is stable.
		if again, err := ParseRequest(body); err != nil || !reflect.DeepEqual(again, req) {
			t.Fatalf("ParseRequest(%q) is not deterministic: %+v, %v then %+v", body, req, err, again)
		}
		if len(req.User) > MaxName {
			t.Fatalf("ParseRequest(%q).User is %d bytes, past MaxName", body, len(req.User))
		}
		checkSendRequestValid(t, req)
		text := Flatten(req.Messages)
		for _, d := range []Dialect{V03, V10} {
			out := SendRequest(Send{Dialect: d, Stream: req.Stream, RPCID: "1", MessageID: "m", Text: text})
			if !json.Valid(out) {
				t.Fatalf("SendRequest(%q) = %s; want valid JSON", text, out)
			}
			var back struct {
				Params struct {
					Message struct {
						Parts []struct{ Text string }
					}
				}
			}
			if err := json.Unmarshal(out, &back); err != nil || len(back.Params.Message.Parts) != 1 {
				t.Fatalf("SendRequest(%q) = %s does not decode to one part: %v", text, out, err)
			}
			if got := back.Params.Message.Parts[0].Text; utf8.ValidString(text) && got != text {
				t.Fatalf("SendRequest(%q) carries text %q", text, got)
			}
		}
	})
}

// addGoldenSeeds adds section name of every golden file of kind as a seed.
func addGoldenSeeds(f *testing.F, kind, name string) {
	files, _ := filepath.Glob(filepath.Join(goldenDir, kind, "*.txtar"))
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		if in, ok := parseArchive(b).get(name); ok {
			f.Add(in)
		}
	}
}

// maxNestingSeed bounds the nesting tables' bodies that seed the fuzz
// targets: the 6 MiB ones are for the tables alone.
const maxNestingSeed = 16 << 10

// checkNesting checks that checkJSON, the walk every parse of outside
// JSON starts with, finds body valid exactly when gjson.ValidBytes does if
// body is no deeper than MaxDepth, and refuses it if deeper (for its depth,
// unless a mistake comes first).
func checkNesting(t *testing.T, body []byte) {
	t.Helper()
	ok, deep := jsonwalk.Check(body)
	if depth := nestingDepth(body); depth > MaxDepth {
		// Refused: for its depth, or for a mistake before it.
		if ok {
			t.Fatalf("jsonwalk.Check(%.64q…) = true for a body %d levels deep", body, depth)
		}
	} else if want := gjson.ValidBytes(body); ok != want || deep {
		t.Fatalf("jsonwalk.Check(%q) = %t, %t; gjson.ValidBytes = %t", body, ok, deep, want)
	}
}

func checkRequestError(t *testing.T, body []byte, err error) {
	t.Helper()
	var re *RequestError
	var me *ModelError
	switch {
	case errors.Is(err, ErrTooDeep):
		if depth := nestingDepth(body); depth <= MaxDepth {
			t.Fatalf("ParseRequest(%q) = ErrTooDeep for a body %d levels deep", body, depth)
		}
	case errors.Is(err, ErrInvalidJSON):
		var v any
		if json.Unmarshal(body, &v) == nil {
			if _, isObject := v.(map[string]any); isObject {
				t.Fatalf("ParseRequest(%q) = ErrInvalidJSON for a JSON object", body)
			}
		}
	case errors.As(err, &re):
		if re.Param == "" || re.Msg == "" {
			t.Fatalf("ParseRequest(%q) error = %+v, want a param and a message", body, re)
		}
		if !json.Valid(ErrorBody(re.Msg, "invalid_request_error", re.Param, "")) {
			t.Fatalf("ErrorBody of %+v is not valid JSON", re)
		}
	case errors.As(err, &me):
		if strings.HasPrefix(me.Model, ModelPrefix) && len(me.Model) > len(ModelPrefix) {
			t.Fatalf("ParseRequest(%q) = %v for a well-formed model name", body, err)
		}
	default:
		t.Fatalf("ParseRequest(%q) error = %T %v, want ErrInvalidJSON, *RequestError or *ModelError", body, err, err)
	}
}

// FuzzReadResponse feeds agent answers and stream event data to
// ReadResponse, seeded from the tables, the golden files and the tricky
// seeds. Invariants: ReadResponse returns what ReadResponseRef (the gjson
// reader it replaced) returns, and no string of its Event points into the
// body; no panic; the error is ErrBadResponse or *RPCError; an Event's Kind
// and State are known values, its ids valid names (MaxName); the OpenAI
// objects written from it are valid JSON.
func FuzzReadResponse(f *testing.F) {
	for _, tc := range readResponseTests {
		f.Add([]byte(tc.body))
	}
	for _, tc := range readResponseErrorTests {
		f.Add([]byte(tc.body))
	}
	addGoldenSeeds(f, "result", "a2a.result.json")
	for _, s := range readResponseTrickySeeds {
		f.Add([]byte(s))
	}
	for _, tc := range nestingResponses {
		if len(tc.body) <= maxNestingSeed {
			f.Add([]byte(tc.body))
		}
	}
	for _, tc := range idTests {
		f.Add([]byte(tc.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkReadResponseRef(t, body)
		ev, err := ReadResponse(body)
		if err != nil {
			var re *RPCError
			if !errors.Is(err, ErrBadResponse) && !errors.As(err, &re) {
				t.Fatalf("ReadResponse(%q) error = %T %v, want ErrBadResponse or *RPCError", body, err, err)
			}
			if !reflect.DeepEqual(ev, Event{}) {
				t.Fatalf("ReadResponse(%q) = %+v with error %v, want the zero Event", body, ev, err)
			}
			return
		}
		if !validIDs(&ev) {
			t.Fatalf("ReadResponse(%q) = %+v, keeping an id past MaxName or with a control byte", body, ev)
		}
		if ev.Kind < KindUnknown || ev.Kind > KindArtifact {
			t.Fatalf("ReadResponse(%q).Kind = %d, not a known Kind", body, ev.Kind)
		}
		if !knownState(ev.State) {
			t.Fatalf("ReadResponse(%q).State = %q, not a known State", body, ev.State)
		}
		if ev.Kind == KindArtifact && len(ev.Artifacts) != 1 {
			t.Fatalf("ReadResponse(%q) artifact update carries %d artifacts, want 1", body, len(ev.Artifacts))
		}
		if again, _ := ReadResponse(body); !reflect.DeepEqual(again, ev) {
			t.Fatalf("ReadResponse(%q) is not deterministic: %+v then %+v", body, ev, again)
		}
		answer := answerOf(ev)
		m := Meta{ID: "chatcmpl-f", Created: 1, Model: "a2a/f", Ext: &Ext{TaskID: ev.TaskID, ContextID: ev.ContextID, State: ev.State}}
		for _, out := range [][]byte{
			Completion(m, answer, CountUsage("p", answer)),
			Chunk(m, TextDelta(answer), "", true),
			Chunk(m, Delta{}, openai.FinishReasonStop, false),
			UsageChunk(m, CountUsage("p", answer)),
			ErrorBody(answer, "agent_error", "", ""),
		} {
			if !json.Valid(out) {
				t.Fatalf("output for ReadResponse(%q) = %s, not valid JSON", body, out)
			}
		}
	})
}

// checkReadResponseRef checks that ReadResponse returns for body what the
// reference returns: the same Event (compared after body is overwritten, so
// an Event pointing into it fails) and the same error; and that its walk
// finds body valid exactly when gjson.ValidBytes does, for a body no deeper
// than MaxDepth (deeper, the walk refuses it and gjson is not asked: its
// validator recurses once per level).
func checkReadResponseRef(t *testing.T, body []byte) {
	t.Helper()
	r := reader{jsonwalk.New(body)}
	valid := r.response(new(response))
	if depth := nestingDepth(body); depth > MaxDepth {
		if valid {
			t.Fatalf("reader.response(%.64q…) = true for a body %d levels deep", body, depth)
		}
	} else if want := gjson.ValidBytes(body); valid != want {
		t.Fatalf("reader.response(%q) = %t, gjson.ValidBytes = %t", body, valid, want)
	}
	want, wantErr := ReadResponseRef(body)
	b := bytes.Clone(body)
	ev, err := ReadResponse(b)
	for i := range b {
		b[i] = '#'
	}
	if !reflect.DeepEqual(ev, want) {
		t.Fatalf("ReadResponse(%q)\n = %#v\nwant %#v (the reference)", body, ev, want)
	}
	if !sameError(err, wantErr) {
		t.Fatalf("ReadResponse(%q) error = %#v, want %#v (the reference)", body, err, wantErr)
	}
}

// sameError reports whether a and b are both nil, both ErrBadResponse, or
// both *RPCError with equal fields.
func sameError(a, b error) bool {
	var ra, rb *RPCError
	if errors.As(a, &ra) && errors.As(b, &rb) {
		return *ra == *rb
	}
	return a == b
}

func knownState(s State) bool {
	switch s {
	case "", StateUnknown, StateSubmitted, StateWorking, StateCompleted, StateFailed,
		StateCanceled, StateInputRequired, StateRejected, StateAuthRequired:
		return true
	}
	return false
}

// FuzzReadCard feeds agent cards to ReadCard. Invariants: no panic; a card
// deeper than MaxDepth is refused, and only such a card for its depth; an
// accepted card has an absolute
// http(s) endpoint.
func FuzzReadCard(f *testing.F) {
	for _, tc := range readCardTests {
		f.Add([]byte(tc.card), tc.base)
	}
	for _, tc := range nestingCards {
		if len(tc.card) <= maxNestingSeed {
			f.Add([]byte(tc.card), "http://a/")
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, base string) {
		checkNesting(t, body)
		c, err := ReadCard(body, base)
		if depth := nestingDepth(body); errors.Is(err, errCardTooDeep) && depth <= MaxDepth || depth > MaxDepth && err == nil {
			t.Fatalf("ReadCard(%.64q…) error = %v for a card %d levels deep", body, err, depth)
		}
		if err != nil {
			return
		}
		if !strings.HasPrefix(c.Endpoint, "http://") && !strings.HasPrefix(c.Endpoint, "https://") {
			t.Fatalf("ReadCard(%q, %q).Endpoint = %q, want an absolute http(s) URL", body, base, c.Endpoint)
		}
		if c.Dialect != V03 && c.Dialect != V10 {
			t.Fatalf("ReadCard(%q, %q).Dialect = %d, not a known Dialect", body, base, c.Dialect)
		}
	})
}
