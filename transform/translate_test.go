package transform

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unsafe"
)

// ev builds one JSON-RPC response around a 0.3 result.
func ev(result string) string { return `{"jsonrpc":"2.0","id":1,"result":` + result + `}` }

func task(state string) string {
	return ev(`{"kind":"task","id":"T","contextId":"C","status":{"state":"` + state + `"}}`)
}

func status(state, role, text string, final bool) string {
	msg := ""
	if text != "" {
		msg = fmt.Sprintf(`,"message":{"kind":"message","role":%q,"messageId":"m","parts":[{"kind":"text","text":%q}]}`, role, text)
	}
	return ev(fmt.Sprintf(`{"kind":"status-update","taskId":"T","contextId":"C","final":%t,"status":{"state":%q%s}}`, final, state, msg))
}

func art(id, text string, appendMode bool) string {
	return ev(fmt.Sprintf(`{"kind":"artifact-update","taskId":"T","contextId":"C","append":%t,"artifact":{"artifactId":%q,"parts":[{"kind":"text","text":%q}]}}`, appendMode, id, text))
}

func message(role, text string) string {
	return ev(fmt.Sprintf(`{"kind":"message","role":%q,"messageId":"m","parts":[{"kind":"text","text":%q}]}`, role, text))
}

var completed = status("completed", "", "", true)

// translateTests: what the client sees for each way agents answer.
var translateTests = []struct {
	name     string
	progress bool
	events   []string
	want     []string // the text each event emits, then Finish's (one more)
	err      error    // from the last event or Finish
}{
	{"deltas", false, []string{task("submitted"), status("working", "", "", false), art("a", "echo:", false), art("a", " hi", true), completed},
		[]string{"", "", "echo:", " hi", "", ""}, nil},
	{"snapshot re-send shown once", false, []string{art("a", "he", false), art("a", "llo", true), art("a", "hello", false), completed},
		[]string{"he", "llo", "", "", ""}, nil},
	{"two artifacts joined by a newline", false, []string{art("a", "one", false), art("b", "two", false), completed},
		[]string{"one", "\ntwo", "", ""}, nil},
	{"bare message", false, []string{message("agent", "hi there")}, []string{"hi there", ""}, nil},
	{"1.0 bare message wrapper", false, []string{`{"jsonrpc":"2.0","id":1,"result":{"message":{"role":"ROLE_AGENT","messageId":"m","parts":[{"text":"hi"}]}}}`},
		[]string{"hi", ""}, nil},
	{"echoed user message ignored", false, []string{message("user", "user: hi"), message("agent", "hello")}, []string{"", "hello", ""}, nil},
	{"submitted status echoing the caller is not the answer", false,
		[]string{status("submitted", "user", "user: hi", false), art("a", "ok", false), completed}, []string{"", "ok", "", ""}, nil},
	{"status text equal to the prompt is not the answer", false,
		[]string{status("working", "agent", "user: hi", false), completed}, []string{"", "", ""}, nil},
	{"status text as long as the prompt is the answer", false,
		[]string{status("working", "agent", "user: ho", false), completed}, []string{"", "", "user: ho"}, nil},
	{"working text is progress, hidden by default", false,
		[]string{status("working", "agent", "Looking up…", false), art("a", "42", false), completed}, []string{"", "42", "", ""}, nil},
	{"working text shown when asked", true,
		[]string{status("working", "agent", "Looking up…", false), status("working", "agent", "Looking up…", false), art("a", "42", false), completed},
		[]string{"Looking up…", "", "\n42", "", ""}, nil},
	{"status-only answer (ADK, LangGraph)", false,
		[]string{status("working", "agent", "Thinking…", false), status("completed", "agent", "the answer", true)},
		[]string{"", "", "the answer"}, nil},
	{"status-only answer with progress shown", true,
		[]string{status("working", "agent", "Thinking…", false), status("completed", "agent", "the answer", true)},
		[]string{"Thinking…", "", "\nthe answer"}, nil},
	{"last working text is the answer when nothing else came", false,
		[]string{status("working", "agent", "partial answer", false), completed}, []string{"", "", "partial answer"}, nil},
	{"input-required question", false, []string{task("submitted"), status("input-required", "agent", "Which city?", true)},
		[]string{"", "", "Which city?"}, nil},
	{"input-required after some text", false, []string{art("a", "Found two.", false), status("input-required", "agent", "Which one?", true)},
		[]string{"Found two.", "", "\nWhich one?"}, nil},
	{"1.0 stream ends on the terminal state without final", false,
		[]string{`{"jsonrpc":"2.0","id":1,"result":{"artifactUpdate":{"taskId":"T","artifact":{"artifactId":"a","parts":[{"text":"x"}]}}}}`,
			`{"jsonrpc":"2.0","id":1,"result":{"statusUpdate":{"taskId":"T","status":{"state":"TASK_STATE_COMPLETED"}}}}`},
		[]string{"x", "", ""}, nil},
	{"failed", false, []string{task("working"), status("failed", "agent", "the tool crashed", true)}, []string{"", ""},
		&TaskError{State: StateFailed, Text: "the tool crashed"}},
	{"rejected", false, []string{status("rejected", "agent", "no", true)}, []string{""}, &TaskError{State: StateRejected, Text: "no"}},
	{"canceled (1.0 spelling)", false, []string{`{"jsonrpc":"2.0","id":1,"result":{"task":{"id":"T","status":{"state":"TASK_STATE_CANCELED"}}}}`},
		[]string{""}, &TaskError{State: StateCanceled}},
	{"cut before the end", false, []string{task("working"), art("a", "part", false)}, []string{"", "part", ""}, ErrIncomplete},
	{"task returned whole (non-stream)", false,
		[]string{ev(`{"kind":"task","id":"T","status":{"state":"completed"},"artifacts":[{"artifactId":"a","parts":[{"kind":"text","text":"a"},{"kind":"text","text":"b"}]},{"artifactId":"b","parts":[{"kind":"text","text":"c"}]}]}`)},
		[]string{"ab\nc", ""}, nil},
}

