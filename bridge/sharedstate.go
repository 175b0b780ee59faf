package bridge

import (
	"context"
	"strconv"
	"time"

	"github.com/a2a-bridge/a2a-bridge/bridge/shared"
)

// The shared twins of the small state types: with redis.url each type's
// remote is set and the methods here go to Redis (keys under
// redis.prefix, each with a TTL); without it, to the type's memory, as
// before. Each returns the error of a Redis that did not answer (wrapping
// ErrStateUnavailable): the caller decides whether the request can go on
// without what it asked for.

// openShared opens the shared state of cfg, nil without redis.url.
func (s *Server) openShared() error {
	if s.cfg.Redis.URL == "" {
		return nil
	}
	c, err := shared.Open(s.cfg.Redis.URL, s.cfg.Redis.Prefix, s.log.With().Str("component", "redis").Logger(), s.metrics.redisErrors)
	if err != nil {
		return err
	}
	s.shared = c
	s.convs.remote = c
	s.limits.remote = c
	s.agents.share(c, s.cfg.Conversations.TTL.Duration)
	return nil
}

// startShared runs the loops of the shared state until ctx ends (the
// agents' sync, the stats' flush); the channel closes once both ended.
func (s *Server) startShared(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		synced := make(chan struct{})
		go func() {
			defer close(synced)
			defer s.recoverGoroutine("shared agents sync")
			s.agents.syncAgentsEvery(ctx, agentSyncEvery)
		}()
		defer s.recoverGoroutine("shared stats flush")
		defer func() { <-synced }()
		s.flushStatsEvery(ctx, statsFlushEvery)
	}()
	return done
}

// sweepEvery sweeps the conversations and the stored responses (both
// bounded by conversations.ttl) every d until ctx ends.
func (s *Server) sweepEvery(ctx context.Context, d time.Duration) {
	if s.resps != nil {
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer s.recoverGoroutine("response sweep")
			s.resps.sweepEvery(ctx, d)
		}()
		defer func() { <-done }()
	}
	s.convs.sweepEvery(ctx, d)
}

// closeShared closes the connections to Redis, if any.
func (s *Server) closeShared() {
	if s.shared != nil {
		_ = s.shared.Close()
	}
}

// lookup is get, shared when the conversations are.
func (cs *conversations) lookup(ctx context.Context, owner, key string) (conversation, bool, error) {
	if cs.remote == nil {
		c, ok := cs.get(owner, key)
		return c, ok, nil
	}
	var c conversation
	ok, err := cs.remote.GetJSON(ctx, "conv:"+key, &c, cs.ttl)
	return c, ok, err
}

// keep is put, shared when the conversations are. Shared entries are
// bounded by their TTL and by Redis's own maxmemory, not by max_entries.
func (cs *conversations) keep(ctx context.Context, owner string, c conversation, keys ...string) error {
	if cs.remote == nil {
		cs.put(owner, c, keys...)
		return nil
	}
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = "conv:" + k
	}
	return cs.remote.SetJSON(ctx, c, cs.ttl, names...)
}

// respKeyOf is the Redis key of scope's response id.
func respKeyOf(scope, id string) string { return "resp:" + scope + "\x00" + id }

// lookup is get, shared when the store is.
func (rs *responseStore) lookup(ctx context.Context, scope, id string) (storedResponse, bool, error) {
	if rs.remote == nil {
		r, ok := rs.get(scope, id)
		return r, ok, nil
	}
	var r storedResponse
	ok, err := rs.remote.GetJSON(ctx, respKeyOf(scope, id), &r, rs.ttl)
	return r, ok, err
}

// keep is put, shared when the store is.
func (rs *responseStore) keep(ctx context.Context, scope, id string, r storedResponse) error {
	if rs.remote == nil {
		rs.put(scope, id, r)
		return nil
	}
	return rs.remote.SetJSON(ctx, r, rs.ttl, respKeyOf(scope, id))
}

// drop is delete, shared when the store is.
func (rs *responseStore) drop(ctx context.Context, scope, id string) (bool, error) {
	if rs.remote == nil {
		return rs.delete(scope, id), nil
	}
	return rs.remote.Delete(ctx, respKeyOf(scope, id))
}

// ownKeyOf is the Redis key of an owned task or context.
func ownKeyOf(k ownedKey) string { return "own:" + k.agent + "\x00" + string(k.kind) + "\x00" + k.id }

// ownerOf is owner, shared when the owners are.
func (o *owners) ownerOf(ctx context.Context, k ownedKey) (string, bool, error) {
	if o.remote == nil {
		who, ok := o.owner(k)
		return who, ok, nil
	}
	return o.remote.Get(ctx, ownKeyOf(k), o.ttl)
}

// claimed is claim, shared when the owners are: atomic across replicas,
// so two keys racing for one new context id get one owner.
func (o *owners) claimed(ctx context.Context, owner string, k ownedKey) (bool, error) {
	if o.remote == nil || k.id == "" {
		return o.claim(owner, k), nil
	}
	who, err := o.remote.SetNX(ctx, ownKeyOf(k), owner, o.ttl)
	return who == owner, err
}

// takeShared is take over every replica when the limiter is shared (the
// window on Redis's clock). A Redis that does not answer fails open: the
// request is allowed, and the answer says its window is unknown (known false).
func (l *limiter) takeShared(ctx context.Context, name string, limit int, now time.Time) (q quota, known bool) {
	if l.remote == nil {
		return l.take(name, limit, now), true
	}
	sq, err := l.remote.Take(ctx, name, limit, rateWindow)
	if err != nil {
		return quota{ok: true, limit: limit}, false
	}
	return quota{ok: sq.Allowed, limit: limit, remaining: sq.Remaining, retry: sq.Retry, reset: sq.Reset}, true
}

// stickyKeyOf is the Redis key of a sticky choice.
func (st *sticky) keyOf(key string) string { return "sticky:" + st.agent + "\x00" + key }

// lookup is get, shared when the choices are. A Redis that does not
// answer is no choice known: the call goes to the least loaded replica.
func (st *sticky) lookup(key string) (int, bool) {
	if st.remote == nil {
		return st.get(key)
	}
	v, ok, err := st.remote.Get(context.Background(), st.keyOf(key), st.ttl)
	if err != nil || !ok {
		return 0, false
	}
	i, err := strconv.Atoi(v)
	return i, err == nil
}

// keep is put, shared when the choices are.
func (st *sticky) keep(key string, i int) {
	if st.remote == nil {
		st.put(key, i)
		return
	}
	_ = st.remote.Set(context.Background(), st.keyOf(key), strconv.Itoa(i), st.ttl)
}

// share makes every agent's sticky choices, and those of agents added
// later, live on c.
func (r *Registry) share(c *shared.Client, ttl time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.shared, r.stickyTTL = c, ttl
	for _, a := range r.order {
		a.sticky.share(a.Name, c, ttl)
	}
}

func (st *sticky) share(agent string, c *shared.Client, ttl time.Duration) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.agent, st.remote, st.ttl = agent, c, ttl
}
