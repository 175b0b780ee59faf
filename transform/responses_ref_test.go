package transform

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/a2a-bridge/a2a-bridge/transform/internal/jsonenc"
	"github.com/a2a-bridge/a2a-bridge/transform/internal/jsonwalk"
	"github.com/tidwall/gjson"
)

// parseResponsesRef is ParseResponses as it was before it read the body's
// members in one pass: a gjson Get per member. FuzzParseResponsesRef holds
// the one-pass reader to it, result and error.
func parseResponsesRef(body []byte) (ResponsesRequest, error) {
	var r ResponsesRequest
	if ok, deep := jsonwalk.Check(body); deep {
		return r, ErrTooDeep
	} else if !ok {
		return r, ErrInvalidJSON
	}
	root := gjson.ParseBytes(body)
	if !root.IsObject() {
		return r, ErrInvalidJSON
	}
	if err := noDuplicates(root); err != nil {
		return r, err
	}
	if err := readHeadRef(&r, root); err != nil {
		return r, err
	}
	if err := readNamesRef(&r, root); err != nil {
		return r, err
	}
	r.Params = responsesParamsRef(root)
	if m := root.Get("metadata"); m.IsObject() {
		r.Metadata, _ = json.Marshal(json.RawMessage(m.Raw))
	}
	if nonEmpty(root.Get("tools")) {
		r.Unsupported = append(r.Unsupported, "tools")
	}
	switch root.Get("text.format.type").String() {
	case "json_schema", "json_object":
		r.Unsupported = append(r.Unsupported, "text.format")
	}
	input, refs, err := parseInput(root.Get("input"))
	if err != nil {
		return r, err
	}
	if r.Instructions != "" {
		r.Messages = append(r.Messages, Message{Role: "system", Text: r.Instructions})
	}
	for i := range refs {
		refs[i].at += len(r.Messages)
	}
	r.Messages, r.Refs = append(r.Messages, input...), refs
	r.IncludeUsage = true
	return r, nil
}

func readHeadRef(r *ResponsesRequest, root gjson.Result) error {
	model := root.Get("model")
	if model.Type != gjson.String || model.Str == "" {
		return badParam("model", "you must provide a model parameter, as a string such as \"a2a/echo\"")
	}
	r.Model = model.Str
	name, ok := strings.CutPrefix(r.Model, ModelPrefix)
	if !ok || name == "" {
		return &ModelError{Model: r.Model}
	}
	r.Agent = name
	var err error
	if r.Stream, err = optBool(root.Get("stream"), "stream"); err != nil {
		return err
	}
	r.Store = true
	if st := root.Get("store"); st.Exists() && st.Type != gjson.Null {
		if r.Store, err = optBool(st, "store"); err != nil {
			return err
		}
	}
	return nil
}

func readNamesRef(r *ResponsesRequest, root gjson.Result) error {
	for _, f := range []struct {
		param string
		dst   *string
	}{{"user", &r.User}, {"previous_response_id", &r.PreviousResponseID}, {"instructions", &r.Instructions}} {
		v := root.Get(f.param)
		if v.Exists() && v.Type != gjson.Null && v.Type != gjson.String {
			return badParam(f.param, "%s must be a string", f.param)
		}
		*f.dst = v.Str
	}
	for _, v := range []struct{ param, s string }{{"user", r.User}, {"previous_response_id", r.PreviousResponseID}} {
		if len(v.s) > MaxName {
			return badParam(v.param, "%s must be at most %d bytes, not %d", v.param, MaxName, len(v.s))
		}
	}
	return nil
}

func responsesParamsRef(root gjson.Result) []byte {
	var b []byte
	for _, p := range responsesParams {
		v := root.Get(p.from)
		if !v.Exists() || v.Type == gjson.Null {
			continue
		}
		if b == nil {
			b = append(b, '{')
		} else {
			b = append(b, ',')
		}
		b = append(jsonenc.AppendString(b, p.to), ':')
		b = appendValidUTF8(b, v.Raw)
	}
	if b == nil {
		return nil
	}
	return append(b, '}')
}

// FuzzParseResponsesRef: ParseResponses reads every body as
// parseResponsesRef does, a Get per member: the same request, or the
// same error.
func FuzzParseResponsesRef(f *testing.F) {
	for _, s := range responsesRefSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkParseResponsesRef(t, body)
	})
}

