package transform

import (
	"slices"

	"github.com/tidwall/gjson"

	"github.com/a2a-bridge/a2a-bridge/transform/internal/jsonwalk"
)

// ReadResponse reads one JSON-RPC response of an agent (the whole body of a
// non-stream answer, or the data of one stream event). A JSON-RPC error is
// returned as *RPCError. A body nested deeper than MaxDepth, or an id (a
// task's, a context's, an artifact's) longer than MaxName or holding a
// control byte, is ErrBadResponse.
//
// It walks the body once (see reader), and reads what the gjson reader it
// replaced read, by gjson's rules: the first occurrence of a member wins,
// keys match once unescaped, and values of unexpected types convert as
// gjson's Result converts them.
func ReadResponse(body []byte) (Event, error) {
	return readResponse(body, nil, nil)
}

// ReadResponseInto is ReadResponse, with the Artifacts of an event of one
// artifact (every artifact-update) in one's array instead of a slice of
// their own: they are valid until one is reused. A stream reads one event
// at a time, and its reader spares each event that allocation.
func ReadResponseInto(body []byte, one *[1]Artifact) (Event, error) {
	return readResponse(body, one, nil)
}

// Arena is where the events of one stream keep their strings: those of a
// small event (a chunk of text and its ids) share a block with the events
// before and after it, where each took an allocation of its own. An
// event's strings never change once read, whatever is read after it; a
// block lives as long as a string in it, or the Arena. Its zero value is
// ready to use; it is not safe for concurrent use.
type Arena struct{ a jsonwalk.Arena }

// ReadEvent is ReadResponseInto (with a nil one, ReadResponse) for the
// events of a stream, a small event's strings copied to a.
func ReadEvent(body []byte, one *[1]Artifact, a *Arena) (Event, error) {
	return readResponse(body, one, &a.a)
}

func readResponse(body []byte, one *[1]Artifact, a *jsonwalk.Arena) (Event, error) {
	r := reader{jsonwalk.NewIn(body, a)}
	var resp response
	if !r.response(&resp) {
		return Event{}, ErrBadResponse
	}
	switch {
	case r.IsObject(resp.err):
		e := gjson.Parse(r.Raw(resp.err))
		return Event{}, &RPCError{Code: e.Get("code").Int(), Message: e.Get("message").String()}
	case resp.err.Found() && !r.IsNull(resp.err): // an error member neither object nor null
		return Event{}, ErrBadResponse
	case !r.IsObject(resp.result):
		return Event{}, ErrBadResponse
	case resp.wrappedKind != KindUnknown:
		return checkIDs(r.event(resp.wrappedKind, &resp.members, one))
	}
	return checkIDs(r.event(r.kindOf(&resp.members), &resp.members, one))
}

// reader is ReadResponse's walk of one body: internal/jsonwalk's Reader,
// which validates exactly what gjson.ValidBytes accepts and copies the
// values kept to one arena, with the A2A reading below built on it. A2A
// events are read on the hot path of every stream, and walking the body
// once, descending only where the Event needs, costs a fraction of gjson's
// validating pass followed by a ForEach per nesting level. The Event's
// strings share the arena's one allocation (gjson.ParseBytes copied the
// whole body instead), and none points into the body, which the SSE
// decoder reuses for the next event.
type reader struct{ jsonwalk.Reader }

// single returns a as an event's Artifacts: in one's array, unless one is
// nil (see ReadResponseInto).
func single(a Artifact, one *[1]Artifact) []Artifact {
	if one == nil {
		return []Artifact{a}
	}
	one[0] = a
	return one[:]
}

// checkIDs returns ev, or ErrBadResponse if an id it keeps is no
// validName: the ids go into response headers and are kept in memory.
func checkIDs(ev Event) (Event, error) {
	if !validIDs(&ev) {
		return Event{}, ErrBadResponse
	}
	return ev, nil
}

// response is what ReadResponse keeps of a JSON-RPC response: its first
// "error" and "result" members, and the members of the A2A object the
// result is: the result's own (0.2/0.3, or a 1.0 result read by shape), or
// those of its 1.0 wrapper member.
type response struct {
	err, result jsonwalk.Span
	members
	wrappedKind Kind // the kind the wrapper member holds, if there is one
}

