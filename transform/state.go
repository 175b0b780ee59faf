package transform

import (
	"strings"

	"github.com/tidwall/gjson"
)

// State is a task state, normalised to the 0.3 spelling ("input-required").
type State string

// The task states of every A2A version, normalised.
const (
	StateUnknown       State = "unknown"
	StateSubmitted     State = "submitted"
	StateWorking       State = "working"
	StateCompleted     State = "completed"
	StateFailed        State = "failed"
	StateCanceled      State = "canceled"
	StateInputRequired State = "input-required"
	StateRejected      State = "rejected"
	StateAuthRequired  State = "auth-required"
)

// numbered are the proto enum numbers of the 1.0 states.
var numbered = [...]State{StateUnknown, StateSubmitted, StateWorking, StateCompleted, StateFailed,
	StateCanceled, StateInputRequired, StateRejected, StateAuthRequired}

// ParseState normalises a state of any version: "TASK_STATE_INPUT_REQUIRED",
// "input-required", 6 and "cancelled" all read as one State.
func ParseState(v gjson.Result) State {
	if v.Type == gjson.Number {
		if n := v.Int(); n >= 0 && n < int64(len(numbered)) {
			return numbered[n]
		}
		return StateUnknown
	}
	s := v.String()
	if st, ok := spelled[s]; ok {
		return st
	}
	return normaliseState(s)
}

// spelled are the states as the 0.3 and 1.0 specifications spell them,
// read on every status event without the allocations of normaliseState
// (lowering "TASK_STATE_WORKING" and replacing its underscores).
var spelled = func() map[string]State {
	m := make(map[string]State, 2*len(numbered))
	for _, st := range numbered {
		m[string(st)] = st
		m["TASK_STATE_"+strings.ToUpper(strings.ReplaceAll(string(st), "-", "_"))] = st
	}
	return m
}()

// normaliseState reads any other spelling: casing slips, underscores.
func normaliseState(s string) State {
	s = strings.ToLower(s)
	s = strings.TrimPrefix(s, "task_state_")
	s = strings.ReplaceAll(s, "_", "-")
	switch State(s) {
	case StateSubmitted, StateWorking, StateCompleted, StateFailed, StateCanceled,
		StateInputRequired, StateRejected, StateAuthRequired:
		return State(s)
	case "cancelled":
		return StateCanceled
	case "":
		return ""
	}
	return StateUnknown
}

// Terminal reports whether no more events come for a task in state s.
func (s State) Terminal() bool {
	switch s {
	case StateCompleted, StateFailed, StateCanceled, StateRejected, StateUnknown:
		return true
	}
	return false
}

// Interrupted reports whether the task waits for its caller.
func (s State) Interrupted() bool { return s == StateInputRequired || s == StateAuthRequired }

// Failed reports whether a task in state s ended without an answer.
func (s State) Failed() bool {
	return s == StateFailed || s == StateRejected || s == StateCanceled || s == StateUnknown
}

// ParseRole normalises a message role of any version: "ROLE_AGENT" and
// "agent" both read "agent".
func ParseRole(r string) string {
	switch r { // the specifications' spellings, without allocating
	case "agent", "ROLE_AGENT":
		return "agent"
	case "user", "ROLE_USER":
		return "user"
	}
	return strings.TrimPrefix(strings.ToLower(r), "role_")
}
