package upstream

import (
	"net/url"
	"testing"
)

func TestSameOrigin(t *testing.T) {
	cases := []struct {
		name, a, b string
		want       bool
	}{
		{"same", "http://127.0.0.1:8080/a", "http://127.0.0.1:8080/b?q", true},
		{"default port", "http://Agent.example/a", "http://agent.example:80/b", true},
		{"default https port", "https://agent.example:443/a", "https://agent.example/b", true},
		{"another port", "http://127.0.0.1:8080/a", "http://127.0.0.1:8081/a", false},
		{"another scheme", "http://agent.example/a", "https://agent.example/a", false},
		{"another host", "http://agent.example/a", "http://agent.example.evil/a", false},
		{"loopback by name", "http://localhost:8080/a", "http://127.0.0.1:8080/a", false},
		{"relative", "/rpc", "/rpc", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, _ := url.Parse(tc.a)
			b, _ := url.Parse(tc.b)
			if got := sameOrigin(a, b); got != tc.want {
				t.Errorf("sameOrigin(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

func TestPinEndpoint(t *testing.T) {
	reg := struct{ URL, CardURL string }{URL: "http://10.0.0.5:9000/agent", CardURL: "https://cards.example/h.json"}
	cases := []struct {
		name, endpoint, want string
		rewritten            bool
	}{
		{"registered origin", "http://10.0.0.5:9000/rpc", "http://10.0.0.5:9000/rpc", false},
		{"card_url's origin", "https://cards.example/rpc", "https://cards.example/rpc", false},
		{"another port", "http://10.0.0.5:9001/rpc?k=v", "http://10.0.0.5:9000/rpc?k=v", true},
		{"unspecified address", "http://0.0.0.0:9000/rpc", "http://10.0.0.5:9000/rpc", true},
		{"loopback", "http://localhost:9000/", "http://10.0.0.5:9000/", true},
		{"metadata address", "http://169.254.169.254/latest/meta-data", "http://10.0.0.5:9000/latest/meta-data", true},
		{"credentials in the card's URL", "http://user:pw@evil.example/rpc", "http://10.0.0.5:9000/rpc", true},
		{"another scheme", "ftp://10.0.0.5:9000/rpc", "http://10.0.0.5:9000/rpc", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, rewritten := PinEndpoint(tc.endpoint, reg.URL, reg.CardURL)
			if got != tc.want || rewritten != tc.rewritten {
				t.Errorf("PinEndpoint(%s) = %s, %v, want %s, %v", tc.endpoint, got, rewritten, tc.want, tc.rewritten)
			}
		})
	}
	// A card_url on a link-local address does not make link-local card
	// endpoints callable.
	meta := struct{ URL, CardURL string }{URL: "http://10.0.0.5:9000", CardURL: "http://169.254.169.254/card"}
	if got, _ := PinEndpoint("http://169.254.169.254/rpc", meta.URL, meta.CardURL); got != "http://10.0.0.5:9000/rpc" {
		t.Errorf("PinEndpoint(link-local, card_url link-local) = %s, want the registered origin", got)
	}
}

func TestLinkLocal(t *testing.T) {
	for host, want := range map[string]bool{
		"169.254.169.254": true, "169.254.0.1": true, "fe80::1": true, "fe80::1%eth0": true, "fd00:ec2::254": true,
		"::ffff:169.254.169.254": true, "10.0.0.1": false, "127.0.0.1": false, "fd00::1": false, "example.com": false,
	} {
		if got := linkLocal(host); got != want {
			t.Errorf("linkLocal(%s) = %v, want %v", host, got, want)
		}
	}
}
