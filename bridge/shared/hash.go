package shared

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"
)

// The hashes of shared state that is not per request: the agents the admin
// API registered (a field each) and the counters of /v1/stats.

// HSetNX sets field of hash k to v unless it is set; it reports whether it was.
func (c *Client) HSetNX(ctx context.Context, k, field, v string) (bool, error) {
	ok, err := c.rdb.HSetNX(ctx, c.key(k), field, v).Result()
	return ok, c.done(ctx, err)
}

// HGet returns field of hash k; found is false for none.
func (c *Client) HGet(ctx context.Context, k, field string) (v string, found bool, err error) {
	v, err = c.rdb.HGet(ctx, c.key(k), field).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, c.done(ctx, nil)
	}
	return v, err == nil, c.done(ctx, err)
}

// HExists reports whether field of hash k is set.
func (c *Client) HExists(ctx context.Context, k, field string) (bool, error) {
	ok, err := c.rdb.HExists(ctx, c.key(k), field).Result()
	return ok, c.done(ctx, err)
}

// HDel removes field of hash k, and reports whether it was set.
func (c *Client) HDel(ctx context.Context, k, field string) (bool, error) {
	n, err := c.rdb.HDel(ctx, c.key(k), field).Result()
	return n > 0, c.done(ctx, err)
}

// HGetAll returns hash k whole.
func (c *Client) HGetAll(ctx context.Context, k string) (map[string]string, error) {
	m, err := c.rdb.HGetAll(ctx, c.key(k)).Result()
	return m, c.done(ctx, err)
}

// HIncr adds ints and floats to the fields of hash k (HINCRBY,
// HINCRBYFLOAT), in one round trip; zero amounts are not sent.
func (c *Client) HIncr(ctx context.Context, k string, ints map[string]int64, floats map[string]float64) error {
	p := c.rdb.Pipeline()
	for f, n := range ints {
		if n != 0 {
			p.HIncrBy(ctx, c.key(k), f, n)
		}
	}
	for f, x := range floats {
		if x != 0 {
			p.HIncrByFloat(ctx, c.key(k), f, x)
		}
	}
	if p.Len() == 0 {
		return nil // nothing sent: no news of Redis
	}
	cmds, err := p.Exec(ctx)
	return c.done(ctx, firstErr(cmds, err))
}

// firstErr is err, else the first error of cmds: a pipeline whose
// connection could not be had may answer nil with its commands failed.
func firstErr(cmds []redis.Cmder, err error) error {
	for _, cmd := range cmds {
		if err != nil {
			break
		}
		if e := cmd.Err(); e != nil && !errors.Is(e, redis.Nil) {
			err = e
		}
	}
	return err
}

// HGetAllMany returns the hashes ks whole, in one round trip.
func (c *Client) HGetAllMany(ctx context.Context, ks []string) ([]map[string]string, error) {
	if len(ks) == 0 {
		return nil, nil
	}
	cmds := make([]*redis.MapStringStringCmd, len(ks))
	all, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range ks {
			cmds[i] = p.HGetAll(ctx, c.key(k))
		}
		return nil
	})
	if err := c.done(ctx, firstErr(all, err)); err != nil {
		return nil, err
	}
	out := make([]map[string]string, len(ks))
	for i, cmd := range cmds {
		out[i] = cmd.Val()
	}
	return out, nil
}
