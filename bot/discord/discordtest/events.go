package discordtest

import (
	"encoding/json"
	"time"
)

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
	if m.GuildID != "" && s.Intents()&intentMessageContent == 0 && !s.mentionsBot(m) {
		m.Content = ""
	}
	mentions := m.Mentions
	if mentions == nil {
		mentions = []User{}
	}
	d := map[string]any{
		"id":            m.ID,
		"type":          0,
		"channel_id":    m.ChannelID,
		"author":        m.Author,
		"content":       m.Content,
		"mentions":      mentions,
		"mention_roles": append([]string{}, m.MentionRoles...),
		"timestamp":     time.Now().UTC().Format(time.RFC3339Nano),
		"tts":           false,
	}
	if m.GuildID != "" {
		d["guild_id"] = m.GuildID
		d["member"] = map[string]any{"roles": []string{}}
	}
	if m.WebhookID != "" {
		d["webhook_id"] = m.WebhookID
	}
	_, at := s.Dispatch("MESSAGE_CREATE", d)
	return m.ID, at
}

func (s *Server) mentionsBot(m Message) bool {
	for _, u := range m.Mentions {
		if u.ID == s.opts.BotID {
			return true
		}
	}
	return false
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
	s.Dispatch("THREAD_CREATE", map[string]any{
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
	// Data is the interaction's data object.
	Data map[string]any
	// Message is the message a component is on (components only).
	Message json.RawMessage
}

// SendInteraction dispatches an INTERACTION_CREATE and returns its ID.
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
		d["member"] = map[string]any{"user": in.User, "roles": []string{}, "permissions": "0"}
	} else {
		d["user"] = in.User
	}
	info := interactionInfo{channel: in.ChannelID}
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
	s.Dispatch("INTERACTION_CREATE", d)
	return id
}

// interactionInfo is where an interaction happened, so that responses can
// create or update the right message.
type interactionInfo struct {
	channel string
	message string
}

// SlashCommand sends /name with string options.
func (s *Server) SlashCommand(guild, channel string, user User, name string, options map[string]string) string {
	return s.SendInteraction(Interaction{
		Type: InteractionCommand, GuildID: guild, ChannelID: channel, User: user,
		Data: map[string]any{"id": s.NewID(), "name": name, "type": 1, "options": stringOptions(options, "")},
	})
}

// Autocomplete sends an autocomplete request with focused option typed.
func (s *Server) Autocomplete(guild, channel string, user User, name, option, typed string) string {
	return s.SendInteraction(Interaction{
		Type: InteractionAutocomplete, GuildID: guild, ChannelID: channel, User: user,
		Data: map[string]any{"id": s.NewID(), "name": name, "type": 1, "options": stringOptions(map[string]string{option: typed}, option)},
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
	data := map[string]any{"custom_id": customID, "component_type": 2}
	if values != nil {
		data["component_type"] = 3
		data["values"] = values
	}
	return s.SendInteraction(Interaction{
		Type: InteractionComponent, GuildID: guild, ChannelID: channel, User: user, Data: data, Message: message,
	})
}
