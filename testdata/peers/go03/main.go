// Command go03 is an A2A 0.3 test peer for a2a-bridge, built on the official SDK
// github.com/a2aproject/a2a-go v0.3.15. It implements every behaviour of
// testdata/peers/MODES.md: the reply is R = "echo: " + T (T = all text parts
// joined, byte for byte), shaped by the first "MODE:<name>" marker in T
// (agent.go); a follow-up on a stored open task (MODE:input's answer) always
// completes it with R. MODE:nonblocking and -no-stream hook into the SDK with a
// CallInterceptor, MODE:cut aborts the HTTP response after 4 events (wire.go).
// Routes: JSON-RPC at /invoke, card at /.well-known/agent-card.json.
//
// Usage: go03 [-port N] [-no-stream]. Prints "READY http://127.0.0.1:<port>" once
// listening (and nothing else on stdout); exits on stdin EOF, SIGTERM or SIGINT.
// -no-stream serves capabilities.streaming false (the SDK omits false, so the card
// has "capabilities":{}) and answers message/stream with -32004 (wire.go).
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
	"syscall"

	"github.com/a2aproject/a2a-go/a2a"
	"github.com/a2aproject/a2a-go/a2asrv"
)

func main() {
	port := flag.Int("port", 0, "TCP port on 127.0.0.1 (0 = random)")
	noStream := flag.Bool("no-stream", false, "serve a card with capabilities.streaming false and refuse stream calls")
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
		Capabilities:       a2a.AgentCapabilities{Streaming: !*noStream},
		Skills: []a2a.AgentSkill{{ID: "echo", Name: "echo", Tags: []string{"echo"},
			Description: `replies "echo: " + input; a MODE:<name> marker picks the behaviour (testdata/peers/MODES.md)`}},
	}
	handler := a2asrv.NewHandler(newAgent(), a2asrv.WithCallInterceptor(interceptor{noStream: *noStream}))
	mux := http.NewServeMux()
	mux.Handle("/invoke", withCut(a2asrv.NewJSONRPCHandler(handler)))
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
