// Command gwclient drives the real a2a-go clients, v0.3.15 and v2.3.1,
// through a2a-bridge's A2A gateway, for its Go tests. It reads one JSON
// job on stdin, {"sdk":"go03"|"gov2"|"gov2rest","url":"<gateway>/a2a/<agent>","apiKey":"…"},
// resolves the card from the gateway URL with the SDK's own resolver,
// builds the client from it, then sends "hello world", streams "hello
// there", gets the sent task, sends "hello MODE:input" and cancels that
// task (and with "resubscribe": true re-attaches to a running task). It
// prints one JSON line: {"ok":…,"error":…,"events":N,
// "getID":…,"sendID":…,"cancelState":…,"received":"<every byte received>"}.
// "gov2rest" is a2a-go/v2 on its HTTP+JSON (REST) transport alone (rest.go).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	a03 "github.com/a2aproject/a2a-go/a2a"
	c03 "github.com/a2aproject/a2a-go/a2aclient"
	card03 "github.com/a2aproject/a2a-go/a2aclient/agentcard"
	"github.com/a2aproject/a2a-go/v2/a2a"
	"github.com/a2aproject/a2a-go/v2/a2aclient"
	"github.com/a2aproject/a2a-go/v2/a2aclient/agentcard"
)

type job struct {
	SDK         string `json:"sdk"`
	URL         string `json:"url"`
	APIKey      string `json:"apiKey"`
	NoCancel    bool   `json:"noCancel"`
	Resubscribe bool   `json:"resubscribe"` // also re-attach to a running task
}

type out struct {
	OK          bool   `json:"ok"`
	Error       string `json:"error,omitempty"`
	SendID      string `json:"sendID"`
	Events      int    `json:"events"`
	GetID       string `json:"getID"`
	CancelState string `json:"cancelState"`
	ResubEvents int    `json:"resubEvents"` // events of the re-attach (resubscribe)
	ResubFirst  string `json:"resubFirst"`  // the type of its first event
	ResubState  string `json:"resubState"`  // the state of its last status
	Received    string `json:"received"`
	// Of the REST run (rest.go).
	ListIDs      []string `json:"listIDs,omitempty"`
	ListError    string   `json:"listError,omitempty"`
	SubEvents    int      `json:"subEvents,omitempty"`
	SubState     string   `json:"subState,omitempty"`
	MissingError string   `json:"missingError,omitempty"`
	Paths        []string `json:"paths,omitempty"`
}

