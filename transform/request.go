package transform

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/a2a-bridge/a2a-bridge/transform/internal/jsonwalk"
)

// ModelPrefix starts every model name the bridge serves: "a2a/<agent>".
const ModelPrefix = "a2a/"

// ErrInvalidJSON is returned by ParseRequest for a body that is not one JSON object.
var ErrInvalidJSON = errors.New("request body is not a valid JSON object")

// RequestError is a client mistake in a request body, naming the parameter at fault.
type RequestError struct {
	Param string // the OpenAI parameter path, e.g. "messages[2].content"
	Msg   string // what is wrong, fit to show the client
}

func (e *RequestError) Error() string { return e.Msg }

func badParam(param, format string, args ...any) error {
	return &RequestError{Param: param, Msg: fmt.Sprintf(format, args...)}
}

// Request is the part of an OpenAI chat-completions request the bridge uses.
type Request struct {
	Model        string    // as the caller wrote it, echoed in answers
	Agent        string    // the agent name: Model without ModelPrefix
	Messages     []Message // the conversation, in order
	Stream       bool
	IncludeUsage bool // stream_options.include_usage
	// Params holds the sampling and caller parameters an agent may use
	// (temperature, max_tokens, stop, user, metadata, ...) as one JSON
	// object, or nil; they go to the agent in the message metadata.
	Params []byte
	// Unsupported names the fields an A2A agent cannot honour (tools,
	// functions, a JSON response_format) that the request carries.
	Unsupported []string
	// User is the OpenAI user field, part of a conversation's name.
	User string
}

// PassedParams are the request fields passed to the agent, as they are,
// under the message metadata key "openai".
var PassedParams = passedParams[:]

// passedParams is an array so that its length can size requestFields.params.
var passedParams = [...]string{"temperature", "top_p", "max_tokens", "max_completion_tokens", "stop", "seed", "user", "metadata",
	"presence_penalty", "frequency_penalty", "reasoning_effort"}

// Message is one turn of the conversation, reduced to text.
type Message struct {
	Role       string
	Name       string
	ToolCallID string
	Text       string
	Files      []File // image_url and file parts, also named in Text
}

// File is a file or image a message carries: by URI, or inline (base64).
type File struct {
	Name      string
	MediaType string
	URI       string
	Data      string // base64
}

// ParseRequest reads an OpenAI chat-completions request body. It checks the
// fields the bridge needs and ignores the others; whatever a message holds
// is kept as text (see Flatten), and a content part it cannot carry is an
// error, never silently dropped.
func ParseRequest(body []byte) (Request, error) {
	if ok, deep := jsonwalk.Check(body); deep {
		return Request{}, ErrTooDeep
	} else if !ok {
		return Request{}, ErrInvalidJSON
	}
	root := gjson.ParseBytes(body)
	if !root.IsObject() {
		return Request{}, ErrInvalidJSON
	}
	if err := noDuplicates(root); err != nil {
		return Request{}, err
	}
	f := readFields(root)
	var r Request
	if f.model.Type != gjson.String || f.model.Str == "" {
		return r, badParam("model", "you must provide a model parameter, as a string such as \"a2a/echo\"")
	}
	r.Model = f.model.Str
	name, ok := strings.CutPrefix(r.Model, ModelPrefix)
	if !ok || name == "" {
		return r, &ModelError{Model: r.Model}
	}
	r.Agent = name
	var err error
	if r.Stream, err = optBool(f.stream, "stream"); err != nil {
		return r, err
	}
	if r.IncludeUsage, err = optBool(f.includeUsage, "stream_options.include_usage"); err != nil {
		return r, err
	}
	if n := f.n; n.Exists() && n.Type != gjson.Null && (n.Type != gjson.Number || n.Float() != 1) {
		return r, badParam("n", "n must be 1: an A2A agent gives one answer per request")
	}
	r.Params = params(&f.params)
	if r.User = f.user.String(); len(r.User) > MaxName {
		return r, badParam("user", "user must be at most %d bytes, not %d", MaxName, len(r.User))
	}
	r.Unsupported = unsupported(&f)
	r.Messages, err = parseMessages(f.messages, body)
	return r, err
}

