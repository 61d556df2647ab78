package discord

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/bwmarrin/discordgo"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/bot/discord/discordtest"
	"github.com/espbot/espbot/matcher"
)

// End-to-end tests: the real discordgo client against the fake Discord.

func mention(h *harness, channel, content string) discordtest.Message {
	return discordtest.Message{ChannelID: channel, GuildID: guildID, Author: alice,
		Content: h.srv.Mention() + " " + content, Mentions: []discordtest.User{h.srv.BotUser()}}
}

func TestAdapter_Mention(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{})
	e := entry(t, 0)
	id, _ := h.srv.SendMessage(mention(h, mentionChan, e.Title))
	r := h.srv.Await(t, "reply to the mention", discordtest.IsMessageTo(mentionChan))
	if got := r.Header.Get("Authorization"); got != "Bot "+h.srv.Token() {
		t.Errorf("Authorization %q", got)
	}
	s := decodeSent(t, r)
	if s.title() != titled(e.Title) {
		t.Errorf("embed title %q, want %q", s.title(), e.Title)
	}
	if s.Reference == nil || s.Reference.MessageID != id || s.Reference.ChannelID != mentionChan {
		t.Errorf("message_reference %+v, want the question %s", s.Reference, id)
	}
	assertNoPings(t, s)
	em := s.Embeds[0]
	if em.Description == "" || em.Footer == nil || !strings.Contains(em.Footer.Text, e.Category) {
		t.Errorf("embed lacks the answer or the category footer: %+v", em)
	}
	ids := s.customIDs(t)
	for _, want := range []string{"faq:up:" + e.ID, "faq:down:" + e.ID, "faq:dismiss:" + alice.ID} {
		if !slices.Contains(ids, want) {
			t.Errorf("components %v lack %s", ids, want)
		}
	}
}

func TestAdapter_MentionInThread(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{})
	e := entry(t, 1)
	id, _ := h.srv.SendMessage(mention(h, threadInChan, e.Title))
	s := decodeSent(t, h.srv.Await(t, "reply in the thread", discordtest.IsMessageTo(threadInChan)))
	if s.title() != titled(e.Title) || s.Reference == nil || s.Reference.MessageID != id {
		t.Errorf("got title %q reference %+v", s.title(), s.Reference)
	}
}

func TestAdapter_BotRoleMention(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{})
	e := entry(t, 3)
	// Another role's mention is not a mention of the bot, even a managed
	// role named like it...
	h.srv.SendMessage(discordtest.Message{ChannelID: mentionChan, GuildID: guildID, Author: bob, Content: "<@&801> " + e.Title, MentionRoles: []string{"801"}})
	h.srv.SendMessage(discordtest.Message{ChannelID: mentionChan, GuildID: guildID, Author: bob, Content: "<@&" + decoyRole + "> " + e.Title, MentionRoles: []string{decoyRole}})
	h.awaitHandled(t, 2)
	if n := h.srv.Count(discordtest.IsMessageTo(mentionChan)); n != 0 {
		t.Fatalf("answered a mention of another role")
	}
	// ...the role whose tags.bot_id is the bot is, whatever its name.
	id, _ := h.srv.SendMessage(discordtest.Message{ChannelID: mentionChan, GuildID: guildID, Author: alice, Content: "<@&" + botRole + "> " + e.Title, MentionRoles: []string{botRole}})
	s := decodeSent(t, h.srv.Await(t, "reply to the role mention", discordtest.IsMessageTo(mentionChan)))
	if s.title() != titled(e.Title) || s.Reference == nil || s.Reference.MessageID != id {
		t.Errorf("title %q reference %+v", s.title(), s.Reference)
	}
}

func TestAdapter_DM(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{})
	e := entry(t, 2)
	h.srv.SendMessage(discordtest.Message{ChannelID: dmChan, Author: alice, Content: e.Title})
	s := decodeSent(t, h.srv.Await(t, "DM reply", discordtest.IsMessageTo(dmChan)))
	if s.title() != titled(e.Title) {
		t.Errorf("title %q, want %q", s.title(), e.Title)
	}
	assertNoPings(t, s)
}

