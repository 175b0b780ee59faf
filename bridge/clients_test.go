package bridge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	openai "github.com/sashabaranov/go-openai"
)

// These tests point real OpenAI clients at the bridge, as users do: they
// change only the base URL.

type nodeResult struct {
	OK         bool `json:"ok"`
	Completion struct {
		Object  string `json:"object"`
		Model   string `json:"model"`
		Choices []struct {
			Message      struct{ Role, Content string } `json:"message"`
			FinishReason string                         `json:"finish_reason"`
		} `json:"choices"`
		Usage struct {
			PromptTokens     int `json:"prompt_tokens"`
			CompletionTokens int `json:"completion_tokens"`
			TotalTokens      int `json:"total_tokens"`
		} `json:"usage"`
	} `json:"completion"`
	Chunks       []map[string]any `json:"chunks"`
	Content      string           `json:"content"`
	FinishReason string           `json:"finish_reason"`
	Usage        *struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
		TotalTokens      int `json:"total_tokens"`
	} `json:"usage"`
	Error *struct {
		Name    string `json:"name"`
		Status  int    `json:"status"`
		Message string `json:"message"`
		Code    string `json:"code"`
		Type    string `json:"type"`
	} `json:"error"`
}

// TestOpenAINodeClient drives the official openai npm package.
func TestOpenAINodeClient(t *testing.T) {
	checkLeaks(t)
	js := startJSPeer(t, "js03.mjs")
	cfg := agentsFor(js)
	cfg.APIKeys = Keys("sk-test-1")
	base := startBridge(t, cfg) + "/v1"
	request := map[string]any{"model": "a2a/js03", "messages": []map[string]string{
		{"role": "system", "content": "Be kind."}, {"role": "user", "content": "say hi"}}}
	const want = "echo: system: Be kind.\nuser: say hi"
	job := func(scenario string) map[string]any {
		return map[string]any{"baseURL": base, "apiKey": "sk-test-1", "scenario": scenario, "request": request}
	}

	t.Run("nonstream", func(t *testing.T) {
		var r nodeResult
		runNode(t, "openai-chat.mjs", job("nonstream"), &r)
		if !r.OK || len(r.Completion.Choices) != 1 {
			t.Fatalf("client result = %+v", r)
		}
		c := r.Completion
		if c.Choices[0].Message.Content != want || c.Choices[0].FinishReason != "stop" || c.Model != "a2a/js03" {
			t.Errorf("completion = %+v, want content %q, finish stop", c, want)
		}
		if c.Usage.TotalTokens == 0 || c.Usage.TotalTokens != c.Usage.PromptTokens+c.Usage.CompletionTokens {
			t.Errorf("usage = %+v, want filled and consistent", c.Usage)
		}
	})
	t.Run("stream", func(t *testing.T) {
		var r nodeResult
		runNode(t, "openai-chat.mjs", job("stream"), &r)
		if !r.OK || r.Content != want || r.FinishReason != "stop" {
			t.Fatalf("stream = ok %v content %q finish %q error %+v, want %q stop", r.OK, r.Content, r.FinishReason, r.Error, want)
		}
		for _, c := range r.Chunks {
			if _, ok := c["usage"]; ok {
				t.Errorf("chunk carries usage though include_usage was not asked: %v", c)
			}
		}
	})
	t.Run("stream include_usage", func(t *testing.T) {
		var r nodeResult
		runNode(t, "openai-chat.mjs", job("stream-usage"), &r)
		if !r.OK || r.Content != want || r.Usage == nil || r.Usage.CompletionTokens == 0 {
			t.Fatalf("stream = %+v, want content %q and usage", r, want)
		}
		last := r.Chunks[len(r.Chunks)-1]
		if choices := last["choices"].([]any); len(choices) != 0 || last["usage"] == nil {
			t.Errorf("last chunk = %v, want choices [] and usage", last)
		}
		for _, c := range r.Chunks[:len(r.Chunks)-1] {
			if u, ok := c["usage"]; !ok || u != nil {
				t.Errorf("chunk usage = %v (present %v), want null on every chunk before the last", u, ok)
			}
		}
	})
	t.Run("wrong key", func(t *testing.T) {
		j := job("nonstream")
		j["apiKey"] = "sk-wrong"
		var r nodeResult
		runNode(t, "openai-chat.mjs", j, &r)
		if r.OK || r.Error.Name != "AuthenticationError" || r.Error.Status != 401 || r.Error.Code != "invalid_api_key" {
			t.Errorf("error = %+v, want AuthenticationError 401 invalid_api_key", r.Error)
		}
	})
	t.Run("unknown model", func(t *testing.T) {
		j := job("stream")
		j["request"] = map[string]any{"model": "a2a/none", "messages": request["messages"]}
		var r nodeResult
		runNode(t, "openai-chat.mjs", j, &r)
		if r.OK || r.Error.Name != "NotFoundError" || r.Error.Code != "model_not_found" {
			t.Errorf("error = %+v, want NotFoundError model_not_found", r.Error)
		}
	})
}

