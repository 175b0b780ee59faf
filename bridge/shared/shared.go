// Package shared is the bridge's state shared between replicas, on Redis:
// a client with a key prefix, JSON values with a TTL, set-if-absent, an
// atomic sliding-window rate limit, and the bookkeeping of an outage (every
// failed command counted, one warning when Redis goes away, one info line
// when it is back). The bridge's small state types use it when redis.url
// is set; none of them knows Redis otherwise.
package shared

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
	"github.com/rs/zerolog"
)

// ErrUnavailable is what every operation returns, wrapped, when Redis did
// not answer: the bridge maps it to 503 state_unavailable where a request
// needs what it asked for.
var ErrUnavailable = errors.New("shared state unavailable")

// Timeout bounds every command, its dial included: a Redis that is down or
// slow costs a request at most about this much, never a hang.
const Timeout = 300 * time.Millisecond

// Client is the shared state of one bridge: a pooled Redis client (RESP3,
// Lua scripts, context timeouts) and a prefix every key gets.
type Client struct {
	rdb    *redis.Client
	prefix string
	log    zerolog.Logger
	errs   prometheus.Counter
	down   atomic.Bool // the last command failed
	outage outage
	seq    atomic.Uint64
	id     string // this process's part of rate-limit members

	readyMu sync.Mutex
	ping    *flight // the PING under way for Ready, if any
}

// Open makes the client of rawURL (redis:// or rediss://), its keys under
// prefix; it connects on the first command. errs counts failed commands.
// An error never quotes the URL, which may hold a password.
func Open(rawURL, prefix string, log zerolog.Logger, errs prometheus.Counter) (*Client, error) {
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, errors.New("redis.url: not a redis:// or rediss:// URL (" + Redacted(rawURL) + ")")
	}
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout, opt.PoolTimeout = Timeout, Timeout, Timeout, Timeout
	opt.ContextTimeoutEnabled = true
	opt.MaxRetries = 1 // one retry on a broken pooled connection, no more: an outage must answer fast
	opt.MinRetryBackoff, opt.MaxRetryBackoff = 5*time.Millisecond, 20*time.Millisecond
	opt.DialerRetries, opt.DialerRetryTimeout = 1, 10*time.Millisecond
	opt.DisableIdentity = true // CLIENT SETINFO is 7.2's; one command less per connection
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	id := make([]byte, 0, 16)
	id = strconv.AppendInt(id, time.Now().UnixNano(), 36)
	return &Client{rdb: redis.NewClient(opt), prefix: prefix, log: log, errs: errs, id: string(id)}, nil
}

// Redacted is rawURL with its password replaced by xxxxx, for messages.
func Redacted(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "unparsable URL"
	}
	return u.Redacted()
}

// Close closes the connections.
func (c *Client) Close() error { return c.rdb.Close() }

// key is k under the prefix.
func (c *Client) key(k string) string { return c.prefix + k }

// done books the outcome of one command sent under ctx: a failure is
// counted, and logged when it is the first of an outage; the first success
// after one is logged too. redis.Nil (no such key) is an answer, not a
// failure; a ctx that ended says nothing of Redis. Only commands that went
// to Redis come here.
func (c *Client) done(ctx context.Context, err error) error {
	if err == nil || errors.Is(err, redis.Nil) {
		if c.down.Load() && c.down.CompareAndSwap(true, false) {
			c.outage.up(c.log)
		}
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err) // the caller gave up (its client went away): no news of Redis
	}
	c.errs.Inc()
	c.down.Store(true)
	c.outage.failed(c.log, err)
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// flapWindow is how long after a recovery new failures are taken for the
// tail of the same outage, not news: go-redis fails new connections fast
// with the last dial error for up to a second after Redis is back.
const flapWindow = 5 * time.Second

// outage is what was logged of Redis going away and coming back: one
// warning an outage, one info line when it ends.
type outage struct {
	mu     sync.Mutex
	logged bool      // the warning of an outage under way was logged
	upAt   time.Time // when the last recovery was logged
}

func (o *outage) failed(log zerolog.Logger, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.logged || time.Since(o.upAt) < flapWindow {
		return // logged already, or the tail of the last one (logged once past the window, if it lasts)
	}
	o.logged = true
	log.Warn().Str("error", err.Error()).
		Msg("redis is not answering: continuations get 503 state_unavailable, rate limits fail open, until it is back")
}