func TestAdapter_AutoChannel(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{})
	// Below the threshold: silence (no answer, no suggestions).
	h.srv.SendMessage(discordtest.Message{ChannelID: autoChan, GuildID: guildID, Author: alice, Content: offTopic})
	h.awaitHandled(t, 1)
	if n := h.srv.Count(discordtest.IsMessageTo(autoChan)); n != 0 {
		t.Fatalf("%d replies to an off-topic, un-mentioned message in an auto channel", n)
	}
	// Above the threshold: answered without a mention.
	e := entry(t, 3)
	id, _ := h.srv.SendMessage(discordtest.Message{ChannelID: autoChan, GuildID: guildID, Author: alice, Content: e.Title})
	s := decodeSent(t, h.srv.Await(t, "auto answer", discordtest.IsMessageTo(autoChan)))
	if s.title() != titled(e.Title) || s.Reference == nil || s.Reference.MessageID != id {
		t.Errorf("auto answer title %q reference %+v", s.title(), s.Reference)
	}
	// In a thread of the auto channel: answered once per thread.
	thread := h.srv.NewID()
	h.srv.CreateThread(discordtest.Channel{ID: thread, ParentID: autoChan, GuildID: guildID, Name: "wifi trouble"})
	h.srv.SendMessage(discordtest.Message{ChannelID: thread, GuildID: guildID, Author: alice, Content: entry(t, 5).Title})
	h.srv.Await(t, "auto answer in a thread", discordtest.IsMessageTo(thread))
	h.srv.SendMessage(discordtest.Message{ChannelID: thread, GuildID: guildID, Author: bob, Content: entry(t, 6).Title})
	h.awaitHandled(t, 4)
	if n := h.srv.Count(discordtest.IsMessageTo(thread)); n != 1 {
		t.Errorf("%d auto answers in one thread, want 1", n)
	}
}

func TestAdapter_ForumFirstPost(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{})
	e := entry(t, 4)
	thread := h.srv.NewID()
	h.srv.CreateThread(discordtest.Channel{ID: thread, ParentID: forumChan, GuildID: guildID, Name: e.Title})
	// The starter message of a forum post has the thread's ID; its title
	// is the thread's name.
	h.srv.SendMessage(discordtest.Message{ID: thread, ChannelID: thread, GuildID: guildID, Author: alice})
	s := decodeSent(t, h.srv.Await(t, "answer to the forum post", discordtest.IsMessageTo(thread)))
	if s.title() != titled(e.Title) {
		t.Errorf("title %q, want %q", s.title(), e.Title)
	}
	// Follow-ups in the post are not answered un-mentioned.
	h.srv.SendMessage(discordtest.Message{ChannelID: thread, GuildID: guildID, Author: bob, Content: entry(t, 5).Title})
	h.awaitHandled(t, 2)
	if n := h.srv.Count(discordtest.IsMessageTo(thread)); n != 1 {
		t.Errorf("%d replies in the forum post, want 1", n)
	}
}

func TestAdapter_IgnoresBotsAndOwnMessages(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{})
	e := entry(t, 0)
	for _, m := range []discordtest.Message{
		{Author: robot},
		{Author: h.srv.BotUser()},
		{Author: discordtest.User{ID: "45", Username: "hook"}, WebhookID: "46"},
	} {
		m.ChannelID, m.GuildID = mentionChan, guildID
		m.Content, m.Mentions = h.srv.Mention()+" "+e.Title, []discordtest.User{h.srv.BotUser()}
		h.srv.SendMessage(m)
	}
	h.awaitHandled(t, 3)
	if n := h.srv.Count(discordtest.IsMessageTo(mentionChan)); n != 0 {
		t.Fatalf("%d replies to bots", n)
	}
	// The same question from a person is answered.
	h.srv.SendMessage(mention(h, mentionChan, e.Title))
	h.srv.Await(t, "reply to a person", discordtest.IsMessageTo(mentionChan))
}