// requestFields are the top-level members ParseRequest reads, gathered in
// one pass over the body: a gjson Get per member would skip the whole
// messages array, most of a long conversation, once per member. Each holds
// the first occurrence of its member, as Get does.
type requestFields struct {
	model, stream, n, user, messages, tools, functions gjson.Result
	includeUsage, formatType                           gjson.Result // stream_options.include_usage, response_format.type
	params                                             [len(passedParams)]gjson.Result
}

func readFields(root gjson.Result) requestFields {
	var f requestFields
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "model":
			first(&f.model, v)
		case "stream":
			first(&f.stream, v)
		case "n":
			first(&f.n, v)
		case "user":
			first(&f.user, v)
		case "messages":
			first(&f.messages, v)
		case "tools":
			first(&f.tools, v)
		case "functions":
			first(&f.functions, v)
		case "stream_options":
			firstIn(&f.includeUsage, v, "include_usage")
		case "response_format":
			firstIn(&f.formatType, v, "type")
		}
		for i, p := range passedParams {
			if k.Str == p {
				first(&f.params[i], v)
			}
		}
		return true
	})
	return f
}

// first keeps the first occurrence of a member, as gjson.Get does.
func first(dst *gjson.Result, v gjson.Result) {
	if !dst.Exists() {
		*dst = v
	}
}

// firstIn keeps the first member sub of v, for the path "<k>.sub" where v
// is a member k: gjson's Get goes into each member k that is an object (or
// array) in turn, until one holds sub.
func firstIn(dst *gjson.Result, v gjson.Result, sub string) {
	if !dst.Exists() && v.Type == gjson.JSON {
		*dst = v.Get(sub)
	}
}

// params gathers the PassedParams present into one JSON object, in their
// fixed order, with invalid UTF-8 in their strings replaced by U+FFFD.
func params(vals *[len(passedParams)]gjson.Result) []byte {
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
		b = append(append(append(b, '"'), passedParams[i]...), '"', ':')
		if utf8.ValidString(v.Raw) {
			b = append(b, v.Raw...)
		} else {
			b = appendValidUTF8(b, v.Raw)
		}
	}
	if b == nil {
		return nil
	}
	return append(b, '}')
}

// unsupported lists the fields that ask for what an agent cannot do: call
// the client's tools, or answer in a guaranteed JSON shape.
func unsupported(f *requestFields) []string {
	var out []string
	if nonEmpty(f.tools) {
		out = append(out, "tools")
	}
	if nonEmpty(f.functions) {
		out = append(out, "functions")
	}
	switch f.formatType.String() {
	case "json_schema", "json_object":
		out = append(out, "response_format")
	}
	return out
}

// nonEmpty reports whether v is an array with an element, without
// Array's Result per element (80 bytes for each "0," of a tools list).
func nonEmpty(v gjson.Result) bool {
	found := false
	if v.IsArray() {
		v.ForEach(func(_, _ gjson.Result) bool { found = true; return false })
	}
	return found
}

// ModelError is a model name that is not "a2a/<agent>" of a known agent.
type ModelError struct{ Model string }

func (e *ModelError) Error() string {
	return fmt.Sprintf("the model %q does not exist; models are named %s<agent>, see GET /v1/models", e.Model, ModelPrefix)
}

func optBool(v gjson.Result, path string) (bool, error) {
	switch v.Type {
	case gjson.Null:
		return false, nil
	case gjson.True, gjson.False:
		return v.Bool(), nil
	}
	return false, badParam(path, "%s must be a boolean", path)
}

// parseMessages reads the messages array list of body.
func parseMessages(list gjson.Result, body []byte) ([]Message, error) {
	if !list.IsArray() {
		return nil, badParam("messages", "messages must be a non-empty array")
	}
	var msgs []Message
	var err error
	list.ForEach(func(_, m gjson.Result) bool {
		if len(msgs) == manyMessages {
			msgs = slices.Grow(msgs, max(jsonwalk.Elements(within(body, list))-len(msgs), 0))
		}
		var msg Message
		msg, err = parseMessage(at{msg: len(msgs), part: -1}, m)
		msgs = append(msgs, msg)
		return err == nil
	})
	if err != nil {
		return nil, err
	}
	if len(msgs) == 0 {
		return nil, badParam("messages", "messages must be a non-empty array")
	}
	return msgs, nil
}

