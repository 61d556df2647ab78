package discord

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/bot/discord/discordtest"
)

// Channels of permGuilds where the bot lacks one permission.
const (
	noEmbedChan   = "610"
	noSendChan    = "611"
	noHistoryChan = "612"
	noSendAuto    = "613" // an auto channel: checked at start-up
)

func permGuilds() []discordtest.Guild {
	gs := testGuilds()
	gs[0].Channels = append(gs[0].Channels,
		discordtest.Channel{ID: noEmbedChan, Type: discordtest.ChannelText, BotDeny: discordtest.PermEmbedLinks},
		discordtest.Channel{ID: noSendChan, Type: discordtest.ChannelText, BotDeny: discordtest.PermSendMessages},
		discordtest.Channel{ID: noHistoryChan, Type: discordtest.ChannelText, BotDeny: discordtest.PermReadMessageHistory},
		discordtest.Channel{ID: noSendAuto, Type: discordtest.ChannelText, BotDeny: discordtest.PermSendMessages},
	)
	return gs
}

// TestAdapter_Permissions: espbot computes its permissions per channel,
// logs once what is missing (naming guild and channel), answers in plain
// text without Embed Links, without a reply reference without Read Message
// History, and not at all without Send Messages.
func TestAdapter_Permissions(t *testing.T) {
	t.Parallel()
	bc := testPolicies()
	bc.PlatformChannels[bot.Discord][noSendAuto] = bot.PolicyAuto
	h := start(t, harnessOpts{botCfg: &bc, server: discordtest.Options{Guilds: permGuilds()}})
	h.awaitReady(t)
	// GUILD_CREATE follows READY: the check is made when it arrives.
	eventually(t, "start-up warning about the auto channel", func() bool {
		return strings.Contains(h.logs.String(), "guild="+guildID+" channel="+noSendAuto)
	})
	e := entry(t, 0)
	h.srv.SendMessage(mention(h, noEmbedChan, e.Title))
	s := decodeSent(t, h.srv.Await(t, "plain answer", discordtest.IsMessageTo(noEmbedChan)))
	if len(s.Embeds) != 0 || !strings.Contains(s.Content, "**"+escape(titled(e.Title))+"**") || len(s.customIDs(t)) == 0 {
		t.Errorf("without Embed Links: want the answer as text with its buttons, got %+v", s)
	}
	h.srv.SendMessage(mention(h, noHistoryChan, e.Title))
	if s := decodeSent(t, h.srv.Await(t, "answer", discordtest.IsMessageTo(noHistoryChan))); s.Reference != nil || s.title() != titled(e.Title) {
		t.Errorf("without Read Message History: want an answer that is no reply, got reference %+v", s.Reference)
	}
	h.srv.SendMessage(mention(h, noSendChan, e.Title))
	h.srv.SendMessage(mention(h, noSendChan, entry(t, 1).Title))
	h.awaitHandled(t, 4)
	if n := h.srv.Count(func(r discordtest.Request) bool { return strings.HasPrefix(r.Path, "/channels/"+noSendChan+"/") }); n != 0 {
		t.Errorf("%d requests to a channel the bot may not post in", n)
	}
	logs := h.logs.String()
	for _, want := range []string{"channel=" + noEmbedChan + ` missing="[Embed Links]"`, "channel=" + noSendChan + ` missing="[Send Messages]"`} {
		if strings.Count(logs, want) != 1 {
			t.Errorf("want %q logged once:\n%s", want, logs)
		}
	}
	iid := h.srv.SlashCommand(guildID, noEmbedChan, alice, "faq", map[string]string{"question": e.Title})
	c := decodeCallback(t, h.srv.Await(t, "plain command answer", discordtest.IsCallback(iid)))
	if c.Data == nil || len(c.Data.Embeds) != 0 || !strings.Contains(c.Data.Content, escape(titled(e.Title))) {
		t.Errorf("app_permissions without Embed Links: want a text answer, got %+v", c.Data)
	}
}