// responsesRefSeeds cover each member ParseResponses reads, and each of
// its refusals, in turn.
var responsesRefSeeds = []string{
	`{"model":"a2a/x","input":"hi"}`,
	`{"input":"hi","model":"a2a/x","stream":true,"store":false}`,
	`{"model":"a2a/x","input":"hi","store":null,"stream":null}`,
	`{"model":"a2a/x","input":"hi","store":"yes"}`,
	`{"model":"a2a/x","input":"hi","stream":1}`,
	`{"model":1,"input":"hi"}`,
	`{"model":"","input":"hi"}`,
	`{"model":"gpt-4o","input":"hi"}`,
	`{"model":"a2a/","input":"hi"}`,
	`{"input":"hi"}`,
	`{"model":"a2a/x","instructions":"Be terse.","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]}]}`,
	`{"model":"a2a/x","instructions":"Be terse.","input":[{"role":"user","content":"a"},{"type":"item_reference","id":"msg_1"}]}`,
	`{"model":"a2a/x","instructions":7,"input":"hi"}`,
	`{"model":"a2a/x","user":["u"],"previous_response_id":5,"input":"hi"}`,
	`{"model":"a2a/x","previous_response_id":5,"input":"hi"}`,
	`{"model":"a2a/x","user":"` + strings.Repeat("u", MaxName+1) + `","input":"hi"}`,
	`{"model":"a2a/x","previous_response_id":"` + strings.Repeat("r", MaxName+1) + `","input":"hi"}`,
	`{"model":"a2a/x","input":[{"type":"function_call_output","call_id":"c1","output":"42"}],"previous_response_id":"resp_1","store":false}`,
	`{"model":"a2a/x","input":"hi","tools":[{"type":"function","name":"f"}],"text":{"format":{"type":"json_object"}}}`,
	`{"model":"a2a/x","input":"hi","tools":[],"text":{"format":{"type":"json_schema"}}}`,
	`{"model":"a2a/x","input":"hi","tools":{},"text":{"format":{"type":"text"}}}`,
	`{"model":"a2a/x","input":"hi","text":"plain"}`,
	`{"model":"a2a/x","input":"hi","text":{"format":"json_object"}}`,
	`{"model":"a2a/x","input":"hi","metadata":{"k":"v"},"temperature":0.2,"max_output_tokens":5,"user":"u","top_p":null}`,
	`{"model":"a2a/x","input":"hi","top_p":1,"max_output_tokens":"\xff","temperature":[1,2]}`,
	`{"model":"a2a/x","input":"hi","metadata":[1]}`,
	`{"model":"a2a/x","input":"hi","metadata":null}`,
	`{"model":"a2a/x","input":"hi","metadata":{ "k" : "<v>\u2028" }}`,
	`{"model":"a2a/x","input":"hi","metadata":` + nested("[", MaxDepth+1, "1") + `}`,
	`{"model":"a2a/x","model":"a2a/y","input":"hi"}`,
	`{"model":"a2a/x","input":[{"type":"message","role":"user","content":[{"type":"input_image","image_url":"data:image/png;base64,AAAA"}]}]}`,
	`{"model":"a2a/x","input":[{"role":"user","content":"hi"},{"type":"item_reference","id":"msg_1"},{"id":"msg_2"},{"type":null,"id":"msg_3"}]}`,
	`{"model":"a2a/x","input":[]}`,
	`{"model":"a2a/x","input":5}`,
	`{"model":"a2a/x"}`,
	`{"m\u006fdel":"a2a/x","input":"hi"}`,
	`{"model":"a2a/x","input":"hi","\u0074ext":{"format":{"type":"json_object"}}}`,
	`[]`, `"x"`, `{`, ``, `{}`,
}

func checkParseResponsesRef(t *testing.T, body []byte) {
	t.Helper()
	got, err := ParseResponses(body)
	want, wantErr := parseResponsesRef(body)
	if (err == nil) != (wantErr == nil) || (err != nil && (err.Error() != wantErr.Error() || reflect.TypeOf(err) != reflect.TypeOf(wantErr))) {
		t.Fatalf("ParseResponses(%q) error = %v, want %v", body, err, wantErr)
	}
	var re, wantRe *RequestError
	if errors.As(err, &re) && errors.As(wantErr, &wantRe) && re.Param != wantRe.Param {
		t.Fatalf("ParseResponses(%q) param = %q, want %q", body, re.Param, wantRe.Param)
	}
	if err == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("ParseResponses(%q) =\n%+v\nwant\n%+v", body, got, want)
	}
}

// TestParseResponsesRef runs the fuzz target's seeds as a table.
func TestParseResponsesRef(t *testing.T) {
	for _, s := range responsesRefSeeds {
		t.Run(s[:min(len(s), 40)], func(t *testing.T) { checkParseResponsesRef(t, []byte(s)) })
	}
}

// TestResponsesParamIndexes holds the indexes ParseResponses reads user
// and metadata at to responsesParams.
func TestResponsesParamIndexes(t *testing.T) {
	for i, want := range map[int]string{userParam: "user", metadataParam: "metadata"} {
		if got := responsesParams[i].from; got != want {
			t.Errorf("responsesParams[%d].from = %q, want %q", i, got, want)
		}
	}
}
