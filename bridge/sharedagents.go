package bridge

import (
	"context"
	"encoding/json"
	"time"
)

// Agents registered through the admin API are shared too (redis.url): one
// field per agent of the hash agentsKey, its agents[] entry as JSON, with
// no TTL (a registration lasts until DELETE). Every replica calls it: one
// that does not know a name asks Redis (agentFromShared), one that does
// checks that a shared agent is still registered before each call
// (stillShared), and each replica syncs its list every agentSyncEvery so
// that /v1/models and /v1/agents list the same agents everywhere.
const agentsKey = "agents"

// agentSyncEvery is how often each replica reads the shared agents.
const agentSyncEvery = 2 * time.Second

// shareAgent records the agent of cfg as registered on every replica; it
// is ErrNameInUse when another replica registered that name first.
func (r *Registry) shareAgent(ctx context.Context, a *Agent) error {
	if r.shared == nil {
		return nil
	}
	b, err := json.Marshal(a.cfg)
	if err != nil {
		return err
	}
	ok, err := r.shared.HSetNX(ctx, agentsKey, a.Name, string(b))
	if err != nil {
		return err
	}
	if !ok {
		return ErrNameInUse
	}
	a.shared.Store(true)
	return nil
}

// unshareAgent forgets the shared registration of name, if any.
func (r *Registry) unshareAgent(ctx context.Context, name string) (bool, error) {
	if r.shared == nil {
		return false, nil
	}
	return r.shared.HDel(ctx, agentsKey, name)
}

// agentFromShared registers here the agent another replica registered as
// name, if any. A Redis that does not answer is no such agent.
func (r *Registry) agentFromShared(name string) (*Agent, bool) {
	if r.shared == nil {
		return nil, false
	}
	v, ok, err := r.shared.HGet(context.Background(), agentsKey, name)
	if err != nil || !ok {
		return nil, false
	}
	return r.adopt(name, v)
}

// adopt registers here the shared agent name of the JSON entry v.
func (r *Registry) adopt(name, v string) (*Agent, bool) {
	var cfg AgentConfig
	if json.Unmarshal([]byte(v), &cfg) != nil || cfg.Name != name || cfg.validate("") != nil {
		return nil, false
	}
	a, err := r.Add(cfg)
	if err != nil { // registered here meanwhile
		return r.lookup(name)
	}
	a.shared.Store(true)
	return a, true
}

// stillShared reports whether a, if a shared registration, is still
// registered; one deleted through another replica is removed here too. A
// Redis that does not answer keeps it (the call goes on).
func (r *Registry) stillShared(a *Agent) bool {
	if r.shared == nil || !a.shared.Load() {
		return true
	}
	ok, err := r.shared.HExists(context.Background(), agentsKey, a.Name)
	if err != nil || ok {
		return true
	}
	_ = r.Remove(a.Name)
	return false
}

// syncAgents makes this replica's shared agents those of Redis: the new
// ones registered, the deleted ones removed.
func (r *Registry) syncAgents(ctx context.Context) {
	all, err := r.shared.HGetAll(ctx, agentsKey)
	if err != nil {
		return
	}
	for name, v := range all {
		if _, ok := r.lookup(name); !ok {
			r.adopt(name, v)
		}
	}
	for _, a := range r.All() {
		if _, ok := all[a.Name]; a.shared.Load() && !ok {
			_ = r.Remove(a.Name)
		}
	}
}

// syncAgentsEvery syncs every d until ctx ends (nothing without redis.url).
func (r *Registry) syncAgentsEvery(ctx context.Context, d time.Duration) {
	if r.shared == nil {
		return
	}
	t := time.NewTicker(d)
	defer t.Stop()
	r.syncAgents(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.syncAgents(ctx)
		}
	}
}
