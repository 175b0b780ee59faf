package transform

import (
	"errors"
	"reflect"
	"testing"
)

const cardBase = "http://127.0.0.1:9101/.well-known/agent-card.json"

// readCardTests are cards of every version; they also seed FuzzReadCard.
var readCardTests = []struct {
	name    string
	base    string
	card    string
	want    Card
	wantErr error // ErrNoJSONRPC, or errAny for any other error
}{
	{
		name: "0.3 card with url and preferredTransport (a2a-go v0.3.15 peer)",
		base: "http://127.0.0.1:9301/.well-known/agent-card.json",
		card: `{"capabilities":{"streaming":true},"defaultInputModes":["text/plain"],"defaultOutputModes":["text/plain"],"description":"a2a-go v0.3.15 echo peer for a2a-bridge tests","name":"go-echo-03","preferredTransport":"JSONRPC","protocolVersion":"0.3.0","provider":{"organization":"a2a-go tests","url":"https://example.invalid"},"skills":[{"description":"echo","id":"echo","name":"echo","tags":["echo"]}],"url":"http://127.0.0.1:9301/invoke","version":"0.0.1"}`,
		want: Card{Name: "go-echo-03", Endpoint: "http://127.0.0.1:9301/invoke", Dialect: V03, Streaming: true, Provider: "a2a-go tests"},
	},
	{
		name: "0.2 card with only url",
		base: "http://127.0.0.1:9105/.well-known/agent.json",
		card: `{"name":"js-02","description":"echo","url":"http://127.0.0.1:9105/","version":"0.0.1","protocolVersion":"0.2.5","capabilities":{},"defaultInputModes":["text"],"defaultOutputModes":["text"],"skills":[]}`,
		want: Card{Name: "js-02", Endpoint: "http://127.0.0.1:9105/", Dialect: V03},
	},
	{
		name: "preferredTransport GRPC with a JSONRPC additional interface",
		base: cardBase,
		card: `{"name":"multi","url":"grpc.example.com:443","preferredTransport":"GRPC","additionalInterfaces":[{"url":"https://example.com/rest","transport":"HTTP+JSON"},{"url":"https://example.com/rpc","transport":"JSONRPC"}],"capabilities":{"streaming":false}}`,
		want: Card{Name: "multi", Endpoint: "https://example.com/rpc", Dialect: V03},
	},
	{
		name: "preferredTransport JSONRPC spelled in lower case",
		base: cardBase,
		card: `{"name":"lc","url":"https://example.com/rpc","preferredTransport":"jsonrpc"}`,
		want: Card{Name: "lc", Endpoint: "https://example.com/rpc", Dialect: V03},
	},
	{
		name: "1.0 pure card with supportedInterfaces and tenant",
		base: "https://agents.example.com/.well-known/agent-card.json",
		card: `{"name":"js-10","description":"echo","version":"0.0.1","supportedInterfaces":[{"url":"https://agents.example.com/a2a/rest","protocolBinding":"HTTP+JSON","protocolVersion":"1.0"},{"url":"https://agents.example.com/a2a/jsonrpc","protocolBinding":"JSONRPC","tenant":"acme","protocolVersion":"1.0"}],"capabilities":{"streaming":true,"pushNotifications":false,"extensions":[],"extendedAgentCard":false},"provider":{"organization":"Acme","url":"https://acme.example"},"defaultInputModes":["text/plain"],"defaultOutputModes":["text/plain"],"skills":[]}`,
		want: Card{Name: "js-10", Endpoint: "https://agents.example.com/a2a/jsonrpc", Dialect: V10, Tenant: "acme", Streaming: true, Provider: "Acme"},
	},
	{
		// Notes §9: the top-level url is the /v03 compat path; the 1.0
		// endpoint is only in supportedInterfaces, and must win.
		name: "a2a-go/v2 hybrid card picks the 1.0 /v1 interface",
		base: "http://127.0.0.1:9102/.well-known/agent-card.json",
		card: `{"defaultInputModes":["text/plain"],"defaultOutputModes":["text/plain"],"description":"echo","name":"go-echo-10","version":"0.0.1","skills":[],"capabilities":{"streaming":true},"supportedInterfaces":[{"url":"http://127.0.0.1:9102/v1","protocolBinding":"JSONRPC","protocolVersion":"1.0"},{"url":"http://127.0.0.1:9102/v03","protocolBinding":"JSONRPC","protocolVersion":"0.3"}],"url":"http://127.0.0.1:9102/v03","protocolVersion":"0.3","preferredTransport":"JSONRPC"}`,
		want: Card{Name: "go-echo-10", Endpoint: "http://127.0.0.1:9102/v1", Dialect: V10, Streaming: true},
	},
	{
		name: "hybrid card with the 0.3 interface listed first still picks 1.0",
		base: cardBase,
		card: `{"name":"h","url":"http://x.example/v03","protocolVersion":"0.3","supportedInterfaces":[{"url":"http://x.example/v03","protocolBinding":"JSONRPC","protocolVersion":"0.3"},{"url":"http://x.example/v1","protocolBinding":"JSONRPC","protocolVersion":"1.0"}]}`,
		want: Card{Name: "h", Endpoint: "http://x.example/v1", Dialect: V10},
	},
	{
		name: "supportedInterfaces with only a 0.3 JSON-RPC entry",
		base: cardBase,
		card: `{"name":"o","supportedInterfaces":[{"url":"http://x.example/v1","protocolBinding":"GRPC","protocolVersion":"1.0"},{"url":"http://x.example/v03","protocolBinding":"JSONRPC","protocolVersion":"0.3"}]}`,
		want: Card{Name: "o", Endpoint: "http://x.example/v03", Dialect: V03},
	},
	{
		name: "supportedInterfaces without JSON-RPC falls back to the 0.3 url",
		base: cardBase,
		card: `{"name":"f","url":"http://x.example/rpc","supportedInterfaces":[{"url":"http://x.example/grpc","protocolBinding":"GRPC","protocolVersion":"1.0"}]}`,
		want: Card{Name: "f", Endpoint: "http://x.example/rpc", Dialect: V03},
	},
	{
		name: "relative url resolved against the card URL",
		base: "https://agents.example.com/team/.well-known/agent-card.json",
		card: `{"name":"rel","url":"/a2a/jsonrpc"}`,
		want: Card{Name: "rel", Endpoint: "https://agents.example.com/a2a/jsonrpc", Dialect: V03},
	},
	{
		name: "relative 1.0 interface url resolved against the card URL",
		base: "https://agents.example.com/.well-known/agent-card.json?assistant_id=x",
		card: `{"name":"rel10","supportedInterfaces":[{"url":"../a2a/x","protocolBinding":"JSONRPC","protocolVersion":"1.0"}]}`,
		want: Card{Name: "rel10", Endpoint: "https://agents.example.com/a2a/x", Dialect: V10},
	},
	{
		name:    "no JSON-RPC interface",
		base:    cardBase,
		card:    `{"name":"grpc-only","url":"grpc.example.com:443","preferredTransport":"GRPC","additionalInterfaces":[{"url":"https://example.com/rest","transport":"HTTP+JSON"}]}`,
		want:    Card{Name: "grpc-only"},
		wantErr: ErrNoJSONRPC,
	},
	{
		name:    "1.0 pure card with only gRPC",
		base:    cardBase,
		card:    `{"name":"g","supportedInterfaces":[{"url":"grpc.example.com:443","protocolBinding":"GRPC","protocolVersion":"1.0"}]}`,
		want:    Card{Name: "g"},
		wantErr: ErrNoJSONRPC,
	},
	{
		name:    "empty object",
		base:    cardBase,
		card:    `{}`,
		wantErr: ErrNoJSONRPC,
	},
	{
		name:    "invalid JSON",
		base:    cardBase,
		card:    `<html>Not Found</html>`,
		wantErr: errAny,
	},
	{
		// Found by FuzzReadCard: "http:" resolved to an endpoint with no host.
		name:    "url without a host",
		base:    "0",
		card:    `{"supportedInterfaces":[{"url":"http:","protocolBinding":"JSONRPC","protocolVersion":"0."}]}`,
		wantErr: errAny,
	},
	{
		name:    "relative url against a base without a host",
		base:    "/.well-known/agent-card.json",
		card:    `{"name":"nohost","url":"/rpc"}`,
		want:    Card{Name: "nohost"},
		wantErr: errAny,
	},
	{
		name:    "url with a non-http scheme",
		base:    cardBase,
		card:    `{"name":"ftp","url":"ftp://example.com/rpc"}`,
		want:    Card{Name: "ftp"},
		wantErr: errAny,
	},
}

