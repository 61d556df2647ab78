package slack

import (
	"net/url"
	"strings"
)

// replyState is what a click on a reply needs besides the entry the control
// names: who asked (only they may swap or dismiss an in-channel answer), the
// entries the reply offers (so that the "Other answers" menu survives a
// swap) and the question (for the context of a shared answer). It travels in
// the block_id of the reply's actions block, which Slack sends with every
// action: option values are limited to 150 bytes, too small for a menu of
// long IDs, and Slack's echo of the message is missing for ephemeral
// messages. Nothing is kept on our side.
type replyState struct {
	Asker string
	// Menu lists the entries offered: the answer shown first, then the
	// alternatives in order.
	Menu  []string
	Query string
}

// statePrefix marks block IDs written by encode; older messages carry the
// constant block IDs blockActions or blockSuggest and decode to no state.
const statePrefix = "faq1:"

// encode writes s as a block ID of at most maxBlockID bytes: the menu's tail
// and then the question are shortened when they do not fit.
func (s replyState) encode() string {
	head := statePrefix + url.QueryEscape(s.Asker) + ":"
	var menu []string
	n := len(head)
	for _, id := range s.Menu {
		e := url.QueryEscape(id)
		if n+len(e)+1 > maxBlockID {
			break
		}
		menu = append(menu, e)
		n += len(e) + 1
	}
	out := head + strings.Join(menu, ",") + ":"
	q := []rune(s.Query)
	for len(q) > 0 && len(out)+len(url.QueryEscape(string(q))) > maxBlockID {
		q = q[:len(q)*3/4]
	}
	return out + url.QueryEscape(string(q))
}

// decodeState reads a block ID written by encode; anything else (another
// app's block, an older message) gives the zero state.
func decodeState(blockID string) replyState {
	rest, ok := strings.CutPrefix(blockID, statePrefix)
	if !ok {
		return replyState{}
	}
	parts := strings.SplitN(rest, ":", 3)
	if len(parts) != 3 {
		return replyState{}
	}
	var s replyState
	s.Asker, _ = url.QueryUnescape(parts[0])
	for _, e := range strings.Split(parts[1], ",") {
		if id, err := url.QueryUnescape(e); err == nil && id != "" {
			s.Menu = append(s.Menu, id)
		}
	}
	s.Query, _ = url.QueryUnescape(parts[2])
	return s
}

// swapped is the state after the asker picked id: id is shown, and the
// answer it replaces stays in the menu, first among the alternatives.
func (s replyState) swapped(id string) replyState {
	menu := []string{id}
	for _, m := range s.Menu {
		if m != id {
			menu = append(menu, m)
		}
	}
	s.Menu = menu
	return s
}
