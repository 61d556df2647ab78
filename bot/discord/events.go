package discord

import (
	"context"
	"encoding/json"

	"github.com/bwmarrin/discordgo"

	"github.com/espbot/espbot/bot"
)

// dispatch handles one gateway event on the shard's reading goroutine, in
// gateway order: bookkeeping (guilds, roles, channels) is done here, and
// messages and interactions are handed to the lanes. A bad event is logged
// and skipped; the reader goes on.
func (a *Adapter) dispatch(_ *shard, typ string, data json.RawMessage) {
	defer func() {
		if v := recover(); v != nil {
			a.panicked("event "+typ, v)
		}
	}()
	switch typ {
	case "READY":
		a.onReady(data)
	case "GUILD_CREATE":
		a.onGuildCreate(data)
	case "GUILD_ROLE_CREATE", "GUILD_ROLE_UPDATE":
		a.onRole(data)
	case "GUILD_ROLE_DELETE":
		a.onRoleDelete(data)
	case "GUILD_MEMBER_UPDATE":
		a.onMemberUpdate(data)
	case "CHANNEL_CREATE", "CHANNEL_UPDATE", "THREAD_CREATE", "THREAD_UPDATE":
		if ch, ok := decode[discordgo.Channel](a, typ, data); ok {
			a.state.putChannel(ch, "")
		}
	case "THREAD_LIST_SYNC":
		if t, ok := decode[discordgo.ThreadListSync](a, typ, data); ok {
			for _, th := range t.Threads {
				a.state.putChannel(th, t.GuildID)
			}
		}
	case "MESSAGE_CREATE":
		a.onMessageCreate(data)
	case "MESSAGE_UPDATE":
		a.onMessageUpdate(data)
	case "MESSAGE_DELETE":
		a.onMessageDelete(data)
	case "INTERACTION_CREATE":
		a.onInteraction(data)
	}
}

// decode unmarshals an event's data, logging a failure.
func decode[T any](a *Adapter, typ string, data json.RawMessage) (*T, bool) {
	v := new(T)
	if err := json.Unmarshal(data, v); err != nil {
		a.bot.Metrics().Error(bot.Discord, "decode")
		a.log.Error("cannot decode a gateway event", "type", typ, "err", err)
		return nil, false
	}
	return v, true
}

func (a *Adapter) onReady(data json.RawMessage) {
	r, ok := decode[discordgo.Ready](a, "READY", data)
	if !ok {
		return
	}
	id := identity{}
	if r.User != nil {
		id.user, id.name = r.User.ID, r.User.Username
	}
	if r.Application != nil {
		id.app = r.Application.ID
	}
	a.self.Store(&id)
}

// roleJSON is a role with what discordgo's Role lacks: tags.bot_id, which
// marks the role Discord manages for a bot.
type roleJSON struct {
	ID          string `json:"id"`
	Permissions int64  `json:"permissions,string"`
	Tags        *struct {
		BotID string `json:"bot_id"`
	} `json:"tags"`
}

// guildJSON is the part of GUILD_CREATE the adapter keeps.
type guildJSON struct {
	ID       string               `json:"id"`
	Roles    []roleJSON           `json:"roles"`
	Channels []*discordgo.Channel `json:"channels"`
	Threads  []*discordgo.Channel `json:"threads"`
	Members  []struct {
		User  *discordgo.User `json:"user"`
		Roles []string        `json:"roles"`
	} `json:"members"`
}

// onGuildCreate learns a guild's channels, roles and the bot's member, then
// checks the permissions of its auto channels and removes stale commands.
func (a *Adapter) onGuildCreate(data json.RawMessage) {
	g, ok := decode[guildJSON](a, "GUILD_CREATE", data)
	if !ok || g.ID == "" {
		return
	}
	self := a.identity().user
	for _, r := range g.Roles {
		a.state.putRole(g.ID, r, self)
	}
	for _, m := range g.Members {
		if m.User != nil && m.User.ID == self {
			a.state.setMember(g.ID, m.Roles)
		}
	}
	for _, ch := range append(g.Channels, g.Threads...) {
		a.state.putChannel(ch, g.ID)
	}
	a.checkAutoChannels(g.ID, g.Channels)
	a.cleanGuildCommands(g.ID)
}

// checkAutoChannels checks, at start-up, the permissions of the channels
// where espbot speaks unasked: a missing permission there goes unnoticed
// otherwise.
func (a *Adapter) checkAutoChannels(guild string, chans []*discordgo.Channel) {
	if !a.allowedGuild(guild) {
		return
	}
	for _, ch := range chans {
		if ch == nil || a.bot.PolicyFor(bot.Discord, ch.ID) != bot.PolicyAuto {
			continue
		}
		if ch.Type != discordgo.ChannelTypeGuildText && !isForum(ch.Type) && ch.Type != discordgo.ChannelTypeGuildNews {
			continue
		}
		perms, _ := a.channelPerms(ch.ID)
		// Forum posts are threads: answering there takes Send Messages in
		// Threads.
		a.checkPerms(guild, ch.ID, perms, isForum(ch.Type))
	}
}

func (a *Adapter) onRole(data json.RawMessage) {
	r, ok := decode[struct {
		GuildID string   `json:"guild_id"`
		Role    roleJSON `json:"role"`
	}](a, "GUILD_ROLE", data)
	if ok {
		a.state.putRole(r.GuildID, r.Role, a.identity().user)
	}
}

func (a *Adapter) onRoleDelete(data json.RawMessage) {
	r, ok := decode[discordgo.GuildRoleDelete](a, "GUILD_ROLE_DELETE", data)
	if ok {
		a.state.deleteRole(r.GuildID, r.RoleID)
	}
}

// onMemberUpdate follows the bot's own roles, which change its permissions.
func (a *Adapter) onMemberUpdate(data json.RawMessage) {
	m, ok := decode[struct {
		GuildID string          `json:"guild_id"`
		User    *discordgo.User `json:"user"`
		Roles   []string        `json:"roles"`
	}](a, "GUILD_MEMBER_UPDATE", data)
	if ok && m.User != nil && m.User.ID == a.identity().user {
		a.state.setMember(m.GuildID, m.Roles)
	}
}

// channel returns what is known about a guild channel, asking Discord when
// the gateway has not told us (a thread created while we were offline).
func (a *Adapter) channel(ctx context.Context, id, guild string) channelInfo {
	if info, ok := a.state.channel(id); ok {
		return info
	}
	ch, err := a.rest.Channel(id, discordgo.WithContext(ctx))
	if err != nil {
		a.log.Debug("channel lookup failed", "guild", guild, "channel", id, "err", err)
		ch = &discordgo.Channel{ID: id, Type: discordgo.ChannelTypeGuildText}
	}
	a.state.putChannel(ch, guild)
	info, _ := a.state.channel(id)
	return info
}
