package transform

import (
	"testing"

	"github.com/tidwall/gjson"
)

func TestParseState(t *testing.T) {
	tests := []struct {
		name string
		raw  string // the JSON value of status.state; "" for a missing member
		want State
	}{
		// 0.3 strings.
		{"0.3 submitted", `"submitted"`, StateSubmitted},
		{"0.3 working", `"working"`, StateWorking},
		{"0.3 completed", `"completed"`, StateCompleted},
		{"0.3 failed", `"failed"`, StateFailed},
		{"0.3 canceled", `"canceled"`, StateCanceled},
		{"0.3 input-required", `"input-required"`, StateInputRequired},
		{"0.3 rejected", `"rejected"`, StateRejected},
		{"0.3 auth-required", `"auth-required"`, StateAuthRequired},
		{"0.3 unknown", `"unknown"`, StateUnknown},
		// 1.0 enum names.
		{"TASK_STATE_UNSPECIFIED", `"TASK_STATE_UNSPECIFIED"`, StateUnknown},
		{"TASK_STATE_SUBMITTED", `"TASK_STATE_SUBMITTED"`, StateSubmitted},
		{"TASK_STATE_WORKING", `"TASK_STATE_WORKING"`, StateWorking},
		{"TASK_STATE_COMPLETED", `"TASK_STATE_COMPLETED"`, StateCompleted},
		{"TASK_STATE_FAILED", `"TASK_STATE_FAILED"`, StateFailed},
		{"TASK_STATE_CANCELED", `"TASK_STATE_CANCELED"`, StateCanceled},
		{"TASK_STATE_INPUT_REQUIRED", `"TASK_STATE_INPUT_REQUIRED"`, StateInputRequired},
		{"TASK_STATE_REJECTED", `"TASK_STATE_REJECTED"`, StateRejected},
		{"TASK_STATE_AUTH_REQUIRED", `"TASK_STATE_AUTH_REQUIRED"`, StateAuthRequired},
		// 0.3 proto/REST spelling, and casing slips.
		{"TASK_STATE_CANCELLED", `"TASK_STATE_CANCELLED"`, StateCanceled},
		{"cancelled", `"cancelled"`, StateCanceled},
		{"upper case COMPLETED", `"COMPLETED"`, StateCompleted},
		{"snake input_required", `"input_required"`, StateInputRequired},
		{"lower task_state_working", `"task_state_working"`, StateWorking},
		// Proto enum numbers 0-8.
		{"number 0", `0`, StateUnknown},
		{"number 1", `1`, StateSubmitted},
		{"number 2", `2`, StateWorking},
		{"number 3", `3`, StateCompleted},
		{"number 4", `4`, StateFailed},
		{"number 5", `5`, StateCanceled},
		{"number 6", `6`, StateInputRequired},
		{"number 7", `7`, StateRejected},
		{"number 8", `8`, StateAuthRequired},
		{"number 9 out of range", `9`, StateUnknown},
		{"negative number", `-1`, StateUnknown},
		// Garbage.
		{"garbage", `"done-ish"`, StateUnknown},
		{"numeric string", `"3"`, StateUnknown},
		{"boolean", `true`, StateUnknown},
		// No state at all is not a state.
		{"missing", ``, ""},
		{"empty string", `""`, ""},
		{"null", `null`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := gjson.Result{}
			if tc.raw != "" {
				v = gjson.Parse(tc.raw)
			}
			if got := ParseState(v); got != tc.want {
				t.Errorf("ParseState(%s) = %q, want %q", tc.raw, got, tc.want)
			}
		})
	}
}

func TestStateClasses(t *testing.T) {
	tests := []struct {
		state                         State
		terminal, interrupted, failed bool
	}{
		{StateSubmitted, false, false, false},
		{StateWorking, false, false, false},
		{StateCompleted, true, false, false},
		{StateFailed, true, false, true},
		{StateCanceled, true, false, true},
		{StateInputRequired, false, true, false},
		{StateRejected, true, false, true},
		{StateAuthRequired, false, true, false},
		// Unknown/unspecified is treated as an error: it ends the task as a failure.
		{StateUnknown, true, false, true},
		{"", false, false, false},
	}
	for _, tc := range tests {
		t.Run(string(tc.state), func(t *testing.T) {
			if got := tc.state.Terminal(); got != tc.terminal {
				t.Errorf("State(%q).Terminal() = %v, want %v", tc.state, got, tc.terminal)
			}
			if got := tc.state.Interrupted(); got != tc.interrupted {
				t.Errorf("State(%q).Interrupted() = %v, want %v", tc.state, got, tc.interrupted)
			}
			if got := tc.state.Failed(); got != tc.failed {
				t.Errorf("State(%q).Failed() = %v, want %v", tc.state, got, tc.failed)
			}
		})
	}
}

// TestParseStateSpelled checks that the allocation-free table of exact
// spellings says what the general normalisation says.
func TestParseStateSpelled(t *testing.T) {
	if len(spelled) != 2*len(numbered) {
		t.Errorf("spelled holds %d spellings, want %d", len(spelled), 2*len(numbered))
	}
	for s, st := range spelled {
		if got := normaliseState(s); got != st {
			t.Errorf("spelled[%q] = %q, normaliseState(%[1]q) = %q", s, st, got)
		}
	}
	if n := testing.AllocsPerRun(100, func() { ParseState(gjson.Parse(`"TASK_STATE_WORKING"`)) }); n != 0 {
		t.Errorf("ParseState(TASK_STATE_WORKING) allocates %v times, want 0", n)
	}
}

func TestParseRole(t *testing.T) {
	for in, want := range map[string]string{
		"agent": "agent", "ROLE_AGENT": "agent", "user": "user", "ROLE_USER": "user",
		"Agent": "agent", "role_user": "user", "ROLE_UNSPECIFIED": "unspecified", "": "",
	} {
		if got := ParseRole(in); got != want {
			t.Errorf("ParseRole(%q) = %q, want %q", in, got, want)
		}
	}
}
