// Command go03 is an A2A 0.3 test peer for a2a-bridge, built on the official SDK
// github.com/a2aproject/a2a-go v0.3.15. It echoes the user's text back as
// R = "echo: " + T (T = all text parts joined, byte for byte):
//
//	T contains "MODE:message"  -> a bare agent Message with R, no task
//	T contains "MODE:snapshot" -> task; R streamed as append chunks, then R re-sent
//	                              whole on the same artifact (append=false,
//	                              lastChunk=true), like Google ADK; completed
//	otherwise                  -> task; R streamed as append chunks; completed
//
// Usage: go03 [-port N]. Prints "READY http://127.0.0.1:<port>" once listening;
// exits on stdin EOF, SIGTERM or SIGINT.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"unicode"

	"github.com/a2aproject/a2a-go/a2a"
	"github.com/a2aproject/a2a-go/a2asrv"
	"github.com/a2aproject/a2a-go/a2asrv/eventqueue"
)

type echo struct{}

func (echo) Execute(ctx context.Context, rc *a2asrv.RequestContext, q eventqueue.Queue) error {
	var in strings.Builder
	for _, p := range rc.Message.Parts {
		if t, ok := p.(a2a.TextPart); ok {
			in.WriteString(t.Text)
		}
	}
	t := in.String()
	r := "echo: " + t
	if strings.Contains(t, "MODE:message") {
		return q.Write(ctx, a2a.NewMessage(a2a.MessageRoleAgent, a2a.TextPart{Text: r}))
	}
	snapshot := strings.Contains(t, "MODE:snapshot")

	var events []a2a.Event
	if rc.StoredTask == nil {
		events = append(events, a2a.NewSubmittedTask(rc, rc.Message))
	}
	events = append(events, a2a.NewStatusUpdateEvent(rc, a2a.TaskStateWorking, nil))
	var id a2a.ArtifactID
	chunks := split(r)
	for i, c := range chunks {
		var ev *a2a.TaskArtifactUpdateEvent
		if i == 0 {
			ev = a2a.NewArtifactEvent(rc, a2a.TextPart{Text: c})
			id = ev.Artifact.ID
		} else {
			ev = a2a.NewArtifactUpdateEvent(rc, id, a2a.TextPart{Text: c}) // Append=true
		}
		ev.LastChunk = !snapshot && i == len(chunks)-1
		events = append(events, ev)
	}
	if snapshot { // cumulative re-send: same artifact ID, Append=false, LastChunk=true
		ev := a2a.NewArtifactUpdateEvent(rc, id, a2a.TextPart{Text: r})
		ev.Append, ev.LastChunk = false, true
		events = append(events, ev)
	}
	done := a2a.NewStatusUpdateEvent(rc, a2a.TaskStateCompleted, nil)
	done.Final = true // 0.3: Final ends the stream
	events = append(events, done)

	for _, ev := range events {
		if err := q.Write(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}

func (echo) Cancel(ctx context.Context, rc *a2asrv.RequestContext, q eventqueue.Queue) error {
	ev := a2a.NewStatusUpdateEvent(rc, a2a.TaskStateCanceled, nil)
	ev.Final = true
	return q.Write(ctx, ev)
}

// split cuts s into chunks whose concatenation is s: each chunk is a run of
// non-whitespace plus its trailing whitespace; leading whitespace is its own chunk.
func split(s string) []string {
	var out []string
	start, inSpace := 0, false
	for i, c := range s {
		sp := unicode.IsSpace(c)
		if !sp && inSpace { // a word starts after whitespace: close the chunk
			out = append(out, s[start:i])
			start = i
		}
		inSpace = sp
	}
	return append(out, s[start:]) // always at least one chunk
}

func main() {
	port := flag.Int("port", 0, "TCP port on 127.0.0.1 (0 = random)")
	flag.Parse()

	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		log.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	card := &a2a.AgentCard{
		Name:               "go-echo-03",
		Description:        "a2a-go v0.3.15 echo peer for a2a-bridge tests",
		Version:            "0.0.1",
		ProtocolVersion:    "0.3.0",
		URL:                base + "/invoke",
		PreferredTransport: a2a.TransportProtocolJSONRPC,
		Provider:           &a2a.AgentProvider{Org: "a2a-go tests", URL: "https://example.invalid"},
		DefaultInputModes:  []string{"text/plain"},
		DefaultOutputModes: []string{"text/plain"},
		Capabilities:       a2a.AgentCapabilities{Streaming: true},
		Skills: []a2a.AgentSkill{{ID: "echo", Name: "echo", Tags: []string{"echo"},
			Description: `replies "echo: " + input; MODE:message / MODE:snapshot change the reply shape`}},
	}
	mux := http.NewServeMux()
	mux.Handle("/invoke", a2asrv.NewJSONRPCHandler(a2asrv.NewHandler(echo{})))
	mux.Handle(a2asrv.WellKnownAgentCardPath, a2asrv.NewStaticAgentCardHandler(card))
	srv := &http.Server{Handler: mux}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() { io.Copy(io.Discard, os.Stdin); stop() }() // parent gone -> exit
	go func() {
		if err := srv.Serve(ln); err != http.ErrServerClosed {
			log.Fatal(err)
		}
	}()
	fmt.Println("READY " + base)
	<-ctx.Done()
	srv.Close()
}
