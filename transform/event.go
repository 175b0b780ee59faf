package transform

import (
	"errors"
	"fmt"
)

// Kind says what an A2A result or stream event is.
type Kind int

const (
	KindUnknown  Kind = iota
	KindTask          // a Task
	KindMessage       // a bare agent Message: the whole answer
	KindStatus        // a TaskStatusUpdateEvent
	KindArtifact      // a TaskArtifactUpdateEvent
)

// Event is one A2A result or stream event, read from any protocol version.
type Event struct {
	Kind      Kind
	TaskID    string
	ContextID string
	State     State  // normalised task state, for KindTask and KindStatus
	Final     bool   // 0.3 "final": the last event of a stream
	Text      string // KindMessage: its text; KindTask/KindStatus: status.message text
	Role      string // the role of that message, normalised: "agent", "user"
	Artifacts []Artifact
	Append    bool   // KindArtifact: the parts add to a known artifact
	LastChunk bool   // KindArtifact
	Usage     *Usage // token usage the agent reported in its metadata, if any
}

// Artifact is an artifact's id and the text of its parts.
type Artifact struct {
	ID   string
	Text string
}

// RPCError is a JSON-RPC error answered by an agent.
type RPCError struct {
	Code    int64
	Message string
}

func (e *RPCError) Error() string { return fmt.Sprintf("agent error %d: %s", e.Code, e.Message) }

// ErrBadResponse is returned for an agent answer that is not a JSON-RPC
// response carrying a result or an error.
var ErrBadResponse = errors.New("agent answer is not a valid JSON-RPC response")