// recorder adds the key and keeps every byte the client receives.
type recorder struct {
	key   string
	mu    sync.Mutex
	got   bytes.Buffer
	paths []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	if r.key != "" {
		req.Header.Set("Authorization", "Bearer "+r.key)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	fmt.Fprintf(&r.got, "%d %v\n", resp.StatusCode, resp.Header)
	r.paths = append(r.paths, req.Method+" "+req.URL.Path)
	r.mu.Unlock()
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.TeeReader(resp.Body, writerFunc(func(p []byte) (int, error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.got.Write(p)
	})), resp.Body}
	return resp, nil
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func main() {
	var j job
	if err := json.NewDecoder(os.Stdin).Decode(&j); err != nil {
		fmt.Fprintln(os.Stderr, "gwclient: stdin:", err)
		os.Exit(1)
	}
	rec := &recorder{key: j.APIKey}
	hc := &http.Client{Transport: rec, Timeout: 30 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var o out
	var err error
	switch j.SDK {
	case "go03":
		err = run03(ctx, hc, j.URL, j.Resubscribe, &o)
	case "gov2rest":
		err = runREST(ctx, hc, j.URL, j.NoCancel, &o)
	default:
		err = runV2(ctx, hc, j.URL, j.Resubscribe, &o)
	}
	o.OK = err == nil
	if err != nil {
		o.Error = err.Error()
	}
	rec.mu.Lock()
	o.Received = rec.got.String()
	o.Paths = rec.paths
	rec.mu.Unlock()
	_ = json.NewEncoder(os.Stdout).Encode(o)
}

func run03(ctx context.Context, hc *http.Client, u string, resubscribe bool, o *out) error {
	card, err := card03.NewResolver(hc).Resolve(ctx, u)
	if err != nil {
		return fmt.Errorf("resolve card: %w", err)
	}
	cl, err := c03.NewFromCard(ctx, card, c03.WithJSONRPCTransport(hc))
	if err != nil {
		return fmt.Errorf("client: %w", err)
	}
	msg := func(text string) *a03.MessageSendParams {
		return &a03.MessageSendParams{Message: a03.NewMessage(a03.MessageRoleUser, a03.TextPart{Text: text})}
	}
	res, err := cl.SendMessage(ctx, msg("hello world"))
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	task, ok := res.(*a03.Task)
	if !ok {
		return fmt.Errorf("send: %T, want a task", res)
	}
	o.SendID = string(task.ID)
	for _, err := range cl.SendStreamingMessage(ctx, msg("hello there")) {
		if err != nil {
			return fmt.Errorf("stream: %w", err)
		}
		o.Events++
	}
	got, err := cl.GetTask(ctx, &a03.TaskQueryParams{ID: task.ID})
	if err != nil {
		return fmt.Errorf("get: %w", err)
	}
	o.GetID = string(got.ID)
	res, err = cl.SendMessage(ctx, msg("hello MODE:input"))
	if err != nil {
		return fmt.Errorf("send input: %w", err)
	}
	asked, _ := res.(*a03.Task)
	if asked == nil {
		return fmt.Errorf("send input: %T, want a task", res)
	}
	done, err := cl.CancelTask(ctx, &a03.TaskIDParams{ID: asked.ID})
	if err != nil {
		return fmt.Errorf("cancel: %w", err)
	}
	o.CancelState = string(done.Status.State)
	if !resubscribe {
		return nil
	}
	// MODE:nonblocking answers at once and completes about 300 ms later: a
	// re-attach that came too late is tried again, three times at most.
	for range 3 {
		res, err := cl.SendMessage(ctx, msg("hello MODE:nonblocking"))
		if err != nil {
			return fmt.Errorf("send nonblocking: %w", err)
		}
		running, _ := res.(*a03.Task)
		if running == nil {
			return fmt.Errorf("send nonblocking: %T, want a task", res)
		}
		o.ResubEvents, o.ResubFirst, o.ResubState = 0, "", ""
		for ev, err := range cl.ResubscribeToTask(ctx, &a03.TaskIDParams{ID: running.ID}) {
			if err != nil {
				break
			}
			if o.ResubEvents++; o.ResubFirst == "" {
				o.ResubFirst = fmt.Sprintf("%T", ev)
			}
			if s, ok := ev.(*a03.TaskStatusUpdateEvent); ok {
				o.ResubState = string(s.Status.State)
			}
		}
		if o.ResubEvents > 1 {
			return nil
		}
	}
	return fmt.Errorf("resubscribe: %d events", o.ResubEvents)
}

func runV2(ctx context.Context, hc *http.Client, u string, resubscribe bool, o *out) error {
	card, err := agentcard.NewResolver(hc).Resolve(ctx, u)
	if err != nil {
		return fmt.Errorf("resolve card: %w", err)
	}
	cl, err := a2aclient.NewFromCard(ctx, card, a2aclient.WithJSONRPCTransport(hc))
	if err != nil {
		return fmt.Errorf("client: %w", err)
	}
	if err := sendStreamGet(ctx, cl, o); err != nil {
		return err
	}
	if err := cancelAsked(ctx, cl, o); err != nil {
		return err
	}
	if !resubscribe {
		return nil
	}
	for range 3 { // as in run03
		res, err := cl.SendMessage(ctx, v2Message("hello MODE:nonblocking"))
		if err != nil {
			return fmt.Errorf("send nonblocking: %w", err)
		}
		running, _ := res.(*a2a.Task)
		if running == nil {
			return fmt.Errorf("send nonblocking: %T, want a task", res)
		}
		o.ResubEvents, o.ResubFirst, o.ResubState = 0, "", ""
		for ev, err := range cl.SubscribeToTask(ctx, &a2a.SubscribeToTaskRequest{ID: running.ID}) {
			if err != nil {
				break
			}
			if o.ResubEvents++; o.ResubFirst == "" {
				o.ResubFirst = fmt.Sprintf("%T", ev)
			}
			if s, ok := ev.(*a2a.TaskStatusUpdateEvent); ok {
				o.ResubState = strings.ToLower(string(s.Status.State))
			}
		}
		if o.ResubEvents > 1 {
			return nil
		}
	}
	return fmt.Errorf("subscribe: %d events", o.ResubEvents)
}

// v2Message is the a2a-go/v2 request that sends text.
func v2Message(text string) *a2a.SendMessageRequest {
	return &a2a.SendMessageRequest{Message: a2a.NewMessage(a2a.MessageRoleUser, a2a.NewTextPart(text))}
}

// sendStreamGet sends "hello world", streams "hello there" and gets the
// sent task, on either of a2a-go/v2's transports.
func sendStreamGet(ctx context.Context, cl *a2aclient.Client, o *out) error {
	res, err := cl.SendMessage(ctx, v2Message("hello world"))
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	task, ok := res.(*a2a.Task)
	if !ok {
		return fmt.Errorf("send: %T, want a task", res)
	}
	o.SendID = string(task.ID)
	for _, err := range cl.SendStreamingMessage(ctx, v2Message("hello there")) {
		if err != nil {
			return fmt.Errorf("stream: %w", err)
		}
		o.Events++
	}
	got, err := cl.GetTask(ctx, &a2a.GetTaskRequest{ID: task.ID})
	if err != nil {
		return fmt.Errorf("get: %w", err)
	}
	o.GetID = string(got.ID)
	return nil
}

// cancelAsked sends "hello MODE:input" and cancels the task that asks.
func cancelAsked(ctx context.Context, cl *a2aclient.Client, o *out) error {
	res, err := cl.SendMessage(ctx, v2Message("hello MODE:input"))
	if err != nil {
		return fmt.Errorf("send input: %w", err)
	}
	asked, _ := res.(*a2a.Task)
	if asked == nil {
		return fmt.Errorf("send input: %T, want a task", res)
	}
	done, err := cl.CancelTask(ctx, &a2a.CancelTaskRequest{ID: asked.ID})
	if err != nil {
		return fmt.Errorf("cancel: %w", err)
	}
	o.CancelState = strings.ToLower(string(done.Status.State))
	return nil
}