// TestGoOpenAIClient drives go-openai, whose stream reader is the strictest.
func TestGoOpenAIClient(t *testing.T) {
	checkLeaks(t)
	g := startGoPeer(t, "go03")
	base := startBridge(t, agentsFor(g))
	cfg := openai.DefaultConfig("unused")
	cfg.BaseURL = base + "/v1"
	hc := httpClient(t)
	cfg.HTTPClient = hc
	client := openai.NewClientWithConfig(cfg)
	req := openai.ChatCompletionRequest{Model: "a2a/go03", Messages: []openai.ChatCompletionMessage{
		{Role: openai.ChatMessageRoleUser, Content: "first"},
		{Role: openai.ChatMessageRoleAssistant, Content: "ok"},
		{Role: openai.ChatMessageRoleUser, MultiContent: []openai.ChatMessagePart{
			{Type: openai.ChatMessagePartTypeText, Text: "second"}, {Type: openai.ChatMessagePartTypeText, Text: "third"}}},
	}}
	const want = "echo: user: first\nassistant: ok\nuser: second\n  third"
	ctx := context.Background()

	t.Run("nonstream", func(t *testing.T) {
		resp, err := client.CreateChatCompletion(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if got := resp.Choices[0].Message.Content; got != want || resp.Choices[0].FinishReason != openai.FinishReasonStop {
			t.Errorf("content = %q finish %q, want %q stop", got, resp.Choices[0].FinishReason, want)
		}
	})
	t.Run("stream", func(t *testing.T) {
		content, finish := goOpenAIStream(t, client, req)
		if content != want || finish != openai.FinishReasonStop {
			t.Errorf("streamed %q finish %q, want %q stop", content, finish, want)
		}
	})
	t.Run("models", func(t *testing.T) {
		list, err := client.ListModels(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Models) != 1 || list.Models[0].ID != "a2a/go03" || list.Models[0].OwnedBy != "a2a-go tests" {
			t.Errorf("models = %+v, want a2a/go03 owned by the card's provider", list.Models)
		}
		m, err := client.GetModel(ctx, "a2a/go03")
		if err != nil || m.ID != "a2a/go03" {
			t.Errorf("GetModel = %+v, %v", m, err)
		}
		_, err = client.GetModel(ctx, "a2a/none")
		var apiErr *openai.APIError
		if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 404 {
			t.Errorf("GetModel(unknown) error = %v, want a 404 APIError", err)
		}
	})
}

// TestLangChain drives @langchain/openai's ChatOpenAI, which streams with
// include_usage by default and rejects a stream that is not text/event-stream.
func TestLangChain(t *testing.T) {
	checkLeaks(t)
	js := startJSPeer(t, "js03.mjs")
	base := startBridge(t, agentsFor(js)) + "/v1"
	msgs := [][2]string{{"system", "You are terse."}, {"human", "hello"}, {"ai", "hi"}, {"human", "bye"}}
	const want = "echo: system: You are terse.\nuser: hello\nassistant: hi\nuser: bye"
	for _, scenario := range []string{"invoke", "stream"} {
		t.Run(scenario, func(t *testing.T) {
			var r struct {
				OK      bool   `json:"ok"`
				Content string `json:"content"`
				Usage   *struct {
					Input  int `json:"input_tokens"`
					Output int `json:"output_tokens"`
				} `json:"usage"`
				Error map[string]any `json:"error"`
			}
			runNode(t, "langchain-chat.mjs", map[string]any{"baseURL": base, "scenario": scenario,
				"model": "a2a/js03", "messages": msgs}, &r)
			if !r.OK || r.Content != want {
				t.Fatalf("%s = ok %v content %q error %v, want %q", scenario, r.OK, r.Content, r.Error, want)
			}
			if r.Usage == nil || r.Usage.Input == 0 || r.Usage.Output == 0 {
				t.Errorf("usage_metadata = %+v, want token counts", r.Usage)
			}
		})
	}
}

type turnsResult struct {
	OK         bool           `json:"ok"`
	Answers    []string       `json:"answers"`
	TaskIDs    []string       `json:"taskIds"`
	ContextIDs []string       `json:"contextIds"`
	History    int            `json:"history"`
	Error      map[string]any `json:"error"`
}

// TestMultiTurnClients: real clients re-send the whole history each call.
// In flatten mode the agent gets it all; in context mode only the new turn
// reaches the agent, in one context (MODE:count says how many it received).
func TestMultiTurnClients(t *testing.T) {
	checkLeaks(t)
	js := startJSPeer(t, "js03.mjs")
	cfg := agentsFor(js)
	cfg.Agents = append(cfg.Agents, AgentConfig{Name: "ctx", URL: js.url, Conversation: "context", Timeout: cfg.Agents[0].Timeout})
	base := startBridge(t, cfg) + "/v1"
	turns := []string{"one MODE:count", "two MODE:count", "three MODE:count"}
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprint("openai/context/stream=", stream), func(t *testing.T) {
			var r turnsResult
			runNode(t, "openai-turns.mjs", map[string]any{"baseURL": base, "model": "a2a/ctx", "stream": stream, "turns": turns}, &r)
			want := []string{"turn 1: user: one MODE:count", "turn 2: user: two MODE:count", "turn 3: user: three MODE:count"}
			if !r.OK || strings.Join(r.Answers, "|") != strings.Join(want, "|") {
				t.Fatalf("answers %q (error %v), want %q", r.Answers, r.Error, want)
			}
			if r.ContextIDs[0] == "" || r.ContextIDs[1] != r.ContextIDs[0] || r.ContextIDs[2] != r.ContextIDs[0] {
				t.Errorf("context ids %q, want one context", r.ContextIDs)
			}
		})
	}
	t.Run("openai/flatten", func(t *testing.T) {
		var r turnsResult
		runNode(t, "openai-turns.mjs", map[string]any{"baseURL": base, "model": "a2a/js03", "turns": turns[:2]}, &r)
		want := "turn 1: user: one MODE:count\nassistant: turn 1: user: one MODE:count\nuser: two MODE:count"
		if !r.OK || len(r.Answers) != 2 || r.Answers[1] != want {
			t.Errorf("answers %q (error %v), want the second to carry the whole history: %q", r.Answers, r.Error, want)
		}
	})
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprint("langchain-history/context/stream=", stream), func(t *testing.T) {
			var r turnsResult
			runNode(t, "langchain-history.mjs", map[string]any{"baseURL": base, "model": "a2a/ctx", "stream": stream,
				"system": "Count.", "turns": turns}, &r)
			// The first turn carries the system prompt; later turns only the new human message.
			want := []string{"turn 1: system: Count.\nuser: one MODE:count", "turn 2: user: two MODE:count", "turn 3: user: three MODE:count"}
			if !r.OK || strings.Join(r.Answers, "|") != strings.Join(want, "|") || r.History != 6 {
				t.Errorf("answers %q, history %d (error %v), want %q and 6 messages", r.Answers, r.History, r.Error, want)
			}
		})
	}
}

