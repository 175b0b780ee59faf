package bridge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/a2a-bridge/a2a-bridge/bridge/upstream"
	"github.com/rs/zerolog"
)

// heldCard is an agent whose card answers only once released.
type heldCard struct {
	arrived chan struct{} // one per card request
	release chan struct{}
	srv     *httptest.Server
}

func newHeldCard(t *testing.T) *heldCard {
	h := &heldCard{arrived: make(chan struct{}, 16), release: make(chan struct{})}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.arrived <- struct{}{}
		select {
		case <-h.release:
		case <-r.Context().Done():
			return
		}
		fmt.Fprintf(w, `{"name":"a","url":%q,"preferredTransport":"JSONRPC","protocolVersion":"0.3.0","capabilities":{"streaming":true}}`, h.srv.URL+"/rpc")
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func testRegistry(url string) *Registry {
	cfg := AgentConfig{Name: "a", URL: url, Timeout: Duration{5 * time.Second}}
	clients := upstream.NewClients()
	return newRegistry([]AgentConfig{cfg}, nil, clients, zerolog.Nop(), time.Now)
}

// TestCardFetchOutlivesItsCaller: the first caller, whose request is the
// one that started the card fetch, goes away mid-fetch. The fetch goes on
// without it: a caller waiting for it meanwhile gets the card's endpoint,
// not the fallback url, and the agent is not sent into back-off.
func TestCardFetchOutlivesItsCaller(t *testing.T) {
	h := newHeldCard(t)
	r := testRegistry(h.srv.URL)
	a, _ := r.Get("a2a/a", "a")

	first, leave := context.WithCancel(t.Context())
	firstDone := make(chan struct{})
	go func() { defer close(firstDone); r.Target(first, a) }()
	<-h.arrived // the fetch is under way

	var wg sync.WaitGroup
	var got upstream.Target
	wg.Go(func() { got = r.Target(t.Context(), a) })
	leave()
	<-firstDone
	close(h.release)
	wg.Wait()

	if want := h.srv.URL + "/rpc"; got.Interface.URL != want {
		t.Errorf("Target(waiter).Interface.URL = %s, want the card's %s", got.Interface.URL, want)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.resolved || a.backoff != 0 {
		t.Errorf("after the first caller left: resolved %v, back-off %v; want the card read, no back-off", a.resolved, a.backoff)
	}
	if len(a.cardRaw) == 0 {
		t.Errorf("the card's raw bytes were not kept")
	}
}

// TestCardBackoff: discovery retries a failing card with back-off on the
// registry's clock (no sleeps): 500 ms, then twice as long, until it is read.
func TestCardBackoff(t *testing.T) {
	fails := 2
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if fails > 0 {
			fails--
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintf(w, `{"name":"a","url":"%s/rpc","preferredTransport":"JSONRPC","protocolVersion":"0.3.0"}`, "http://"+r.Host)
	}))
	t.Cleanup(srv.Close)
	r := testRegistry(srv.URL)
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r.now = func() time.Time { return clock }
	var waits []time.Duration
	r.wait = func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		clock = clock.Add(d)
		return nil
	}
	r.discover(t.Context())
	if len(waits) != 2 || waits[0] != 500*time.Millisecond || waits[1] != time.Second {
		t.Errorf("back-off waits = %v, want [500ms 1s]", waits)
	}
	a, _ := r.Get("a2a/a", "a")
	if got := r.Card(t.Context(), a).Endpoint; got != srv.URL+"/rpc" {
		t.Errorf("Card().Endpoint = %s, want %s/rpc", got, srv.URL)
	}
}

// TestRefresh: a card that changed is taken up by Refresh (the health
// checker's probe); one that fails to come keeps the known card.
func TestRefresh(t *testing.T) {
	var mu sync.Mutex
	path, status := "/v1", 200
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if status != 200 {
			w.WriteHeader(status)
			return
		}
		fmt.Fprintf(w, `{"name":"a","url":"http://%s%s","preferredTransport":"JSONRPC","protocolVersion":"0.3.0"}`, r.Host, path)
	}))
	t.Cleanup(srv.Close)
	r := testRegistry(srv.URL)
	a, _ := r.Get("a2a/a", "a")
	steps := []struct {
		name, path string
		status     int
		wantErr    bool
		want       string
	}{
		{"first", "/v1", 200, false, "/v1"},
		{"changed", "/v2", 200, false, "/v2"},
		{"failing keeps the card", "/v3", 500, true, "/v2"},
	}
	for _, st := range steps {
		mu.Lock()
		path, status = st.path, st.status
		mu.Unlock()
		err := r.Refresh(t.Context(), "a")
		if (err != nil) != st.wantErr {
			t.Errorf("%s: Refresh() = %v, want error %v", st.name, err, st.wantErr)
		}
		if got := r.Card(t.Context(), a).Endpoint; got != srv.URL+st.want {
			t.Errorf("%s: Card().Endpoint = %s, want %s%s", st.name, got, srv.URL, st.want)
		}
	}
	if err := r.Refresh(t.Context(), "nobody"); !errors.Is(err, ErrUnknownAgent) {
		t.Errorf("Refresh(unknown) = %v, want ErrUnknownAgent", err)
	}
}

// TestModelsFetchCardsInParallel: GET /v1/models asks every unknown card at
// once: the second agent's card is requested while the first one's is held.
func TestModelsFetchCardsInParallel(t *testing.T) {
	h1, h2 := newHeldCard(t), newHeldCard(t)
	s, err := New(Config{Agents: []AgentConfig{{Name: "one", URL: h1.srv.URL}, {Name: "two", URL: h2.srv.URL}}}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan int, 1)
	go func() {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/models", nil))
		done <- rec.Code
	}()
	for _, h := range []*heldCard{h1, h2} {
		select {
		case <-h.arrived:
		case <-time.After(10 * time.Second): // a guard, not a condition: serial fetches never get here
			t.Fatal("the cards were not requested together")
		}
	}
	close(h1.release)
	close(h2.release)
	if code := <-done; code != 200 {
		t.Errorf("GET /v1/models = %d, want 200", code)
	}
}