func TestAdapter_IgnoresUnaddressed(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{cfg: Config{Guilds: []string{guildID}}})
	e := entry(t, 0)
	// Un-mentioned in a mention channel, mentioned in an off channel, and
	// mentioned in a guild outside the allow-list.
	h.srv.SendMessage(discordtest.Message{ChannelID: mentionChan, GuildID: guildID, Author: alice, Content: e.Title})
	h.srv.SendMessage(mention(h, offChan, e.Title))
	other := mention(h, "900", e.Title)
	other.GuildID = otherGuild
	h.srv.SendMessage(other)
	h.awaitHandled(t, 3)
	if reqs := h.srv.Count(func(r discordtest.Request) bool { return r.Method == http.MethodPost }); reqs != 0 {
		t.Fatalf("%d messages sent, want none: %v", reqs, h.srv.Requests())
	}
}

func TestAdapter_SlashCommand(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{})
	cmd := h.srv.Await(t, "global command registration", func(r discordtest.Request) bool {
		return r.Method == http.MethodPut && r.Path == "/applications/"+h.srv.AppID()+"/commands"
	})
	var cmds []discordgo.ApplicationCommand
	cmd.JSON(t, &cmds)
	if len(cmds) != 2 || cmds[0].Name != "faq" || len(cmds[0].Options) != 1 || !cmds[0].Options[0].Autocomplete || !cmds[0].Options[0].Required ||
		cmds[1].Name != "Ask espbot" || cmds[1].Type != discordgo.MessageApplicationCommand {
		t.Fatalf("registered commands %+v", cmds)
	}
	if cmd.Status != http.StatusOK {
		t.Fatalf("the fake refused the command definitions: %d %s", cmd.Status, cmd.Body)
	}
	h.awaitReady(t)
	e := entry(t, 6)
	iid := h.srv.SlashCommand(guildID, mentionChan, alice, "faq", map[string]string{"question": e.Title})
	c := decodeCallback(t, h.srv.Await(t, "command response", discordtest.IsCallback(iid)))
	if c.Type != 4 || c.Data == nil || c.Data.title() != titled(e.Title) {
		t.Fatalf("response type %d data %+v, want a type 4 answer %q", c.Type, c.Data, e.Title)
	}
	if c.Data.Flags&64 != 0 {
		t.Error("public by default, got an ephemeral reply")
	}
	if !strings.Contains(c.Data.Content, "> ") {
		t.Errorf("content %q does not show the question", c.Data.Content)
	}
	assertNoPings(t, *c.Data)
	// An autocomplete pick submits the entry ID.
	e2 := entry(t, 7)
	iid = h.srv.SlashCommand("", dmChan, alice, "faq", map[string]string{"question": e2.ID})
	c = decodeCallback(t, h.srv.Await(t, "command response to an ID", discordtest.IsCallback(iid)))
	if c.Data == nil || c.Data.title() != titled(e2.Title) {
		t.Errorf("picked %s, got %+v", e2.ID, c.Data)
	}
}

func TestAdapter_SlashCommandEphemeralAndGuildCommands(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{cfg: Config{Ephemeral: true, CommandGuilds: []string{guildID}}})
	h.srv.Await(t, "command registration in the guild", func(r discordtest.Request) bool {
		return r.Method == http.MethodPut && r.Path == "/applications/"+h.srv.AppID()+"/guilds/"+guildID+"/commands" && r.Status == http.StatusOK
	})
	h.srv.Await(t, "global commands overwritten", func(r discordtest.Request) bool {
		return r.Method == http.MethodPut && r.Path == "/applications/"+h.srv.AppID()+"/commands"
	})
	if got := h.srv.CommandNames(""); len(got) != 0 {
		t.Errorf("registered globally too: %v", got)
	}
	e := entry(t, 8)
	iid := h.srv.SlashCommand(guildID, mentionChan, alice, "faq", map[string]string{"question": e.Title})
	c := decodeCallback(t, h.srv.Await(t, "command response", discordtest.IsCallback(iid)))
	if c.Data == nil || c.Data.Flags&64 == 0 || c.Data.title() != titled(e.Title) {
		t.Fatalf("want an ephemeral answer, got %+v", c.Data)
	}
	if slices.Contains(c.Data.customIDs(t), "faq:dismiss:"+alice.ID) {
		t.Error("ephemeral replies need no Dismiss button")
	}
}