// TestRequestFieldsReachAgents: the parameters an OpenAI SDK sends reach
// real agents (0.3 and 1.0) in the message metadata under "openai".
func TestRequestFieldsReachAgents(t *testing.T) {
	checkLeaks(t)
	for _, p := range []peer{startJSPeer(t, "js03.mjs"), startJSPeer(t, "js10.mjs")} {
		t.Run(p.name, func(t *testing.T) {
			base := startBridge(t, agentsFor(p)) + "/v1"
			var r nodeResult
			runNode(t, "openai-chat.mjs", map[string]any{"baseURL": base, "scenario": "nonstream", "request": map[string]any{
				"model": "a2a/" + p.name, "messages": []map[string]string{{"role": "user", "content": "MODE:meta"}},
				"temperature": 0.2, "top_p": 0.9, "max_tokens": 50, "stop": []string{"END"}, "seed": 7, "user": "u-1",
				"metadata": map[string]string{"k": "v"}, "n": 1, "logprobs": false}}, &r)
			want := `meta: {"openai":{"temperature":0.2,"top_p":0.9,"max_tokens":50,"stop":["END"],"seed":7,"user":"u-1","metadata":{"k":"v"}}}`
			if !r.OK || r.Completion.Choices[0].Message.Content != want {
				t.Errorf("agent saw %+v (error %+v), want %s", r.Completion.Choices, r.Error, want)
			}
		})
	}
}

// goOpenAIStream reads a whole stream with go-openai's reader, the strictest
// of the SDKs, and returns its content and last finish_reason.
func goOpenAIStream(t *testing.T, client *openai.Client, req openai.ChatCompletionRequest) (string, openai.FinishReason) {
	t.Helper()
	s, err := client.CreateChatCompletionStream(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var content strings.Builder
	var finish openai.FinishReason
	for {
		chunk, err := s.Recv()
		if errors.Is(err, io.EOF) {
			return content.String(), finish
		}
		if err != nil {
			t.Fatalf("go-openai Recv: %v", err)
		}
		content.WriteString(chunk.Choices[0].Delta.Content)
		if chunk.Choices[0].FinishReason != "" {
			finish = chunk.Choices[0].FinishReason
		}
	}
}