// members are the members of an A2A object (a result, or what a 1.0
// wrapper member holds) that the Event is read from, each the first
// occurrence. The walk reads status, artifact, artifacts and parts as it
// passes through them; what the Event may keep of them stays in the body
// until the object's kind says what it keeps, but for a list of more than
// one artifact, copied as the walk reads it: it has no fixed room to wait in.
type members struct {
	at     [nameMetadata + 1]jsonwalk.Span // the members by name (nameKind … nameMetadata)
	status taskStatus                      // what the status holds, if it is an object
	art    artifactRef                     // the artifact, if it is an object
	first  artifactRef                     // the first of the artifacts
	arts   []Artifact                      // all the artifacts, copied, once there are two
	nArts  int                             // the number of artifacts
	text   textRef                         // the text of the parts
}

// taskStatus is what a status object holds that the Event uses: its
// state, and the text and role of its message.
type taskStatus struct {
	state, role    jsonwalk.Span
	text           textRef       // the text of the message's parts
	message, parts jsonwalk.Span // found: later occurrences are not read
}

// artifactRef is an artifact's id and text, not copied yet.
type artifactRef struct {
	id   jsonwalk.Span
	text textRef
}

// textRef is the text of a part list: the string of its one text part,
// not copied yet (the common case: one part per stream event), or the text
// of its parts joined, or rendered by PartText, already a string apart
// from the body.
type textRef struct {
	at jsonwalk.Span
	s  string
}

// response walks the body: a JSON-RPC response, into resp. It reports
// whether the body is valid JSON.
func (r *reader) response(resp *response) bool {
	r.WS()
	_, ok := r.Object(func(k jsonwalk.Key) bool {
		n := nameOf(k)
		var ok bool
		switch {
		case n == nameResult && !resp.result.Found():
			resp.result, ok = r.result(resp)
		case n == nameError && !resp.err.Found():
			resp.err, ok = r.Value()
		default:
			ok = r.Skip()
		}
		return ok
	})
	return ok && r.End()
}

// result walks a result: by its 1.0 wrapper member ("task", "message",
// "statusUpdate", "artifactUpdate"), the first that holds an object, or
// else by its own members. The wrapper's members replace the result's own
// read before it; once it is found the result's other members no longer
// matter, and are only validated.
func (r *reader) result(resp *response) (jsonwalk.Span, bool) {
	return r.Object(func(key jsonwalk.Key) bool {
		if resp.wrappedKind != KindUnknown {
			return r.Skip()
		}
		n := nameOf(key)
		k := wrapperKind(n)
		if k == KindUnknown {
			return r.member(&resp.members, n)
		}
		if r.Peek() != '{' {
			return r.Skip()
		}
		resp.members = members{}
		resp.wrappedKind = k
		_, ok := r.Object(func(k jsonwalk.Key) bool { return r.member(&resp.members, nameOf(k)) })
		return ok
	})
}

// wrapperKind returns the kind a 1.0 wrapper member holds, KindUnknown if
// n names none.
func wrapperKind(n name) Kind {
	switch n {
	case nameTask:
		return KindTask
	case nameMessage:
		return KindMessage
	case nameStatusUpdate:
		return KindStatus
	case nameArtifactUpdate:
		return KindArtifact
	}
	return KindUnknown
}

// member walks the value of the member called n of an A2A object into m
// if the Event may need it and it is the member's first occurrence; any
// other value is only validated.
func (r *reader) member(m *members, n name) bool {
	if n > nameMetadata || m.at[n].Found() {
		return r.Skip()
	}
	var ok bool
	switch n {
	case nameStatus:
		m.at[n], ok = r.Object(func(k jsonwalk.Key) bool { return r.statusMember(&m.status, nameOf(k)) })
	case nameArtifact:
		m.art, m.at[n], ok = r.artifact()
	case nameArtifacts:
		m.at[n], ok = r.Each(func() bool {
			a, _, ok := r.artifact()
			switch m.nArts++; m.nArts {
			case 1:
				m.first = a
				return ok
			case 2:
				m.arts = append(m.arts, r.copyArtifact(m.first, r.Len()))
			case manyArtifacts:
				// Room for the rest at once: regrown one by one, a list of
				// empty artifacts ("{},") cost 66 bytes per byte.
				m.arts = slices.Grow(m.arts, 1+r.Remaining())
			}
			m.arts = append(m.arts, r.copyArtifact(a, r.Len()))
			return ok
		})
	case nameParts:
		m.text, m.at[n], ok = r.parts()
	default:
		m.at[n], ok = r.Value()
	}
	return ok
}

