package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"go.uber.org/goleak"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/bot/discord/discordtest"
	"github.com/espbot/espbot/knowledge"
	"github.com/espbot/espbot/matcher"
)

// TestMain fails the package if any test leaves a goroutine behind
// (discordgo's heartbeat, listener or reconnect loop, HTTP connections).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// Test guild layout.
const (
	guildID      = "500"
	otherGuild   = "501" // not in the allow-list
	mentionChan  = "600" // default policy: mention
	autoChan     = "601" // auto
	offChan      = "602" // off
	forumChan    = "603" // forum, auto
	threadInChan = "604" // a thread of mentionChan
	dmChan       = "700"
	botRole      = "800" // the role Discord manages for the bot (tags.bot_id)
	decoyRole    = "802" // another integration's role, named like the bot
)

var (
	alice = discordtest.User{ID: "42", Username: "alice"}
	bob   = discordtest.User{ID: "43", Username: "bob"}
	robot = discordtest.User{ID: "44", Username: "otherbot", Bot: true}
)

func testGuilds() []discordtest.Guild {
	return []discordtest.Guild{{ID: guildID, Name: "ESP", Channels: []discordtest.Channel{
		{ID: mentionChan, Type: discordtest.ChannelText, Name: "help"},
		{ID: autoChan, Type: discordtest.ChannelText, Name: "auto-help"},
		{ID: offChan, Type: discordtest.ChannelText, Name: "off-topic"},
		{ID: forumChan, Type: discordtest.ChannelForum, Name: "questions"},
		{ID: threadInChan, Type: discordtest.ChannelPublicThread, Name: "a thread", ParentID: mentionChan},
	}, Roles: []discordtest.Role{
		{ID: botRole, Name: "ESP helper", Managed: true, BotID: discordtest.DefaultBotID},
		{ID: "801", Name: "moderators"},
		{ID: decoyRole, Name: "espbot", Managed: true, BotID: "999"},
	}}}
}

// faq is the embedded FAQ, loaded once for all tests.
var faq = sync.OnceValues(func() (*knowledge.Base, error) { return knowledge.LoadDefault() })

func testIndex(tb testing.TB, opts matcher.Options) *matcher.Index {
	tb.Helper()
	base, err := faq()
	if err != nil {
		tb.Fatalf("load the embedded FAQ: %v", err)
	}
	ix, err := matcher.New(base.Entries, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return ix
}

// entry returns the i-th entry of the embedded FAQ: tests ask its exact
// title, which always matches.
func entry(tb testing.TB, i int) knowledge.Entry {
	tb.Helper()
	base, err := faq()
	if err != nil {
		tb.Fatal(err)
	}
	return base.Entries[i%len(base.Entries)]
}

// offTopic is a question the FAQ cannot answer.
const offTopic = "what is the best pizza topping for a rainy sunday"

// counts is a bot.Metrics that counts what the tests check.
type counts struct {
	mu         sync.Mutex
	feedback   map[bot.FeedbackKind]int
	reconnects int
	errors     map[string]int
}

func newCounts() *counts {
	return &counts{feedback: map[bot.FeedbackKind]int{}, errors: map[string]int{}}
}

func (c *counts) Question(bot.Platform)                                  {}
func (c *counts) Replied(bot.Platform, bot.Kind, float64, time.Duration) {}
func (c *counts) Reload(bool)                                            {}
func (c *counts) Feedback(_ bot.Platform, k bot.FeedbackKind) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.feedback[k]++
}
func (c *counts) Reconnect(bot.Platform) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reconnects++
}
func (c *counts) Error(_ bot.Platform, where string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errors[where]++
}

func (c *counts) get(f func(*counts) int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return f(c)
}

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// harness is a running adapter, on the real discordgo client, connected to
// a fake Discord.
type harness struct {
	srv     *discordtest.Server
	a       *Adapter
	bot     *bot.Bot
	metrics *counts
	logs    *syncBuffer

	mu      sync.Mutex
	handled int
	changed chan struct{}
	// stop shuts the adapter down (a process stopping); the test's cleanup
	// calls it too, once is enough.
	stop func()
}

