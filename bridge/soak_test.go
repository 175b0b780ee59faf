package bridge

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSoak holds 1,000 concurrent streams against a fast agent for 30 s
// (SOAK_DURATION) and checks zero errors and flat memory. It runs in
// `make soak`, not in `make test`.
func TestSoak(t *testing.T) {
	checkLeaks(t)
	if os.Getenv("A2A_BRIDGE_SOAK") == "" {
		t.Skip("soak test: run with make soak")
	}
	duration := 30 * time.Second
	if d, err := time.ParseDuration(os.Getenv("SOAK_DURATION")); err == nil {
		duration = d
	}
	const streams = 1000
	agent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			http.NotFound(w, r)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		frames := []string{evTask}
		for i := range 10 {
			frames = append(frames, fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"result":{"kind":"artifact-update","taskId":"t1","append":%t,"artifact":{"artifactId":"a","parts":[{"kind":"text","text":"word%d "}]}}}`, i > 0, i))
		}
		frames = append(frames, `{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":"t1","final":true,"status":{"state":"completed"}}}`)
		for _, f := range frames {
			sse(w, f)
			time.Sleep(20 * time.Millisecond)
		}
	}))
	defer agent.Close()
	base := startBridge(t, Config{Agents: []AgentConfig{{Name: "a", URL: agent.URL}}, Keepalive: &Duration{}})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: streams}}
	defer client.CloseIdleConnections()

	var ok, failed atomic.Int64
	stop := time.Now().Add(duration)
	var wg sync.WaitGroup
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapInuse
	}
	var early uint64
	var once sync.Once
	for range streams {
		wg.Go(func() {
			for time.Now().Before(stop) {
				resp, err := client.Post(base+"/v1/chat/completions", "application/json",
					strings.NewReader(chatBody("a2a/a", true, "user", "soak")))
				if err != nil {
					failed.Add(1)
					continue
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 || !strings.HasSuffix(string(body), "data: [DONE]\n\n") {
					failed.Add(1)
					continue
				}
				ok.Add(1)
				if time.Until(stop) < duration*2/3 {
					once.Do(func() { early = heap() })
				}
			}
		})
	}
	wg.Wait()
	late := heap()
	t.Logf("%d streams in %v with %d concurrent: %d failed; heap in use %d MiB at a third, %d MiB at the end",
		ok.Load(), duration, streams, failed.Load(), early>>20, late>>20)
	if failed.Load() != 0 {
		t.Errorf("%d requests failed", failed.Load())
	}
	if late > early*3/2+(16<<20) {
		t.Errorf("heap grew from %d MiB to %d MiB", early>>20, late>>20)
	}
}
