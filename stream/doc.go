// Package stream reads and writes Server-Sent Events: it decodes the SSE
// streams A2A agents send (Events), writes the OpenAI chunk stream clients
// read (Writer), and turns artifact updates into text deltas that are never
// shown twice (Deltas).
//
// It knows nothing of HTTP servers, Echo or A2A JSON: bytes in, values out.
package stream