func TestTranslator(t *testing.T) {
	for _, tc := range translateTests {
		for _, noUsage := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/NoUsage=%t", tc.name, noUsage), func(t *testing.T) {
				testTranslate(t, tc.events, tc.want, tc.err, &Translator{Prompt: "user: hi", ShowProgress: tc.progress, NoUsage: noUsage})
			})
		}
	}
}

func testTranslate(t *testing.T, events, want []string, wantErr error, tr *Translator) {
	t.Helper()
	var got []string
	var err error
	for _, raw := range events {
		e, rerr := ReadResponse([]byte(raw))
		if rerr != nil {
			t.Fatalf("ReadResponse(%s): %v", raw, rerr)
		}
		var text string
		if text, err = tr.Feed(e); err != nil {
			break
		}
		got = append(got, text)
	}
	if err == nil {
		var tail string
		tail, err = tr.Finish()
		got = append(got, tail)
	}
	if !equalErr(err, wantErr) {
		t.Fatalf("error = %v, want %v", err, wantErr)
	}
	if wantErr == nil || len(got) > 0 {
		if strings.Join(got, "|") != strings.Join(want[:len(got)], "|") {
			t.Errorf("emitted %q, want %q", got, want)
		}
		if tr.Text() != strings.Join(got, "") {
			t.Errorf("Text() = %q, want what was emitted %q", tr.Text(), strings.Join(got, ""))
		}
	}
}

func equalErr(got, want error) bool {
	var gt, wt *TaskError
	if errors.As(want, &wt) {
		return errors.As(got, &gt) && *gt == *wt
	}
	return errors.Is(got, want)
}

// TestTranslatorContinuing: a stream that answers an input-required task
// may start with the task as it was (@a2a-js/sdk 1.x); that does not end it.
func TestTranslatorContinuing(t *testing.T) {
	events := []string{
		`{"jsonrpc":"2.0","id":1,"result":{"task":{"id":"T","status":{"state":"TASK_STATE_INPUT_REQUIRED","message":{"role":"ROLE_AGENT","parts":[{"text":"Which city?"}]}}}}}`,
		`{"jsonrpc":"2.0","id":1,"result":{"artifactUpdate":{"taskId":"T","artifact":{"artifactId":"a","parts":[{"text":"Paris it is"}]}}}}`,
		`{"jsonrpc":"2.0","id":1,"result":{"statusUpdate":{"taskId":"T","status":{"state":"TASK_STATE_COMPLETED"}}}}`,
	}
	for _, continuing := range []bool{true, false} {
		tr := &Translator{Continuing: continuing}
		for _, raw := range events {
			e, _ := ReadResponse([]byte(raw))
			if _, err := tr.Feed(e); err != nil || tr.Done() {
				break
			}
		}
		tail, _ := tr.Finish()
		want := "Paris it is"
		if !continuing {
			want = "Which city?" // a fresh message: the first event is the end
		}
		if got := tr.Text(); got != want || tail != map[bool]string{true: "", false: want}[continuing] {
			t.Errorf("Continuing=%v: answer %q, want %q", continuing, got, want)
		}
	}
}

