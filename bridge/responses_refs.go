package bridge

import (
	"errors"
	"strings"

	"github.com/a2a-bridge/a2a-bridge/transform"
	"github.com/labstack/echo/v4"
)

// The prefixes of a response's id and of its output message's, which
// share the rest (newCall).
const (
	respPrefix = "resp_"
	msgPrefix  = "msg_"
)

// resolveRefs fills in the input's item_reference items (the AI SDK sends
// one for each assistant turn of a stored response it replays): each must
// name the output message of a response the caller's key stored, whose
// text takes its place in the conversation. Any other item is 400
// item_not_found naming the item's id.
func (d *responsesDoor) resolveRefs(c echo.Context, rreq *transform.ResponsesRequest) error {
	if len(rreq.Refs) == 0 {
		return nil
	}
	scope := infoOf(c).scope
	var lookupErr error // shared state that did not answer: never a silent "not found"
	err := rreq.ResolveRefs(func(id string) (string, bool) {
		rest, ok := strings.CutPrefix(id, msgPrefix)
		if !ok || lookupErr != nil {
			return "", false
		}
		r, ok, err := d.store.lookup(c.Request().Context(), scope, respPrefix+rest)
		if err != nil {
			lookupErr = err
		}
		if !ok {
			return "", false
		}
		itemID, text, ok := r.outputMessage()
		return text, ok && itemID == id
	})
	if lookupErr != nil {
		return newError(ErrStateUnavailable, "input", "", lookupErr)
	}
	var re *transform.ItemRefError
	if errors.As(err, &re) {
		return newError(ErrItemNotFound, re.Ref.Param, re.Error(), nil)
	}
	return err
}
