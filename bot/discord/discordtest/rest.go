package discordtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func (s *Server) routes() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("GET /gateway", s.handleGateway)
	api.HandleFunc("GET /gateway/bot", s.handleGatewayBot)
	api.HandleFunc("POST /channels/{channel}/messages", s.handleCreateMessage)
	api.HandleFunc("PATCH /channels/{channel}/messages/{message}", s.handleEditMessage)
	api.HandleFunc("DELETE /channels/{channel}/messages/{message}", s.handleDeleteMessage)
	api.HandleFunc("GET /channels/{channel}", s.handleGetChannel)
	api.HandleFunc("POST /interactions/{id}/{token}/callback", s.handleCallback)
	api.HandleFunc("PATCH /webhooks/{app}/{token}/messages/{message}", s.handleEditOriginal)
	api.HandleFunc("PUT /applications/{app}/commands", s.handlePutCommands)
	api.HandleFunc("PUT /applications/{app}/guilds/{guild}/commands", s.handlePutCommands)
	api.HandleFunc("GET /applications/{app}/commands", s.handleGetCommands)
	api.HandleFunc("GET /applications/{app}/guilds/{guild}/commands", s.handleGetCommands)

	root := http.NewServeMux()
	root.HandleFunc(gatewayPath, s.gw.serve)
	root.HandleFunc(resumePath, s.gw.serve)
	root.Handle("/api/v9/", http.StripPrefix("/api/v9", s.middleware(api)))
	return root
}

// apiError writes Discord's error body.
func apiError(w http.ResponseWriter, status, code int, message string) {
	writeJSON(w, status, map[string]any{"message": message, "code": code})
}

// middleware records every API request, checks its token (GET /gateway
// and the interaction endpoints, authorised by the interaction's token,
// need none, as on Discord), applies injected faults and sets rate-limit
// headers with requests to spare.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		req := Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body, At: time.Now()}
		rw := &recorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			req.Status, req.MessageID = rw.status, rw.messageID
			s.record(req)
		}()
		if needsToken(r.URL.Path) && r.Header.Get("Authorization") != "Bot "+s.opts.Token {
			apiError(rw, http.StatusUnauthorized, 0, "401: Unauthorized")
			return
		}
		h := rw.Header()
		h.Set("X-RateLimit-Limit", "50")
		h.Set("X-RateLimit-Remaining", "49")
		h.Set("X-RateLimit-Reset-After", "1")
		h.Set("X-RateLimit-Bucket", "fake")
		f := s.fault(r.Method, r.URL.Path)
		if f == nil {
			next.ServeHTTP(rw, r)
			return
		}
		if f.AfterHandling {
			rw.discard = true
			next.ServeHTTP(rw, r)
			rw.discard = false
		}
		for k, v := range f.Header {
			rw.Header()[k] = v
		}
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(f.Status)
		io.WriteString(rw, f.Body)
	})
}

func needsToken(path string) bool {
	return path != "/gateway" && !strings.HasPrefix(path, "/interactions/") && !strings.HasPrefix(path, "/webhooks/")
}

func (s *Server) fault(method, path string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if f.Times > 0 && (f.Method == "" || f.Method == method) && strings.HasSuffix(path, f.PathSuffix) {
			f.Times--
			return f
		}
	}
	return nil
}

// ClearFaults cancels the injected faults not used yet.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// recorder remembers the status and created message of a response; while
// discard is set (a fault after handling), the handler's answer is dropped.
type recorder struct {
	http.ResponseWriter
	status    int
	messageID string
	discard   bool
}

// WriteHeader records the status code.
func (r *recorder) WriteHeader(code int) {
	if r.discard {
		return
	}
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Write passes the body through unless discarded.
func (r *recorder) Write(b []byte) (int, error) {
	if r.discard {
		return len(b), nil
	}
	return r.ResponseWriter.Write(b)
}

// Header is the real header map, unless discarded.
func (r *recorder) Header() http.Header {
	if r.discard {
		return http.Header{}
	}
	return r.ResponseWriter.Header()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) gatewayURL() string { return "ws" + strings.TrimPrefix(s.URL, "http") + gatewayPath }

func (s *Server) handleGateway(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"url": s.gatewayURL()})
}

