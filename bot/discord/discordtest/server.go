// Package discordtest is a fake Discord for tests: a REST API and a gateway
// websocket on 127.0.0.1 that speak enough of Discord's wire protocol for the
// real, unmodified discordgo client. Tests point a session at it through the
// session's HTTP client (the gateway address comes from its GET /gateway),
// send gateway events (messages, interactions), inject REST failures, drop
// the gateway, and inspect every request the bot made.
package discordtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Defaults of a Server.
const (
	DefaultToken = "test-token"
	DefaultBotID = "1000"
	DefaultAppID = "2000"
)

// Options configure a Server. Zero values take the defaults.
type Options struct {
	// Token is the bot token expected in Authorization ("Bot " + Token) and
	// in Identify.
	Token string
	// BotID is the bot's user ID, AppID its application ID.
	BotID, AppID string
	// Guilds are sent as GUILD_CREATE after READY.
	Guilds []Guild
	// HeartbeatInterval is sent in Hello (default 41.25 s, Discord's).
	HeartbeatInterval time.Duration
	// RefuseIntents closes the gateway with 4014 (disallowed intents) when
	// Identify asks for any of these intent bits.
	RefuseIntents int
}

// Guild is a guild, its channels and roles, as announced by GUILD_CREATE.
type Guild struct {
	ID       string
	Name     string
	Channels []Channel
	Roles    []Role
}

// Role is a guild role; Managed roles belong to an integration (a bot's
// role is named after it).
type Role struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Managed bool   `json:"managed"`
}

// Channel is a guild channel or thread.
type Channel struct {
	ID       string `json:"id"`
	Type     int    `json:"type"`
	Name     string `json:"name,omitempty"`
	ParentID string `json:"parent_id,omitempty"`
	GuildID  string `json:"guild_id,omitempty"`
}

// Channel types used by tests (Discord's numbers).
const (
	ChannelText         = 0
	ChannelDM           = 1
	ChannelForum        = 15
	ChannelPublicThread = 11
)

// User is a Discord user.
type User struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Bot      bool   `json:"bot,omitempty"`
}

// Request is one REST request the bot made.
type Request struct {
	Method string
	Path   string // without the /api/v9 prefix
	Header http.Header
	Body   []byte
	// Status is what the fake answered.
	Status int
	// MessageID is the ID of the message the request created, if any.
	MessageID string
	// At is when the request (with its body) reached the fake.
	At time.Time
}

// JSON decodes the request body into v, failing the test on error.
func (r Request) JSON(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("decode %s %s body %q: %v", r.Method, r.Path, r.Body, err)
	}
}

// Fault is an injected REST failure.
type Fault struct {
	Method string
	// PathSuffix selects requests whose path ends with it ("" matches all).
	PathSuffix string
	Status     int
	Body       string
	Header     http.Header
	// Times is how many matching requests fail (0 means 1).
	Times int
}

// Server is a fake Discord. Create it with NewServer; it is closed when the
// test ends.
type Server struct {
	opts Options
	srv  *httptest.Server
	// URL is the server's base URL (http://127.0.0.1:port).
	URL string

	mu       sync.Mutex
	requests []Request
	changed  chan struct{}
	faults   []*Fault
	nextID   int64
	channels map[string]Channel
	messages map[string]json.RawMessage
	// interactions remembers where each dispatched interaction happened.
	interactions map[string]interactionInfo

	gw gateway
}

// NewServer starts a fake Discord on 127.0.0.1 and closes it at the end of
// the test.
func NewServer(tb testing.TB, opts Options) *Server {
	tb.Helper()
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	if opts.BotID == "" {
		opts.BotID = DefaultBotID
	}
	if opts.AppID == "" {
		opts.AppID = DefaultAppID
	}
	if opts.HeartbeatInterval == 0 {
		opts.HeartbeatInterval = 41250 * time.Millisecond
	}
	s := &Server{
		opts:     opts,
		changed:  make(chan struct{}),
		nextID:   1 << 40,
		channels: map[string]Channel{},
		messages: map[string]json.RawMessage{},

		interactions: map[string]interactionInfo{},
	}
	for _, g := range opts.Guilds {
		for _, c := range g.Channels {
			c.GuildID = g.ID
			s.channels[c.ID] = c
		}
	}
	s.gw.init(s)
	s.srv = httptest.NewServer(s.routes())
	s.URL = s.srv.URL
	tb.Cleanup(s.Close)
	return s
}

