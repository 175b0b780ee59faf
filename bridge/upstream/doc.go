// Package upstream is the bridge's A2A client: given an agent's Target and
// a dialect-neutral Request, it picks the dialect and endpoint, signs the
// call with the agent's credentials, bounds it in time and size, switches
// dialect or falls back from stream to send when the agent says so, polls
// the task of a non-blocking agent, cancels a task whose caller went away,
// and returns typed events (Reply) or the raw answer (Raw) for
// pass-through.
//
// It knows nothing of chat, Echo or OpenAI: the front doors of package
// bridge parse their own requests, call a Client, and render what comes
// back in their own shape. Where a front door's needs differ, the Client
// takes a function field (the way net/http/httputil.ReverseProxy does), not
// an interface.
//
// Files by concern: client.go (Client, Target, Request, Do), call.go (a
// call's context and timeout), reply.go (Reply: events, polls, cancel),
// raw.go (pass-through), post.go (one HTTP exchange, bounded reads),
// card.go (card fetches), errors.go (sentinels and error types), codes.go
// (the JSON-RPC codes and their sentinels), origin.go (where credentials
// may go), transport.go (connection pools).
package upstream
