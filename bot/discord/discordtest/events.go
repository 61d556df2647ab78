package discordtest

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"
)

func readAll(r *http.Request) []byte {
	b, _ := io.ReadAll(r.Body)
	return b
}

// Message is a MESSAGE_CREATE to send to the bot.
type Message struct {
	// ID defaults to a new ID; a forum post's first message has the
	// thread's ID.
	ID        string
	ChannelID string
	// GuildID is empty for DMs.
	GuildID  string
	Author   User
	Content  string
	Mentions []User
	// MentionRoles are the IDs of the roles mentioned.
	MentionRoles []string
	// WebhookID marks a message posted by a webhook.
	WebhookID string
	// ReplyTo makes the message a reply to that message (which the fake
	// must know: sent by a test or by the bot): it carries
	// message_reference and referenced_message, and, unless NoReplyPing,
	// mentions the replied-to author, as Discord's client does by default.
	ReplyTo     string
	NoReplyPing bool
}

// intentMessageContent is the privileged message content intent.
const intentMessageContent = 1 << 15

// SendMessage dispatches a MESSAGE_CREATE and returns the message ID and
// when the event was written to the gateway. As Discord does, a guild
// message that does not mention the bot arrives without its content when
// the bot did not ask for the message content intent.
func (s *Server) SendMessage(m Message) (string, time.Time) {
	if m.ID == "" {
		m.ID = s.NewID()
	}
	d := s.messagePayload(m)
	s.mu.Lock()
	s.messages[m.ID] = &stored{channel: m.ChannelID, author: m.Author.ID, raw: copyMap(d)}
	s.mu.Unlock()
	s.hideContent(d)
	_, at := s.Dispatch(m.GuildID, "MESSAGE_CREATE", d)
	return m.ID, at
}

// messagePayload is the message object Discord sends for m.
func (s *Server) messagePayload(m Message) map[string]any {
	mentions := append([]User{}, m.Mentions...)
	d := map[string]any{
		"id":            m.ID,
		"type":          0,
		"channel_id":    m.ChannelID,
		"author":        m.Author,
		"content":       m.Content,
		"mention_roles": append([]string{}, m.MentionRoles...),
		"timestamp":     time.Now().UTC().Format(time.RFC3339Nano),
		"tts":           false,
	}
	if m.ReplyTo != "" {
		if ref := s.messageMap(m.ReplyTo); ref != nil {
			d["type"] = 19
			d["message_reference"] = map[string]any{"message_id": m.ReplyTo, "channel_id": m.ChannelID, "guild_id": m.GuildID}
			s.hideContent(ref)
			d["referenced_message"] = ref
			if author, ok := ref["author"].(User); ok && !m.NoReplyPing {
				mentions = append(mentions, author)
			} else if a, ok := ref["author"].(map[string]any); ok && !m.NoReplyPing {
				id, _ := a["id"].(string)
				name, _ := a["username"].(string)
				mentions = append(mentions, User{ID: id, Username: name})
			}
		}
	}
	d["mentions"] = mentions
	if m.GuildID != "" {
		d["guild_id"] = m.GuildID
		d["member"] = map[string]any{"roles": []string{}}
	}
	if m.WebhookID != "" {
		d["webhook_id"] = m.WebhookID
	}
	return d
}