// APIURL is the REST base URL to configure the bot with.
func (s *Server) APIURL() string { return s.URL + "/api/v9" }

// Token is the bot token the server accepts.
func (s *Server) Token() string { return s.opts.Token }

// BotID is the bot's user ID, announced in READY.
func (s *Server) BotID() string { return s.opts.BotID }

// AppID is the application ID, announced in READY.
func (s *Server) AppID() string { return s.opts.AppID }

// Close stops the server, closing gateway connections first.
func (s *Server) Close() {
	s.gw.closeAll()
	s.srv.Close()
	s.gw.wait()
}

// NewID returns a new unique snowflake-like ID.
func (s *Server) NewID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newIDLocked()
}

func (s *Server) newIDLocked() string {
	s.nextID++
	return strconv.FormatInt(s.nextID, 10)
}

// Fail makes the next f.Times requests matching f fail with f's answer.
func (s *Server) Fail(f Fault) {
	if f.Times == 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// AddChannel makes a channel known to GET /channels/{id} (and to later
// GUILD_CREATEs).
func (s *Server) AddChannel(c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[c.ID] = c
}

// Requests returns a copy of every request so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Count returns how many requests so far match.
func (s *Server) Count(match func(Request) bool) int {
	n := 0
	for _, r := range s.Requests() {
		if match(r) {
			n++
		}
	}
	return n
}

// Len is the number of requests so far, a mark for AwaitFrom.
func (s *Server) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// AwaitTimeout bounds Await: long enough for a loaded machine, short enough
// to fail a broken test clearly.
const AwaitTimeout = 10 * time.Second

// Await returns the first request that matches, waiting for it if needed.
func (s *Server) Await(tb testing.TB, what string, match func(Request) bool) Request {
	tb.Helper()
	return s.AwaitFrom(tb, 0, what, match)
}

// AwaitFrom is Await looking only at requests from index from (see Len).
func (s *Server) AwaitFrom(tb testing.TB, from int, what string, match func(Request) bool) Request {
	tb.Helper()
	r, ok := s.await(from, AwaitTimeout, match)
	if !ok {
		tb.Fatalf("fake discord: no %s within %v; requests: %s", what, AwaitTimeout, s.summary())
	}
	return r
}

func (s *Server) await(from int, timeout time.Duration, match func(Request) bool) (Request, bool) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		var reqs []Request
		if from < len(s.requests) {
			reqs = s.requests[from:]
		}
		ch := s.changed
		s.mu.Unlock()
		for _, r := range reqs {
			if match(r) {
				return r, true
			}
		}
		from += len(reqs)
		select {
		case <-ch:
		case <-deadline.C:
			return Request{}, false
		}
	}
}

func (s *Server) summary() string {
	var parts []string
	for _, r := range s.Requests() {
		parts = append(parts, fmt.Sprintf("%s %s -> %d", r.Method, r.Path, r.Status))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
	close(s.changed)
	s.changed = make(chan struct{})
}

// Match helpers for Await and Count.

// IsPost matches POST requests to path.
func IsPost(path string) func(Request) bool {
	return func(r Request) bool { return r.Method == http.MethodPost && r.Path == path }
}

// IsMessageTo matches successful message creations in a channel.
func IsMessageTo(channel string) func(Request) bool {
	return func(r Request) bool {
		return r.Method == http.MethodPost && r.Path == "/channels/"+channel+"/messages" && r.Status < 300
	}
}

// IsCallback matches successful responses to an interaction.
func IsCallback(interactionID string) func(Request) bool {
	return func(r Request) bool {
		return r.Method == http.MethodPost && strings.HasPrefix(r.Path, "/interactions/"+interactionID+"/") && r.Status < 300
	}
}

func (s *Server) routes() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("GET /gateway", s.handleGateway)
	api.HandleFunc("GET /gateway/bot", s.handleGateway)
	api.HandleFunc("POST /channels/{channel}/messages", s.handleCreateMessage)
	api.HandleFunc("DELETE /channels/{channel}/messages/{message}", s.handleNoContent)
	api.HandleFunc("GET /channels/{channel}", s.handleGetChannel)
	api.HandleFunc("POST /interactions/{id}/{token}/callback", s.handleCallback)
	api.HandleFunc("PATCH /webhooks/{app}/{token}/messages/{message}", s.handleEditOriginal)
	api.HandleFunc("PUT /applications/{app}/commands", s.handleCommands)
	api.HandleFunc("PUT /applications/{app}/guilds/{guild}/commands", s.handleCommands)

	root := http.NewServeMux()
	root.HandleFunc("/gateway/", s.gw.serve)
	root.Handle("/api/v9/", http.StripPrefix("/api/v9", s.middleware(api)))
	return root
}

