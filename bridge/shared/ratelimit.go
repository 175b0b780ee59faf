package shared

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Quota is what one Take says: whether the request is allowed, how many
// more the window allows, how long until the window is empty (Reset), and
// when refused how long until one is allowed (Retry).
type Quota struct {
	Allowed      bool
	Remaining    int
	Reset, Retry time.Duration
}

// take is a sliding log in a sorted set, one member per allowed request
// scored by its time on Redis's own clock (every replica reads the same
// one): the members older than the window are dropped, and the request is
// added only when fewer than the limit remain, all in one atomic script,
// so that N replicas allow exactly limit requests a window between them.
//
// KEYS[1] the window; ARGV limit, window (ms), a unique member.
// Returns {allowed (0|1), remaining, reset ms, retry ms}.
var take = redis.NewScript(`
local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
local allowed, retry = 0, 0
if n < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  n, allowed = n + 1, 1
else
  local oldest = redis.call('ZRANGE', KEYS[1], n - limit, n - limit, 'WITHSCORES')
  retry = tonumber(oldest[2]) + window - now
end
redis.call('PEXPIRE', KEYS[1], window)
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local reset = 0
if newest[2] then reset = tonumber(newest[2]) + window - now end
local remaining = limit - n
if remaining < 0 then remaining = 0 end
return {allowed, remaining, reset, retry}`)

// Take counts one request of name, limited to limit per window, across
// every bridge on this Redis.
func (c *Client) Take(ctx context.Context, name string, limit int, window time.Duration) (Quota, error) {
	member := c.id + "-" + strconv.FormatUint(c.seq.Add(1), 36)
	res, err := take.Run(ctx, c.rdb, []string{c.key("rl:" + name)}, limit, window.Milliseconds(), member).Int64Slice()
	if err := c.done(ctx, err); err != nil {
		return Quota{}, err
	}
	if len(res) != 4 {
		return Quota{}, errors.New("rate limit script: unexpected answer")
	}
	return Quota{Allowed: res[0] == 1, Remaining: int(res[1]),
		Reset: time.Duration(res[2]) * time.Millisecond, Retry: time.Duration(res[3]) * time.Millisecond}, nil
}
