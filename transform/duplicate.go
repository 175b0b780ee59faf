package transform

import "github.com/tidwall/gjson"

// duplicateMember returns the first top-level member of root that appears
// more than once, and whether there is one. JSON readers disagree on such a
// body (the bridge reads the first "model", Go's encoding/json and Python
// the last), so a gateway in front could check one model while the bridge
// calls another: the bridge refuses it. Member names are compared as
// decoded, so "mod\u0065l" is "model".
func duplicateMember(root gjson.Result) (string, bool) {
	var room [32]string // the first keys, compared each with all
	keys := room[:0]
	var seen map[string]struct{} // past a few members, a set beats comparing each with all
	dup, found := "", false
	root.ForEach(func(k, _ gjson.Result) bool {
		if seen != nil {
			if _, ok := seen[k.Str]; ok {
				dup, found = k.Str, true
				return false
			}
			seen[k.Str] = struct{}{}
			return true
		}
		for _, prev := range keys {
			if prev == k.Str {
				dup, found = k.Str, true
				return false
			}
		}
		keys = append(keys, k.Str)
		if len(keys) == 32 {
			seen = make(map[string]struct{}, 64)
			for _, s := range keys {
				seen[s] = struct{}{}
			}
		}
		return true
	})
	return dup, found
}

// noDuplicates refuses a request body whose top-level member appears twice,
// naming it (the member named by the empty string as `""`: a param must name
// something). Every front door's parser calls it.
func noDuplicates(root gjson.Result) error {
	name, dup := duplicateMember(root)
	if !dup {
		return nil
	}
	param := name
	if param == "" {
		param = `""`
	}
	return badParam(param, "the member %q appears more than once in the request body: JSON readers disagree on which one counts, so send it once", name)
}
