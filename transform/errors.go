package transform

import "encoding/json"

// ErrorBody returns the OpenAI error object {"error":{...}}. param and code
// are null when empty. It is the body of every error answer and of the
// in-band error event of a stream, whose data must start exactly with
// {"error": for go-openai to see it.
func ErrorBody(message, typ, param, code string) []byte {
	b, _ := json.Marshal(struct {
		Error errorObject `json:"error"`
	}{errorObject{Message: message, Type: typ, Param: nullable(param), Code: nullable(code)}})
	return b
}

type errorObject struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
