package transform

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/a2a-bridge/a2a-bridge/transform/internal/jsonenc"
	"github.com/a2a-bridge/a2a-bridge/transform/internal/jsonwalk"
	"github.com/tidwall/gjson"
)

// The Responses API (POST /v1/responses) read into the values the chat
// path uses: its input items become Messages, its parameters Params, so
// that content parts, files, flattening and usage are shared code.

// ResponsesRequest is the part of a Responses API request the bridge uses.
type ResponsesRequest struct {
	Request // Messages: instructions (a system turn), then the input
	// Instructions is the system turn of this request alone: it is not
	// carried to the next turn of a conversation.
	Instructions       string
	PreviousResponseID string
	Store              bool // store, true unless the caller sent false
	// Metadata is the metadata object as encoding/json writes it
	// (compacted, HTML-escaped), or nil: it is echoed in every response
	// object, and an event's data holds no newline.
	Metadata []byte
	// Refs are the input's item_reference items, in order: each holds
	// the place of an assistant message in Messages, which ResolveRefs
	// fills with the text of the item it names.
	Refs []ItemRef
}

// responsesParams are passed to the agent under their chat names: the
// agent sees one vocabulary whichever door the caller used.
var responsesParams = [...]struct{ from, to string }{
	{"temperature", "temperature"}, {"top_p", "top_p"}, {"max_output_tokens", "max_tokens"},
	{"user", "user"}, {"metadata", "metadata"},
}

// ParseResponses reads a Responses API request body.
func ParseResponses(body []byte) (ResponsesRequest, error) {
	if ok, deep := jsonwalk.Check(body); deep {
		return ResponsesRequest{}, ErrTooDeep
	} else if !ok {
		return ResponsesRequest{}, ErrInvalidJSON
	}
	root := gjson.ParseBytes(body)
	if !root.IsObject() {
		return ResponsesRequest{}, ErrInvalidJSON
	}
	if err := noDuplicates(root); err != nil {
		return ResponsesRequest{}, err
	}
	f := readResponsesFields(root)
	var r ResponsesRequest
	if err := r.readHead(&f); err != nil {
		return r, err
	}
	if err := r.readNames(&f); err != nil {
		return r, err
	}
	r.Params = responsesParamsOf(&f.params)
	if m := f.params[metadataParam]; m.IsObject() {
		r.Metadata, _ = json.Marshal(json.RawMessage(m.Raw)) // valid: jsonwalk.Check said so
	}
	if nonEmpty(f.tools) {
		r.Unsupported = append(r.Unsupported, "tools")
	}
	switch f.formatType.String() {
	case "json_schema", "json_object":
		r.Unsupported = append(r.Unsupported, "text.format")
	}
	input, refs, err := parseInput(f.input)
	if err != nil {
		return r, err
	}
	if r.Instructions == "" {
		r.Messages = input // the input's own slice: no copy
	} else {
		r.Messages = append(make([]Message, 0, 1+len(input)), Message{Role: "system", Text: r.Instructions})
		r.Messages = append(r.Messages, input...)
		for i := range refs {
			refs[i].at++
		}
	}
	r.Refs = refs
	// Usage is part of every response object, streamed or not.
	r.IncludeUsage = true
	return r, nil
}

// responsesFields are the top-level members ParseResponses reads,
// gathered in one pass over the body, as requestFields are: each holds
// the first occurrence of its member, as gjson's Get does.
type responsesFields struct {
	model, stream, store, previousResponseID, instructions, tools, input gjson.Result
	formatType                                                           gjson.Result // text.format.type
	params                                                               [len(responsesParams)]gjson.Result
}

// The indexes in responsesParams of the members ParseResponses reads
// itself too.
const (
	userParam     = 3
	metadataParam = 4
)

func readResponsesFields(root gjson.Result) responsesFields {
	var f responsesFields
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "model":
			first(&f.model, v)
		case "stream":
			first(&f.stream, v)
		case "store":
			first(&f.store, v)
		case "previous_response_id":
			first(&f.previousResponseID, v)
		case "instructions":
			first(&f.instructions, v)
		case "tools":
			first(&f.tools, v)
		case "input":
			first(&f.input, v)
		case "text":
			firstIn(&f.formatType, v, "format.type")
		}
		for i, p := range responsesParams {
			if k.Str == p.from {
				first(&f.params[i], v)
			}
		}
		return true
	})
	return f
}