func TestAdapter_Autocomplete(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{})
	e := entry(t, 9)
	for _, typed := range []string{e.Title, "", "zqxj vbnm"} {
		iid := h.srv.Autocomplete(guildID, mentionChan, alice, "faq", "question", typed)
		r := h.srv.Await(t, "autocomplete result", discordtest.IsCallback(iid))
		var c struct {
			Type int `json:"type"`
			Data struct {
				Choices []struct {
					Name  string `json:"name"`
					Value string `json:"value"`
				} `json:"choices"`
			} `json:"data"`
		}
		r.JSON(t, &c)
		if c.Type != 8 || len(c.Data.Choices) == 0 || len(c.Data.Choices) > 25 {
			t.Fatalf("typed %q: type %d with %d choices, want type 8 with 1-25", typed, c.Type, len(c.Data.Choices))
		}
		found := false
		for _, ch := range c.Data.Choices {
			if runes(ch.Name) > 100 || runes(ch.Value) > 100 {
				t.Errorf("choice over 100 characters: %+v", ch)
			}
			found = found || (ch.Value == e.ID && ch.Name == truncateRunes(e.Title, maxChoiceText))
		}
		if typed == e.Title && !found {
			t.Errorf("typed the title of %s, choices %+v", e.ID, c.Data.Choices)
		}
	}
}

// withAlternatives finds an entry whose exact title gets an answer with
// alternatives, for the "Other answers" menu.
func withAlternatives(t *testing.T, h *harness) (int, bot.Reply) {
	t.Helper()
	for i := range h.bot.Index().Len() {
		e := entry(t, i)
		r := h.bot.Handle(context.Background(), bot.Message{Platform: bot.Discord, IsDM: true, User: "probe", Text: e.Title})
		if r.Kind == bot.KindAnswer && r.Entry.ID == e.ID && len(r.Alternatives) > 0 {
			return i, r
		}
	}
	t.Skip("no entry of the embedded FAQ is answered with alternatives")
	return 0, bot.Reply{}
}

