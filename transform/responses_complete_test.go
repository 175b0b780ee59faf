package transform

import "testing"

// closeBoth ends a stream of m's events, started at start (the meta as it
// was when the stream began: its ext may have changed since), both ways:
// with Completed or Failed and the object Response encodes, and with
// Complete or Fail, which encode it into the buffer.
func closeBoth(start, m ResponseMeta, deltas []string, st ResponseState) (viaResponse, direct string) {
	var ws [2]sseBuffer
	for i := range ws {
		e := NewResponseEvents(start)
		_ = e.Start(&ws[i])
		for _, d := range deltas {
			_ = e.Delta(&ws[i], d)
		}
		switch {
		case i == 0 && st.Status == ResponseFailed:
			_ = e.Failed(&ws[i], Response(m, st))
		case i == 0:
			_ = e.Completed(&ws[i], st.Text, Response(m, st))
		case st.Status == ResponseFailed:
			_ = e.Fail(&ws[i], m, st)
		default:
			_ = e.Complete(&ws[i], m, st)
		}
	}
	return string(ws[0].b), string(ws[1].b)
}

// TestResponseCompleteDirect: Complete and Fail write what Completed and
// Failed write with Response's object, byte for byte, and AppendResponse
// appends what Response returns, in a buffer ResponseSize holds.
func TestResponseCompleteDirect(t *testing.T) {
	for _, tc := range responseOutCases {
		if tc.st.Status == ResponseInProgress {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			start := tc.m
			start.Ext = nil // the ids came after the stream started
			if via, direct := closeBoth(start, tc.m, tc.deltas, tc.st); direct != via {
				t.Errorf("Complete/Fail of %s =\n%s\nwant\n%s", tc.name, direct, via)
			}
			want := Response(tc.m, tc.st)
			if got := AppendResponse([]byte("x"), tc.m, tc.st); string(got) != "x"+string(want) {
				t.Errorf("AppendResponse(x, %s) = %s, want x%s", tc.name, got, want)
			}
			if n := ResponseSize(tc.m, tc.st); n < len(want) {
				t.Errorf("ResponseSize(%s) = %d, want at least %d", tc.name, n, len(want))
			}
		})
	}
}

// FuzzResponseComplete holds Complete and Fail to Completed and Failed
// with Response's object, for any strings.
func FuzzResponseComplete(f *testing.F) {
	for _, tc := range responseOutCases {
		f.Add(tc.m.ID, tc.m.Model, tc.m.Instructions, tc.st.Text, tc.st.Status == ResponseFailed)
	}
	f.Fuzz(func(t *testing.T, id, model, instructions, text string, failed bool) {
		m := ResponseMeta{ID: id, MessageID: "msg_" + id, Model: model, Instructions: instructions, Ext: &Ext{TaskID: id, ContextID: text, State: State(model)}}
		st := ResponseState{Status: ResponseCompleted, Text: text, Usage: &Usage{PromptTokens: len(id), CompletionTokens: len(text)}}
		if failed {
			st.Status, st.Error = ResponseFailed, []byte(`{"code":"agent_task_failed","message":"failed"}`)
		}
		start := m
		start.Ext = &Ext{TaskID: id}
		deltas := []string{text[:len(text)/2], text[len(text)/2:]}
		if via, direct := closeBoth(start, m, deltas, st); direct != via {
			t.Fatalf("Complete/Fail =\n%s\nwant\n%s", direct, via)
		}
	})
}