// at is where a message, or a part of its content, sits in a request. It
// names the parameter of an error ("messages[2].content[0]"), and is
// formatted only then: a conversation is read without a string per message.
type at struct {
	msg, part int // part < 0: the message itself
}

func (a at) String() string {
	if a.part < 0 {
		return fmt.Sprintf("messages[%d]", a.msg)
	}
	return fmt.Sprintf("messages[%d].content[%d]", a.msg, a.part)
}

var knownRoles = map[string]bool{
	"system": true, "developer": true, "user": true, "assistant": true, "tool": true, "function": true,
}

// messageFields are the members of a message, gathered in one pass: a Get
// per member would skip its content, the bulk of a message, each time.
// Each holds the first occurrence of its member, as Get does.
type messageFields struct {
	role, content, toolCalls, functionCall, name, toolCallID gjson.Result
}

func parseMessage(a at, m gjson.Result) (Message, error) {
	if !m.IsObject() {
		return Message{}, badParam(a.String(), "%s must be an object with a role and content", a)
	}
	var f messageFields
	m.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "role":
			first(&f.role, v)
		case "content":
			first(&f.content, v)
		case "tool_calls":
			first(&f.toolCalls, v)
		case "function_call":
			first(&f.functionCall, v)
		case "name":
			first(&f.name, v)
		case "tool_call_id":
			first(&f.toolCallID, v)
		}
		return true
	})
	role := f.role.String()
	if !knownRoles[role] {
		return Message{}, badParam(a.String()+".role", "%s.role must be one of system, developer, user, assistant, tool, function", a)
	}
	text, files, err := contentText(a, f.content)
	if err != nil {
		return Message{}, err
	}
	if calls := toolCallsText(f.toolCalls); calls != "" {
		text = joinNonEmpty(text, calls)
	}
	if fc := f.functionCall; fc.IsObject() {
		text = joinNonEmpty(text, callText("", fc))
	}
	return Message{
		Role:       role,
		Name:       f.name.String(),
		ToolCallID: f.toolCallID.String(),
		Text:       text,
		Files:      files,
	}, nil
}

// contentText reduces the content of message a (a string, null, or an
// array of parts) to text, and the files it carries. Text parts are joined
// with a newline; an image or file is named in the text where it stands,
// and returned to be sent as an A2A file part; parts that cannot be
// carried at all are refused.
func contentText(a at, c gjson.Result) (string, []File, error) {
	switch {
	case c.Type == gjson.String:
		return c.Str, nil, nil
	case c.Type == gjson.Null:
		return "", nil, nil
	case !c.IsArray():
		param := a.String() + ".content"
		return "", nil, badParam(param, "%s must be a string or an array of content parts", param)
	}
	var one string // the text of a lone part, as it is
	var text strings.Builder
	var files []File
	var err error
	n := 0
	c.ForEach(func(_, p gjson.Result) bool {
		var t string
		var f *File
		if t, f, err = partText(at{msg: a.msg, part: n}, p); err != nil {
			return false
		}
		switch n++; n {
		case 1:
			one = t
		case 2:
			text.WriteString(one)
			fallthrough
		default:
			text.WriteByte('\n')
			text.WriteString(t)
		}
		if f != nil {
			files = append(files, *f)
		}
		return true
	})
	switch {
	case err != nil:
		return "", nil, err
	case n == 1:
		return one, files, nil
	}
	return text.String(), files, nil
}

// partText reads content part a.
func partText(a at, p gjson.Result) (string, *File, error) {
	switch typ := p.Get("type").String(); typ {
	case "text", "input_text":
		return p.Get("text").String(), nil, nil
	case "refusal":
		return p.Get("refusal").String(), nil, nil
	case "image_url":
		f, err := urlFile(a, ".image_url.url", p.Get("image_url.url").String(), "image")
		if err != nil {
			return "", nil, err
		}
		return fmt.Sprintf("[image: %s]", describe(f)), f, nil
	case "file":
		return filePart(a, p.Get("file"))
	case "":
		return "", nil, badParam(a.String()+".type", "%s.type is required", a)
	default:
		return "", nil, badParam(a.String()+".type", "content parts of type %q cannot be sent to an A2A agent", typ)
	}
}