func TestAdapter_Components(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{})
	i, probe := withAlternatives(t, h)
	e := entry(t, i)
	h.srv.SendMessage(mention(h, mentionChan, e.Title))
	r := h.srv.Await(t, "answer", discordtest.IsMessageTo(mentionChan))
	msg, msgID := h.srv.Message(t, r.MessageID), r.MessageID
	if vals := decodeSent(t, r).selectValues(t); len(vals) == 0 {
		t.Fatalf("answer has no Other answers menu (core offered %d)", len(probe.Alternatives))
	}
	alt := probe.Alternatives[0]

	t.Run("thumbs", func(t *testing.T) {
		for _, id := range []string{"faq:up:" + e.ID, "faq:down:" + e.ID} {
			iid := h.srv.Click(guildID, mentionChan, bob, msg, id)
			c := decodeCallback(t, h.srv.Await(t, "thumb acknowledgement", discordtest.IsCallback(iid)))
			if c.Type != 4 || c.Data == nil || c.Data.Flags&64 == 0 || !strings.Contains(c.Data.Content, "Thanks") {
				t.Errorf("%s: want a private thank-you, got type %d %+v", id, c.Type, c.Data)
			}
		}
		if up, down := h.metrics.get(func(c *counts) int { return c.feedback[bot.ThumbsUp] }), h.metrics.get(func(c *counts) int { return c.feedback[bot.ThumbsDown] }); up != 1 || down != 1 {
			t.Errorf("feedback counted up=%d down=%d, want 1 and 1", up, down)
		}
	})
	t.Run("other answer by someone else is private", func(t *testing.T) {
		iid := h.srv.Click(guildID, mentionChan, bob, msg, "faq:alt:"+alice.ID, alt.ID)
		c := decodeCallback(t, h.srv.Await(t, "private other answer", discordtest.IsCallback(iid)))
		if c.Type != 4 || c.Data == nil || c.Data.Flags&64 == 0 || c.Data.title() != titled(alt.Title) {
			t.Errorf("want a private answer %q, got type %d %+v", alt.Title, c.Type, c.Data)
		}
	})
	t.Run("other answer by the asker swaps", func(t *testing.T) {
		iid := h.srv.Click(guildID, mentionChan, alice, msg, "faq:alt:"+alice.ID, alt.ID)
		c := decodeCallback(t, h.srv.Await(t, "message update", discordtest.IsCallback(iid)))
		if c.Type != 7 || c.Data == nil || c.Data.title() != titled(alt.Title) {
			t.Fatalf("want an update to %q, got type %d %+v", alt.Title, c.Type, c.Data)
		}
		if vals := c.Data.selectValues(t); !slices.Contains(vals, e.ID) || slices.Contains(vals, alt.ID) {
			t.Errorf("menu after the swap %v: want the first answer %s back, not %s", vals, e.ID, alt.ID)
		}
		if !slices.Contains(c.Data.customIDs(t), "faq:up:"+alt.ID) {
			t.Errorf("thumbs not about the new answer: %v", c.Data.customIDs(t))
		}
		assertNoPings(t, *c.Data)
		if n := h.metrics.get(func(c *counts) int { return c.feedback[bot.OtherAnswer] }); n != 2 {
			t.Errorf("other answers counted %d, want 2", n)
		}
	})
	t.Run("dismiss by someone else is refused", func(t *testing.T) {
		iid := h.srv.Click(guildID, mentionChan, bob, msg, "faq:dismiss:"+alice.ID)
		c := decodeCallback(t, h.srv.Await(t, "refusal", discordtest.IsCallback(iid)))
		if c.Type != 4 || c.Data == nil || c.Data.Flags&64 == 0 || !strings.Contains(c.Data.Content, "Only the person who asked") {
			t.Errorf("want a private refusal, got type %d %+v", c.Type, c.Data)
		}
		if n := h.srv.Count(func(r discordtest.Request) bool { return r.Method == http.MethodDelete }); n != 0 {
			t.Errorf("message deleted for someone else")
		}
	})
	t.Run("dismiss by the asker deletes", func(t *testing.T) {
		iid := h.srv.Click(guildID, mentionChan, alice, msg, "faq:dismiss:"+alice.ID)
		c := decodeCallback(t, h.srv.Await(t, "acknowledgement", discordtest.IsCallback(iid)))
		if c.Type != 6 {
			t.Errorf("want a deferred update (6), got %d", c.Type)
		}
		h.srv.Await(t, "deletion", func(r discordtest.Request) bool {
			return r.Method == http.MethodDelete && r.Path == "/channels/"+mentionChan+"/messages/"+msgID
		})
		if n := h.metrics.get(func(c *counts) int { return c.feedback[bot.Dismiss] }); n != 1 {
			t.Errorf("dismissals counted %d, want 1", n)
		}
	})
}

