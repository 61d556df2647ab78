package discord

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/bot/discord/discordtest"
)

// Gateway tests: sessions, resumes, close codes, heartbeats, the identify
// budget and sharding, against the fake's gateway rules.

// assertClean fails the test if the fake saw a protocol violation.
func assertClean(tb testing.TB, srv *discordtest.Server) {
	tb.Helper()
	if v := srv.Violations(); len(v) > 0 {
		tb.Errorf("protocol violations: %v", v)
	}
}

// eventually waits for cond, polling, and fails the test after the fake's
// await timeout.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(discordtest.AwaitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v", what, discordtest.AwaitTimeout)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// answeredDM checks that a mention in the DM channel is answered after the
// gateway event that the test caused.
func answeredDM(t *testing.T, h *harness, i int) {
	t.Helper()
	from := h.srv.Len()
	h.srv.SendMessage(discordtest.Message{ChannelID: dmChan, Author: alice, Content: entry(t, i).Title})
	h.srv.AwaitFrom(t, from, "reply to a DM", discordtest.IsMessageTo(dmChan))
}

func TestGateway_ResumesOnResumeURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		cause func(*discordtest.Server)
	}{
		{"dropped connection", (*discordtest.Server).DropGateway},
		{"op 7 reconnect", (*discordtest.Server).RequestReconnect},
		{"op 9 resumable", func(s *discordtest.Server) { s.InvalidateSessions(true) }},
		{"close 4000", func(s *discordtest.Server) { s.CloseGateway(4000, "Unknown error.") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := start(t, harnessOpts{})
			answeredDM(t, h, 0)
			tt.cause(h.srv)
			answeredDM(t, h, 1) // sent during the reconnect or after: replayed or live
			if h.srv.Identifies() != 1 || h.srv.Resumes() != 1 || h.srv.ResumesOnResumeURL() != 1 {
				t.Errorf("identifies %d, resumes %d (%d on resume_gateway_url), want 1, 1, 1",
					h.srv.Identifies(), h.srv.Resumes(), h.srv.ResumesOnResumeURL())
			}
			assertClean(t, h.srv)
		})
	}
}

func TestGateway_NewSession(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		cause func(*discordtest.Server)
	}{
		{"op 9 not resumable", func(s *discordtest.Server) { s.InvalidateSessions(false) }},
		{"4009 session timed out", func(s *discordtest.Server) { s.CloseGateway(4009, "Session timed out.") }},
		{"4007 on resume", func(s *discordtest.Server) { s.FailNextResume(4007); s.DropGateway() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := start(t, harnessOpts{})
			answeredDM(t, h, 0)
			tt.cause(h.srv)
			eventually(t, "a new session", func() bool { return h.srv.Identifies() >= 2 })
			h.srv.AwaitConnected(t)
			answeredDM(t, h, 1)
			if h.srv.Identifies() != 2 {
				t.Errorf("identifies %d, want a new session (2)", h.srv.Identifies())
			}
			h.awaitReady(t)
			assertClean(t, h.srv)
		})
	}
}

// TestGateway_Heartbeats: with a short interval, the fake closes clients
// that do not heartbeat; espbot keeps its one session.
func TestGateway_Heartbeats(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{server: discordtest.Options{HeartbeatInterval: 20 * time.Millisecond}})
	eventually(t, "5 heartbeats", func() bool { return h.srv.Heartbeats() >= 5 })
	answeredDM(t, h, 0)
	if h.srv.Identifies() != 1 || h.srv.Resumes() != 0 {
		t.Errorf("identifies %d resumes %d, want one session throughout", h.srv.Identifies(), h.srv.Resumes())
	}
	assertClean(t, h.srv)
}

// TestGateway_ZombieConnection: heartbeats no longer acknowledged mean a
// dead connection; espbot resumes on a new one.
func TestGateway_ZombieConnection(t *testing.T) {
	t.Parallel()
	h := start(t, harnessOpts{server: discordtest.Options{HeartbeatInterval: 20 * time.Millisecond}})
	h.srv.StopHeartbeatAcks(true)
	eventually(t, "a resume after heartbeats went unacknowledged", func() bool { return h.srv.Resumes() > 0 })
	h.srv.StopHeartbeatAcks(false)
	answeredDM(t, h, 0)
	if !strings.Contains(h.logs.String(), "did not acknowledge a heartbeat") {
		t.Error("zombie connection not logged")
	}
}

func TestGateway_FatalCloseCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code      int
		want, not string
	}{
		{4004, "token is not valid", ""},
		{4013, "invalid intents", "Message Content"},
		{4014, "Message Content intent", ""},
		{4011, "sharding required", ""},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.code), func(t *testing.T) {
			t.Parallel()
			srv := discordtest.NewServer(t, discordtest.Options{})
			a := bare(t, srv, bot.Config{}, Config{})
			errc := make(chan error, 1)
			go func() { errc <- a.Run(context.Background()) }()
			srv.AwaitConnected(t)
			srv.CloseGateway(tt.code, "closed")
			err := <-errc
			if err == nil || !strings.Contains(err.Error(), tt.want) || (tt.not != "" && strings.Contains(err.Error(), tt.not)) {
				t.Fatalf("Run = %v, want the %d explained (%q, not %q)", err, tt.code, tt.want, tt.not)
			}
			if srv.Identifies() != 1 || srv.Resumes() != 0 {
				t.Errorf("identifies %d resumes %d: the adapter tried to reconnect", srv.Identifies(), srv.Resumes())
			}
		})
	}
}

