package bridge

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/a2a-bridge/a2a-bridge/bridge/shared"
	"github.com/a2a-bridge/a2a-bridge/bridge/upstream"
	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/rs/zerolog"
)

// Agent is one registered A2A agent and what its card said of it.
type Agent struct {
	Name   string
	cfg    AgentConfig
	client *http.Client // HTTP/1.1, or h2c when the agent's config asks
	redact redactor     // scrubs the agent's text of secrets and its whereabouts
	// redactText is redact.text, made once: every Target carries it.
	redactText func(string) string

	mu       sync.Mutex
	card     transform.Card
	cardRaw  []byte    // the card as the agent served it, whole (for the gateway's merged card)
	resolved bool      // the card was read, or the agent serves none
	nextTry  time.Time // no card fetch before this, after a failure
	backoff  time.Duration
	fetching chan struct{}      // closed when the fetch under way ends
	fetchErr error              // the last fetch's error
	switched *transform.Dialect // the dialect the agent proved to speak, against its card
	noStream bool               // the agent refused a stream call: send instead

	replicas []*replica // its url, or its urls (replica.go)
	sticky   sticky     // which replica holds a task or context

	disabled atomic.Bool // set by PATCH /v1/agents/{name} (disable.go)
	shared   atomic.Bool // registered through the admin API on shared state (sharedagents.go)
}

// target returns how to call a now; see Registry.Card.
func (a *Agent) target() upstream.Target {
	a.mu.Lock()
	defer a.mu.Unlock()
	t := upstream.Target{Name: a.Name, Card: a.card, Dialect: a.card.Dialect, Streaming: a.card.Streaming && !a.noStream,
		APIKey: a.cfg.APIKey, Headers: a.cfg.Headers, Timeout: a.cfg.Timeout.Duration, HTTP: a.client, Redact: a.redactText}
	switch a.cfg.Protocol {
	case "0.3":
		t.Dialect = transform.V03
	case "1.0":
		t.Dialect = transform.V10
	default:
		t.CanSwitch = true
		if a.switched != nil {
			t.Dialect = *a.switched
		}
	}
	t.Interface = a.card.For(t.Dialect)
	return t
}

// useDialect remembers that a answered in dialect d.
func (a *Agent) useDialect(d transform.Dialect) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.switched = &d
}

// refusedStream remembers that a cannot stream, whatever its card says.
func (a *Agent) refusedStream() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.noStream = true
}

// Registry is the set of agents, by name. It is the one source of truth
// about agents for every front door of the bridge.
type Registry struct {
	// mu guards agents and order, which the admin API changes at run
	// time; order is replaced, never changed in place, so a slice All
	// returned stays as it was.
	mu      sync.RWMutex
	agents  map[string]*Agent
	order   []*Agent
	secrets []string // the bridge's keys, redacted from what agents say
	clients upstream.Clients
	log     zerolog.Logger
	now     func() time.Time // the clock of back-off
	// wait waits d or until ctx ends (nil error when d passed): the
	// back-off between discovery attempts. Tests inject a clock here.
	wait func(ctx context.Context, d time.Duration) error
	// life ends when the bridge stops (close): card fetches, detached from
	// their callers, end with it.
	life  context.Context
	close context.CancelFunc
	// shared, when set (redis.url), holds the agents' sticky replica
	// choices, each for stickyTTL (see share).
	shared    *shared.Client
	stickyTTL time.Duration
}

// Card fetch back-off after a failure: short, so an agent that starts after
// the bridge is found soon.
const (
	minCardBackoff = 500 * time.Millisecond
	maxCardBackoff = 30 * time.Second
	maxCardSize    = 1 << 20
)

// newRegistry registers agents. bridgeKeys are the bridge's own API keys,
// redacted, with each agent's secrets, from what the agent says.
func newRegistry(agents []AgentConfig, bridgeKeys []string, clients upstream.Clients, log zerolog.Logger, now func() time.Time) *Registry {
	r := &Registry{agents: map[string]*Agent{}, secrets: bridgeKeys, clients: clients, log: log, now: now, wait: sleep}
	r.life, r.close = context.WithCancel(context.Background())
	for _, c := range agents {
		a := r.newAgent(c)
		r.agents[c.Name] = a
		r.order = append(r.order, a)
	}
	return r
}