// readHead reads model, stream and store.
func (r *ResponsesRequest) readHead(f *responsesFields) error {
	if f.model.Type != gjson.String || f.model.Str == "" {
		return badParam("model", "you must provide a model parameter, as a string such as \"a2a/echo\"")
	}
	r.Model = f.model.Str
	name, ok := strings.CutPrefix(r.Model, ModelPrefix)
	if !ok || name == "" {
		return &ModelError{Model: r.Model}
	}
	r.Agent = name
	var err error
	if r.Stream, err = optBool(f.stream, "stream"); err != nil {
		return err
	}
	r.Store = true
	if st := f.store; st.Exists() && st.Type != gjson.Null {
		if r.Store, err = optBool(st, "store"); err != nil {
			return err
		}
	}
	return nil
}

// readNames reads the names the bridge keeps or echoes, each bounded.
func (r *ResponsesRequest) readNames(f *responsesFields) error {
	var err error
	if r.User, err = optString(f.params[userParam], "user"); err != nil {
		return err
	}
	if r.PreviousResponseID, err = optString(f.previousResponseID, "previous_response_id"); err != nil {
		return err
	}
	if r.Instructions, err = optString(f.instructions, "instructions"); err != nil {
		return err
	}
	if len(r.User) > MaxName {
		return badParam("user", "user must be at most %d bytes, not %d", MaxName, len(r.User))
	}
	if len(r.PreviousResponseID) > MaxName {
		return badParam("previous_response_id", "previous_response_id must be at most %d bytes, not %d", MaxName, len(r.PreviousResponseID))
	}
	return nil
}

// optString reads a member that is a string, null or absent ("").
func optString(v gjson.Result, param string) (string, error) {
	if v.Exists() && v.Type != gjson.Null && v.Type != gjson.String {
		return "", badParam(param, "%s must be a string", param)
	}
	return v.Str, nil
}

// responsesParamsOf gathers the parameters passed to the agent, in the
// order of responsesParams.
func responsesParamsOf(vals *[len(responsesParams)]gjson.Result) []byte {
	var b []byte
	for i, v := range vals {
		if !v.Exists() || v.Type == gjson.Null {
			continue
		}
		if b == nil {
			b = append(b, '{')
		} else {
			b = append(b, ',')
		}
		b = append(jsonenc.AppendString(b, responsesParams[i].to), ':')
		b = appendValidUTF8(b, v.Raw)
	}
	if b == nil {
		return nil
	}
	return append(b, '}')
}

// ItemRef is an item_reference input item: the id of an item of an
// earlier response (the output message of one the bridge stored).
type ItemRef struct {
	ID    string // the item's id, "msg_..."
	Param string // where it is: "input[2].id"
	at    int    // its message's index in Messages
}

// ResolveRefs fills the place of each of r's item references with the
// text the bridge kept of the item it names, which text returns; a ref
// text does not know (false) is an error naming its param.
func (r *ResponsesRequest) ResolveRefs(text func(id string) (string, bool)) error {
	for _, ref := range r.Refs {
		t, ok := text(ref.ID)
		if !ok {
			return &ItemRefError{Ref: ref}
		}
		r.Messages[ref.at].Text = t
	}
	return nil
}

// ItemRefError is an item reference to no item the caller may read.
type ItemRefError struct{ Ref ItemRef }

func (e *ItemRefError) Error() string {
	return "Item with id " + strconv.Quote(e.Ref.ID) + " (" + e.Ref.Param + ") not found: an item_reference names the output message " +
		"of a response of this API key the bridge still stores (not store: false, not deleted, not expired)."
}

// parseInput reads input: a string (one user turn) or an array of items.
func parseInput(in gjson.Result) ([]Message, []ItemRef, error) {
	switch {
	case in.Type == gjson.String:
		return []Message{{Role: "user", Text: in.Str}}, nil, nil
	case !in.IsArray():
		return nil, nil, badParam("input", "input must be a string or a non-empty array of input items")
	}
	var msgs []Message
	var refs []ItemRef
	var err error
	n := 0
	in.ForEach(func(_, item gjson.Result) bool {
		var m Message
		var keep bool
		if id, ok := itemRef(item); ok {
			var ref ItemRef
			if ref, err = readItemRef(n, id); err == nil {
				ref.at = len(msgs)
				refs = append(refs, ref)
				msgs = append(msgs, Message{Role: "assistant"})
			}
		} else if m, keep, err = parseItem(n, item); keep {
			msgs = append(msgs, m)
		}
		n++
		return err == nil
	})
	if err == nil && len(msgs) == 0 {
		err = badParam("input", "input must be a string or a non-empty array of input items")
	}
	return msgs, refs, err
}

// itemRef reports whether item is an item_reference, and gives its id: of
// type item_reference, or, as the SDKs' types allow, of no type, no role
// and an id.
func itemRef(item gjson.Result) (gjson.Result, bool) {
	typ := item.Get("type")
	switch {
	case typ.Type == gjson.String && typ.Str == "item_reference":
	case (!typ.Exists() || typ.Type == gjson.Null) && item.IsObject() && !item.Get("role").Exists() && item.Get("id").Exists():
	default:
		return gjson.Result{}, false
	}
	return item.Get("id"), true
}

