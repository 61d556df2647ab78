package discord

import (
	"strings"
	"testing"

	"github.com/espbot/espbot/bot/discord/discordtest"
)

// TestAdapter_SmallTalk: "@espbot thanks" gets the core's friendly line,
// with no ping; a thank-you in reply to an answer gets nothing, as
// TestAdapter_ReplyToAnswer checks.
func TestAdapter_SmallTalk(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{})
	h.srv.SendMessage(mention(h, mentionChan, "thanks!"))
	s := decodeSent(t, h.srv.Await(t, "the friendly line", discordtest.IsMessageTo(mentionChan)))
	text := s.Content
	for _, e := range s.Embeds {
		text += e.Description
	}
	if !strings.Contains(text, "welcome") || strings.Contains(text, "No answer") {
		t.Errorf("reply to a mentioned thank-you: %q", text)
	}
	assertNoPings(t, s)
}
