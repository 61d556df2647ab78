package discord

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/espbot/espbot/bot"
)

// question is a message the adapter passes to the core.
type question struct {
	msg bot.Message
	m   *discordgo.Message
	// answerTo is the message the answer replies to: m, or the message m
	// replies to when m is a bare "@espbot" summoning the bot to answer it.
	answerTo *discordgo.Message
	// toBot is true for a reply to one of espbot's messages.
	toBot bool
}

// onMessageCreate hands a message to the message lane.
func (a *Adapter) onMessageCreate(data json.RawMessage) {
	m, ok := decode[discordgo.Message](a, "MESSAGE_CREATE", data)
	if !ok {
		return
	}
	a.spawn(a.messageSlots, "message", a.apology(m), func(ctx context.Context, j *job) { a.handleMessage(ctx, j, m) })
}

// handleMessage answers one message, if the core decides to.
func (a *Adapter) handleMessage(ctx context.Context, j *job, m *discordgo.Message) {
	q, ok := a.translate(ctx, m)
	if !ok {
		return
	}
	reply := a.bot.Handle(ctx, q.msg)
	if !worthSending(q, reply) {
		return
	}
	a.reply(j, q, reply)
}

// worthSending drops what the core said that would only be noise: a reply
// to espbot's answer that is no new question ("thanks, that fixed it!")
// gets no "no answer", and no "you're welcome" either.
func worthSending(q question, r bot.Reply) bool {
	if r.Kind == bot.KindIgnore {
		return false
	}
	return !q.toBot || (r.Kind != bot.KindNoMatch && r.Kind != bot.KindSuggestions && !r.SmallTalk)
}

// reply queues the answer to q on its channel's outbox, within the bot's
// permissions there: plain text without Embed Links, no message reference
// without Read Message History, nothing (and a warning) without the right
// to send.
func (a *Adapter) reply(j *job, q question, r bot.Reply) {
	m := q.m
	perms, thread := a.channelPerms(m.ChannelID)
	if m.GuildID != "" {
		a.checkPerms(m.GuildID, m.ChannelID, perms, thread)
	}
	send := permSend
	if thread {
		send = permThreads
	}
	if perms&(permView|send) != permView|send {
		a.bot.Metrics().Error(bot.Discord, "missing_permissions")
		return
	}
	out := render(r, renderOpts{Asker: q.msg.User, Plain: perms&permEmbed == 0})
	ms := &discordgo.MessageSend{Content: out.Content, Embeds: out.Embeds, Components: out.Components, AllowedMentions: noMentions()}
	if !q.msg.IsDM && perms&permHistory != 0 {
		// A reply ties the answer to the question; it must not fail if the
		// question was deleted in the meantime.
		fail := false
		ms.Reference = &discordgo.MessageReference{MessageID: q.answerTo.ID, ChannelID: m.ChannelID, GuildID: m.GuildID, FailIfNotExists: &fail}
	}
	rec := answered{at: a.knobs.now()}
	a.noteAnswer(a.work, m.ID, rec)
	t := target{what: "send", guild: m.GuildID, channel: m.ChannelID}
	a.enqueue(m.ChannelID, j, func(ctx context.Context) {
		var sent *discordgo.Message
		ok := a.call(ctx, t, func(opts ...discordgo.RequestOption) (err error) {
			// The question's ID is the nonce: a retry cannot post twice.
			sent, err = a.createMessage(m.ChannelID, ms, m.ID, opts...)
			return err
		})
		if ok && sent != nil {
			rec.answer = sent.ID
			a.noteAnswer(ctx, m.ID, rec)
		}
	})
}

// apology answers a message whose handling panicked, if it was addressed
// to the bot.
func (a *Adapter) apology(m *discordgo.Message) func(ctx context.Context) {
	return func(ctx context.Context) {
		self := a.identity().user
		if m.Author == nil || m.Author.Bot || (m.GuildID != "" && !mentions(m, self)) {
			return
		}
		ms := &discordgo.MessageSend{Content: "Sorry, something went wrong on my side. Please try again later.", AllowedMentions: noMentions()}
		a.call(ctx, target{what: "send", guild: m.GuildID, channel: m.ChannelID}, func(opts ...discordgo.RequestOption) error {
			_, err := a.createMessage(m.ChannelID, ms, "", opts...)
			return err
		})
	}
}