// handleGatewayBot answers GET /gateway/bot with the recommended shard count
// and what is left of the identify budget.
func (s *Server) handleGatewayBot(w http.ResponseWriter, r *http.Request) {
	o := s.opts
	s.gw.mu.Lock()
	remaining, reset := s.gw.budget, o.SessionStartLimit.ResetAfter
	if !s.gw.resetAt.IsZero() {
		if time.Now().After(s.gw.resetAt) {
			remaining = o.SessionStartLimit.Total
		} else {
			reset = time.Until(s.gw.resetAt)
		}
	}
	s.gw.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"url": s.gatewayURL(), "shards": o.Shards, "session_start_limit": map[string]any{
		"total": o.SessionStartLimit.Total, "remaining": remaining, "reset_after": reset.Milliseconds(),
		"max_concurrency": o.SessionStartLimit.MaxConcurrency,
	}})
}

func (s *Server) handleGetChannel(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	c, ok := s.channels[r.PathValue("channel")]
	s.mu.Unlock()
	if !ok {
		apiError(w, http.StatusNotFound, 10003, "Unknown Channel")
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// stored is a message the fake knows: the bot's, or one a test sent.
type stored struct {
	channel string
	author  string
	raw     map[string]any
}

// botPerms is what the bot may do in a channel: its role's permissions
// less what the channel's (or, for a thread, its parent's) overwrite
// denies. DM channels (unknown to any guild) allow everything.
func (s *Server) botPerms(channel string) (perms int64, thread bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[channel]
	if !ok || c.GuildID == "" {
		return -1, false
	}
	g := s.guilds[c.GuildID]
	perms = DefaultBotPermissions
	if g != nil && g.BotPermissions != 0 {
		perms = g.BotPermissions
	}
	if perms&PermAdministrator != 0 {
		return -1, false
	}
	deny := c.BotDeny
	if p, ok := s.channels[c.ParentID]; ok && c.Type == ChannelPublicThread {
		deny, thread = p.BotDeny, true
	}
	return perms &^ deny, thread
}

// canSend checks the permissions a bot needs to post msg in channel.
func (s *Server) canSend(w http.ResponseWriter, channel string, msg map[string]any) bool {
	perms, thread := s.botPerms(channel)
	send := PermSendMessages
	if thread {
		send = PermSendMessagesInThreads
	}
	need := PermViewChannel | send
	if _, ok := msg["message_reference"]; ok {
		need |= PermReadMessageHistory
	}
	if perms&need != need {
		apiError(w, http.StatusForbidden, 50013, "Missing Permissions")
		return false
	}
	if perms&PermEmbedLinks == 0 {
		// Discord shows no embeds of a sender without Embed Links.
		delete(msg, "embeds")
	}
	return true
}

// handleCreateMessage answers with the message as Discord would: the
// posted fields plus an ID, the channel, the author and a timestamp. It
// checks permissions, the message reference, and the nonce: with
// enforce_nonce, a retried send returns the first message.
func (s *Server) handleCreateMessage(w http.ResponseWriter, r *http.Request) {
	channel := r.PathValue("channel")
	msg := map[string]any{}
	if err := json.NewDecoder(r.Body).Decode(&msg); err != nil {
		apiError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}
	if !s.canSend(w, channel, msg) || !s.checkReference(w, channel, msg) || !s.checkNonEmpty(w, msg) {
		return
	}
	nonce, _ := msg["nonce"].(string)
	if len(nonce) > 25 {
		apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body (nonce: must be 25 or fewer in length)")
		return
	}
	enforce, _ := msg["enforce_nonce"].(bool)
	if enforce && nonce != "" {
		s.mu.Lock()
		first, dup := s.nonces[channel+"\x00"+nonce]
		s.mu.Unlock()
		if dup {
			w.(*recorder).messageID = first
			writeJSON(w, http.StatusOK, s.messageMap(first))
			return
		}
	}
	id := s.storeMessageID("", channel, msg)
	if enforce && nonce != "" {
		s.mu.Lock()
		s.nonces[channel+"\x00"+nonce] = id
		s.mu.Unlock()
	}
	w.(*recorder).messageID = id
	writeJSON(w, http.StatusOK, msg)
}

// checkReference rejects replies to messages that do not exist in the
// channel, unless fail_if_not_exists is false.
func (s *Server) checkReference(w http.ResponseWriter, channel string, msg map[string]any) bool {
	ref, ok := msg["message_reference"].(map[string]any)
	if !ok {
		return true
	}
	id, _ := ref["message_id"].(string)
	s.mu.Lock()
	m, exists := s.messages[id]
	s.mu.Unlock()
	if exists && m.channel == channel {
		return true
	}
	if fail, set := ref["fail_if_not_exists"].(bool); set && !fail {
		delete(msg, "message_reference")
		return true
	}
	apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body (message_reference: Unknown message)")
	return false
}

func (s *Server) checkNonEmpty(w http.ResponseWriter, msg map[string]any) bool {
	content, _ := msg["content"].(string)
	embeds, _ := msg["embeds"].([]any)
	components, _ := msg["components"].([]any)
	if content == "" && len(embeds) == 0 && len(components) == 0 {
		apiError(w, http.StatusBadRequest, 50006, "Cannot send an empty message")
		return false
	}
	if len([]rune(content)) > 2000 {
		apiError(w, http.StatusBadRequest, 50035, "Invalid Form Body (content: Must be 2000 or fewer in length.)")
		return false
	}
	return true
}

// handleEditMessage edits one of the bot's messages.
func (s *Server) handleEditMessage(w http.ResponseWriter, r *http.Request) {
	channel, id := r.PathValue("channel"), r.PathValue("message")
	m, ok := s.messageIn(w, channel, id)
	if !ok {
		return
	}
	if m.author != s.opts.BotID {
		apiError(w, http.StatusForbidden, 50005, "Cannot edit a message authored by another user")
		return
	}
	edit := map[string]any{}
	if err := json.NewDecoder(r.Body).Decode(&edit); err != nil {
		apiError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}
	if perms, _ := s.botPerms(channel); perms&PermEmbedLinks == 0 {
		delete(edit, "embeds")
	}
	s.applyEdit(id, edit)
	w.(*recorder).messageID = id
	writeJSON(w, http.StatusOK, s.messageMap(id))
}

// handleDeleteMessage deletes a message: the bot's own, or anyone's with
// Manage Messages.
func (s *Server) handleDeleteMessage(w http.ResponseWriter, r *http.Request) {
	channel, id := r.PathValue("channel"), r.PathValue("message")
	m, ok := s.messageIn(w, channel, id)
	if !ok {
		return
	}
	if perms, _ := s.botPerms(channel); m.author != s.opts.BotID && perms&PermManageMessages == 0 {
		apiError(w, http.StatusForbidden, 50013, "Missing Permissions")
		return
	}
	s.mu.Lock()
	delete(s.messages, id)
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// messageIn finds a message of a channel, or answers 404 Unknown Message.
func (s *Server) messageIn(w http.ResponseWriter, channel, id string) (*stored, bool) {
	s.mu.Lock()
	m, ok := s.messages[id]
	s.mu.Unlock()
	if !ok || m.channel != channel {
		apiError(w, http.StatusNotFound, 10008, "Unknown Message")
		return nil, false
	}
	return m, true
}

// applyEdit changes the fields of a stored message that an edit sets.
func (s *Server) applyEdit(id string, edit map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[id]
	if !ok {
		return
	}
	for k, v := range edit {
		if k != "allowed_mentions" {
			m.raw[k] = v
		}
	}
	m.raw["edited_timestamp"] = time.Now().UTC().Format(time.RFC3339Nano)
}

// storeMessageID stores a message of the bot under id (a new ID when empty).
func (s *Server) storeMessageID(id, channel string, msg map[string]any) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id == "" {
		id = s.newIDLocked()
	}
	msg["id"] = id
	msg["channel_id"] = channel
	msg["type"] = 0
	msg["timestamp"] = time.Now().UTC().Format(time.RFC3339Nano)
	msg["author"] = User{ID: s.opts.BotID, Username: "espbot", Bot: true}
	delete(msg, "allowed_mentions")
	delete(msg, "nonce")
	delete(msg, "enforce_nonce")
	s.messages[id] = &stored{channel: channel, author: s.opts.BotID, raw: msg}
	return id
}

// messageMap is a copy of a stored message.
func (s *Server) messageMap(id string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[id]
	if !ok {
		return nil
	}
	out := make(map[string]any, len(m.raw))
	for k, v := range m.raw {
		out[k] = v
	}
	return out
}

// Message returns a message the bot created, as Discord would deliver it in
// an interaction's "message" field.
func (s *Server) Message(tb interface {
	Helper()
	Fatalf(string, ...any)
}, id string) json.RawMessage {
	tb.Helper()
	m := s.messageMap(id)
	if m == nil {
		tb.Fatalf("fake discord: no message %s", id)
	}
	return mustJSON(m)
}

// HasMessage reports whether a message exists (it was not deleted).
func (s *Server) HasMessage(id string) bool { return s.messageMap(id) != nil }

// guildCreate is a guild as GUILD_CREATE announces it: channels with the
// bot's permission overwrites, threads, roles with permissions and tags,
// and the bot's own member.
func (s *Server) guildCreate(gd Guild) map[string]any {
	chans, threads := []map[string]any{}, []map[string]any{}
	for _, c := range gd.Channels {
		ch := map[string]any{"id": c.ID, "type": c.Type, "name": c.Name, "guild_id": gd.ID, "permission_overwrites": []any{}}
		if c.ParentID != "" {
			ch["parent_id"] = c.ParentID
		}
		if c.BotDeny != 0 {
			ch["permission_overwrites"] = []any{map[string]any{"id": s.opts.BotID, "type": 1, "allow": "0", "deny": strconv.FormatInt(c.BotDeny, 10)}}
		}
		if c.Type == ChannelPublicThread {
			threads = append(threads, ch)
		} else {
			chans = append(chans, ch)
		}
	}
	perms := gd.BotPermissions
	if perms == 0 {
		perms = DefaultBotPermissions
	}
	roles := []map[string]any{{"id": gd.ID, "name": "@everyone", "permissions": "0"}}
	var botRoles []string
	for _, r := range gd.Roles {
		role := map[string]any{"id": r.ID, "name": r.Name, "managed": r.Managed, "permissions": "0"}
		if r.BotID != "" {
			role["tags"] = map[string]any{"bot_id": r.BotID}
		}
		if r.BotID == s.opts.BotID {
			role["permissions"] = strconv.FormatInt(perms, 10)
			botRoles = append(botRoles, r.ID)
		}
		roles = append(roles, role)
	}
	member := map[string]any{"user": s.BotUser(), "roles": botRoles}
	return map[string]any{"id": gd.ID, "name": gd.Name, "channels": chans, "threads": threads, "roles": roles, "members": []any{member}}
}

// BotMessages lists the IDs of the bot's messages that exist in a channel.
func (s *Server) BotMessages(channel string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for id, m := range s.messages {
		if m.channel == channel && m.author == s.opts.BotID {
			ids = append(ids, id)
		}
	}
	return ids
}