// statusMember walks the member called n of a status object into st: its
// state, and the parts and role of its message.
func (r *reader) statusMember(st *taskStatus, n name) bool {
	var ok bool
	switch {
	case n == nameState && !st.state.Found():
		st.state, ok = r.Value()
	case n == nameMessage && !st.message.Found():
		st.message, ok = r.Object(func(k jsonwalk.Key) bool {
			n := nameOf(k)
			var ok bool
			switch {
			case n == nameParts && !st.parts.Found():
				st.text, st.parts, ok = r.parts()
			case n == nameRole && !st.role.Found():
				st.role, ok = r.Value()
			default:
				ok = r.Skip()
			}
			return ok
		})
	default:
		ok = r.Skip()
	}
	return ok
}

// artifact walks an artifact: its id and the text of its parts. One that
// is no object reads as an empty Artifact, as gjson's Get on it finds
// nothing.
func (r *reader) artifact() (artifactRef, jsonwalk.Span, bool) {
	var a artifactRef
	var parts jsonwalk.Span
	s, ok := r.Object(func(k jsonwalk.Key) bool {
		n := nameOf(k)
		var ok bool
		switch {
		case n == nameArtifactID && !a.id.Found():
			a.id, ok = r.Value()
		case n == nameParts && !parts.Found():
			a.text, parts, ok = r.parts()
		default:
			ok = r.Skip()
		}
		return ok
	})
	if !ok {
		return artifactRef{}, s, false
	}
	return a, s, true
}

// parts walks a part list and returns the text of its parts joined with no
// separator: SDKs store appended chunks as extra parts of one artifact. A
// single part's text is left where it is; from the second part on, each
// part's text is copied to the arena right after the one before, so the
// joined text is a slice of the arena.
func (r *reader) parts() (textRef, jsonwalk.Span, bool) {
	var t textRef
	n, start := 0, 0
	s, ok := r.Each(func() bool {
		p, ok := r.part()
		switch n++; n {
		case 1:
			t = p
			return ok
		case 2:
			start = r.Reserve(r.Len())
			r.writeText(t)
		}
		r.writeText(p)
		return ok
	})
	if n > 1 {
		t = textRef{s: r.Since(start)}
	}
	return t, s, ok
}

// part walks one part and returns its text: its "text" member if that is
// a string, the common case; any other part rendered by PartText from its
// JSON. A part that is no object has no text.
func (r *reader) part() (textRef, bool) {
	var text jsonwalk.Span
	s, ok := r.Object(func(k jsonwalk.Key) bool {
		n := nameOf(k)
		if n == nameText && !text.Found() {
			var ok bool
			text, ok = r.Value()
			return ok
		}
		return r.Skip()
	})
	switch {
	case !ok || !r.IsObject(s):
		return textRef{}, ok
	case r.IsString(text):
		return textRef{at: text}, true
	}
	return textRef{s: PartText(gjson.Parse(string(r.Bytes(s))))}, true
}

// writeText copies a text to the arena.
func (r *reader) writeText(t textRef) {
	if t.at.Found() {
		r.WriteText(t.at)
	} else {
		r.WriteString(t.s)
	}
}

// textOf returns a text, copied to the arena if it is still in the body.
func (r *reader) textOf(t textRef) string {
	if t.at.Found() {
		return r.Text(t.at)
	}
	return t.s
}

