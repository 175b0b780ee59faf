package bridge

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"
)

// opsBenchKey is the one API key of BenchmarkOpsCost's ops bridge, and
// opsBenchRPM its limit and its agent's (bench's -ops-rpm).
const (
	opsBenchKey = "sk-bench-ops"
	opsBenchRPM = 5_000_000
)

// opsBenchConfig is the bridge of BenchmarkOpsCost in front of the agent
// at url, with the operations on or not, as bench/ops.go's opsConfig sets
// them: a named key and the agent each with an rpm that never limits
// (the window holds up to that many times), and the agent priced.
func opsBenchConfig(url string, ops bool) Config {
	cfg := Config{Agents: []AgentConfig{{Name: "a", URL: url}}, Usage: "estimate"}
	if ops {
		cfg.APIKeys = []APIKey{{Key: opsBenchKey, Name: "bench", RPM: opsBenchRPM}}
		a := &cfg.Agents[0]
		a.RPM = opsBenchRPM
		a.CostPerRequest, a.CostPerInputToken, a.CostPerOutputToken = 0.001, 0.000002, 0.000008
	}
	return cfg
}

// BenchmarkOpsCost measures what the operations cost on the hot path: the
// chat request of BenchmarkChat (usage estimate: the tokenizer is not in
// the figure) through a bridge without them (ops=false) and with a key,
// rpm limits on it and on the agent, prices and /metrics read once a
// second as Prometheus would (ops=true), its windows as busy as the
// bench's are after its first rounds (busyWindows). The two run one after the other
// for each stream mode; compare them in one run (cpu-ns/op is the
// process's CPU time, which other work on the machine inflates less):
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
	busyWindows(servers[true], 10_000, 5*time.Minute)
	for _, stream := range []bool{false, true} {
		body := chatBody("a2a/a", stream, "user", "hello there, how are you today?")
		for _, ops := range []bool{false, true} {
			h := servers[ops].Handler()
			b.Run(fmt.Sprintf("stream=%v/ops=%v", stream, ops), func(b *testing.B) {
				b.ReportAllocs()
				auth := []string{"Bearer " + opsBenchKey} // the client's, made once: not the bridge's cost
				scraped := time.Now()
				cpu := processCPU(b)
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
				b.ReportMetric(float64(processCPU(b)-cpu)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// busyWindows fills the key's and the agent's windows of the ops bridge
// as perSecond requests a second for the span before now would: the
// state a bridge under the bench's load is in after its first rounds.
func busyWindows(s *Server, perSecond int, span time.Duration) {
	now := time.Now()
	n := int(span.Seconds()) * perSecond
	for i := range n {
		at := now.Add(-span + time.Duration(i)*span/time.Duration(n))
		s.limits.takeIn(windowName{keyWindow, "bench"}, opsBenchRPM, at)
		s.limits.takeIn(windowName{agentWindow, "a"}, opsBenchRPM, at)
	}
}

// processCPU is the CPU time the process has used (user and system, every
// goroutine's: the agent's too, the same in both cases), in nanoseconds. On
// a machine other work shares it says more than ns/op, which counts the
// time the benchmark waited for a core.
func processCPU(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// scrapeOnce reads /metrics of h, as Prometheus does every scrape interval.
func scrapeOnce(b *testing.B, h http.Handler) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, metricsPath, nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "a2a_bridge_requests_total") {
		b.Fatalf("GET /metrics: %d %.200s", rec.Code, rec.Body)
	}
}

// BenchmarkOpsHooks measures the operations' own work on one chat request,
// without the request around it: auth's key, the key's and the agent's
// windows with their headers (limitKey, allowed), the cost (answered) and
// what the access log counts (observe), on the bridges of BenchmarkOpsCost
// (ops=false: no key, no limits, no prices). The difference between the
// two is what the operations add to every request.
func BenchmarkOpsHooks(b *testing.B) {
	for _, ops := range []bool{false, true} {
		s, err := New(opsBenchConfig("http://127.0.0.1:1", ops), zerolog.Nop())
		if err != nil {
			b.Fatal(err)
		}
		if ops {
			busyWindows(s, 10_000, 5*time.Minute)
		}
		info := &reqInfo{}
		req := httptest.NewRequestWithContext(context.WithValue(context.Background(), infoKey{}, info), http.MethodPost, "/v1/chat/completions", nil)
		rec := httptest.NewRecorder()
		c := echo.New().NewContext(req, rec)
		c.SetPath("/v1/chat/completions")
		b.Run(fmt.Sprintf("ops=%v", ops), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				*info = reqInfo{start: s.now()}
				if ops {
					info.caller = s.keys.find(opsBenchKey)
				}
				clear(rec.Header())
				err := s.limitKey(func(c echo.Context) error {
					a, err := s.allowed(c, "a2a/a", "a")
					if err == nil {
						s.answered(c, a, transform.Usage{PromptTokens: 9, CompletionTokens: 250}, nil)
					}
					return err
				})(c)
				if err != nil {
					b.Fatal(err)
				}
				s.observe(c, info, http.StatusOK, s.now().Sub(info.start))
			}
		})
	}
}