func TestAdapter_NoMatch(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{})
	check := func(t *testing.T, s sent) {
		t.Helper()
		if len(s.Embeds) != 0 || s.Content == "" {
			t.Errorf("want a short text reply, got %+v", s)
		}
		shows := 0
		for _, id := range s.customIDs(t) {
			if strings.HasPrefix(id, "faq:show:") {
				shows++
			}
		}
		if shows > 3 {
			t.Errorf("%d suggestions, at most 3", shows)
		}
		assertNoPings(t, s)
	}
	h.srv.SendMessage(mention(h, mentionChan, offTopic))
	check(t, decodeSent(t, h.srv.Await(t, "no-match reply to a mention", discordtest.IsMessageTo(mentionChan))))
	h.srv.SendMessage(discordtest.Message{ChannelID: dmChan, Author: alice, Content: offTopic})
	check(t, decodeSent(t, h.srv.Await(t, "no-match reply to a DM", discordtest.IsMessageTo(dmChan))))
	iid := h.srv.SlashCommand(guildID, mentionChan, bob, "faq", map[string]string{"question": offTopic})
	c := decodeCallback(t, h.srv.Await(t, "no-match command response", discordtest.IsCallback(iid)))
	if c.Data == nil {
		t.Fatal("no data")
	}
	check(t, *c.Data)
}

func TestAdapter_SuggestionButtons(t *testing.T) {
	t.Parallel()
	// An index that never answers: every question gets suggestions.
	h := start(t, harnessOpts{matcher: matcher.Options{AnswerThreshold: 1.01}})
	e := entry(t, 10)
	h.srv.SendMessage(mention(h, mentionChan, e.Title))
	r := h.srv.Await(t, "suggestions", discordtest.IsMessageTo(mentionChan))
	s := decodeSent(t, r)
	ids := s.customIDs(t)
	show := "faq:show:" + alice.ID + ":" + e.ID
	if len(s.Embeds) != 0 || !slices.Contains(ids, show) {
		t.Fatalf("want suggestion buttons including %s, got %v", show, ids)
	}
	msg := h.srv.Message(t, r.MessageID)
	iid := h.srv.Click(guildID, mentionChan, bob, msg, show)
	c := decodeCallback(t, h.srv.Await(t, "private suggestion", discordtest.IsCallback(iid)))
	if c.Type != 4 || c.Data.Flags&64 == 0 || c.Data.title() != titled(e.Title) {
		t.Errorf("someone else's click: want a private answer, got type %d %+v", c.Type, c.Data)
	}
	iid = h.srv.Click(guildID, mentionChan, alice, msg, show)
	c = decodeCallback(t, h.srv.Await(t, "suggestion swapped in", discordtest.IsCallback(iid)))
	if c.Type != 7 || c.Data.title() != titled(e.Title) || c.Data.Content != "" {
		t.Errorf("asker's click: want the message updated to the answer, got type %d %+v", c.Type, c.Data)
	}
}

func TestAdapter_EveryoneNeverPings(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{})
	e := entry(t, 11)
	for _, q := range []string{"@everyone @here <@&77> " + e.Title, "@everyone [free nitro](https://evil.example) " + offTopic} {
		from := h.srv.Len()
		h.srv.SendMessage(mention(h, mentionChan, q))
		r := h.srv.AwaitFrom(t, from, "reply", discordtest.IsMessageTo(mentionChan))
		s := decodeSent(t, r)
		assertNoPings(t, s)
		body := string(r.Body)
		for _, bad := range []string{"@everyone", "@here", "<@&77>", "[free nitro](https://evil"} {
			if strings.Contains(body, bad) {
				t.Errorf("reply to %q contains %q: %s", q, bad, body)
			}
		}
	}
}

func TestAdapter_ResumeAfterDrop(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{})
	h.srv.SendMessage(mention(h, mentionChan, entry(t, 0).Title))
	h.srv.Await(t, "first reply", discordtest.IsMessageTo(mentionChan))
	h.srv.DropGateway()
	// Sent while the bot is disconnected: replayed on resume.
	e := entry(t, 12)
	h.srv.SendMessage(mention(h, autoChan, e.Title))
	s := decodeSent(t, h.srv.Await(t, "reply after the resume", discordtest.IsMessageTo(autoChan)))
	if s.title() != titled(e.Title) {
		t.Errorf("title %q, want %q", s.title(), e.Title)
	}
	if h.srv.Resumes() != 1 || h.srv.Identifies() != 1 {
		t.Errorf("resumes %d identifies %d, want 1 and 1", h.srv.Resumes(), h.srv.Identifies())
	}
	// Replayed events come before RESUMED, which marks the reconnect.
	eventually(t, "the reconnect counted", func() bool { return h.metrics.get(func(c *counts) int { return c.reconnects }) == 1 })
	h.awaitReady(t)
}