type harnessOpts struct {
	cfg Config // Token and APIURL are filled in
	// noContent leaves the message content intent off (it is on by default).
	noContent bool
	botCfg    *bot.Config         // nil: the test policies
	matcher   matcher.Options     // index options
	server    discordtest.Options // Guilds default to testGuilds
	knobs     func(*knobs)        // changes the adapter's waits
	core      func(core) core     // wraps the core (to slow it down)
	srv       *discordtest.Server // an existing fake (a second process)
	noAwait   bool                // do not wait for shard 0 to connect
}

// fastKnobs shortens the adapter's waits for tests: reconnects and
// identifies go at once.
func fastKnobs(k knobs) knobs {
	k.gateway.backoffMin, k.gateway.backoffMax = 5*time.Millisecond, 50*time.Millisecond
	k.gateway.invalidSession = func() time.Duration { return 5 * time.Millisecond }
	k.identifySpacing = 0
	return k
}

// start runs an adapter against a new fake and stops it when the test ends.
func start(tb testing.TB, o harnessOpts) *harness {
	tb.Helper()
	if o.server.Guilds == nil {
		o.server.Guilds = testGuilds()
	}
	srv := o.srv
	if srv == nil {
		srv = discordtest.NewServer(tb, o.server)
	}
	bc := bot.Config{PlatformChannels: map[bot.Platform]map[string]bot.Policy{bot.Discord: {
		autoChan: bot.PolicyAuto, offChan: bot.PolicyOff, forumChan: bot.PolicyAuto,
	}}}
	if o.botCfg != nil {
		bc = *o.botCfg
	}
	h := &harness{srv: srv, metrics: newCounts(), logs: &syncBuffer{}, changed: make(chan struct{})}
	h.bot = bot.New(bc, testIndex(tb, o.matcher), nil, h.metrics)
	cfg := o.cfg
	cfg.Token, cfg.APIURL = srv.Token(), srv.APIURL()
	cfg.MessageContent = !o.noContent
	a, err := New(cfg, h.bot, slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		tb.Fatal(err)
	}
	if o.core != nil {
		a.bot = o.core(a.bot)
	}
	a.afterEvent = h.eventDone
	a.knobs = fastKnobs(a.knobs)
	if o.knobs != nil {
		o.knobs(&a.knobs)
	}
	h.a = a
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- a.Run(ctx) }()
	h.stop = sync.OnceFunc(func() {
		cancel()
		if err := <-errc; err != nil {
			tb.Errorf("Run: %v", err)
		}
	})
	tb.Cleanup(h.stop)
	if !o.noAwait {
		srv.AwaitConnected(tb)
	}
	return h
}

func (h *harness) eventDone() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.handled++
	close(h.changed)
	h.changed = make(chan struct{})
}

// handledCount is how many events the adapter has finished handling.
func (h *harness) handledCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.handled
}

// awaitHandled waits until n events have been handled completely: after
// it, anything the adapter was going to send for them has been sent.
func (h *harness) awaitHandled(tb testing.TB, n int) {
	tb.Helper()
	deadline := time.NewTimer(discordtest.AwaitTimeout)
	defer deadline.Stop()
	for {
		h.mu.Lock()
		got, ch := h.handled, h.changed
		h.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			tb.Fatalf("adapter handled %d events, want %d; requests: %v", got, n, h.srv.Requests())
		}
	}
}

// awaitReady waits until the adapter reports Ready (connected, commands
// registered).
func (h *harness) awaitReady(tb testing.TB) {
	tb.Helper()
	deadline := time.Now().Add(discordtest.AwaitTimeout)
	for !h.a.Ready() {
		if time.Now().After(deadline) {
			tb.Fatal("adapter never became ready")
		}
		time.Sleep(time.Millisecond)
	}
}

