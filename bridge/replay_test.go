package bridge

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/a2a-bridge/a2a-bridge/stream"
	"github.com/a2a-bridge/a2a-bridge/transform"
)

var update = flag.Bool("update", false, "rewrite the expected OpenAI views of testdata/recordings")

// TestReplayRecordings replays every answer recorded from a real SDK agent
// (testdata/recordings/<peer>/<mode>.send.json and .stream.sse) through
// stream and transform, exactly as the bridge reads them, and compares what
// an OpenAI client would see with the .openai.txt file next to it.
// go test ./bridge -run Replay -update rewrites them; review the diff.
func TestReplayRecordings(t *testing.T) {
	checkLeaks(t)
	files, _ := filepath.Glob(filepath.Join(repoRoot, "testdata", "recordings", "*", "*.*"))
	n := 0
	for _, path := range files {
		kind := ""
		switch {
		case strings.HasSuffix(path, ".stream.sse"):
			kind = "stream"
		case strings.HasSuffix(path, ".send.json"), strings.HasSuffix(path, ".get.json"), strings.HasSuffix(path, "nostream.stream.json"):
			kind = "send"
		default:
			continue
		}
		n++
		rel, _ := filepath.Rel(filepath.Join(repoRoot, "testdata", "recordings"), path)
		t.Run(rel, func(t *testing.T) {
			body, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got := replay(kind == "stream", body, promptOf(path))
			golden := strings.TrimSuffix(strings.TrimSuffix(path, ".sse"), ".json") + ".openai.txt"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./bridge -run Replay -update)", err)
			}
			if got != string(want) {
				t.Errorf("replay of %s:\n%s\nwant (%s):\n%s", rel, got, filepath.Base(golden), want)
			}
		})
	}
	if n < 30 {
		t.Errorf("only %d recordings found", n)
	}
}

// promptOf is the text the recording's request sent (testdata/recordings/README.md).
func promptOf(path string) string {
	mode := strings.SplitN(filepath.Base(path), ".", 2)[0]
	switch mode {
	case "default":
		return "user: hello world"
	case "input-followup":
		return "user: hello world MODE:input\nassistant: Which city?\nuser: Paris"
	}
	return "user: hello world MODE:" + mode
}

// replay reads one recorded answer as the bridge does and writes, line by
// line, what an OpenAI client would be shown: each content delta, then how
// the answer ends (finish_reason and task state, a task left to poll, or
// the error).
func replay(sse bool, body []byte, prompt string) string {
	var b strings.Builder
	tr := &transform.Translator{Prompt: prompt, MaxAnswer: DefaultMaxAnswer}
	end := func(err error) string {
		if err == nil && tr.Pending() {
			return b.String() + fmt.Sprintf("pending: poll the task (state %s)\n", tr.Ext().State)
		}
		if err == nil {
			var tail string
			if tail, err = tr.Finish(); err == nil {
				if tail != "" {
					fmt.Fprintf(&b, "delta %q\n", tail)
				}
				return b.String() + fmt.Sprintf("finish stop (state %s)\n", stateOf(tr))
			}
		}
		e := toError(err)
		return b.String() + fmt.Sprintf("error %d %s: %s\n", e.Status, e.Code, e.Msg)
	}
	feed := func(data []byte) error {
		ev, err := transform.ReadResponse(data)
		if err != nil {
			return err
		}
		text, err := tr.Feed(ev)
		if text != "" {
			fmt.Fprintf(&b, "delta %q\n", text)
		}
		return err
	}
	if !sse {
		return end(feed(body))
	}
	for ev, err := range stream.Events(bytes.NewReader(body), DefaultMaxEvent) {
		if err == nil {
			err = feed(ev.Data)
		}
		if err != nil || tr.Done() {
			return end(err)
		}
	}
	return end(fmt.Errorf("%w: the stream ended with no final event", transform.ErrIncomplete))
}

func stateOf(tr *transform.Translator) transform.State {
	if ext := tr.Ext(); ext != nil && ext.State != "" {
		return ext.State
	}
	return "none, a message"
}
