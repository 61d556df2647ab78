// Package discordtest is a fake Discord for tests: a REST API and a gateway
// websocket on 127.0.0.1 that speak enough of Discord's wire protocol for
// discordgo's REST client and espbot's gateway client, and that is as strict
// as Discord where a lax fake would hide bugs: permissions per channel, one
// interaction callback within its deadline, validated command definitions,
// message references, nonces, heartbeats, resume and identify rules, and
// shards. Tests point the bot at it through api_url (the gateway address
// comes from GET /gateway/bot), send gateway events (messages, edits,
// interactions), inject REST failures, drop or close the gateway, and
// inspect every request the bot made and every rule it broke (Violations).
package discordtest

import (
	"encoding/json"
	"fmt"
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
	// Guilds are sent as GUILD_CREATE after READY, each on its shard.
	Guilds []Guild
	// HeartbeatInterval is sent in Hello (default 41.25 s, Discord's).
	// Connections that do not heartbeat within 1.5 intervals (plus a
	// second) are closed with 4009.
	HeartbeatInterval time.Duration
	// RefuseIntents closes the gateway with 4014 (disallowed intents) when
	// Identify asks for any of these intent bits.
	RefuseIntents int
	// Shards is the shard count GET /gateway/bot recommends (default 1);
	// RequireShards closes an Identify with fewer shards with 4011, as
	// Discord does for bots in more than 2,500 guilds per shard.
	Shards, RequireShards int
	// SessionStartLimit is GET /gateway/bot's session_start_limit (default
	// 1,000 identifies a day, max_concurrency 1). An Identify beyond the
	// budget is closed with 4008 and recorded as a violation.
	SessionStartLimit SessionStartLimit
	// IdentifyInterval is the spacing Discord wants between two Identify of
	// one max_concurrency bucket; faster ones are violations (default 0:
	// not checked, so tests need not wait 5 s per shard).
	IdentifyInterval time.Duration
	// InteractionDeadline is how long an interaction can be answered (default
	// 3 s, Discord's); later callbacks fail with 10062.
	InteractionDeadline time.Duration
}

// SessionStartLimit is the identify budget of GET /gateway/bot.
type SessionStartLimit struct {
	Total          int
	ResetAfter     time.Duration
	MaxConcurrency int
}

// Guild is a guild, its channels and roles, as announced by GUILD_CREATE.
type Guild struct {
	ID       string
	Name     string
	Channels []Channel
	Roles    []Role
	// BotPermissions are the permissions of the bot's role (0:
	// DefaultBotPermissions). The bot's role is the role whose BotID is the
	// bot; one is added when Roles has none.
	BotPermissions int64
}

// Role is a guild role; Managed roles belong to an integration, and a bot's
// own role carries the bot's user ID in tags.bot_id (BotID).
type Role struct {
	ID      string
	Name    string
	Managed bool
	BotID   string
}

// Channel is a guild channel or thread.
type Channel struct {
	ID       string `json:"id"`
	Type     int    `json:"type"`
	Name     string `json:"name,omitempty"`
	ParentID string `json:"parent_id,omitempty"`
	GuildID  string `json:"guild_id,omitempty"`
	// BotDeny are permissions a member overwrite of this channel denies to
	// the bot (threads follow their parent's).
	BotDeny int64 `json:"-"`
}

// Discord permission bits the fake enforces.
const (
	PermAdministrator         int64 = 1 << 3
	PermAddReactions          int64 = 1 << 6
	PermViewChannel           int64 = 1 << 10
	PermSendMessages          int64 = 1 << 11
	PermManageMessages        int64 = 1 << 13
	PermEmbedLinks            int64 = 1 << 14
	PermReadMessageHistory    int64 = 1 << 16
	PermSendMessagesInThreads int64 = 1 << 38
)

// DefaultBotPermissions is what the bot's role allows by default: what
// espbot's invite asks for.
const DefaultBotPermissions = PermViewChannel | PermSendMessages | PermEmbedLinks |
	PermReadMessageHistory | PermSendMessagesInThreads | PermAddReactions

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
	// AfterHandling lets the request take effect and replaces only the
	// answer, as when a response is lost on the way back.
	AfterHandling bool
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
	guilds   map[string]*Guild
	channels map[string]Channel
	messages map[string]*stored
	nonces   map[string]string // channel + nonce -> message ID
	// interactions remembers each dispatched interaction.
	interactions map[string]*interactionInfo
	// commands are the registered commands by scope ("" global, or a guild).
	commands map[string][]map[string]any

	gw gateway
}

// NewServer starts a fake Discord on 127.0.0.1 and closes it at the end of
// the test.
func NewServer(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s := &Server{
		opts:         withDefaults(opts),
		changed:      make(chan struct{}),
		nextID:       1 << 40,
		guilds:       map[string]*Guild{},
		channels:     map[string]Channel{},
		messages:     map[string]*stored{},
		nonces:       map[string]string{},
		interactions: map[string]*interactionInfo{},
		commands:     map[string][]map[string]any{},
	}
	for i := range s.opts.Guilds {
		g := &s.opts.Guilds[i]
		s.addBotRole(g)
		s.guilds[g.ID] = g
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

func withDefaults(o Options) Options {
	if o.Token == "" {
		o.Token = DefaultToken
	}
	if o.BotID == "" {
		o.BotID = DefaultBotID
	}
	if o.AppID == "" {
		o.AppID = DefaultAppID
	}
	if o.HeartbeatInterval == 0 {
		o.HeartbeatInterval = 41250 * time.Millisecond
	}
	if o.Shards == 0 {
		o.Shards = max(1, o.RequireShards)
	}
	if o.SessionStartLimit.Total == 0 {
		o.SessionStartLimit.Total = 1000
	}
	if o.SessionStartLimit.ResetAfter == 0 {
		o.SessionStartLimit.ResetAfter = 24 * time.Hour
	}
	if o.SessionStartLimit.MaxConcurrency == 0 {
		o.SessionStartLimit.MaxConcurrency = 1
	}
	if o.InteractionDeadline == 0 {
		o.InteractionDeadline = 3 * time.Second
	}
	o.Guilds = append([]Guild(nil), o.Guilds...)
	return o
}

// addBotRole gives the guild a role for the bot unless it has one.
func (s *Server) addBotRole(g *Guild) {
	for _, r := range g.Roles {
		if r.BotID == s.opts.BotID {
			return
		}
	}
	g.Roles = append(append([]Role(nil), g.Roles...), Role{ID: g.ID + "0", Name: "espbot", Managed: true, BotID: s.opts.BotID})
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