// TestGateway_FirstConnectRetried: GET /gateway/bot failing at start-up is
// retried with backoff.
func TestGateway_FirstConnectRetried(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t, discordtest.Options{Guilds: testGuilds()})
	srv.Fail(discordtest.Fault{Method: http.MethodGet, PathSuffix: "/gateway/bot", Status: 502, Body: `{"message": "bad gateway", "code": 0}`, Times: 3})
	h := start(t, harnessOpts{srv: srv})
	answeredDM(t, h, 0)
	if n := srv.Count(func(r discordtest.Request) bool { return r.Path == "/gateway/bot" }); n != 4 {
		t.Errorf("%d GET /gateway/bot, want 3 failures and a success", n)
	}
}

// guildOnShard returns a guild ID that Discord routes to shard of count.
func guildOnShard(shard, count int) string {
	return strconv.FormatUint(uint64(shard+count*7)<<22|1, 10)
}

// shardedGuilds is one guild per shard, each with one text channel.
func shardedGuilds(count int) ([]discordtest.Guild, []string) {
	var gs []discordtest.Guild
	var chans []string
	for i := range count {
		g := guildOnShard(i, count)
		ch := g + "1"
		gs = append(gs, discordtest.Guild{ID: g, Name: "shard " + strconv.Itoa(i), Channels: []discordtest.Channel{{ID: ch, Type: discordtest.ChannelText}}})
		chans = append(chans, ch)
	}
	return gs, chans
}

// TestGateway_Sharding: a bot Discord says must run 3 shards starts them
// with shards: auto; two processes split them (0 and 2, then 1), and each
// guild is answered by the process running its shard.
func TestGateway_Sharding(t *testing.T) {
	t.Parallel()
	guilds, chans := shardedGuilds(3)
	srv := discordtest.NewServer(t, discordtest.Options{Guilds: guilds, RequireShards: 3})
	first := start(t, harnessOpts{srv: srv, noAwait: true, cfg: Config{ShardIDs: []int{0, 2}}})
	srv.AwaitShards(t, 3, 0, 2)
	first.awaitReady(t)
	second := start(t, harnessOpts{srv: srv, noAwait: true, cfg: Config{ShardIDs: []int{1}}})
	srv.AwaitShards(t, 3, 0, 1, 2)
	second.awaitReady(t)
	for i, ch := range chans {
		from := srv.Len()
		srv.SendMessage(discordtest.Message{ChannelID: ch, GuildID: guilds[i].ID, Author: alice,
			Content: srv.Mention() + " " + entry(t, i).Title, Mentions: []discordtest.User{srv.BotUser()}})
		srv.AwaitFrom(t, from, "answer in the guild of shard "+strconv.Itoa(i), discordtest.IsMessageTo(ch))
	}
	first.awaitHandled(t, 2)
	second.awaitHandled(t, 1)
	if got := first.handledCount() + second.handledCount(); got != 3 {
		t.Errorf("%d messages handled by the two processes, want 3", got)
	}
	assertClean(t, srv)
}

// TestGateway_TooFewShards: a count below what Discord requires fails with
// the close code explained.
func TestGateway_TooFewShards(t *testing.T) {
	t.Parallel()
	srv := discordtest.NewServer(t, discordtest.Options{RequireShards: 2})
	if err := bare(t, srv, bot.Config{}, Config{Shards: 1}).Run(context.Background()); err == nil || !strings.Contains(err.Error(), "sharding required") {
		t.Fatalf("Run = %v, want sharding required", err)
	}
	if err := bare(t, srv, bot.Config{}, Config{Shards: 2, ShardIDs: []int{2}}).Run(context.Background()); err == nil || !strings.Contains(err.Error(), "not below the shard count") {
		t.Fatalf("Run = %v, want the shard ID refused", err)
	}
}

// TestGateway_IdentifyBudget: with one identify left for two shards, the
// second waits for the budget to reset; with max_concurrency 1, identifies
// are spaced. The fake records a violation for any identify beyond either.
func TestGateway_IdentifyBudget(t *testing.T) {
	t.Parallel()
	guilds, _ := shardedGuilds(2)
	srv := discordtest.NewServer(t, discordtest.Options{Guilds: guilds, Shards: 2, IdentifyInterval: 40 * time.Millisecond,
		SessionStartLimit: discordtest.SessionStartLimit{Total: 1, ResetAfter: 100 * time.Millisecond, MaxConcurrency: 1}})
	h := start(t, harnessOpts{srv: srv, noAwait: true, knobs: func(k *knobs) { k.identifySpacing = 40 * time.Millisecond }})
	srv.AwaitShards(t, 2, 0, 1)
	h.awaitReady(t)
	if srv.Identifies() != 2 {
		t.Errorf("identifies %d, want 2", srv.Identifies())
	}
	assertClean(t, srv)
	if !strings.Contains(h.logs.String(), "identify budget") {
		t.Error("waiting for the identify budget was not logged")
	}
}

func TestConfig_ShardPlan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cfg         Config
		recommended int
		count       int
		ids         []int
		err         bool
	}{
		{Config{}, 0, 1, []int{0}, false},
		{Config{}, 3, 3, []int{0, 1, 2}, false},
		{Config{Shards: 4, ShardIDs: []int{3, 1, 1}}, 1, 4, []int{1, 3}, false},
		{Config{Shards: 2, ShardIDs: []int{2}}, 1, 0, nil, true},
		{Config{ShardIDs: []int{-1}}, 2, 0, nil, true},
	}
	for _, tt := range tests {
		count, ids, err := tt.cfg.shardPlan(tt.recommended)
		if count != tt.count || !slices.Equal(ids, tt.ids) || (err != nil) != tt.err {
			t.Errorf("%+v with %d recommended: %d %v %v", tt.cfg, tt.recommended, count, ids, err)
		}
	}
}