func (r *Registry) newAgent(c AgentConfig) *Agent {
	if c.URL == "" && len(c.URLs) > 0 {
		c.URL = c.URLs[0] // the card is read from the first replica
	}
	a := &Agent{Name: c.Name, cfg: c, client: r.clients.For(c.H2C), card: fallbackCard(c),
		redact: newRedactor(c, r.secrets, r.log), replicas: newReplicas(c)}
	a.redactText = a.redact.text
	if r.shared != nil {
		a.sticky.share(a.Name, r.shared, r.stickyTTL)
	}
	return a
}

// Add registers an agent at run time (c validated, defaults applied);
// ErrNameInUse when one of that name is registered. Its card is fetched
// on its first use.
func (r *Registry) Add(c AgentConfig) (*Agent, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.agents[c.Name]; ok {
		return nil, fmt.Errorf("%w: %q", ErrNameInUse, clip(c.Name, maxName))
	}
	a := r.newAgent(c)
	r.agents[c.Name] = a
	r.order = append(slices.Clip(r.order), a)
	return a, nil
}

// Remove unregisters the agent called name (ErrUnknownAgent for none).
// Calls under way go on with it; new ones do not find it.
func (r *Registry) Remove(name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	a, ok := r.agents[name]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownAgent, clip(name, maxName))
	}
	delete(r.agents, name)
	r.order = slices.DeleteFunc(slices.Clone(r.order), func(b *Agent) bool { return b == a })
	return nil
}

// lookup returns the agent called name.
func (r *Registry) lookup(name string) (*Agent, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	a, ok := r.agents[name]
	return a, ok
}

// fallbackCard treats the agent's url as a 0.3 JSON-RPC endpoint, for
// agents that serve no card.
func fallbackCard(c AgentConfig) transform.Card {
	return transform.Card{Name: c.Name, Endpoint: c.URL, Dialect: transform.V03, Streaming: true,
		Interfaces: map[transform.Dialect]transform.Interface{}}
}

// Get returns the agent called name, or a *transform.ModelError.
func (r *Registry) Get(model, name string) (*Agent, error) {
	if a, ok := r.lookup(name); ok && r.stillShared(a) {
		return a, nil
	}
	if a, ok := r.agentFromShared(name); ok {
		return a, nil
	}
	return nil, &transform.ModelError{Model: model}
}

// All returns the agents in configuration order (then those registered
// at run time); the slice is the caller's to read, never to change.
func (r *Registry) All() []*Agent {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.order
}

// discover fetches every agent's card at start-up and keeps retrying the
// ones that fail, with back-off, until ctx ends.
func (r *Registry) discover(ctx context.Context) {
	var wg sync.WaitGroup
	for _, a := range r.All() {
		wg.Go(func() {
			// A hostile card must not end the process: a panic in
			// its reading is logged, and the agent keeps its fallback.
			defer func() {
				if v := recover(); v != nil {
					logPanic(&r.log, "card discovery of agent "+a.Name, v)
				}
			}()
			for !r.resolve(ctx, a) {
				a.mu.Lock()
				wait := a.nextTry.Sub(r.now())
				a.mu.Unlock()
				if r.wait(ctx, wait) != nil {
					return
				}
			}
		})
	}
	wg.Wait()
}

// Card returns what is known of a's card, fetching it first when it is not
// known and the back-off allows. An agent whose card cannot be fetched is
// still called, at its url.
func (r *Registry) Card(ctx context.Context, a *Agent) transform.Card {
	return r.Target(ctx, a).Card
}

// Target returns how to call a, fetching its card first as Card does.
func (r *Registry) Target(ctx context.Context, a *Agent) upstream.Target {
	r.resolve(ctx, a)
	return a.target()
}

