package transform

import "unicode/utf8"

// The members of the A2A objects a result can be (Task, Message, status
// and artifact updates) and of a result itself, read at once: a result
// is read once whether it wraps its object (1.0) or is it (0.3).

// The members objFields holds: the 1.0 wrappers first, in the order of
// resultKinds.
const (
	oTask = iota
	oMessage
	oStatusUpdate
	oArtifactUpdate
	oKind
	oStatus
	oID
	oTaskID
	oContextID
	oArtifact
	oArtifacts
	oHistory
	oRole
	oParts
	oMetadata
	oExtensions
	oMessageID
	oReferenceTaskIDs
	oFinal
	oAppend
	oLastChunk
	nObject
)

// objectMember is the index of the member name in objFields, or -1.
func objectMember(name []byte) int {
	switch string(name) {
	case "task":
		return oTask
	case "message":
		return oMessage
	case "statusUpdate":
		return oStatusUpdate
	case "artifactUpdate":
		return oArtifactUpdate
	case "kind":
		return oKind
	case "status":
		return oStatus
	case "id":
		return oID
	case "taskId":
		return oTaskID
	case "contextId":
		return oContextID
	case "artifact":
		return oArtifact
	case "artifacts":
		return oArtifacts
	case "history":
		return oHistory
	case "role":
		return oRole
	case "parts":
		return oParts
	case "metadata":
		return oMetadata
	case "extensions":
		return oExtensions
	case "messageId":
		return oMessageID
	case "referenceTaskIds":
		return oReferenceTaskIDs
	case "final":
		return oFinal
	case "append":
		return oAppend
	case "lastChunk":
		return oLastChunk
	}
	return -1
}

// objFields are the members of one object read by readObject: the first
// of each name (nil for one absent), and whether all its members have one
// name (names 1, sole that name).
type objFields struct {
	v     [nObject][]byte
	sole  []byte
	names int // 0, 1, or 2 for more
}

// readObject reads the members of the object v into f, and reports
// whether v is an object.
func (sc *scan) readObject(v []byte, f *objFields) bool {
	it, ok := sc.objectIn(v)
	if !ok {
		return false
	}
	for {
		k, val, esc, ok := it.member(sc)
		if !ok {
			return true
		}
		name := k[1 : len(k)-1]
		if esc || !utf8.Valid(name) {
			name = memberName(k, esc)
		}
		switch {
		case f.names == 0:
			f.sole, f.names = name, 1
		case f.names == 1 && string(name) != string(f.sole):
			f.names = 2
		}
		if j := objectMember(name); j >= 0 && f.v[j] == nil {
			f.v[j] = val
		}
	}
}