func TestTranslatorPending(t *testing.T) {
	tr := &Translator{}
	e, _ := ReadResponse([]byte(task("submitted")))
	if _, err := tr.Feed(e); err != nil || !tr.Pending() || tr.Done() {
		t.Fatalf("after a submitted task: err %v, Pending %v, Done %v; want pending", err, tr.Pending(), tr.Done())
	}
	e, _ = ReadResponse([]byte(ev(`{"kind":"task","id":"T","status":{"state":"working"},"artifacts":[{"artifactId":"a","parts":[{"kind":"text","text":"hal"}]}]}`)))
	if text, _ := tr.Feed(e); text != "hal" || !tr.Pending() {
		t.Fatalf("working poll = %q, pending %v", text, tr.Pending())
	}
	e, _ = ReadResponse([]byte(ev(`{"kind":"task","id":"T","contextId":"C","status":{"state":"completed"},"artifacts":[{"artifactId":"a","parts":[{"kind":"text","text":"half"}]}]}`)))
	if text, _ := tr.Feed(e); text != "f" || tr.Pending() || !tr.Done() {
		t.Fatalf("completed poll = %q, pending %v done %v; want the suffix and done", text, tr.Pending(), tr.Done())
	}
	if ext := tr.Ext(); ext == nil || *ext != (Ext{TaskID: "T", ContextID: "C", State: StateCompleted}) {
		t.Errorf("Ext() = %+v", ext)
	}
	if (&Translator{}).Ext() != nil {
		t.Error("Ext() of a fresh Translator is not nil")
	}
}

func TestTranslatorBounds(t *testing.T) {
	tr := &Translator{MaxAnswer: 5}
	e, _ := ReadResponse([]byte(art("a", "12345", false)))
	if _, err := tr.Feed(e); err != nil {
		t.Fatalf("at the bound: %v", err)
	}
	e, _ = ReadResponse([]byte(art("a", "6", true)))
	if _, err := tr.Feed(e); !errors.Is(err, ErrTooLarge) {
		t.Errorf("past MaxAnswer: %v, want ErrTooLarge", err)
	}
	tr = &Translator{MaxArtifacts: 2}
	for i, want := range []error{nil, nil, ErrTooLarge} {
		e, _ := ReadResponse([]byte(art(fmt.Sprint(i), "x", false)))
		if _, err := tr.Feed(e); !errors.Is(err, want) {
			t.Errorf("artifact %d: %v, want %v", i, err, want)
		}
	}
}

// FuzzTranslator feeds any sequence of agent answers (one JSON-RPC response
// per line) to a Translator. Invariants: no panic; what Text() holds is
// exactly what was emitted; the bounds hold.
func FuzzTranslator(f *testing.F) {
	for _, tc := range translateTests {
		f.Add(strings.Join(tc.events, "\n"), tc.progress)
	}
	f.Fuzz(func(t *testing.T, lines string, progress bool) {
		tr := &Translator{Prompt: "user: hi", ShowProgress: progress, MaxAnswer: 1 << 12, MaxArtifacts: 8}
		var emitted strings.Builder
		for _, line := range strings.Split(lines, "\n") {
			e, err := ReadResponse([]byte(line))
			if err != nil {
				continue
			}
			text, err := tr.Feed(e)
			emitted.WriteString(text)
			if err != nil {
				break
			}
		}
		if tail, err := tr.Finish(); err == nil {
			emitted.WriteString(tail)
		}
		if tr.Text() != emitted.String() {
			t.Fatalf("Text() = %q, emitted %q", tr.Text(), emitted.String())
		}
		if len(tr.Text()) > 1<<12 {
			t.Fatalf("answer of %d bytes past MaxAnswer", len(tr.Text()))
		}
	})
}

func TestNewTurns(t *testing.T) {
	u := func(s string) Message { return Message{Role: "user", Text: s} }
	a := func(s string) Message { return Message{Role: "assistant", Text: s} }
	cases := []struct {
		name string
		in   []Message
		want int // how many trailing messages are new
	}{
		{"first turn", []Message{{Role: "system", Text: "s"}, u("hi")}, 2},
		{"after an answer", []Message{u("hi"), a("hello"), u("more")}, 1},
		{"tool results after the answer", []Message{u("hi"), a("call"), {Role: "tool", Text: "42"}, u("so?")}, 2},
		{"ends with the assistant", []Message{u("hi"), a("hello")}, 0},
	}
	for _, tc := range cases {
		got := NewTurns(tc.in)
		if len(got) != tc.want || (tc.want > 0 && &got[0] != &tc.in[len(tc.in)-tc.want]) {
			t.Errorf("%s: NewTurns = %v, want the last %d", tc.name, got, tc.want)
		}
	}
}

