package discord

import (
	"context"
	"strings"
	"sync"

	"github.com/bwmarrin/discordgo"

	"github.com/espbot/espbot/bot"
)

// channelInfo is what the adapter remembers about a guild channel: enough
// to tell threads (and forum posts) from channels.
type channelInfo struct {
	Type   discordgo.ChannelType
	Parent string // parent channel of a thread
	Name   string // a forum post's title is its thread's name
}

func (c channelInfo) isThread() bool {
	return c.Type == discordgo.ChannelTypeGuildPublicThread ||
		c.Type == discordgo.ChannelTypeGuildPrivateThread ||
		c.Type == discordgo.ChannelTypeGuildNewsThread
}

func isForum(t discordgo.ChannelType) bool {
	return t == discordgo.ChannelTypeGuildForum || t == discordgo.ChannelTypeGuildMedia
}

// channelCache maps channel IDs to channelInfo, filled from gateway events
// (GUILD_CREATE, CHANNEL_*, THREAD_*) with a REST lookup as the fallback.
type channelCache struct {
	mu sync.RWMutex
	m  map[string]channelInfo
}

func (c *channelCache) put(ch *discordgo.Channel) {
	if ch == nil || ch.ID == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]channelInfo{}
	}
	c.m[ch.ID] = channelInfo{Type: ch.Type, Parent: ch.ParentID, Name: ch.Name}
}

func (c *channelCache) get(id string) (channelInfo, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	info, ok := c.m[id]
	return info, ok
}

func (c *channelCache) addGuild(g *discordgo.Guild) {
	if g == nil {
		return
	}
	for _, ch := range g.Channels {
		c.put(ch)
	}
	for _, th := range g.Threads {
		c.put(th)
	}
}

func (a *Adapter) onGuildCreate(_ *discordgo.Session, g *discordgo.GuildCreate) {
	a.channels.addGuild(g.Guild)
	a.rememberBotRoles(g.Guild)
}

// rememberBotRoles notes the guild's role managed for the bot (named after
// it): Discord's mention picker often offers it, and people mentioning it
// mean the bot.
func (a *Adapter) rememberBotRoles(g *discordgo.Guild) {
	name := a.id(&a.botName)
	if g == nil || name == "" {
		return
	}
	for _, r := range g.Roles {
		if r != nil && r.Managed && r.Name == name {
			a.botRoles.Store(r.ID, true)
		}
	}
}

func (a *Adapter) onChannelCreate(_ *discordgo.Session, c *discordgo.ChannelCreate) {
	a.channels.put(c.Channel)
}

func (a *Adapter) onChannelUpdate(_ *discordgo.Session, c *discordgo.ChannelUpdate) {
	a.channels.put(c.Channel)
}

func (a *Adapter) onThreadCreate(_ *discordgo.Session, t *discordgo.ThreadCreate) {
	a.channels.put(t.Channel)
}

func (a *Adapter) onThreadUpdate(_ *discordgo.Session, t *discordgo.ThreadUpdate) {
	a.channels.put(t.Channel)
}

func (a *Adapter) onThreadListSync(_ *discordgo.Session, t *discordgo.ThreadListSync) {
	for _, th := range t.Threads {
		a.channels.put(th)
	}
}

// channel returns what is known about a guild channel, asking Discord when
// the gateway has not told us (a thread created while we were offline).
func (a *Adapter) channel(ctx context.Context, id string) channelInfo {
	if info, ok := a.channels.get(id); ok {
		return info
	}
	ch, err := a.sess.Channel(id, discordgo.WithContext(ctx))
	if err != nil {
		a.log.Debug("channel lookup failed", "channel", id, "err", err)
		ch = &discordgo.Channel{ID: id, Type: discordgo.ChannelTypeGuildText}
	}
	a.channels.put(ch)
	info, _ := a.channels.get(id)
	return info
}

// onMessageCreate hands a message to a tracked goroutine: handlers run
// synchronously on discordgo's gateway reader.
func (a *Adapter) onMessageCreate(_ *discordgo.Session, m *discordgo.MessageCreate) {
	if m.Message == nil {
		return
	}
	a.spawn(func(ctx context.Context) { a.handleMessage(ctx, m.Message) })
}

// handleMessage answers one message, if the core decides to.
func (a *Adapter) handleMessage(ctx context.Context, m *discordgo.Message) {
	msg, ok := a.translate(ctx, m)
	if !ok {
		return
	}
	reply := a.bot.Handle(ctx, msg)
	if reply.Kind == bot.KindIgnore {
		return
	}
	out := render(reply, renderOpts{Asker: msg.User})
	send := &discordgo.MessageSend{
		Content:         out.Content,
		Embeds:          out.Embeds,
		Components:      out.Components,
		AllowedMentions: noMentions(),
	}
	if !msg.IsDM {
		// A reply (message reference) ties the answer to the question; it
		// must not fail if the question was deleted in the meantime.
		fail := false
		send.Reference = &discordgo.MessageReference{MessageID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID, FailIfNotExists: &fail}
	}
	a.retry(ctx, "send", func() error {
		_, err := a.sess.ChannelMessageSendComplex(m.ChannelID, send, discordgo.WithContext(ctx))
		return err
	})
}

// translate turns a Discord message into a bot.Message; ok is false for
// messages the adapter drops itself: system messages, guilds outside the
// allow-list, its own and other bots' messages, and follow-ups in forum
// posts that do not mention it.
func (a *Adapter) translate(ctx context.Context, m *discordgo.Message) (bot.Message, bool) {
	if m.Author == nil || (m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply) {
		return bot.Message{}, false
	}
	if !a.allowedGuild(m.GuildID) {
		return bot.Message{}, false
	}
	self := a.id(&a.botID)
	msg := bot.Message{
		Platform:     bot.Discord,
		EventID:      m.ID,
		Guild:        m.GuildID,
		Channel:      m.ChannelID,
		User:         m.Author.ID,
		IsDM:         m.GuildID == "",
		AuthorIsSelf: self != "" && m.Author.ID == self,
		AuthorIsBot:  m.Author.Bot || m.WebhookID != "",
	}
	// Never answer ourselves or another bot: that is how bot loops start.
	if msg.AuthorIsSelf || msg.AuthorIsBot {
		return msg, false
	}
	msg.MentionsBot = mentions(m, self) || a.mentionsBotRole(m)
	msg.Text = stripMention(m.Content, self)
	if msg.IsDM {
		return msg, true
	}
	info := a.channel(ctx, m.ChannelID)
	if !info.isThread() || info.Parent == "" {
		return msg, true
	}
	// Policies are configured on channels; a thread follows its parent.
	msg.Channel, msg.Thread = info.Parent, m.ChannelID
	parent := a.channel(ctx, info.Parent)
	if !isForum(parent.Type) {
		return msg, true
	}
	firstPost := m.ID == m.ChannelID // a forum post's starter message has the thread's ID
	if firstPost {
		if info.Name != "" && !strings.Contains(msg.Text, info.Name) {
			msg.Text = strings.TrimSpace(info.Name + "\n" + msg.Text)
		}
		return msg, true
	}
	return msg, msg.MentionsBot
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

// mentionsBotRole reports whether m mentions the bot's managed role.
func (a *Adapter) mentionsBotRole(m *discordgo.Message) bool {
	for _, id := range m.MentionRoles {
		if _, ok := a.botRoles.Load(id); ok {
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
