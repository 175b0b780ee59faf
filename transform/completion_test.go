package transform

import (
	"encoding/json"
	"strings"
	"testing"

	openai "github.com/sashabaranov/go-openai"
)

var (
	testMeta = Meta{ID: "chatcmpl-1", Created: 1700000000, Model: "a2a/echo"}
	extMeta  = Meta{ID: "chatcmpl-1", Created: 1700000000, Model: "a2a/echo",
		Ext: &Ext{TaskID: "T", ContextID: "C", State: StateCompleted}}
)

const usageJSON = `{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3,"prompt_tokens_details":null,"completion_tokens_details":null}`

var testUsage = Usage{PromptTokens: 1, CompletionTokens: 2, TotalTokens: 3}

func TestCompletion(t *testing.T) {
	tests := []struct {
		name    string
		meta    Meta
		content string
		want    string
	}{
		{
			name: "plain", meta: testMeta, content: "hi",
			want: `{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"a2a/echo","choices":[{"index":0,"message":{"role":"assistant","content":"hi","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":` + usageJSON + `}`,
		},
		{
			name: "empty content is still a string", meta: testMeta, content: "",
			want: `{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"a2a/echo","choices":[{"index":0,"message":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":` + usageJSON + `}`,
		},
		{
			name: "a2a extension member when Meta.Ext is set", meta: extMeta, content: "hi",
			want: `{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"a2a/echo","choices":[{"index":0,"message":{"role":"assistant","content":"hi","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":` + usageJSON + `,"a2a":{"task_id":"T","context_id":"C","state":"completed"}}`,
		},
		{
			name: "a2a extension with only a context id", meta: Meta{ID: "chatcmpl-1", Created: 1700000000, Model: "a2a/echo", Ext: &Ext{ContextID: "C"}}, content: "hi",
			want: `{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"a2a/echo","choices":[{"index":0,"message":{"role":"assistant","content":"hi","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":` + usageJSON + `,"a2a":{"context_id":"C"}}`,
		},
		{
			name: "content with newlines and quotes", meta: testMeta, content: "a\n\"b\"\tc",
			want: `{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"a2a/echo","choices":[{"index":0,"message":{"role":"assistant","content":"a\n\"b\"\tc","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":` + usageJSON + `}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Completion(tc.meta, tc.content, testUsage)
			if string(got) != tc.want {
				t.Errorf("Completion(%+v, %q)\n = %s\nwant %s", tc.meta, tc.content, got, tc.want)
			}
			if !json.Valid(got) {
				t.Errorf("Completion(%+v, %q) = %s, not valid JSON", tc.meta, tc.content, got)
			}
		})
	}
}

func TestChunk(t *testing.T) {
	const head = `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"a2a/echo","choices":[{"index":0,`
	tests := []struct {
		name      string
		meta      Meta
		delta     Delta
		finish    openai.FinishReason
		withUsage bool
		want      string
	}{
		{
			name: "first chunk: role and empty content", meta: testMeta, delta: RoleDelta(),
			want: head + `"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}`,
		},
		{
			name: "text chunk: finish_reason null", meta: testMeta, delta: TextDelta("hel"),
			want: head + `"delta":{"content":"hel"},"logprobs":null,"finish_reason":null}]}`,
		},
		{
			name: "empty text delta keeps content", meta: testMeta, delta: TextDelta(""),
			want: head + `"delta":{"content":""},"logprobs":null,"finish_reason":null}]}`,
		},
		{
			name: "finish chunk: empty delta and stop", meta: testMeta, delta: Delta{}, finish: openai.FinishReasonStop,
			want: head + `"delta":{},"logprobs":null,"finish_reason":"stop"}]}`,
		},
		{
			name: "usage null on every chunk when asked", meta: testMeta, delta: TextDelta("x"), withUsage: true,
			want: head + `"delta":{"content":"x"},"logprobs":null,"finish_reason":null}],"usage":null}`,
		},
		{
			name: "finish chunk with usage null", meta: testMeta, delta: Delta{}, finish: openai.FinishReasonStop, withUsage: true,
			want: head + `"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}`,
		},
		{
			name: "a2a extension member when Meta.Ext is set", meta: extMeta, delta: TextDelta("x"),
			want: head + `"delta":{"content":"x"},"logprobs":null,"finish_reason":null}],"a2a":{"task_id":"T","context_id":"C","state":"completed"}}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Chunk(tc.meta, tc.delta, tc.finish, tc.withUsage)
			if string(got) != tc.want {
				t.Errorf("Chunk(%+v, %+v, %q, %v)\n = %s\nwant %s", tc.meta, tc.delta, tc.finish, tc.withUsage, got, tc.want)
			}
			if !json.Valid(got) {
				t.Errorf("Chunk(...) = %s, not valid JSON", got)
			}
		})
	}
}

func TestUsageChunk(t *testing.T) {
	tests := []struct {
		name string
		meta Meta
		want string
	}{
		{"no choices, only usage", testMeta,
			`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"a2a/echo","choices":[],"usage":` + usageJSON + `}`},
		{"with the a2a extension", extMeta,
			`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"a2a/echo","choices":[],"usage":` + usageJSON + `,"a2a":{"task_id":"T","context_id":"C","state":"completed"}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := UsageChunk(tc.meta, testUsage); string(got) != tc.want {
				t.Errorf("UsageChunk(%+v, %+v)\n = %s\nwant %s", tc.meta, testUsage, got, tc.want)
			}
		})
	}
}

