package transform

// ConvertedEvent is one event of an agent's stream read and translated
// off one validation of its body (AppendConvertEvent).
type ConvertedEvent struct {
	Event   Event  // what ReadResponseInto reads of it
	ReadErr error  // ReadResponseInto's error: an *RPCError for an error event
	Out     []byte // the translation, appended to the caller's buffer
}

// AppendConvertEvent is ReadResponseInto and AppendConvertResponse of one
// body at once: a body the read accepted is valid JSON no deeper than
// MaxDepth (its walk validated all of it), so the translation does not
// validate it again. The error is the translation's; on one, Out is dst
// as it came.
func AppendConvertEvent(dst, body []byte, to Dialect, bare bool, one *[1]Artifact) (ConvertedEvent, error) {
	ev, readErr := ReadResponseInto(body, one)
	c := ConvertedEvent{Event: ev, ReadErr: readErr, Out: dst}
	if readErr != nil { // maybe no JSON at all: the translation checks it
		out, err := AppendConvertResponse(dst, body, to, bare)
		c.Out = out
		return c, err
	}
	sc := newScan(body)
	c.Out = sc.appendConvertedResponse(dst, body[wsEnd(body, 0):], to, bare)
	return c, nil
}
