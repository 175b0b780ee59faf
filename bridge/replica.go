package bridge

import (
	"errors"
	"maps"
	"net/http/httptrace"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/a2a-bridge/a2a-bridge/bridge/shared"
	"github.com/a2a-bridge/a2a-bridge/bridge/upstream"
	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/labstack/echo/v4"
)

// replica is one instance of an agent (agents[].urls; a single url is
// replica 0). Replicas share the agent's card, read from the first; each is
// called at its own origin.
type replica struct {
	index    int
	url      string
	label    string       // index, as the replica label of the metrics
	inflight atomic.Int64 // calls under way: new tasks go to the least loaded
	health   agentHealth
}

// maxSticky bounds the task and context ids remembered per agent with the
// replica that holds them (A2A tasks live in one replica's memory).
const maxSticky = 10000

// sticky remembers which replica holds a task or a context, the oldest
// forgotten first past maxSticky.
type sticky struct {
	mu    sync.Mutex
	where map[string]int
	order []string // a ring of the keys, oldest at next
	next  int
	// remote, when set (redis.url), holds the choices instead, under the
	// agent's name, each for ttl (lookup and keep).
	remote *shared.Client
	agent  string
	ttl    time.Duration
}

func (st *sticky) get(key string) (int, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	i, ok := st.where[key]
	return i, ok
}

func (st *sticky) put(key string, i int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.where == nil {
		st.where = map[string]int{}
	}
	if _, ok := st.where[key]; !ok {
		if len(st.order) < maxSticky {
			st.order = append(st.order, key)
		} else {
			delete(st.where, st.order[st.next])
			st.order[st.next] = key
			st.next = (st.next + 1) % maxSticky
		}
	}
	st.where[key] = i
}

// newReplicas makes c's replicas: its urls, else its url.
func newReplicas(c AgentConfig) []*replica {
	urls := c.URLs
	if len(urls) == 0 {
		urls = []string{c.URL}
	}
	out := make([]*replica, len(urls))
	for i, u := range urls {
		out[i] = &replica{index: i, url: u, label: strconv.Itoa(i)}
	}
	return out
}

// pick chooses the replica of a call: the one that holds its task or
// context when it continues one; else the least loaded of those not
// unhealthy, or of all when every one is. skip are replicas that failed
// to connect for this call.
func (a *Agent) pick(taskID, contextID string, skip map[int]bool) (r *replica, held bool) {
	for _, k := range []string{"task:" + taskID, "ctx:" + contextID} {
		if k == "task:" || k == "ctx:" {
			continue
		}
		if i, ok := a.sticky.lookup(k); ok && i < len(a.replicas) {
			return a.replicas[i], true
		}
	}
	var best, bestAny *replica
	for _, r := range a.replicas {
		if skip[r.index] {
			continue
		}
		if bestAny == nil || r.inflight.Load() < bestAny.inflight.Load() {
			bestAny = r
		}
		if r.state() != stateUnhealthy && (best == nil || r.inflight.Load() < best.inflight.Load()) {
			best = r
		}
	}
	if best == nil {
		best = bestAny
	}
	return best, false
}

// aim returns t aimed at replica r: every endpoint of the shared card
// moved to r's origin (the card's path kept), so that a dialect switch
// stays there too.
func aim(t upstream.Target, r *replica) upstream.Target {
	if r.index == 0 {
		return t // the card was read there, and pinned to it
	}
	pin := func(u string) string { p, _ := upstream.PinEndpoint(u, r.url, ""); return p }
	t.Card.Endpoint = pin(t.Card.Endpoint)
	t.Card.Interfaces = maps.Clone(t.Card.Interfaces)
	for d, i := range t.Card.Interfaces {
		i.URL = pin(i.URL)
		t.Card.Interfaces[d] = i
	}
	t.Interface.URL = pin(t.Interface.URL)
	return t
}

// callAgent makes req's first exchange with agent a on a replica chosen
// by pick (t is the agent's target, aimed at that replica here), and
// counts the call on the replica until its release (the caller defers
// it; r is never nil). A new task whose replica could not be connected to
// (no byte of the request written) goes to the next one; a call that
// continues a task or context never leaves the replica that holds it. A
// single replica costs nothing of this: no trace, no map. Every front
// door calls its agent through here.
func (s *Server) callAgent(c echo.Context, a *Agent, t *upstream.Target, req upstream.Request) (rp *upstream.Reply, r *replica, err error) {
	base := *t
	if parent, state, _ := traceOf(c.Request().Header); parent != "" {
		base.Headers = withTrace(base.Headers, parent, state)
	}
	var skip map[int]bool
	for {
		r, held := a.pick(req.Message.TaskID, req.Message.ContextID, skip)
		*t = aim(base, r)
		infoOf(c).replica = r
		r.inflight.Add(1)
		if len(a.replicas) == 1 {
			rp, err = s.up.Do(c.Request().Context(), t, req)
			return rp, r, err
		}
		var wrote atomic.Bool
		trace := &httptrace.ClientTrace{WroteHeaderField: func(string, []string) { wrote.Store(true) }}
		rp, err = s.up.Do(httptrace.WithClientTrace(c.Request().Context(), trace), t, req)
		if err == nil || held || wrote.Load() || !errors.Is(err, ErrAgentDown) || len(skip)+1 == len(a.replicas) {
			return rp, r, err
		}
		r.release()
		if skip == nil {
			skip = map[int]bool{}
		}
		skip[r.index] = true
		s.called(a, r, true)
	}
}

// release ends what callAgent counted on r.
func (r *replica) release() { r.inflight.Add(-1) }

// holds remembers that r holds the task and context of ext.
func (a *Agent) holds(r *replica, ext *transform.Ext) {
	if r == nil || ext == nil || len(a.replicas) == 1 {
		return
	}
	if ext.TaskID != "" {
		a.sticky.keep("task:"+ext.TaskID, r.index)
	}
	if ext.ContextID != "" {
		a.sticky.keep("ctx:"+ext.ContextID, r.index)
	}
}
