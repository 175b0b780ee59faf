// Command gov2 is an A2A 1.0 test peer for a2a-bridge, built on the official SDK
// github.com/a2aproject/a2a-go/v2 v2.3.1, with the SDK's 0.3 compat layer
// (a2acompat/a2av0) on a second path. It implements every behaviour of
// testdata/peers/MODES.md: the reply is R = "echo: " + T (T = all text parts
// joined, byte for byte), shaped by the first "MODE:<name>" marker in T (agent.go);
// a follow-up on a stored open task (MODE:input's answer) always completes it with R.
// MODE:nonblocking hooks into the SDK with a CallInterceptor, MODE:cut aborts the
// HTTP response after 4 events (wire.go). Recordings: go run ./record (record/).
//
// Routes: 1.0 JSON-RPC at /v1 (SendMessage, SendStreamingMessage, GetTask, ...),
// 0.3 JSON-RPC at /v03 (message/send, message/stream, tasks/get, ...), and the hybrid
// card at /.well-known/agent-card.json (a2av0.NewStaticAgentCardProducer): top-level
// url/protocolVersion "0.3"/preferredTransport name /v03, supportedInterfaces lists
// /v1 (JSONRPC, 1.0) and /v03 (JSONRPC, 0.3).
//
// Usage: gov2 [-port N] [-no-stream]. Prints "READY http://127.0.0.1:<port>" once
// listening (and nothing else on stdout); exits on stdin EOF, SIGTERM or SIGINT.
// -no-stream serves capabilities.streaming false (omitted from the JSON, as Go omits
// false) and, through a2asrv.WithCapabilityChecks, the SDK answers stream calls -32004.
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

	"github.com/a2aproject/a2a-go/v2/a2a"
	"github.com/a2aproject/a2a-go/v2/a2acompat/a2av0"
	"github.com/a2aproject/a2a-go/v2/a2asrv"
)

func main() {
	port := flag.Int("port", 0, "TCP port on 127.0.0.1 (0 = random)")
	noStream := flag.Bool("no-stream", false, "serve a card with capabilities.streaming false and refuse stream calls")
	h2cOnly := flag.Bool("h2c", false, "serve HTTP/2 without TLS (prior knowledge) only: HTTP/1.1 calls fail")
	flag.Parse()

	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		log.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	v03 := a2a.NewAgentInterface(base+"/v03", a2a.TransportProtocolJSONRPC)
	v03.ProtocolVersion = a2av0.Version
	card := &a2a.AgentCard{
		Name:        "go-echo-v2",
		Description: "a2a-go/v2 v2.3.1 echo peer for a2a-bridge tests (1.0 at /v1, 0.3 at /v03)",
		Version:     "0.0.1",
		SupportedInterfaces: []*a2a.AgentInterface{
			a2a.NewAgentInterface(base+"/v1", a2a.TransportProtocolJSONRPC), // ProtocolVersion "1.0"
			v03,
		},
		Provider:           &a2a.AgentProvider{Org: "a2a-go tests", URL: "https://example.invalid"},
		DefaultInputModes:  []string{"text/plain"},
		DefaultOutputModes: []string{"text/plain"},
		Capabilities:       a2a.AgentCapabilities{Streaming: !*noStream},
		Skills: []a2a.AgentSkill{{ID: "echo", Name: "echo", Tags: []string{"echo"},
			Description: `replies "echo: " + input; a MODE:<name> marker picks the behaviour (testdata/peers/MODES.md)`}},
	}
	handler := a2asrv.NewHandler(newAgent(),
		a2asrv.WithCapabilityChecks(&card.Capabilities),
		a2asrv.WithCallInterceptors(nonBlocking{}))
	mux := http.NewServeMux()
	mux.Handle("/v1", withCut(a2asrv.NewJSONRPCHandler(handler)))
	mux.Handle("/v03", withCut(a2av0.NewJSONRPCHandler(handler)))
	mux.Handle(a2asrv.WellKnownAgentCardPath, a2asrv.NewAgentCardHandler(a2av0.NewStaticAgentCardProducer(card)))
	srv := &http.Server{Handler: mux}
	if *h2cOnly {
		srv.Protocols = new(http.Protocols)
		srv.Protocols.SetUnencryptedHTTP2(true)
	}

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
