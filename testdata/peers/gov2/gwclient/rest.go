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
	msg := func(text string) *a2a.SendMessageRequest {
		return &a2a.SendMessageRequest{Message: a2a.NewMessage(a2a.MessageRoleUser, a2a.NewTextPart(text))}
	}
	res, err := cl.SendMessage(ctx, msg("hello world"))
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	task, ok := res.(*a2a.Task)
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
	got, err := cl.GetTask(ctx, &a2a.GetTaskRequest{ID: task.ID})
	if err != nil {
		return fmt.Errorf("get: %w", err)
	}
	o.GetID = string(got.ID)
	if list, err := cl.ListTasks(ctx, &a2a.ListTasksRequest{}); err != nil {
		o.ListError = err.Error()
	} else {
		for _, t := range list.Tasks {
			o.ListIDs = append(o.ListIDs, string(t.ID))
		}
	}
	res, err = cl.SendMessage(ctx, msg("hello MODE:nonblocking"))
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
	res, err = cl.SendMessage(ctx, msg("hello MODE:input"))
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
