package transform

import "github.com/a2a-bridge/a2a-bridge/transform/internal/jsonwalk"

// name is a member's key the reader knows, matched once unescaped.
type name uint8

const (
	nameOther name = iota
	// The members of an A2A object, indexes of members.at.
	nameKind
	nameID
	nameTaskID
	nameContextID
	nameRole
	nameFinal
	nameAppend
	nameLastChunk
	nameStatus
	nameArtifact
	nameArtifacts
	nameParts
	nameMetadata
	// The 1.0 wrapper members of a result.
	nameTask
	nameMessage // also the message of a status
	nameStatusUpdate
	nameArtifactUpdate
	// The members of a response, a status, an artifact and a part.
	nameResult
	nameError
	nameState
	nameArtifactID
	nameText
)

// nameOf returns the name of a key, matched once unescaped.
func nameOf(k jsonwalk.Key) name {
	key := k.Raw()
	if k.Escaped() {
		var buf [jsonwalk.ShortMax]byte
		key = k.Short(&buf)
	}
	switch string(key) { // no copy: only compared
	case "kind":
		return nameKind
	case "id":
		return nameID
	case "taskId":
		return nameTaskID
	case "contextId":
		return nameContextID
	case "role":
		return nameRole
	case "final":
		return nameFinal
	case "append":
		return nameAppend
	case "lastChunk":
		return nameLastChunk
	case "status":
		return nameStatus
	case "artifact":
		return nameArtifact
	case "artifacts":
		return nameArtifacts
	case "parts":
		return nameParts
	case "metadata":
		return nameMetadata
	case "task":
		return nameTask
	case "message":
		return nameMessage
	case "statusUpdate":
		return nameStatusUpdate
	case "artifactUpdate":
		return nameArtifactUpdate
	case "result":
		return nameResult
	case "error":
		return nameError
	case "state":
		return nameState
	case "artifactId":
		return nameArtifactID
	case "text":
		return nameText
	}
	return nameOther
}
