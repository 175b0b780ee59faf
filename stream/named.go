package stream

// Named adds one frame of a named event, "event: <name>" then
// "data: <json>", buffered like Frame: the Responses API's events are
// named after their type. name and b must hold no newline.
func (sw *Writer) Named(name string, b []byte) error {
	sw.take()
	sw.buf = append(append(append(sw.buf, "event: "...), name...), '\n')
	return sw.End(append(append(sw.buf, "data: "...), b...))
}