// middleware records every API request, checks its token, applies injected
// faults and sets rate-limit headers with requests to spare.
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
		if r.Header.Get("Authorization") != "Bot "+s.opts.Token {
			writeJSON(rw, http.StatusUnauthorized, map[string]any{"message": "401: Unauthorized", "code": 0})
			return
		}
		if f := s.fault(r.Method, r.URL.Path); f != nil {
			for k, v := range f.Header {
				rw.Header()[k] = v
			}
			rw.Header().Set("Content-Type", "application/json")
			rw.WriteHeader(f.Status)
			io.WriteString(rw, f.Body)
			return
		}
		h := rw.Header()
		h.Set("X-RateLimit-Limit", "50")
		h.Set("X-RateLimit-Remaining", "49")
		h.Set("X-RateLimit-Reset-After", "1")
		h.Set("X-RateLimit-Bucket", "fake")
		next.ServeHTTP(rw, r)
	})
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

// recorder remembers the status and created message of a response.
type recorder struct {
	http.ResponseWriter
	status    int
	messageID string
}

// WriteHeader records the status code.
func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) handleGateway(w http.ResponseWriter, r *http.Request) {
	url := "ws" + strings.TrimPrefix(s.URL, "http") + "/gateway/"
	writeJSON(w, http.StatusOK, map[string]any{"url": url, "shards": 1})
}

func (s *Server) handleNoContent(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleGetChannel(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	c, ok := s.channels[r.PathValue("channel")]
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "Unknown Channel", "code": 10003})
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// handleCreateMessage answers with the message as Discord would: the
// posted fields plus an ID, the channel, the author and a timestamp.
func (s *Server) handleCreateMessage(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	msg := map[string]any{}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &msg); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Invalid JSON", "code": 50109})
			return
		}
	}
	id := s.storeMessage(r.PathValue("channel"), msg)
	w.(*recorder).messageID = id
	writeJSON(w, http.StatusOK, msg)
}

// callbackMessage stores the message an interaction response creates
// (type 4) or updates (type 7: the message the component is on).
func (s *Server) callbackMessage(interactionID string, typ int, data map[string]any) string {
	s.mu.Lock()
	in := s.interactions[interactionID]
	s.mu.Unlock()
	switch typ {
	case 4:
		return s.storeMessage(in.channel, data)
	case 7:
		return s.storeMessageID(in.message, in.channel, data)
	}
	return ""
}

func (s *Server) storeMessage(channel string, msg map[string]any) string {
	return s.storeMessageID("", channel, msg)
}

// storeMessageID stores msg under id (a new ID when empty).
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
	delete(msg, "message_reference")
	raw, _ := json.Marshal(msg)
	s.messages[id] = raw
	return id
}

// Message returns a message the bot created, as Discord would deliver it in
// an interaction's "message" field.
func (s *Server) Message(tb testing.TB, id string) json.RawMessage {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[id]
	if !ok {
		tb.Fatalf("fake discord: no message %s", id)
	}
	return m
}

// handleCallback accepts an interaction response. Replies (type 4) and
// updates (type 7) are stored as messages so tests can click on them.
func (s *Server) handleCallback(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var resp struct {
		Type int            `json:"type"`
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Invalid JSON", "code": 50109})
		return
	}
	if resp.Data != nil {
		w.(*recorder).messageID = s.callbackMessage(r.PathValue("id"), resp.Type, resp.Data)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleEditOriginal(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	msg := map[string]any{}
	json.Unmarshal(body, &msg)
	id := s.storeMessage("", msg)
	w.(*recorder).messageID = id
	writeJSON(w, http.StatusOK, msg)
}

func (s *Server) handleCommands(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var cmds []map[string]any
	if err := json.Unmarshal(body, &cmds); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Invalid JSON", "code": 50109})
		return
	}
	for _, c := range cmds {
		c["id"] = s.NewID()
		c["application_id"] = r.PathValue("app")
		c["version"] = "1"
	}
	writeJSON(w, http.StatusOK, cmds)
}
