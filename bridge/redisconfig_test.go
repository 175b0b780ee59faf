package bridge

import (
	"strconv"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

// TestRedisConfig: redis.url and redis.prefix are read (${REDIS_URL}
// expanded, the prefix a2a-bridge: unless set), unknown keys under redis
// are refused, and no error or log line ever holds the URL's password.
func TestRedisConfig(t *testing.T) {
	const secret = "s3cret-pw"
	cases := []struct {
		name, yaml string
		env        map[string]string
		want       RedisConfig
		err        string
	}{
		{"none", "listen: 127.0.0.1:1\n", nil, RedisConfig{}, ""},
		{"from the environment", "redis:\n  url: ${REDIS_URL}\n", map[string]string{"REDIS_URL": "redis://:" + secret + "@127.0.0.1:6379/0"},
			RedisConfig{URL: "redis://:" + secret + "@127.0.0.1:6379/0", Prefix: "a2a-bridge:"}, ""},
		{"prefix", "redis: {url: 'redis://r:6379', prefix: 'team-a:'}\n", nil, RedisConfig{URL: "redis://r:6379", Prefix: "team-a:"}, ""},
		{"unknown key", "redis:\n  urls: redis://r:6379\n", nil, RedisConfig{}, "redis.urls: unknown key"},
		{"not redis", "redis:\n  url: http://u:" + secret + "@r:6379\n", nil, RedisConfig{}, "redis.url"},
		{"not a URL", "redis:\n  url: \"redis://u:" + secret + "@r:6379/%zz\"\n", nil, RedisConfig{}, "redis.url"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := LoadConfig(writeYAML(t, tc.yaml), env(tc.env))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || strings.Contains(err.Error(), secret) {
					t.Errorf("LoadConfig(%q) = %v, want an error naming %s without the password", tc.yaml, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadConfig(%q) = %v", tc.yaml, err)
			}
			if got := cfg.WithDefaults().Redis; got != tc.want {
				t.Errorf("LoadConfig(%q).Redis = %+v, want %+v", tc.yaml, got, tc.want)
			}
		})
	}
}

// TestRedisPasswordNotLogged: a bridge whose Redis is down logs the
// outage without the password of its URL.
func TestRedisPasswordNotLogged(t *testing.T) {
	checkLeaks(t)
	const secret = "s3cret-pw"
	rs := startRedis(t)
	rs.kill()
	logs := &logBuffer{}
	s, err := New(Config{Redis: RedisConfig{URL: "redis://:" + secret + "@127.0.0.1:" + strconv.Itoa(rs.port) + "/0"}}, zerolog.New(logs))
	if err != nil {
		t.Fatal(err)
	}
	base, _ := serve(t, s)
	if res := get(t, httpClient(t), base+readyPath); res.status != 503 {
		t.Errorf("/readyz with Redis down = %d, want 503", res.status)
	}
	if strings.Contains(logs.String(), secret) || len(logs.matching("redis is not answering")) != 1 {
		t.Errorf("log = %s, want one outage line, no password", logs)
	}
}