// translate turns a Discord message into a question; ok is false for
// messages the adapter drops itself: system messages, guilds outside the
// allow-list, its own and other bots' messages, follow-ups in forum posts
// that do not mention it, and un-mentioned messages that are part of
// someone else's conversation (replies to other people, mentions of other
// users): auto channels never cut in.
func (a *Adapter) translate(ctx context.Context, m *discordgo.Message) (question, bool) {
	if m.Author == nil || (m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply) {
		return question{}, false
	}
	if !a.allowedGuild(m.GuildID) {
		return question{}, false
	}
	self := a.identity().user
	q := question{m: m, answerTo: m, msg: bot.Message{
		Platform:     bot.Discord,
		EventID:      m.ID,
		Guild:        m.GuildID,
		Channel:      m.ChannelID,
		User:         m.Author.ID,
		IsDM:         m.GuildID == "",
		AuthorIsSelf: self != "" && m.Author.ID == self,
		AuthorIsBot:  m.Author.Bot || m.WebhookID != "",
	}}
	// Never answer ourselves or another bot: that is how bot loops start.
	if q.msg.AuthorIsSelf || q.msg.AuthorIsBot {
		return q, false
	}
	ref := m.ReferencedMessage
	q.toBot = ref != nil && ref.Author != nil && self != "" && ref.Author.ID == self
	q.msg.MentionsBot = mentions(m, self) || a.mentionsBotRole(m) || q.toBot
	q.msg.Text = stripMention(m.Content, self)
	if q.msg.MentionsBot && !q.toBot && ref != nil && q.msg.Text == "" && ref.Author != nil && !ref.Author.Bot {
		// "@espbot" in reply to someone's question: answer that question.
		q.msg.Text, q.answerTo = strings.TrimSpace(ref.Content), ref
	}
	if !q.msg.MentionsBot && !q.msg.IsDM && partOfAConversation(m, self) {
		return q, false
	}
	if q.msg.IsDM {
		return q, true
	}
	return a.inThread(ctx, q)
}

// partOfAConversation reports whether an un-mentioned message is meant for
// someone else: a reply, a mention of another user, or @everyone.
func partOfAConversation(m *discordgo.Message, self string) bool {
	if m.MessageReference != nil || m.MentionEveryone {
		return true
	}
	for _, u := range m.Mentions {
		if u != nil && u.ID != self {
			return true
		}
	}
	return false
}

// inThread applies the channel's thread rules: a thread follows its
// parent's policy, and in a forum only the post's first message is
// answered unasked (with the post's title as part of the question).
func (a *Adapter) inThread(ctx context.Context, q question) (question, bool) {
	m := q.m
	info := a.channel(ctx, m.ChannelID, m.GuildID)
	if !info.isThread() || info.Parent == "" {
		return q, true
	}
	q.msg.Channel, q.msg.Thread = info.Parent, m.ChannelID
	parent := a.channel(ctx, info.Parent, m.GuildID)
	if !isForum(parent.Type) {
		return q, true
	}
	if m.ID == m.ChannelID { // a forum post's starter message has the thread's ID
		if info.Name != "" && !strings.Contains(q.msg.Text, info.Name) {
			q.msg.Text = strings.TrimSpace(info.Name + "\n" + q.msg.Text)
		}
		return q, true
	}
	return q, q.msg.MentionsBot
}

// mentions reports whether m mentions the user id.
func mentions(m *discordgo.Message, id string) bool {
	if id == "" {
		return false
	}
	for _, u := range m.Mentions {
		if u != nil && u.ID == id {
			return true
		}
	}
	return strings.Contains(m.Content, "<@"+id+">") || strings.Contains(m.Content, "<@!"+id+">")
}