func TestAdapter_RateLimitedThenSuccess(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{})
	path := "/channels/" + mentionChan + "/messages"
	h.srv.Fail(discordtest.Fault{Method: http.MethodPost, PathSuffix: path, Status: http.StatusTooManyRequests,
		Body:   `{"message": "You are being rate limited.", "retry_after": 0.05, "global": false}`,
		Header: http.Header{"Retry-After": {"1"}, "X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset-After": {"0.05"}}})
	h.srv.SendMessage(mention(h, mentionChan, entry(t, 13).Title))
	h.srv.Await(t, "reply after the 429", discordtest.IsMessageTo(mentionChan))
	var statuses []int
	for _, r := range h.srv.Requests() {
		if r.Method == http.MethodPost && r.Path == path {
			statuses = append(statuses, r.Status)
		}
	}
	if !slices.Equal(statuses, []int{429, 200}) {
		t.Errorf("statuses %v, want [429 200]", statuses)
	}
}

func TestAdapter_ServerErrorRetriedOnce(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{})
	path := "/channels/" + mentionChan + "/messages"
	posts := func() []int {
		var s []int
		for _, r := range h.srv.Requests() {
			if r.Method == http.MethodPost && r.Path == path {
				s = append(s, r.Status)
			}
		}
		return s
	}
	// One 500: retried, delivered.
	h.srv.Fail(discordtest.Fault{Method: http.MethodPost, PathSuffix: path, Status: 500, Body: `{"message": "oops", "code": 0}`})
	h.srv.SendMessage(mention(h, mentionChan, entry(t, 14).Title))
	h.awaitHandled(t, 1)
	if got := posts(); !slices.Equal(got, []int{500, 200}) {
		t.Fatalf("statuses %v, want [500 200]", got)
	}
	// Two 500s: retried once, then logged and counted; the bot stays up.
	h.srv.Fail(discordtest.Fault{Method: http.MethodPost, PathSuffix: path, Status: 503, Body: `{"message": "down", "code": 0}`, Times: 2})
	h.srv.SendMessage(mention(h, mentionChan, entry(t, 15).Title))
	h.awaitHandled(t, 2)
	if got := posts(); !slices.Equal(got, []int{500, 200, 503, 503}) {
		t.Fatalf("statuses %v, want [500 200 503 503]", got)
	}
	if n := h.metrics.get(func(c *counts) int { return c.errors["send"] }); n != 1 {
		t.Errorf("send errors counted %d, want 1", n)
	}
	if !strings.Contains(h.logs.String(), "discord request failed") {
		t.Error("failure not logged")
	}
	h.srv.SendMessage(mention(h, mentionChan, entry(t, 16).Title))
	h.awaitHandled(t, 3)
	if got := posts(); len(got) != 5 || got[4] != 200 {
		t.Errorf("statuses %v, want a last 200", got)
	}
}