// errAny stands for an error matched by no sentinel.
var errAny = errors.New("any error")

func TestReadCard(t *testing.T) {
	for _, tc := range readCardTests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadCard([]byte(tc.card), tc.base)
			switch {
			case tc.wantErr == nil && err != nil:
				t.Fatalf("ReadCard(%s, %q) error = %v, want nil", tc.card, tc.base, err)
			case tc.wantErr == errAny && (err == nil || errors.Is(err, ErrNoJSONRPC)):
				t.Fatalf("ReadCard(%s, %q) error = %v, want an error other than ErrNoJSONRPC", tc.card, tc.base, err)
			case tc.wantErr != nil && tc.wantErr != errAny && !errors.Is(err, tc.wantErr):
				t.Fatalf("ReadCard(%s, %q) error = %v, want %v", tc.card, tc.base, err, tc.wantErr)
			}
			if err == nil {
				if pref := got.For(got.Dialect); pref.URL != got.Endpoint || pref.Tenant != got.Tenant {
					t.Errorf("ReadCard(%s).For(%v) = %+v, want the preferred endpoint %q", tc.card, got.Dialect, pref, got.Endpoint)
				}
			}
			got.Interfaces, got.InputModes = nil, nil // checked by TestReadCardInterfaces, TestCardAccepts
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ReadCard(%s, %q)\n = %+v\nwant %+v", tc.card, tc.base, got, tc.want)
			}
		})
	}
}

