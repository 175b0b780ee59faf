package stream

// Named adds one frame of a named event, "event: <name>" then
// "data: <json>", buffered like Frame: the Responses API's events are
// named after their type. name and b must hold no newline.
func (sw *Writer) Named(name string, b []byte) error {
	return sw.End(append(sw.BeginNamed(name), b...))
}

// BeginNamed is Begin for a named event: the Writer's buffer ending with
// "event: <name>" and the start of its "data:" line, for the caller to
// append its JSON document to and hand to End. name must hold no newline.
func (sw *Writer) BeginNamed(name string) []byte {
	sw.take()
	return append(append(append(sw.buf, "event: "...), name...), "\ndata: "...)
}