// TestAdapter_FailuresNameWhere: every REST failure in the logs names the
// guild, the channel and the interaction.
func TestAdapter_FailuresNameWhere(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{})
	h.awaitReady(t)
	h.srv.Fail(discordtest.Fault{Method: http.MethodPost, PathSuffix: "/channels/" + mentionChan + "/messages", Status: 403, Body: `{"message": "Missing Permissions", "code": 50013}`})
	h.srv.SendMessage(mention(h, mentionChan, entry(t, 0).Title))
	h.awaitHandled(t, 1)
	h.srv.Fail(discordtest.Fault{Method: http.MethodPost, PathSuffix: "/callback", Status: 500, Body: `{"message": "oops", "code": 0}`, Times: 2})
	iid := h.srv.SlashCommand(guildID, autoChan, alice, "faq", map[string]string{"question": entry(t, 1).Title})
	h.awaitHandled(t, 2)
	logs := h.logs.String()
	for _, want := range []string{
		"where=send guild=" + guildID + " channel=" + mentionChan + " status=403 code=50013",
		"where=interaction guild=" + guildID + " channel=" + autoChan + " interaction=" + iid + " status=500",
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

// TestAdapter_DeferSlowAnswer: an answer not ready in time is deferred
// (type 5) and edited in; Discord's deadline is never missed.
func TestAdapter_DeferSlowAnswer(t *testing.T) {
	t.Parallel()
	g := newGatedCore(func(m bot.Message) bool { return m.Command })
	h := start(t, harnessOpts{core: g.wrap, knobs: func(k *knobs) { k.deferAfter = time.Millisecond }})
	h.awaitReady(t)
	e := entry(t, 3)
	iid := h.srv.SlashCommand(guildID, mentionChan, alice, "faq", map[string]string{"question": e.Title})
	<-g.entered
	c := decodeCallback(t, h.srv.Await(t, "deferral", discordtest.IsCallback(iid)))
	if c.Type != 5 {
		t.Fatalf("callback type %d, want a deferral (5)", c.Type)
	}
	close(g.gate)
	r := h.srv.Await(t, "edited response", func(r discordtest.Request) bool {
		return r.Method == http.MethodPatch && r.Path == "/webhooks/"+h.srv.AppID()+"/itoken-"+iid+"/messages/@original"
	})
	if s := decodeSent(t, r); r.Status != http.StatusOK || s.title() != titled(e.Title) {
		t.Errorf("edit %d with %q, want the answer", r.Status, s.title())
	}
	assertClean(t, h.srv)
}

// TestAdapter_InteractionsNotBehindMessages: with every message handler
// stuck (and more messages waiting), /faq is still answered.
func TestAdapter_InteractionsNotBehindMessages(t *testing.T) {
	t.Parallel()
	g := newGatedCore(func(m bot.Message) bool { return !m.Command })
	h := start(t, harnessOpts{core: g.wrap, cfg: Config{ShutdownGrace: 100 * time.Millisecond}})
	h.awaitReady(t)
	for range maxInFlight + 8 {
		h.srv.SendMessage(mention(h, mentionChan, entry(t, 0).Title))
	}
	for range maxInFlight {
		<-g.entered
	}
	e := entry(t, 4)
	iid := h.srv.SlashCommand(guildID, autoChan, alice, "faq", map[string]string{"question": e.Title})
	if c := decodeCallback(t, h.srv.Await(t, "command answer", discordtest.IsCallback(iid))); c.Data == nil || c.Data.title() != titled(e.Title) {
		t.Errorf("command answered with %+v", c.Data)
	}
	close(g.gate)
	h.awaitHandled(t, maxInFlight+9)
	assertClean(t, h.srv)
}

// TestAdapter_RateLimitedChannelAlone: a channel whose sends are answered
// 429 (retry after 30 s) holds up its own replies only; another channel is
// answered meanwhile.
func TestAdapter_RateLimitedChannelAlone(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{cfg: Config{ShutdownGrace: 100 * time.Millisecond}})
	h.srv.Fail(discordtest.Fault{Method: http.MethodPost, PathSuffix: "/channels/" + mentionChan + "/messages", Status: http.StatusTooManyRequests,
		Body: `{"message": "You are being rate limited.", "retry_after": 30, "global": false}`, Times: 1000})
	for range maxInFlight + 8 {
		h.srv.SendMessage(mention(h, mentionChan, entry(t, 0).Title))
	}
	h.srv.Await(t, "the first 429", func(r discordtest.Request) bool { return r.Status == http.StatusTooManyRequests })
	e := entry(t, 5)
	h.srv.SendMessage(mention(h, autoChan, e.Title))
	if s := decodeSent(t, h.srv.Await(t, "answer in another channel", discordtest.IsMessageTo(autoChan))); s.title() != titled(e.Title) {
		t.Errorf("answer %q", s.title())
	}
	if n := h.srv.Count(func(r discordtest.Request) bool { return r.Status == http.StatusTooManyRequests }); n != 1 {
		t.Errorf("%d requests answered 429, want 1: the channel waits for retry_after", n)
	}
}

// TestAdapter_RetryPostsOnce: a send whose answer is lost (the message was
// created, the response is a 500) is retried with the same nonce, and
// Discord returns the first message instead of posting a second.
func TestAdapter_RetryPostsOnce(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{})
	h.srv.Fail(discordtest.Fault{Method: http.MethodPost, PathSuffix: "/channels/" + mentionChan + "/messages", Status: 500,
		Body: `{"message": "oops", "code": 0}`, AfterHandling: true})
	h.srv.SendMessage(mention(h, mentionChan, entry(t, 6).Title))
	h.awaitHandled(t, 1)
	if n := h.srv.Count(func(r discordtest.Request) bool {
		return r.Method == http.MethodPost && r.Path == "/channels/"+mentionChan+"/messages"
	}); n != 2 {
		t.Fatalf("%d sends, want one retry", n)
	}
	if got := h.srv.BotMessages(mentionChan); len(got) != 1 {
		t.Errorf("%d messages in the channel after a retried send, want 1", len(got))
	}
}