// TestAdapter_WithoutMessageContent: without the privileged intent,
// mentions, DMs and slash commands still work; un-mentioned messages in
// auto channels arrive empty and are left alone.
func TestAdapter_WithoutMessageContent(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{noContent: true})
	e := entry(t, 17)
	h.srv.SendMessage(discordtest.Message{ChannelID: autoChan, GuildID: guildID, Author: alice, Content: e.Title})
	h.awaitHandled(t, 1)
	if n := h.srv.Count(discordtest.IsMessageTo(autoChan)); n != 0 {
		t.Fatalf("answered an empty message")
	}
	h.srv.SendMessage(mention(h, autoChan, e.Title))
	h.srv.Await(t, "reply to a mention", discordtest.IsMessageTo(autoChan))
	h.srv.SendMessage(discordtest.Message{ChannelID: dmChan, Author: alice, Content: e.Title})
	h.srv.Await(t, "reply to a DM", discordtest.IsMessageTo(dmChan))
	iid := h.srv.SlashCommand(guildID, autoChan, alice, "faq", map[string]string{"question": e.Title})
	if c := decodeCallback(t, h.srv.Await(t, "command response", discordtest.IsCallback(iid))); c.Data == nil || c.Data.title() != titled(e.Title) {
		t.Errorf("command response %+v", c.Data)
	}
}

func TestAdapter_Intents(t *testing.T) {
	t.Parallel()
	const content = int(discordgo.IntentsMessageContent)
	base := int(baseIntents)
	noAuto := &bot.Config{}
	tests := []struct {
		name      string
		opts      harnessOpts
		want      int
		wantWarns bool
	}{
		{"auto with message content", harnessOpts{}, base | content, false},
		{"auto without message content", harnessOpts{noContent: true}, base, true},
		{"no auto channels", harnessOpts{botCfg: noAuto}, base, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := start(t, tt.opts)
			if got := h.srv.Intents(); got != tt.want {
				t.Errorf("intents %b, want %b", got, tt.want)
			}
			if warned := strings.Contains(h.logs.String(), "message content intent is off"); warned != tt.wantWarns {
				t.Errorf("warning logged: %v, want %v", warned, tt.wantWarns)
			}
		})
	}
}

func TestAdapter_StartupErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		srv  discordtest.Options
		want string
	}{
		{"bad token", discordtest.Options{Token: "another"}, "token is not valid"},
		{"privileged intent refused", discordtest.Options{RefuseIntents: int(discordgo.IntentsMessageContent)}, "Message Content intent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := discordtest.NewServer(t, tt.srv)
			a := bare(t, srv, bot.Config{DefaultPolicy: bot.PolicyAuto}, Config{Token: discordtest.DefaultToken, MessageContent: true})
			err := a.Run(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Run error %v, want one saying %q", err, tt.want)
			}
		})
	}
}

// TestAdapter_Shutdown is not parallel: it checks that, once Run has
// returned and the fake is closed, no goroutine of the test is left.
func TestAdapter_Shutdown(t *testing.T) {
	leaks := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, leaks) })
	srv := discordtest.NewServer(t, discordtest.Options{Guilds: testGuilds()})
	b := bot.New(bot.Config{}, testIndex(t, matcher.Options{}), nil, nil)
	a, err := New(Config{Token: srv.Token(), APIURL: srv.APIURL()}, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- a.Run(ctx) }()
	srv.AwaitConnected(t)
	srv.SendMessage(discordtest.Message{ChannelID: dmChan, Author: alice, Content: entry(t, 0).Title})
	srv.Await(t, "reply", discordtest.IsMessageTo(dmChan))
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if a.Ready() {
		t.Error("still ready after shutdown")
	}
	if srv.Identifies() != 1 || srv.Resumes() != 0 {
		t.Errorf("identifies %d resumes %d after shutdown, want 1 and 0", srv.Identifies(), srv.Resumes())
	}
}

// TestAdapter_RedeliveredMessageOnce: a MESSAGE_CREATE delivered twice (a
// replay) is answered once; the message ID is the event ID.
func TestAdapter_RedeliveredMessageOnce(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{})
	m := mention(h, mentionChan, entry(t, 1).Title)
	m.ID = h.srv.NewID()
	h.srv.SendMessage(m)
	h.srv.SendMessage(m)
	h.awaitHandled(t, 2)
	if n := h.srv.Count(discordtest.IsMessageTo(mentionChan)); n != 1 {
		t.Errorf("%d replies to one message delivered twice, want 1", n)
	}
}