// copyArtifact returns an artifact with its id and text copied to the
// arena, sized for size bytes if it is still to be made.
func (r *reader) copyArtifact(a artifactRef, size int) Artifact {
	r.Reserve(size)
	return Artifact{ID: r.String(a.id), Text: r.textOf(a.text)}
}

// kindOf reads the kind of a result without a wrapper: by "kind"
// (0.2/0.3), else by shape.
func (r *reader) kindOf(m *members) Kind {
	if kind := m.at[nameKind]; r.IsString(kind) {
		var buf [jsonwalk.ShortMax]byte
		switch string(r.Short(kind, &buf)) {
		case "task":
			return KindTask
		case "message":
			return KindMessage
		case "status-update":
			return KindStatus
		case "artifact-update":
			return KindArtifact
		}
	}
	switch {
	case r.IsObject(m.at[nameArtifact]):
		return KindArtifact
	case m.at[nameTaskID].Found() && r.IsObject(m.at[nameStatus]):
		return KindStatus
	case r.IsObject(m.at[nameStatus]):
		return KindTask
	case r.IsArray(m.at[nameParts]):
		return KindMessage
	}
	return KindUnknown
}

// event returns the Event of kind k an A2A object's members hold. The
// strings it keeps are copied to the arena, sized for them: no more than
// the bytes they take in the body.
func (r *reader) event(k Kind, m *members, one *[1]Artifact) Event {
	at := &m.at
	r.Reserve(m.size(k))
	ev := Event{Kind: k, ContextID: r.String(at[nameContextID]), Usage: r.usage(at[nameMetadata])}
	switch k {
	case KindTask:
		ev.TaskID = r.String(at[nameID])
		r.readStatus(&ev, &m.status)
		ev.Artifacts = m.arts
		if m.nArts == 1 {
			ev.Artifacts = single(r.copyArtifact(m.first, 0), one)
		}
	case KindStatus:
		ev.TaskID = r.String(at[nameTaskID])
		r.readStatus(&ev, &m.status)
		ev.Final = r.Bool(at[nameFinal])
	case KindArtifact:
		ev.TaskID = r.String(at[nameTaskID])
		ev.Artifacts = single(r.copyArtifact(m.art, 0), one)
		// 1.0 JSON leaves out false booleans: a missing append is false.
		ev.Append = r.Bool(at[nameAppend])
		ev.LastChunk = r.Bool(at[nameLastChunk])
	case KindMessage:
		ev.TaskID = r.String(at[nameTaskID])
		ev.Text = r.textOf(m.text)
		ev.Role = ParseRole(r.String(at[nameRole]))
	}
	return ev
}

// size bounds the bytes event copies to the arena for an Event of kind k:
// the length in the body of each value it reads (unescaping only shortens
// a string; a number or a container is copied as written).
func (m *members) size(k Kind) int {
	at := &m.at
	n := at[nameContextID].Len() + at[nameMetadata].Len()
	switch k {
	case KindTask:
		n += at[nameID].Len() + m.status.size() + m.first.size()
	case KindStatus:
		n += at[nameTaskID].Len() + m.status.size() + at[nameFinal].Len()
	case KindArtifact:
		n += at[nameTaskID].Len() + m.art.size() + at[nameAppend].Len() + at[nameLastChunk].Len()
	case KindMessage:
		n += at[nameTaskID].Len() + at[nameRole].Len() + m.text.at.Len()
	}
	return n
}

func (st *taskStatus) size() int { return st.state.Len() + st.role.Len() + st.text.at.Len() }
func (a *artifactRef) size() int { return a.id.Len() + a.text.at.Len() }

func (r *reader) readStatus(ev *Event, st *taskStatus) {
	ev.State = ParseState(r.GJSON(st.state))
	ev.Text = r.textOf(st.text)
	ev.Role = ParseRole(r.String(st.role))
}

// usage reads the token usage in a metadata object, by readUsage on its
// JSON copied to the arena: metadata is rare next to text, and its
// shapes are many.
func (r *reader) usage(meta jsonwalk.Span) *Usage {
	if !r.IsObject(meta) {
		return nil
	}
	return readUsage(gjson.Result{Type: gjson.JSON, Raw: r.Raw(meta)})
}