func TestErrorBody(t *testing.T) {
	tests := []struct {
		name                      string
		message, typ, param, code string
		want                      string
	}{
		{"param and code null when empty", "The agent did not answer in time.", "agent_timeout", "", "",
			`{"error":{"message":"The agent did not answer in time.","type":"agent_timeout","param":null,"code":null}}`},
		{"param and code set", "bad model", "invalid_request_error", "model", "model_not_found",
			`{"error":{"message":"bad model","type":"invalid_request_error","param":"model","code":"model_not_found"}}`},
		{"code only", "boom", "agent_error", "", "agent_error",
			`{"error":{"message":"boom","type":"agent_error","param":null,"code":"agent_error"}}`},
		{"message with quotes and newline", "say \"no\"\nplease", "agent_error", "messages[0].content", "",
			`{"error":{"message":"say \"no\"\nplease","type":"agent_error","param":"messages[0].content","code":null}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ErrorBody(tc.message, tc.typ, tc.param, tc.code)
			if string(got) != tc.want {
				t.Errorf("ErrorBody(%q, %q, %q, %q)\n = %s\nwant %s", tc.message, tc.typ, tc.param, tc.code, got, tc.want)
			}
			// go-openai sees an in-band error only when the data starts exactly so.
			if !strings.HasPrefix(string(got), `{"error":`) {
				t.Errorf("ErrorBody(...) = %s, want it to start with {\"error\":", got)
			}
		})
	}
}

func TestCountUsage(t *testing.T) {
	tests := []struct {
		prompt, completion string
		want               Usage
	}{
		{"", "", Usage{}},
		{"user: hello world", "echo: user: hello world", Usage{PromptTokens: 4, CompletionTokens: 6, TotalTokens: 10}},
		{"user: café 😀", "ok", Usage{PromptTokens: 4, CompletionTokens: 1, TotalTokens: 5}},
	}
	for _, tc := range tests {
		if got := CountUsage(tc.prompt, tc.completion); got != tc.want {
			t.Errorf("CountUsage(%q, %q) = %+v, want %+v", tc.prompt, tc.completion, got, tc.want)
		}
	}
}

func TestEstimateUsage(t *testing.T) {
	tr := &Translator{Prompt: "user: hello world", Estimate: true} // 17 bytes
	e, _ := ReadResponse([]byte(`{"jsonrpc":"2.0","id":1,"result":{"kind":"message","role":"agent","parts":[{"kind":"text","text":"12345678"}]}}`))
	_, _ = tr.Feed(e)
	if got, want := tr.Usage(), (Usage{PromptTokens: 5, CompletionTokens: 2, TotalTokens: 7}); got != want {
		t.Errorf("estimated Usage() = %+v, want %+v", got, want)
	}
}

func TestReportedUsageWins(t *testing.T) {
	cases := []struct {
		name, meta string
		want       *Usage
	}{
		{"openai names", `{"usage":{"prompt_tokens":7,"completion_tokens":3}}`, &Usage{PromptTokens: 7, CompletionTokens: 3, TotalTokens: 10}},
		{"input/output names", `{"usage":{"input_tokens":2,"output_tokens":5}}`, &Usage{PromptTokens: 2, CompletionTokens: 5, TotalTokens: 7}},
		{"ADK", `{"adk_usage_metadata":{"promptTokenCount":11,"candidatesTokenCount":4}}`, &Usage{PromptTokens: 11, CompletionTokens: 4, TotalTokens: 15}},
		{"none", `{"other":1}`, nil},
		{"not numbers", `{"usage":{"prompt_tokens":"7","completion_tokens":3}}`, nil},
	}
	for _, tc := range cases {
		body := `{"jsonrpc":"2.0","id":1,"result":{"kind":"task","id":"T","status":{"state":"completed"},"metadata":` + tc.meta +
			`,"artifacts":[{"artifactId":"a","parts":[{"kind":"text","text":"answer"}]}]}}`
		ev, err := ReadResponse([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		tr := &Translator{Prompt: "user: q"}
		_, _ = tr.Feed(ev)
		want := CountUsage("user: q", "answer")
		if tc.want != nil {
			want = *tc.want
		}
		if got := tr.Usage(); got != want {
			t.Errorf("%s: Usage() = %+v, want %+v", tc.name, got, want)
		}
	}
}

// The wire shapes, as structs for encoding/json: the reference the
// appending encoders of completion_append.go must match byte for byte.

type completion struct {
	ID      string   `json:"id"`
	Object  string   `json:"object"`
	Created int64    `json:"created"`
	Model   string   `json:"model"`
	Choices []choice `json:"choices"`
	Usage   Usage    `json:"usage"`
	A2A     *Ext     `json:"a2a,omitempty"`
}

type choice struct {
	Index        int                 `json:"index"`
	Message      answer              `json:"message"`
	Logprobs     *struct{}           `json:"logprobs"`
	FinishReason openai.FinishReason `json:"finish_reason"`
}

type answer struct {
	Role    string  `json:"role"`
	Content string  `json:"content"`
	Refusal *string `json:"refusal"`
}

type chunk struct {
	ID      string          `json:"id"`
	Object  string          `json:"object"`
	Created int64           `json:"created"`
	Model   string          `json:"model"`
	Choices []chunkChoice   `json:"choices"`
	Usage   json.RawMessage `json:"usage,omitempty"`
	A2A     *Ext            `json:"a2a,omitempty"`
}

type chunkChoice struct {
	Index        int                 `json:"index"`
	Delta        Delta               `json:"delta"`
	Logprobs     *struct{}           `json:"logprobs"`
	FinishReason openai.FinishReason `json:"finish_reason"`
}

func completionByJSON(m Meta, content string, u Usage) []byte {
	b, _ := json.Marshal(completion{
		ID: m.ID, Object: "chat.completion", Created: m.Created, Model: m.Model,
		Choices: []choice{{
			Message:      answer{Role: openai.ChatMessageRoleAssistant, Content: content},
			FinishReason: openai.FinishReasonStop,
		}},
		Usage: u,
		A2A:   m.Ext,
	})
	return b
}

func usageChunkByJSON(m Meta, u Usage) []byte {
	ub, _ := json.Marshal(u)
	b, _ := json.Marshal(chunk{
		ID: m.ID, Object: "chat.completion.chunk", Created: m.Created, Model: m.Model,
		Choices: []chunkChoice{}, Usage: ub, A2A: m.Ext,
	})
	return b
}

func TestCompletionMatchesJSON(t *testing.T) {
	content := "a <b> & \"q\" \\ \n\r\t\b\f \x01 \u2028\u2029 é 😀 \xff end"
	exts := []*Ext{nil, {}, {TaskID: "t"}, {ContextID: "c", State: StateWorking}, {TaskID: "t<", ContextID: "c", State: StateCompleted}}
	usages := []Usage{{}, {PromptTokens: 12, CompletionTokens: 3, TotalTokens: 15},
		{PromptTokens: 1, PromptTokensDetails: &openai.PromptTokensDetails{CachedTokens: 4}},
		{CompletionTokensDetails: &openai.CompletionTokensDetails{ReasoningTokens: 9}}}
	for _, ext := range exts {
		for _, u := range usages {
			for _, text := range []string{"", "plain", content} {
				m := Meta{ID: "chatcmpl-<x>", Created: 1700000000, Model: "a2a/é&", Ext: ext}
				if got, want := Completion(m, text, u), completionByJSON(m, text, u); string(got) != string(want) {
					t.Errorf("Completion(%+v, %q, %+v)\n = %s\nwant %s", m, text, u, got, want)
				}
			}
			m := Meta{ID: "chatcmpl-1", Created: 1, Model: "a2a/a", Ext: ext}
			if got, want := UsageChunk(m, u), usageChunkByJSON(m, u); string(got) != string(want) {
				t.Errorf("UsageChunk(%+v, %+v)\n = %s\nwant %s", m, u, got, want)
			}
		}
	}
}

// chunkByJSON is what encoding/json writes for a chunk: the reference the
// appending encoder must match byte for byte.
func chunkByJSON(m Meta, d Delta, finish openai.FinishReason, withUsage bool) []byte {
	c := chunk{ID: m.ID, Object: "chat.completion.chunk", Created: m.Created, Model: m.Model,
		Choices: []chunkChoice{{Delta: d, FinishReason: finish}}, A2A: m.Ext}
	if withUsage {
		c.Usage = json.RawMessage("null")
	}
	b, _ := json.Marshal(c)
	return b
}

func TestChunkMatchesJSON(t *testing.T) {
	content := "a <b> & \"q\" \\ \n\r\t\b\f \x01 \u2028\u2029 é 😀 \xff end"
	exts := []*Ext{nil, {}, {TaskID: "t"}, {ContextID: "c", State: StateWorking}, {TaskID: "t<", ContextID: "c", State: StateCompleted}}
	deltas := []Delta{{}, RoleDelta(), TextDelta(""), TextDelta(content), {Role: "assistant"}}
	for _, ext := range exts {
		for _, d := range deltas {
			for _, finish := range []openai.FinishReason{"", openai.FinishReasonStop, openai.FinishReasonNull} {
				for _, usage := range []bool{false, true} {
					m := Meta{ID: "chatcmpl-<x>", Created: 1700000000, Model: "a2a/é&", Ext: ext}
					if got, want := Chunk(m, d, finish, usage), chunkByJSON(m, d, finish, usage); string(got) != string(want) {
						t.Errorf("Chunk(%+v, %+v, %q, %v)\n = %s\nwant %s", m, d, finish, usage, got, want)
					}
				}
			}
		}
	}
}

// TestChunksMatchChunk: the stream encoder, which keeps the members every
// chunk repeats, writes each chunk as Chunk does, while the ids change.
func TestChunksMatchChunk(t *testing.T) {
	content := "a <b> & \"q\" \n é 😀 \xff end"
	exts := []*Ext{nil, {TaskID: "t"}, {TaskID: "t"}, {TaskID: "t", ContextID: "c", State: StateWorking}, nil,
		{TaskID: "t<", ContextID: "c", State: StateCompleted}, {TaskID: "t<", ContextID: "c", State: StateCompleted}, {}}
	deltas := []Delta{RoleDelta(), TextDelta(""), TextDelta(content), {}, {Role: "assistant"}}
	for _, usage := range []bool{false, true} {
		m := Meta{ID: "chatcmpl-<x>", Created: 1700000000, Model: "a2a/é&", Ext: &Ext{TaskID: "ignored"}}
		c := NewChunks(m, usage)
		for i, ext := range exts {
			m.Ext = ext
			for _, d := range deltas {
				for _, finish := range []openai.FinishReason{"", openai.FinishReasonStop} {
					if got, want := c.Append(nil, ext, d, finish), Chunk(m, d, finish, usage); string(got) != string(want) {
						t.Errorf("chunk %d: Append(%+v, %+v, %q)\n = %s\nwant %s", i, ext, d, finish, got, want)
					}
				}
			}
			if got, want := c.AppendText([]byte("data: "), ext, content), append([]byte("data: "), Chunk(m, TextDelta(content), "", usage)...); string(got) != string(want) {
				t.Errorf("chunk %d: AppendText(%+v)\n = %s\nwant %s", i, ext, got, want)
			}
		}
	}
	c := NewChunks(Meta{ID: "chatcmpl-x", Model: "a2a/x"}, false)
	ext := &Ext{TaskID: "t", ContextID: "c", State: StateWorking}
	buf := make([]byte, 0, 1024)
	if n := testing.AllocsPerRun(100, func() { buf = c.AppendText(buf[:0], ext, content) }); n != 0 {
		t.Errorf("AppendText allocates %v times a chunk while the ids stay; want 0", n)
	}
}