// hideContent empties a guild message's content (and embeds, attachments,
// components) when the bot lacks the message content intent and the
// message neither mentions the bot nor is the bot's own.
func (s *Server) hideContent(d map[string]any) {
	if _, guild := d["guild_id"]; !guild || s.Intents()&intentMessageContent != 0 {
		return
	}
	if a, ok := d["author"].(User); ok && a.ID == s.opts.BotID {
		return
	}
	if mentions, ok := d["mentions"].([]User); ok {
		for _, u := range mentions {
			if u.ID == s.opts.BotID {
				return
			}
		}
	}
	d["content"] = ""
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// EditMessage changes the content of a message a test sent and dispatches
// MESSAGE_UPDATE, as when its author edits it.
func (s *Server) EditMessage(id, content string) {
	s.mu.Lock()
	m, ok := s.messages[id]
	var d map[string]any
	if ok {
		m.raw["content"] = content
		m.raw["edited_timestamp"] = time.Now().UTC().Format(time.RFC3339Nano)
		d = copyMap(m.raw)
	}
	s.mu.Unlock()
	if !ok {
		return
	}
	guild, _ := d["guild_id"].(string)
	s.hideContent(d)
	s.Dispatch(guild, "MESSAGE_UPDATE", d)
}

// DeleteMessage deletes a message a test sent and dispatches MESSAGE_DELETE.
func (s *Server) DeleteMessage(id string) {
	s.mu.Lock()
	m, ok := s.messages[id]
	delete(s.messages, id)
	s.mu.Unlock()
	if !ok {
		return
	}
	guild, _ := m.raw["guild_id"].(string)
	d := map[string]any{"id": id, "channel_id": m.channel}
	if guild != "" {
		d["guild_id"] = guild
	}
	s.Dispatch(guild, "MESSAGE_DELETE", d)
}

// Mention is the text that mentions the bot.
func (s *Server) Mention() string { return "<@" + s.opts.BotID + ">" }

// BotUser is the bot's own user.
func (s *Server) BotUser() User { return User{ID: s.opts.BotID, Username: "espbot", Bot: true} }

// CreateThread dispatches THREAD_CREATE for a new thread (or forum post).
func (s *Server) CreateThread(c Channel) {
	if c.Type == 0 {
		c.Type = ChannelPublicThread
	}
	s.AddChannel(c)
	s.Dispatch(c.GuildID, "THREAD_CREATE", map[string]any{
		"id": c.ID, "type": c.Type, "name": c.Name, "parent_id": c.ParentID,
		"guild_id": c.GuildID, "newly_created": true,
	})
}

// Interaction types (Discord's numbers).
const (
	InteractionCommand      = 2
	InteractionComponent    = 3
	InteractionAutocomplete = 4
)

// Interaction is an INTERACTION_CREATE to send to the bot.
type Interaction struct {
	Type      int
	GuildID   string // empty in DMs
	ChannelID string
	User      User
	// Permissions are the user's permissions in the channel (a moderator has
	// PermManageMessages).
	Permissions int64
	// Data is the interaction's data object.
	Data map[string]any
	// Message is the message a component is on (components only).
	Message json.RawMessage
}

// SendInteraction dispatches an INTERACTION_CREATE and returns its ID. In
// guilds it carries app_permissions, the bot's permissions in the channel.
func (s *Server) SendInteraction(in Interaction) string {
	id := s.NewID()
	d := map[string]any{
		"id":             id,
		"application_id": s.opts.AppID,
		"type":           in.Type,
		"token":          "itoken-" + id,
		"channel_id":     in.ChannelID,
		"data":           in.Data,
		"version":        1,
		"locale":         "en-US",
	}
	if in.GuildID != "" {
		d["guild_id"] = in.GuildID
		d["member"] = map[string]any{"user": in.User, "roles": []string{}, "permissions": strconv.FormatInt(in.Permissions, 10)}
		perms, _ := s.botPerms(in.ChannelID)
		if perms == -1 {
			perms = 1<<41 - 1
		}
		d["app_permissions"] = strconv.FormatInt(perms, 10)
	} else {
		d["user"] = in.User
	}
	info := &interactionInfo{typ: in.Type, channel: in.ChannelID, guild: in.GuildID, at: time.Now()}
	if in.Message != nil {
		d["message"] = in.Message
		var m struct {
			ID string `json:"id"`
		}
		json.Unmarshal(in.Message, &m)
		info.message = m.ID
	}
	s.mu.Lock()
	s.interactions[id] = info
	s.mu.Unlock()
	s.Dispatch(in.GuildID, "INTERACTION_CREATE", d)
	return id
}

// SlashCommand sends /name with string options.
func (s *Server) SlashCommand(guild, channel string, user User, name string, options map[string]string) string {
	return s.SendInteraction(Interaction{
		Type: InteractionCommand, GuildID: guild, ChannelID: channel, User: user,
		Data: map[string]any{"id": s.NewID(), "name": name, "type": CommandChatInput, "options": stringOptions(options, "")},
	})
}

// MessageCommand runs the message command name ("Apps > name") on a
// message a test sent; the target arrives in data.resolved.messages.
func (s *Server) MessageCommand(guild, channel string, user User, name, target string) string {
	msg := s.messageMap(target)
	if msg != nil {
		s.hideContent(msg)
		// Interactions carry the target's content whatever the intents.
		if full := s.messageMap(target); full != nil {
			msg["content"] = full["content"]
		}
	}
	return s.SendInteraction(Interaction{
		Type: InteractionCommand, GuildID: guild, ChannelID: channel, User: user,
		Data: map[string]any{"id": s.NewID(), "name": name, "type": CommandMessage, "target_id": target,
			"resolved": map[string]any{"messages": map[string]any{target: msg}}},
	})
}

// Autocomplete sends an autocomplete request with focused option typed.
func (s *Server) Autocomplete(guild, channel string, user User, name, option, typed string) string {
	return s.SendInteraction(Interaction{
		Type: InteractionAutocomplete, GuildID: guild, ChannelID: channel, User: user,
		Data: map[string]any{"id": s.NewID(), "name": name, "type": CommandChatInput, "options": stringOptions(map[string]string{option: typed}, option)},
	})
}

func stringOptions(opts map[string]string, focused string) []map[string]any {
	out := []map[string]any{}
	for k, v := range opts {
		o := map[string]any{"name": k, "type": 3, "value": v}
		if k == focused {
			o["focused"] = true
		}
		out = append(out, o)
	}
	return out
}

// Click sends a button click (values nil) or a select menu choice on a
// message the bot sent (see Message).
func (s *Server) Click(guild, channel string, user User, message json.RawMessage, customID string, values ...string) string {
	return s.ClickAs(Interaction{GuildID: guild, ChannelID: channel, User: user, Message: message}, customID, values...)
}

// ClickAs is Click with the interaction's fields (permissions) set by in.
func (s *Server) ClickAs(in Interaction, customID string, values ...string) string {
	data := map[string]any{"custom_id": customID, "component_type": 2}
	if values != nil {
		data["component_type"] = 3
		data["values"] = values
	}
	in.Type, in.Data = InteractionComponent, data
	return s.SendInteraction(in)
}