// resolve fetches a's card unless it is known or backing off; it reports
// whether the card is known. Callers that come while a fetch is under way
// wait for it rather than call the agent at a guessed endpoint. The fetch
// runs on a context of its own (see startFetch): a caller that goes away
// stops waiting, and the fetch goes on for the others.
func (r *Registry) resolve(ctx context.Context, a *Agent) bool {
	a.mu.Lock()
	if a.resolved {
		a.mu.Unlock()
		return true
	}
	done := a.fetching
	if done == nil {
		if r.now().Before(a.nextTry) {
			a.mu.Unlock()
			return false
		}
		done = r.startFetch(ctx, a)
	}
	a.mu.Unlock()
	select {
	case <-done:
	case <-ctx.Done():
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.resolved
}

// Refresh fetches the card of the agent called name again now, whether it
// is known or not (the health checker's probe), joining a fetch under way,
// and returns the fetch's error. A card that changed replaces the old one;
// a failed refresh of a known card keeps it.
func (r *Registry) Refresh(ctx context.Context, name string) error {
	a, ok := r.lookup(name)
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownAgent, clip(name, maxName))
	}
	a.mu.Lock()
	done := a.fetching
	if done == nil {
		done = r.startFetch(ctx, a)
	}
	a.mu.Unlock()
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.fetchErr
}

// startFetch starts fetching a's card, once at a time per agent (a.fetching
// is the one fetch under way; a.mu is held), and returns the channel closed
// when it ended. The fetch runs detached from ctx's cancellation, within its
// own timeout: the caller that happened to start it may go away (a client
// that disconnects), and that must neither send the agent into back-off nor
// the callers waiting for the same fetch to the fallback url. (No
// golang.org/x/sync/singleflight: the channel is the whole of what it would
// do here, and it keeps the waiters' own contexts in their hands.)
func (r *Registry) startFetch(ctx context.Context, a *Agent) chan struct{} {
	done := make(chan struct{})
	a.fetching = done
	ctx = context.WithoutCancel(ctx)
	go func() {
		defer close(done)
		raw, card, found, err := r.fetchRecovered(ctx, a)
		r.apply(a, raw, card, found, err)
	}()
	return done
}