// mentionsBotRole reports whether m mentions the role Discord manages for
// the bot (the role whose tags.bot_id is the bot: people pick it in the
// mention list and mean the bot). Its name proves nothing.
func (a *Adapter) mentionsBotRole(m *discordgo.Message) bool {
	for _, id := range m.MentionRoles {
		if a.state.isSelfRole(m.GuildID, id) {
			return true
		}
	}
	return false
}

// stripMention removes the bot's mention from the text of a question.
func stripMention(s, id string) string {
	if id != "" {
		s = strings.ReplaceAll(s, "<@"+id+">", " ")
		s = strings.ReplaceAll(s, "<@!"+id+">", " ")
	}
	return strings.TrimSpace(s)
}

// onMessageUpdate answers an edited question again, once, within the edit
// window, by editing its answer. Whether the bot answered the message is
// looked up in the job: the state may be a database.
func (a *Adapter) onMessageUpdate(data json.RawMessage) {
	m, ok := decode[discordgo.Message](a, "MESSAGE_UPDATE", data)
	// Updates without edited_timestamp are Discord's (link previews).
	if !ok || m.EditedTimestamp == nil || m.Author == nil || m.Author.Bot {
		return
	}
	a.spawn(a.messageSlots, "edit", nil, func(ctx context.Context, j *job) { a.handleEdit(ctx, j, m) })
}

// handleEdit re-answers the first edit of an answered question within the
// edit window; later edits, and edits of messages the bot did not answer,
// are not questions again.
func (a *Adapter) handleEdit(ctx context.Context, j *job, m *discordgo.Message) {
	if rec, ok := a.answerOf(ctx, m.ID); !ok || a.knobs.now().Sub(rec.at) > a.knobs.editWindow {
		return
	}
	q, ok := a.translate(ctx, m)
	if !ok || !a.claimEdit(ctx, m.ID) {
		return
	}
	q.msg.EventID = m.ID + "/edited" // a new question, not a redelivery
	reply := a.bot.Handle(ctx, q.msg)
	if !worthSending(q, reply) {
		return
	}
	perms, _ := a.channelPerms(m.ChannelID)
	out := render(reply, renderOpts{Asker: q.msg.User, Plain: perms&permEmbed == 0})
	t := target{what: "edit", guild: m.GuildID, channel: m.ChannelID}
	a.enqueue(m.ChannelID, j, func(ctx context.Context) {
		rec, ok := a.answerOf(ctx, m.ID)
		if !ok || rec.answer == "" {
			return
		}
		content, embeds, components := out.Content, out.Embeds, out.Components
		if embeds == nil {
			embeds = []*discordgo.MessageEmbed{}
		}
		if components == nil {
			components = []discordgo.MessageComponent{}
		}
		edit := &discordgo.MessageEdit{ID: rec.answer, Channel: m.ChannelID, Content: &content, Embeds: &embeds, Components: &components, AllowedMentions: noMentions()}
		a.call(ctx, t, func(opts ...discordgo.RequestOption) error {
			_, err := a.rest.ChannelMessageEditComplex(edit, opts...)
			return err
		})
	})
}

// onMessageDelete deletes the answer of a deleted question (looked up in
// the job: the state may be a database).
func (a *Adapter) onMessageDelete(data json.RawMessage) {
	d, ok := decode[discordgo.MessageDelete](a, "MESSAGE_DELETE", data)
	if !ok || d.Message == nil {
		return
	}
	a.spawn(a.messageSlots, "delete", nil, func(ctx context.Context, j *job) {
		if _, ok := a.answerOf(ctx, d.ID); !ok {
			return
		}
		t := target{what: "delete", guild: d.GuildID, channel: d.ChannelID}
		a.enqueue(d.ChannelID, j, func(ctx context.Context) {
			// Queued after the answer's send, if that was still pending.
			rec, ok := a.answerOf(ctx, d.ID)
			if !ok || rec.answer == "" {
				return
			}
			a.forgetAnswer(ctx, d.ID)
			a.call(ctx, t, func(opts ...discordgo.RequestOption) error {
				return a.rest.ChannelMessageDelete(d.ChannelID, rec.answer, opts...)
			})
		})
	})
}
