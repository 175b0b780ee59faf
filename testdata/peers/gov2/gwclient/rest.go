package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/a2aproject/a2a-go/v2/a2a"
	"github.com/a2aproject/a2a-go/v2/a2aclient"
	"github.com/a2aproject/a2a-go/v2/a2aclient/agentcard"
)

// runREST is runV2 on a2a-go/v2's HTTP+JSON (REST) transport alone (the
// card's HTTP+JSON interface): send, stream, get, list, subscribe to a
// task still running (MODE:nonblocking), get a task that does not exist
// (its error kept), and cancel (unless noCancel).
// Every request's path is kept in o.Paths, so the test can check each
// went to the REST routes.
func runREST(ctx context.Context, hc *http.Client, u string, noCancel bool, o *out) error {
	card, err := agentcard.NewResolver(hc).Resolve(ctx, u)
	if err != nil {
		return fmt.Errorf("resolve card: %w", err)
	}
	cl, err := a2aclient.NewFromCard(ctx, card, a2aclient.WithDefaultsDisabled(), a2aclient.WithRESTTransport(hc))
	if err != nil {
		return fmt.Errorf("client: %w", err)
	}
	if err := sendStreamGet(ctx, cl, o); err != nil {
		return err
	}
	if list, err := cl.ListTasks(ctx, &a2a.ListTasksRequest{}); err != nil {
		o.ListError = err.Error()
	} else {
		for _, t := range list.Tasks {
			o.ListIDs = append(o.ListIDs, string(t.ID))
		}
	}
	res, err := cl.SendMessage(ctx, v2Message("hello MODE:nonblocking"))
	if err != nil {
		return fmt.Errorf("send nonblocking: %w", err)
	}
	running, _ := res.(*a2a.Task)
	if running == nil {
		return fmt.Errorf("send nonblocking: %T, want a task", res)
	}
	for ev, err := range cl.SubscribeToTask(ctx, &a2a.SubscribeToTaskRequest{ID: running.ID}) {
		if err != nil {
			return fmt.Errorf("subscribe: %w", err)
		}
		o.SubEvents++
		if s, ok := ev.(*a2a.TaskStatusUpdateEvent); ok {
			o.SubState = strings.ToLower(string(s.Status.State))
		}
		if t, ok := ev.(*a2a.Task); ok {
			o.SubState = strings.ToLower(string(t.Status.State))
		}
	}
	if _, err := cl.GetTask(ctx, &a2a.GetTaskRequest{ID: "no-such-task"}); err != nil {
		o.MissingError = err.Error()
	}
	if noCancel {
		return nil
	}
	return cancelAsked(ctx, cl, o)
}
