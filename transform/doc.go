// Package transform holds the pure functions of the bridge: it reads an
// OpenAI chat-completions request, flattens the conversation into the one
// text an A2A agent receives, builds the A2A JSON-RPC request, reads A2A
// results and stream events of any protocol version, and writes the OpenAI
// chat.completion and chat.completion.chunk objects.
//
// Nothing here does I/O, reads the clock or mints ids: ids and timestamps
// are passed in, so every output is deterministic and golden-tested.
package transform