// TestReadCardInterfaces: a hybrid card offers both dialects, each at its
// own endpoint, so a switch of dialect also switches endpoint.
func TestReadCardInterfaces(t *testing.T) {
	card := `{"name":"hybrid","url":"http://127.0.0.1:9102/v03","protocolVersion":"0.3","preferredTransport":"JSONRPC",
		"supportedInterfaces":[{"url":"http://127.0.0.1:9102/v1","protocolBinding":"JSONRPC","protocolVersion":"1.0","tenant":"t1"},
		{"url":"/v03","protocolBinding":"JSONRPC","protocolVersion":"0.3"}]}`
	c, err := ReadCard([]byte(card), "http://127.0.0.1:9102/.well-known/agent-card.json")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		d    Dialect
		want Interface
	}{
		{V10, Interface{URL: "http://127.0.0.1:9102/v1", Tenant: "t1"}},
		{V03, Interface{URL: "http://127.0.0.1:9102/v03"}},
	}
	for _, tc := range cases {
		if got := c.For(tc.d); got != tc.want {
			t.Errorf("For(%v) = %+v, want %+v", tc.d, got, tc.want)
		}
	}
	only03, err := ReadCard([]byte(`{"url":"http://a/rpc"}`), "http://a/")
	if err != nil {
		t.Fatal(err)
	}
	if got := only03.For(V10); got.URL != "http://a/rpc" {
		t.Errorf("a 0.3-only card's For(V10) = %+v, want its one endpoint", got)
	}
}

func TestCardAccepts(t *testing.T) {
	cases := []struct {
		modes []string
		mt    string
		want  bool
	}{
		{[]string{"text/plain"}, "image/png", false},
		{[]string{"text/plain", "image/png"}, "image/png", true},
		{[]string{"image/*"}, "image/jpeg", true},
		{[]string{"*/*"}, "application/pdf", true},
		{[]string{"image/png"}, "image/*", true}, // an image of unknown type, to an agent that takes some images
		{[]string{"application/pdf"}, "image/*", false},
		{nil, "image/png", false},
	}
	for _, tc := range cases {
		if got := (Card{InputModes: tc.modes}).Accepts(tc.mt); got != tc.want {
			t.Errorf("Card{InputModes: %q}.Accepts(%q) = %v, want %v", tc.modes, tc.mt, got, tc.want)
		}
	}
}
