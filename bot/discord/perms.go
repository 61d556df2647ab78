package discord

import (
	"strings"
	"sync"

	"github.com/bwmarrin/discordgo"
)

// Permissions espbot needs in a channel where it answers. Read Message
// History is what a reply (message reference) needs.
const (
	permView    int64 = discordgo.PermissionViewChannel
	permSend    int64 = discordgo.PermissionSendMessages
	permThreads int64 = discordgo.PermissionSendMessagesInThreads
	permEmbed   int64 = discordgo.PermissionEmbedLinks
	permHistory int64 = discordgo.PermissionReadMessageHistory
	permManage  int64 = discordgo.PermissionManageMessages
	permAdmin   int64 = discordgo.PermissionAdministrator
	permAll     int64 = 1<<53 - 1
)

// Permissions is the permission integer espbot's invite asks for: View
// Channels, Send Messages, Send Messages in Threads, Embed Links and Read
// Message History.
const Permissions = permView | permSend | permThreads | permEmbed | permHistory

// permNames names the permissions espbot checks, in the order logs list them.
var permNames = []struct {
	bit  int64
	name string
}{
	{permView, "View Channel"},
	{permSend, "Send Messages"},
	{permThreads, "Send Messages in Threads"},
	{permEmbed, "Embed Links"},
	{permHistory, "Read Message History"},
}

// missing names the permissions of need that perms lacks.
func missing(perms, need int64) []string {
	var out []string
	for _, p := range permNames {
		if need&p.bit != 0 && perms&p.bit == 0 {
			out = append(out, p.name)
		}
	}
	return out
}

// needed are the permissions of a channel (or thread) where espbot answers.
func needed(thread bool) int64 {
	if thread {
		return permView | permThreads | permEmbed | permHistory
	}
	return permView | permSend | permEmbed | permHistory
}

// channelInfo is what the adapter knows of a guild channel: enough to tell
// threads and forum posts from channels, and to compute permissions.
type channelInfo struct {
	Type       discordgo.ChannelType
	Guild      string
	Parent     string // parent channel of a thread
	Name       string // a forum post's title is its thread's name
	Overwrites []*discordgo.PermissionOverwrite
}

func (c channelInfo) isThread() bool {
	return c.Type == discordgo.ChannelTypeGuildPublicThread ||
		c.Type == discordgo.ChannelTypeGuildPrivateThread ||
		c.Type == discordgo.ChannelTypeGuildNewsThread
}

func isForum(t discordgo.ChannelType) bool {
	return t == discordgo.ChannelTypeGuildForum || t == discordgo.ChannelTypeGuildMedia
}

// guildInfo is what the adapter knows of a guild: its roles' permissions,
// the roles of the bot's member, and the bot's own roles (tags.bot_id).
type guildInfo struct {
	roles     map[string]int64
	memberOf  []string
	selfRoles map[string]bool
	known     bool // the bot's member was seen
}

// guildState holds guilds and channels from gateway events (GUILD_CREATE,
// GUILD_ROLE_*, CHANNEL_*, THREAD_*), with a REST lookup as the fallback
// for channels.
type guildState struct {
	mu       sync.RWMutex
	channels map[string]channelInfo
	guilds   map[string]*guildInfo
}

func (s *guildState) init() {
	s.channels = map[string]channelInfo{}
	s.guilds = map[string]*guildInfo{}
}

func (s *guildState) putChannel(ch *discordgo.Channel, guild string) {
	if ch == nil || ch.ID == "" {
		return
	}
	if ch.GuildID != "" {
		guild = ch.GuildID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[ch.ID] = channelInfo{Type: ch.Type, Guild: guild, Parent: ch.ParentID, Name: ch.Name, Overwrites: ch.PermissionOverwrites}
}

func (s *guildState) channel(id string) (channelInfo, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	info, ok := s.channels[id]
	return info, ok
}

// guild returns the guild's info, creating it.
func (s *guildState) guildLocked(id string) *guildInfo {
	g := s.guilds[id]
	if g == nil {
		g = &guildInfo{roles: map[string]int64{}, selfRoles: map[string]bool{}}
		s.guilds[id] = g
	}
	return g
}

func (s *guildState) putRole(guild string, r roleJSON, self string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.guildLocked(guild)
	g.roles[r.ID] = r.Permissions
	if r.Tags != nil && self != "" && r.Tags.BotID == self {
		g.selfRoles[r.ID] = true
	}
}

func (s *guildState) deleteRole(guild, role string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.guildLocked(guild)
	delete(g.roles, role)
	delete(g.selfRoles, role)
}

func (s *guildState) setMember(guild string, roles []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.guildLocked(guild)
	g.memberOf, g.known = roles, true
}

// isSelfRole reports whether role is the bot's own role in guild.
func (s *guildState) isSelfRole(guild, role string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	g := s.guilds[guild]
	return g != nil && g.selfRoles[role]
}

// perms computes the bot's permissions in a channel as Discord does: the
// @everyone role and the bot's roles, then the channel's overwrites for
// @everyone, for the bot's roles, and for the bot itself. A thread uses its
// parent's overwrites. known is false when the guild or channel is not.
func (s *guildState) perms(channel, self string) (perms int64, thread, known bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ch, ok := s.channels[channel]
	if !ok {
		return 0, false, false
	}
	g := s.guilds[ch.Guild]
	if g == nil || !g.known {
		return 0, false, false
	}
	thread = ch.isThread()
	if thread {
		if parent, ok := s.channels[ch.Parent]; ok {
			ch.Overwrites = parent.Overwrites
		}
	}
	perms = g.roles[ch.Guild]
	for _, r := range g.memberOf {
		perms |= g.roles[r]
	}
	if perms&permAdmin != 0 {
		return permAll, thread, true
	}
	return applyOverwrites(perms, ch.Overwrites, ch.Guild, self, g.memberOf), thread, true
}

func applyOverwrites(perms int64, ows []*discordgo.PermissionOverwrite, everyone, self string, roles []string) int64 {
	for _, ow := range ows {
		if ow.ID == everyone {
			perms = perms&^ow.Deny | ow.Allow
		}
	}
	var allow, deny int64
	for _, ow := range ows {
		if ow.Type == discordgo.PermissionOverwriteTypeRole && ow.ID != everyone && contains(roles, ow.ID) {
			allow |= ow.Allow
			deny |= ow.Deny
		}
	}
	perms = perms&^deny | allow
	for _, ow := range ows {
		if ow.Type == discordgo.PermissionOverwriteTypeMember && ow.ID == self {
			perms = perms&^ow.Deny | ow.Allow
		}
	}
	return perms
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// channelPerms returns the bot's permissions in a guild channel. Unknown
// permissions (a guild not seen yet) count as all, so that nothing is
// withheld on a guess; DMs allow everything espbot needs.
func (a *Adapter) channelPerms(channel string) (perms int64, thread bool) {
	perms, thread, known := a.state.perms(channel, a.identity().user)
	if !known {
		return permAll, thread
	}
	return perms, thread
}

// checkPerms logs, once per channel, the permissions espbot lacks there,
// naming the guild and the channel, and says what it does about it.
func (a *Adapter) checkPerms(guild, channel string, perms int64, thread bool) {
	lack := missing(perms, needed(thread))
	if len(lack) == 0 {
		return
	}
	a.logOnce("perms\x00"+channel, "espbot lacks permissions in a channel: "+strings.Join(lack, ", ")+
		" (no Embed Links: plain-text answers; no Read Message History: answers are not replies; otherwise: no answers)",
		"guild", guild, "channel", channel, "missing", lack)
}