func TestConversationKey(t *testing.T) {
	base := []Message{{Role: "user", Text: "hi"}, {Role: "assistant", Text: "hello"}}
	k := ConversationKey("u1", base)
	cases := []struct {
		name string
		user string
		msgs []Message
		same bool
	}{
		{"same turns", "u1", []Message{{Role: "user", Text: "hi"}, {Role: "assistant", Text: "hello"}}, true},
		{"other user", "u2", base, false},
		{"other answer", "u1", []Message{{Role: "user", Text: "hi"}, {Role: "assistant", Text: "hell"}}, false},
		{"boundary moved between fields", "u1", []Message{{Role: "user", Text: "hia"}, {Role: "ssistant", Text: "hello"}}, false},
		{"one more turn", "u1", append(append([]Message{}, base...), Message{Role: "user", Text: "x"}), false},
	}
	for _, tc := range cases {
		if got := ConversationKey(tc.user, tc.msgs) == k; got != tc.same {
			t.Errorf("%s: same key = %v, want %v", tc.name, got, tc.same)
		}
	}
}

// TestConversationKeyBuffered: the key is the SHA-256 of the fields with
// their lengths, whatever the buffer ConversationKey writes them through.
func TestConversationKeyBuffered(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 4<<10 - 40, 4<<10 - 1, 4 << 10, 4<<10 + 1, 20 << 10} {
		msgs := []Message{{Role: "user", Name: "n", Text: strings.Repeat("a", n)}, {Role: "tool", ToolCallID: "c", Text: strings.Repeat("b", n/2)}}
		h := sha256.New()
		h.Write([]byte("u"))
		for _, m := range msgs {
			for _, f := range []string{m.Role, m.Name, m.ToolCallID, m.Text} {
				h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(f))))
				h.Write([]byte(f))
			}
		}
		if got, want := ConversationKey("u", msgs), hex.EncodeToString(h.Sum(nil)); got != want {
			t.Errorf("ConversationKey of %d-byte texts = %s, want %s", n, got, want)
		}
	}
}

// TestTranslatorExtIsStable: Ext returns the same value until the ids or
// the state change, and a changed one never alters what was returned.
func TestTranslatorExtIsStable(t *testing.T) {
	tr := &Translator{}
	e, _ := ReadResponse([]byte(task("submitted")))
	_, _ = tr.Feed(e)
	first := tr.Ext()
	if tr.Ext() != first {
		t.Error("Ext() allocated again with nothing changed")
	}
	e, _ = ReadResponse([]byte(status("working", "", "", false)))
	_, _ = tr.Feed(e)
	if second := tr.Ext(); second == first || first.State != StateSubmitted || second.State != StateWorking {
		t.Errorf("after a change: first %+v, second %+v", first, second)
	}
}

// TestTranslatorLetsGoOfEvents: what a Translator keeps of an event (ids, a
// first short chunk, a status message) is copied, so that an idle stream
// does not hold whole events (the first often echoes the prompt), and with
// NoUsage it lets go of the prompt.
func TestTranslatorLetsGoOfEvents(t *testing.T) {
	tr := &Translator{Prompt: "user: hi", NoUsage: true}
	within := func(s string, ev Event) bool {
		for _, in := range []string{ev.TaskID, ev.ContextID, ev.Text} {
			if len(s) > 0 && len(in) > 0 && unsafe.StringData(s) == unsafe.StringData(in) {
				return true
			}
		}
		for _, a := range ev.Artifacts {
			if len(s) > 0 && (unsafe.StringData(s) == unsafe.StringData(a.ID) || unsafe.StringData(s) == unsafe.StringData(a.Text)) {
				return true
			}
		}
		return false
	}
	for _, raw := range []string{task("submitted"), status("working", "agent", "Looking up…", false), art("a", "chunk", false)} {
		e, err := ReadResponse([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tr.Feed(e); err != nil {
			t.Fatal(err)
		}
		for what, s := range map[string]string{"task id": tr.ext.TaskID, "context id": tr.ext.ContextID, "status": tr.status} {
			if within(s, e) {
				t.Errorf("after %s: the Translator's %s points into the event", raw, what)
			}
		}
		for id, shown := range tr.deltas.seen {
			if within(id, e) || within(shown.String(), e) {
				t.Errorf("after %s: artifact %q or its text points into the event", raw, id)
			}
		}
	}
	if tr.Prompt != "" {
		t.Errorf("Prompt = %q after Feed with NoUsage, want it let go", tr.Prompt)
	}
}
