package bridge

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser starts headless Chromium for the test (Debian's chromium, which
// make test installs), stopped when the test ends.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium not found: make test installs it (apt-get install chromium)")
		}
		t.Skip("chromium not found: run make test, which installs it")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.WindowSize(1280, 800))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		cancelAlloc()
	})
	return ctx
}

// row is one rendered row of the page: the agent and its cells after the name.
type row struct {
	Agent string   `json:"agent"`
	Cells []string `json:"cells"`
}

const readRows = `[...document.querySelectorAll("#rows tr, #totals tr")].map(tr => ({agent: tr.dataset.agent || tr.id,
	cells: [...tr.cells].slice(1).map(td => td.textContent)}))`

// TestStatusPage loads /ui/ of a running bridge in a real browser, gives
// it a key, and reads the rows it rendered from /v1/agents and /v1/stats:
// each agent the key may call with its state, replicas and figures, and
// the totals; a screenshot is kept as the test's artifact.
func TestStatusPage(t *testing.T) {
	ctx := browser(t)
	helper := newCardAgent(t, helperCard, answering)
	other := newFaultAgent(t, true, answering)
	cfg := Config{APIKeys: []APIKey{{Key: teamKey, Name: teamName}},
		Agents: []AgentConfig{{Name: "helper", URL: helper.URL, Timeout: Duration{10 * time.Second}},
			{Name: "fa", URL: other.URL, Timeout: Duration{10 * time.Second}}}}
	_, base, _ := serveBridge(t, cfg, nil)
	c := oneConn(t)
	post(t, c, base+"/v1/chat/completions", chatBody("a2a/helper", false, "user", "weather?"), "Authorization", "Bearer "+teamKey)

	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/ui/"),
		chromedp.WaitVisible(chromedp.CSS("#key")),
		chromedp.SendKeys(chromedp.CSS("#key"), teamKey),
		chromedp.Click(chromedp.CSS("#keyform button")),
		chromedp.WaitVisible(chromedp.CSS(`#rows tr[data-agent="fa"]`)),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]row](readRows))
	if err != nil {
		t.Fatalf("read rows: %v", err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	out := filepath.Join(t.ArtifactDir(), "status-page.png")
	if err := os.WriteFile(out, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", out)
	// state, replicas, requests, errors, p50, p95, tokens in, tokens out, cost, streams
	got := fmt.Sprint(rows)
	if len(rows) != 3 || rows[0].Agent != "helper" || rows[1].Agent != "fa" || rows[2].Agent != "total" {
		t.Fatalf("rows = %s, want helper, fa and the totals", got)
	}
	for _, w := range []struct {
		row, cell int
		want      string
	}{
		{0, 0, "healthy"}, {0, 1, "1"}, {0, 2, "1"}, {0, 3, "0"},
		{1, 0, "healthy"}, {1, 2, "0"},
		{2, 2, "1"}, {2, 3, "0"},
	} {
		if rows[w.row].Cells[w.cell] != w.want {
			t.Errorf("row %s cell %d = %q, want %q (rows %s)", rows[w.row].Agent, w.cell, rows[w.row].Cells[w.cell], w.want, got)
		}
	}
	if n, _ := strconv.Atoi(rows[0].Cells[6]); n <= 0 {
		t.Errorf("helper's tokens out = %q, want > 0", rows[0].Cells[6])
	}
}

// TestStatusPage100Agents: the page shows 100 agents, in under a second
// from navigation to the rendered rows (as the browser measures it).
func TestStatusPage100Agents(t *testing.T) {
	ctx := browser(t)
	agent := newFaultAgent(t, true, answering)
	var cfg Config
	for i := range 100 {
		cfg.Agents = append(cfg.Agents, AgentConfig{Name: fmt.Sprintf("agent-%03d", i), URL: agent.URL, Timeout: Duration{10 * time.Second}})
	}
	_, base, _ := serveBridge(t, cfg, nil)
	httpClient(t) // no keys: the page loads with none
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/ui/"),
		chromedp.WaitVisible(chromedp.CSS(`#rows tr[data-agent="agent-099"]`)),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#rows tr").length`))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.dataset.renderedMs`))
	if err != nil {
		t.Fatal(err)
	}
	if took, _ := strconv.Atoi(ms); n != 100 || took <= 0 || took >= 1000 {
		t.Errorf("page with 100 agents: %d rows in %s ms, want 100 in under 1000", n, ms)
	}
}

// TestStatusPageServed: /ui/ needs no key (it holds no data) and is served
// with a policy that lets it load only its own files and call the bridge.
func TestStatusPageServed(t *testing.T) {
	_, base, _ := serveBridge(t, Config{APIKeys: []APIKey{{Key: teamKey, Name: teamName}}}, nil)
	c := httpClient(t)
	for _, path := range []string{"/ui/", "/ui/app.js", "/ui/style.css"} {
		res, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get("Content-Security-Policy") != uiCSP {
			t.Errorf("GET %s = %d, CSP %q; want 200 with the page's policy", path, res.StatusCode, res.Header.Get("Content-Security-Policy"))
		}
	}
}
