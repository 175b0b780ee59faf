package bridge

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// opsBenchKey is the one API key of BenchmarkOpsCost's ops bridge.
const opsBenchKey = "sk-bench-ops"

// opsBenchConfig is the bridge of BenchmarkOpsCost in front of the agent
// at url, with the operations on or not, as bench/ops.go's opsConfig sets
// them: a named key and the agent each with an rpm that never limits
// (the window holds up to that many times), and the agent priced.
func opsBenchConfig(url string, ops bool) Config {
	cfg := Config{Agents: []AgentConfig{{Name: "a", URL: url}}, Usage: "estimate"}
	if ops {
		const rpm = 5_000_000
		cfg.APIKeys = []APIKey{{Key: opsBenchKey, Name: "bench", RPM: rpm}}
		a := &cfg.Agents[0]
		a.RPM = rpm
		a.CostPerRequest, a.CostPerInputToken, a.CostPerOutputToken = 0.001, 0.000002, 0.000008
	}
	return cfg
}

// BenchmarkOpsCost measures what the operations cost on the hot path: the
// chat request of BenchmarkChat (usage estimate: the tokenizer is not in
// the figure) through a bridge without them (ops=false) and with a key,
// rpm limits on it and on the agent, prices and /metrics read once a
// second as Prometheus would (ops=true). The two run one after the other
// for each stream mode; compare them in one run:
//
//	go test -run '^$' -bench OpsCost -benchmem ./bridge/
func BenchmarkOpsCost(b *testing.B) {
	agent := benchAgent(b, "")
	servers := map[bool]*Server{}
	for _, ops := range []bool{false, true} {
		s, err := New(opsBenchConfig(agent.URL, ops), zerolog.Nop())
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(s.clients.CloseIdle)
		servers[ops] = s
	}
	for _, stream := range []bool{false, true} {
		body := chatBody("a2a/a", stream, "user", "hello there, how are you today?")
		for _, ops := range []bool{false, true} {
			h := servers[ops].Handler()
			b.Run(fmt.Sprintf("stream=%v/ops=%v", stream, ops), func(b *testing.B) {
				b.ReportAllocs()
				auth := []string{"Bearer " + opsBenchKey} // the client's, made once: not the bridge's cost
				scraped := time.Now()
				for b.Loop() {
					req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(body))
					if ops {
						req.Header["Authorization"] = auth
					}
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("%d %s", rec.Code, rec.Body)
					}
					if ops && time.Since(scraped) >= time.Second {
						scrapeOnce(b, h)
						scraped = time.Now()
					}
				}
			})
		}
	}
}

// scrapeOnce reads /metrics of h, as Prometheus does every scrape interval.
func scrapeOnce(b *testing.B, h http.Handler) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, metricsPath, nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "a2a_bridge_requests_total") {
		b.Fatalf("GET /metrics: %d %.200s", rec.Code, rec.Body)
	}
}