// sent is a message or interaction response as the fake received it.
type sent struct {
	Content         string                    `json:"content"`
	Embeds          []*discordgo.MessageEmbed `json:"embeds"`
	Components      []json.RawMessage         `json:"components"`
	Flags           int                       `json:"flags"`
	AllowedMentions *struct {
		Parse       []string `json:"parse"`
		Users       []string `json:"users"`
		Roles       []string `json:"roles"`
		RepliedUser bool     `json:"replied_user"`
	} `json:"allowed_mentions"`
	Reference *struct {
		MessageID string `json:"message_id"`
		ChannelID string `json:"channel_id"`
	} `json:"message_reference"`
}

// callback is an interaction response as the fake received it.
type callback struct {
	Type int   `json:"type"`
	Data *sent `json:"data"`
}

func decodeSent(tb testing.TB, r discordtest.Request) sent {
	tb.Helper()
	var s sent
	r.JSON(tb, &s)
	return s
}

func decodeCallback(tb testing.TB, r discordtest.Request) callback {
	tb.Helper()
	var c callback
	r.JSON(tb, &c)
	return c
}

// customIDs lists the custom IDs of a message's components, in order.
func (s sent) customIDs(tb testing.TB) []string {
	tb.Helper()
	var ids []string
	for _, raw := range s.Components {
		c, err := discordgo.MessageComponentFromJSON(raw)
		if err != nil {
			tb.Fatal(err)
		}
		row, ok := c.(*discordgo.ActionsRow)
		if !ok {
			tb.Fatalf("top-level component %T", c)
		}
		for _, c := range row.Components {
			switch c := c.(type) {
			case *discordgo.Button:
				ids = append(ids, c.CustomID)
			case *discordgo.SelectMenu:
				ids = append(ids, c.CustomID)
			}
		}
	}
	return ids
}

// selectValues lists the option values of the message's select menu.
func (s sent) selectValues(tb testing.TB) []string {
	tb.Helper()
	var vals []string
	for _, raw := range s.Components {
		c, err := discordgo.MessageComponentFromJSON(raw)
		if err != nil {
			tb.Fatal(err)
		}
		for _, c := range c.(*discordgo.ActionsRow).Components {
			if m, ok := c.(*discordgo.SelectMenu); ok {
				for _, o := range m.Options {
					vals = append(vals, o.Value)
				}
			}
		}
	}
	return vals
}

// assertNoPings checks that a message can ping nobody.
func assertNoPings(tb testing.TB, s sent) {
	tb.Helper()
	am := s.AllowedMentions
	if am == nil || am.Parse == nil || len(am.Parse) != 0 || len(am.Users) != 0 || len(am.Roles) != 0 || am.RepliedUser {
		tb.Errorf("allowed_mentions must be present and empty, got %+v", am)
	}
}

// title of the message's first embed, or "".
func (s sent) title() string {
	if len(s.Embeds) == 0 {
		return ""
	}
	return s.Embeds[0].Title
}

// titled is an entry title as an embed shows it (at most 256 characters).
func titled(title string) string { return truncateRunes(title, maxEmbedTitle) }

// bare is an adapter on the real client for srv, not running: for tests of
// Run's own errors. cfg's APIURL (and Token, if empty) are srv's.
func bare(tb testing.TB, srv *discordtest.Server, bc bot.Config, cfg Config) *Adapter {
	tb.Helper()
	if cfg.Token == "" {
		cfg.Token = srv.Token()
	}
	cfg.APIURL = srv.APIURL()
	a, err := New(cfg, bot.New(bc, testIndex(tb, matcher.Options{}), nil, nil), nil)
	if err != nil {
		tb.Fatal(err)
	}
	a.knobs = fastKnobs(a.knobs)
	return a
}
