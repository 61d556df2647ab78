package discord

import (
	"strings"
)

// Component custom IDs carry everything a click needs, so the adapter keeps
// no per-message state: which entry a thumb is about, and who asked (only
// the asker may dismiss or swap the answer). Discord limits them to 100
// characters; entry IDs are short.
const (
	idPrefix  = "faq"
	verbUp    = "up"      // faq:up:<entry>
	verbDown  = "down"    // faq:down:<entry>
	verbAlt   = "alt"     // faq:alt:<asker> (select; values are entry IDs)
	verbShow  = "show"    // faq:show:<asker>:<entry> (suggestion button)
	verbClose = "dismiss" // faq:dismiss:<asker>
	verbShare = "share"   // faq:share:<target message>:<entry> (the target may be empty)
)

// action is a decoded component custom ID.
type action struct {
	Verb string
	// Asker is who asked; for share, the message the answer answers.
	Asker string
	Entry string
}

// customID encodes an action. The entry ID goes last so that it may contain
// the separator.
func customID(a action) string {
	switch a.Verb {
	case verbUp, verbDown:
		return idPrefix + ":" + a.Verb + ":" + a.Entry
	case verbShow, verbShare:
		return idPrefix + ":" + a.Verb + ":" + a.Asker + ":" + a.Entry
	default:
		return idPrefix + ":" + a.Verb + ":" + a.Asker
	}
}

// parseCustomID decodes a custom ID written by customID; ok is false for
// anything else (another bot's components, an older format).
func parseCustomID(s string) (a action, ok bool) {
	rest, found := strings.CutPrefix(s, idPrefix+":")
	if !found {
		return action{}, false
	}
	verb, arg, found := strings.Cut(rest, ":")
	if !found {
		return action{}, false
	}
	a.Verb = verb
	switch verb {
	case verbUp, verbDown:
		a.Entry = arg
		return a, arg != ""
	case verbShow, verbShare:
		a.Asker, a.Entry, found = strings.Cut(arg, ":")
		return a, found && a.Entry != ""
	case verbAlt, verbClose:
		a.Asker = arg
		return a, true
	}
	return action{}, false
}