// readItemRef reads the id of the item_reference input[i].
func readItemRef(i int, id gjson.Result) (ItemRef, error) {
	param := inputAt(i) + ".id"
	switch {
	case id.Type != gjson.String || id.Str == "":
		return ItemRef{}, badParam(param, "%s must be the id of an item, a string", param)
	case len(id.Str) > MaxName:
		return ItemRef{}, badParam(param, "%s must be at most %d bytes, not %d", param, MaxName, len(id.Str))
	}
	return ItemRef{ID: id.Str, Param: param}, nil
}

// OutputMessage reads the id and text of the output message of a response
// object (Response's), if it has one.
func OutputMessage(response []byte) (id, text string, ok bool) {
	item := gjson.GetBytes(response, "output.0")
	if item.Get("type").Str != "message" {
		return "", "", false
	}
	return item.Get("id").Str, item.Get("content.0.text").Str, true
}

// parseItem reads input item i: a message (typed or not), a function call
// or its output. Reasoning items carry nothing an agent reads: skipped.
func parseItem(i int, item gjson.Result) (Message, bool, error) {
	param := inputAt(i)
	if !item.IsObject() {
		return Message{}, false, badParam(param, "%s must be an object", param)
	}
	switch typ := item.Get("type").String(); typ {
	case "message", "":
		m, err := itemMessage(i, item)
		return m, err == nil, err
	case "function_call":
		return Message{Role: "assistant", Text: callText(item.Get("call_id").String(), item)}, true, nil
	case "function_call_output":
		return Message{Role: "tool", ToolCallID: item.Get("call_id").String(), Text: callOutput(item.Get("output"))}, true, nil
	case "reasoning":
		return Message{}, false, nil
	default:
		return Message{}, false, badParam(param+".type", "input items of type %q cannot be sent to an A2A agent", typ)
	}
}

// itemMessage reads a message item: its content as on the chat path, with
// the Responses part names (input_text, output_text, input_image,
// input_file) mapped to the chat ones.
func itemMessage(i int, item gjson.Result) (Message, error) {
	role := item.Get("role").String()
	if role != "user" && role != "assistant" && role != "system" && role != "developer" {
		return Message{}, badParam(inputAt(i)+".role", "%s.role must be one of user, assistant, system, developer", inputAt(i))
	}
	text, files, err := itemContent(i, item.Get("content"))
	return Message{Role: role, Text: text, Files: files}, err
}

// itemContent reads a message item's content: a string or parts.
func itemContent(i int, c gjson.Result) (string, []File, error) {
	if c.Type == gjson.String || !c.IsArray() {
		text, files, err := contentText(at{msg: i, part: -1}, c)
		return text, files, asInput(err)
	}
	var texts []string
	var files []File
	var err error
	n := 0
	c.ForEach(func(_, p gjson.Result) bool {
		var t string
		var f *File
		if t, f, err = inputPart(at{msg: i, part: n}, p); err != nil {
			return false
		}
		texts = append(texts, t)
		if f != nil {
			files = append(files, *f)
		}
		n++
		return true
	})
	return strings.Join(texts, "\n"), files, asInput(err)
}

// inputPart reads one content part of a Responses message.
func inputPart(a at, p gjson.Result) (string, *File, error) {
	switch typ := p.Get("type").String(); typ {
	case "output_text":
		return p.Get("text").String(), nil, nil
	case "input_image":
		if p.Get("image_url").String() == "" {
			return "", nil, badParam(a.String()+".image_url", "only an image_url can be sent to an A2A agent (a file_id cannot be resolved)")
		}
		f, err := urlFile(a, ".image_url", p.Get("image_url").String(), "image")
		if err != nil {
			return "", nil, err
		}
		return "[image: " + describe(f) + "]", f, nil
	case "input_file":
		return filePart(a, p)
	}
	return partText(a, p)
}

// callOutput is a function_call_output's output: a string, or parts.
func callOutput(o gjson.Result) string {
	if !o.IsArray() {
		return o.String()
	}
	var texts []string
	o.ForEach(func(_, p gjson.Result) bool {
		texts = append(texts, p.Get("text").String())
		return true
	})
	return strings.Join(texts, "\n")
}

func inputAt(i int) string {
	return strings.Replace(at{msg: i, part: -1}.String(), "messages", "input", 1)
}

// asInput renames the parameter of a chat-path error ("messages[0]...")
// after the Responses API's ("input[0]...").
func asInput(err error) error {
	var re *RequestError
	if errors.As(err, &re) {
		return &RequestError{Param: strings.Replace(re.Param, "messages", "input", 1),
			Msg: strings.ReplaceAll(re.Msg, "messages[", "input[")}
	}
	return err
}