func (o *outage) up(log zerolog.Logger) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.logged {
		return
	}
	o.logged, o.upAt = false, time.Now()
	log.Info().Msg("redis is answering again: shared state is back")
}

// GetJSON reads k into v and pushes its expiry to ttl from now (0 leaves
// it); found is false for no such key.
func (c *Client) GetJSON(ctx context.Context, k string, v any, ttl time.Duration) (found bool, err error) {
	var cmd *redis.StringCmd
	if ttl > 0 {
		cmd = c.rdb.GetEx(ctx, c.key(k), ttl)
	} else {
		cmd = c.rdb.Get(ctx, c.key(k))
	}
	b, err := cmd.Bytes()
	if err = c.done(ctx, err); err != nil || errors.Is(cmd.Err(), redis.Nil) {
		return false, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("shared state %s: %w", k, err)
	}
	return true, nil
}

// SetJSON writes v as JSON under each of keys, expiring ttl from now, in
// one round trip.
func (c *Client) SetJSON(ctx context.Context, v any, ttl time.Duration, keys ...string) error {
	b, err := json.Marshal(v)
	if err != nil || len(keys) == 0 {
		return err
	}
	if len(keys) == 1 {
		return c.done(ctx, c.rdb.Set(ctx, c.key(keys[0]), b, ttl).Err())
	}
	cmds, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range keys {
			p.Set(ctx, c.key(k), b, ttl)
		}
		return nil
	})
	return c.done(ctx, firstErr(cmds, err))
}

// SetNX writes value under k, expiring ttl from now, unless k is set; it
// returns the value k holds now (value when it was written) and pushes
// that one's expiry to ttl from now too.
func (c *Client) SetNX(ctx context.Context, k, value string, ttl time.Duration) (string, error) {
	res, err := setNX.Run(ctx, c.rdb, []string{c.key(k)}, value, ttl.Milliseconds()).Text()
	if err := c.done(ctx, err); err != nil {
		return "", err
	}
	return res, nil
}

// setNX is SET NX, then GET and PEXPIRE of what won, as one atomic step.
var setNX = redis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return ARGV[1] end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return redis.call('GET', KEYS[1])`)

// Get returns the string under k and pushes its expiry to ttl from now
// (0 leaves it); found is false for no such key.
func (c *Client) Get(ctx context.Context, k string, ttl time.Duration) (v string, found bool, err error) {
	var cmd *redis.StringCmd
	if ttl > 0 {
		cmd = c.rdb.GetEx(ctx, c.key(k), ttl)
	} else {
		cmd = c.rdb.Get(ctx, c.key(k))
	}
	v, err = cmd.Result()
	if err = c.done(ctx, err); err != nil || errors.Is(cmd.Err(), redis.Nil) {
		return "", false, err
	}
	return v, true, nil
}

// Set writes the string v under k, expiring ttl from now (0: never).
func (c *Client) Set(ctx context.Context, k, v string, ttl time.Duration) error {
	return c.done(ctx, c.rdb.Set(ctx, c.key(k), v, ttl).Err())
}

// Delete removes k, and reports whether it was there.
func (c *Client) Delete(ctx context.Context, k string) (bool, error) {
	n, err := c.rdb.Del(ctx, c.key(k)).Result()
	if err := c.done(ctx, err); err != nil {
		return false, err
	}
	return n > 0, nil
}

// Ready reports whether Redis answers a PING. Probes that come while one
// PING is under way share its answer instead of sending their own: a
// burst of /readyz probes is one PING, however many replicas' probes.
func (c *Client) Ready(ctx context.Context) error {
	c.readyMu.Lock()
	f := c.ping
	if f == nil {
		f = &flight{done: make(chan struct{})}
		c.ping = f
		c.readyMu.Unlock()
		pctx, cancel := context.WithTimeout(context.Background(), Timeout) // shared: not one caller's
		f.err = c.done(context.Background(), c.rdb.Ping(pctx).Err())
		cancel()
		c.readyMu.Lock()
		c.ping = nil
		c.readyMu.Unlock()
		close(f.done)
	} else {
		c.readyMu.Unlock()
	}
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// flight is one PING under way, and its answer once done is closed.
type flight struct {
	done chan struct{}
	err  error
}

// go-redis logs each failed dial of an outage through its own logger, to
// stderr and not as JSON; Client logs the outage once instead, and counts
// every failure.
func init() { redis.SetLogger(quietLogger{}) }

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}