// fetchRecovered is fetchCard, a panic in it (a hostile card) recovered as
// an error: it runs on a goroutine of its own, where a panic would end the
// process.
func (r *Registry) fetchRecovered(ctx context.Context, a *Agent) (raw []byte, card transform.Card, found bool, err error) {
	defer func() {
		if v := recover(); v != nil {
			logPanic(&r.log, "card fetch of agent "+a.Name, v)
			err = fmt.Errorf("reading the card panicked")
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, cardTimeout(a.cfg))
	defer cancel()
	defer context.AfterFunc(r.life, cancel)()
	return r.fetchCard(ctx, a)
}

// apply takes up the outcome of a fetch of a's card.
func (r *Registry) apply(a *Agent, raw []byte, card transform.Card, found bool, err error) {
	if found && err == nil {
		r.pinCard(a, &card)
		a.scrubCard(&card)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.fetching, a.fetchErr = nil, err
	if err != nil {
		if a.resolved {
			r.log.Warn().Str("agent", a.Name).Err(err).Msg("agent card not fetched again; keeping the one known")
			return
		}
		a.backoff = min(max(2*a.backoff, minCardBackoff), maxCardBackoff)
		a.nextTry = r.now().Add(a.backoff)
		r.log.Warn().Str("agent", a.Name).Err(err).Dur("retry_in", a.backoff).Msg("agent card not fetched; calling the agent at its url meanwhile")
		return
	}
	a.resolved, a.backoff, a.nextTry = true, 0, time.Time{}
	if !found {
		r.log.Info().Str("agent", a.Name).Msg("agent serves no card; calling its url as an A2A 0.3 JSON-RPC endpoint")
		return
	}
	a.card, a.cardRaw = card, raw
	r.log.Info().Str("agent", a.Name).Str("endpoint", clip(card.Endpoint, maxLogged)).Stringer("protocol", card.Dialect).
		Bool("streaming", card.Streaming).Msg("agent card read")
}

// cardTimeout bounds one card fetch: the agent's timeout, at most 10 s.
func cardTimeout(c AgentConfig) time.Duration { return min(c.Timeout.Duration, 10*time.Second) }

// RawCard returns the card a served, as it served it, and its parsed
// form; raw is nil while none was read.
func (r *Registry) RawCard(ctx context.Context, a *Agent) (raw []byte, card transform.Card) {
	r.resolve(ctx, a)
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.cardRaw, a.card
}

// Cards returns the cards of agents, fetched in parallel where they are
// not known yet (GET /v1/models of many agents waited for each in turn).
func (r *Registry) Cards(ctx context.Context, agents []*Agent) []transform.Card {
	cards := make([]transform.Card, len(agents))
	var wg sync.WaitGroup
	for i, a := range agents {
		wg.Go(func() { cards[i] = r.Card(ctx, a) })
	}
	wg.Wait()
	return cards
}

// pinCard keeps the card's endpoints on a's registered origin (see
// pinEndpoint): a card, whoever serves it, must not decide where the
// agent's credentials go. Endpoints it moved are logged once, by host.
func (r *Registry) pinCard(a *Agent, card *transform.Card) {
	var moved []string
	pin := func(u string) string {
		p, rewritten := upstream.PinEndpoint(u, a.cfg.URL, a.cfg.CardURL)
		if rewritten {
			host := u
			if e, err := url.Parse(u); err == nil {
				host = e.Host
			}
			if host = clip(host, maxLogged); !slices.Contains(moved, host) {
				moved = append(moved, host)
			}
		}
		return p
	}
	card.Endpoint = pin(card.Endpoint)
	for d, i := range card.Interfaces {
		i.URL = pin(i.URL)
		card.Interfaces[d] = i
	}
	if len(moved) > 0 {
		slices.Sort(moved)
		r.log.Warn().Str("agent", a.Name).Strs("card_hosts", moved).
			Msg("agent card names an endpoint off the agent's registered origin; calling its path at the registered url's origin instead")
	}
}

// fetchCard tries card_url, else the well-known paths of 0.3/1.0 and 0.2.
// found is false when the agent answered but serves no card.
func (r *Registry) fetchCard(ctx context.Context, a *Agent) (raw []byte, card transform.Card, found bool, err error) {
	// Replicas share one card: the first that can be reached serves it
	// (its endpoints are pinned to the first replica's origin, and each
	// call moved to its replica's; see aim).
	for _, rep := range a.replicas {
		raw, card, found, err = r.fetchCardAt(ctx, a, rep)
		if err == nil || ctx.Err() != nil {
			return raw, card, found, err
		}
	}
	return raw, card, found, err
}

// fetchCardAt is fetchCard at replica rep's origin.
func (r *Registry) fetchCardAt(ctx context.Context, a *Agent, rep *replica) (raw []byte, card transform.Card, found bool, err error) {
	c := a.cfg
	urls := []string{c.CardURL}
	if c.CardURL == "" {
		base := strings.TrimSuffix(c.URL, "/")
		urls = []string{base + "/.well-known/agent-card.json", base + "/.well-known/agent.json"}
	}
	for i, u := range urls {
		if rep.index > 0 {
			urls[i], _ = upstream.PinEndpoint(u, rep.url, "")
		}
	}
	for _, u := range urls {
		body, status, err := r.get(ctx, a, u)
		switch {
		case err != nil:
			return nil, card, false, err
		case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
			continue
		case status != http.StatusOK:
			return nil, card, false, fmt.Errorf("card %s: HTTP %d", u, status)
		}
		card, err = transform.ReadCard(body, u)
		if err != nil {
			// Its error may quote the card's text: scrubbed and bounded.
			return nil, card, false, fmt.Errorf("card %s: %s", u, a.redact.text(err.Error()))
		}
		return body, card, true, nil
	}
	if c.CardURL != "" {
		return nil, card, false, fmt.Errorf("card %s: not found", c.CardURL)
	}
	return nil, card, false, nil
}

func (r *Registry) get(ctx context.Context, a *Agent, u string) ([]byte, int, error) {
	c := a.cfg
	ctx, cancel := context.WithTimeout(ctx, cardTimeout(c))
	defer cancel()
	return upstream.GetCard(ctx, a.client, u, c.APIKey, c.Headers, maxCardSize)
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
