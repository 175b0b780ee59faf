// Package stream reads and writes Server-Sent Events: it decodes the SSE
// streams A2A agents send (Events) and writes the OpenAI chunk stream
// clients read (Writer).
//
// It knows nothing of HTTP servers, Echo or A2A JSON: bytes in, values out.
// What the events mean is transform's business (transform.Translator).
package stream
