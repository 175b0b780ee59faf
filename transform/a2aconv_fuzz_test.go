package transform

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tidwall/gjson"
)

// seedA2AConv adds every JSON line of testdata/golden/a2aconv (requests
// by hand, the peers' recorded answers and events) and every recorded
// answer and event of testdata/recordings to f.
func seedA2AConv(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(goldenDir, "a2aconv", "*.txtar"))
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		in, _ := parseArchive(b).get("in.jsonl")
		for _, line := range bytes.Split(bytes.TrimSpace(in), []byte("\n")) {
			f.Add(line, false, false)
		}
	}
	recorded, _ := filepath.Glob("../testdata/recordings/*/*.s*")
	more, _ := filepath.Glob("../testdata/recordings/*/*.send.json")
	for _, path := range append(recorded, more...) {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		for _, line := range bytes.Split(b, []byte("\n")) {
			if data, ok := bytes.CutPrefix(line, []byte("data:")); ok {
				f.Add(bytes.TrimSpace(data), true, false)
			} else if json.Valid(line) {
				f.Add(line, true, true)
			}
		}
	}
	f.Add([]byte(`{"jsonrpc":"2.0","id":1,"method":"message/send","params":{"message":`+nested("[", MaxDepth+1, "1")+`}}`), false, false)
	f.Add([]byte(`{"result":{"parts":[{"data":1},{"text":0}],"role":1}}`), true, true)
}

// checkConverted asserts what every translation keeps: valid JSON, the
// JSON-RPC id as it came, a bounded growth, and idempotence.
func checkConverted(t *testing.T, in, out []byte, again func([]byte) ([]byte, error)) {
	t.Helper()
	if !json.Valid(out) {
		t.Fatalf("convert(%q) = %q, not valid JSON", in, out)
	}
	if want, got := gjson.GetBytes(in, "id"), gjson.GetBytes(out, "id"); want.Exists() && compactJSON(want.Raw) != compactJSON(got.Raw) {
		t.Fatalf("convert(%q) id = %s, want %s", in, got.Raw, want.Raw)
	}
	if len(out) > 4*len(in)+256 {
		t.Fatalf("convert(%d bytes) = %d bytes: grew more than 4x", len(in), len(out))
	}
	twice, err := again(out)
	if err != nil || !bytes.Equal(twice, out) {
		t.Fatalf("convert(convert(%q)) = %q, %v, want %q (idempotent)", in, twice, err, out)
	}
}

func compactJSON(s string) string {
	var b bytes.Buffer
	if json.Compact(&b, []byte(s)) != nil {
		return s
	}
	return b.String()
}

// FuzzConvertRequest: no body panics ConvertRequest; what it answers is
// valid JSON, answers the same id, and translates to itself again.
func FuzzConvertRequest(f *testing.F) {
	seedA2AConv(f)
	f.Fuzz(func(t *testing.T, body []byte, v10, _ bool) {
		to := V03
		if v10 {
			to = V10
		}
		out, err := ConvertRequest(body, to, "tn")
		if err != nil {
			return
		}
		checkConverted(t, body, out, func(b []byte) ([]byte, error) { return ConvertRequest(b, to, "tn") })
	})
}

// FuzzConvertResponse: no agent answer or event panics ConvertResponse;
// what it answers is valid JSON, answers the same id, and translates to
// itself again.
func FuzzConvertResponse(f *testing.F) {
	seedA2AConv(f)
	f.Fuzz(func(t *testing.T, body []byte, v10, bare bool) {
		to := V03
		if v10 {
			to = V10
		}
		out, err := ConvertResponse(body, to, bare)
		if err != nil {
			return
		}
		checkConverted(t, body, out, func(b []byte) ([]byte, error) { return ConvertResponse(b, to, bare) })
	})
}

// refErrorDataBytes is ErrorData by the reference.
func refErrorDataBytes(data []byte, to Dialect) []byte {
	if CheckJSON(data) != nil {
		return nil
	}
	if d := refErrorData(string(data), to); d != "" {
		return []byte(d)
	}
	return nil
}

// FuzzConvertSame holds the one-pass translation to the map reference
// (a2aconv_ref_test.go): every body, valid or not, translates to the same
// bytes, or fails with the same error, as a request and as a response, in
// both dialects; its error data too; appending to a buffer in use appends
// exactly that; and AppendConvertEvent reads and translates as
// ReadResponse and ConvertResponse do apart.
func FuzzConvertSame(f *testing.F) {
	seedA2AConv(f)
	f.Add([]byte(`{"id":1,"\u0072esult":{"k\u0069nd":"task","id":"t","status":{}},"result":2,"r\xffesult":{}}`), false, true)
	f.Add([]byte(`{"error":{"data":[1,{"a":1},{"b":2,"b":3}],"code":1,"<&>":0}}`), true, false)
	f.Add([]byte(` {"params":{"pushNotificationConfig":{"authentication":{"schemes":{"0":"x"}}}},"method":"tasks/pushNotificationConfig/set"} `), true, false)
	prefix := []byte(`data: {"x":[`)
	f.Fuzz(func(t *testing.T, body []byte, v10, bare bool) {
		to := V03
		if v10 {
			to = V10
		}
		same := func(what string, got []byte, gotErr error, want []byte, wantErr error) {
			t.Helper()
			if !bytes.Equal(got, want) || gotErr != wantErr { //nolint:errorlint // the very sentinel, both sides
				t.Fatalf("%s(%q, %v) = %q, %v, want %q, %v", what, body, to, got, gotErr, want, wantErr)
			}
		}
		got, err := ConvertRequest(body, to, "tn")
		want, wantErr := refConvertRequest(body, to, "tn")
		same("ConvertRequest", got, err, want, wantErr)
		got, err = ConvertRequest(body, to, "")
		want, wantErr = refConvertRequest(body, to, "")
		same("ConvertRequest no tenant", got, err, want, wantErr)
		got, err = ConvertResponse(body, to, bare)
		want, wantErr = refConvertResponse(body, to, bare)
		same("ConvertResponse", got, err, want, wantErr)
		appended, err := AppendConvertResponse(bytes.Clone(prefix), body, to, bare)
		if err != nil {
			want = nil
		}
		same("AppendConvertResponse", appended, err, append(bytes.Clone(prefix), want...), wantErr)
		same("ErrorData", ErrorData(body, to), nil, refErrorDataBytes(body, to), nil)
		var one [1]Artifact
		c, err := AppendConvertEvent(bytes.Clone(prefix), body, to, bare, &one)
		same("AppendConvertEvent", c.Out, err, append(bytes.Clone(prefix), want...), wantErr)
		ev, readErr := ReadResponse(body)
		if !reflect.DeepEqual(c.Event, ev) || !reflect.DeepEqual(c.ReadErr, readErr) {
			t.Fatalf("AppendConvertEvent(%q) read %+v, %v, want %+v, %v", body, c.Event, c.ReadErr, ev, readErr)
		}
	})
}
