// Package discord connects espbot's core to Discord: it answers mentions,
// DMs, replies to its answers, the /faq slash command (with autocomplete),
// the "Ask espbot" message command and, in auto channels, un-mentioned
// questions and new forum posts. Answers are embeds (plain text where the
// bot may not embed links) with feedback buttons, an "Other answers" menu,
// Dismiss, and "Share in channel" on private answers. Edited questions are
// answered again by editing the answer; deleted questions take their answer
// with them.
//
// The adapter only translates: Discord events become bot.Messages, and
// bot.Replies are rendered by the pure render function. It runs its own
// gateway client (gateway.go: sharding, resume_gateway_url, close codes,
// the identify budget) and calls Discord's REST API through discordgo,
// reached through the unexported rest interface so unit tests can use a
// hand-written fake; end-to-end tests run against the loopback fake in
// package discordtest.
//
// Setting up the application: see README.md ("Run it on Discord") and
// InviteURL.
package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/espbot/espbot/bot"
)

// core is the part of *bot.Bot the adapter uses.
type core interface {
	Handle(ctx context.Context, m bot.Message) bot.Reply
	Show(id string) bot.Reply
	Complete(prefix string, n int) []bot.Alternative
	Titles(n int) []bot.Alternative
	RecordFeedback(ctx context.Context, f bot.Feedback)
	PolicyFor(p bot.Platform, channel string) bot.Policy
	UsesAuto(p bot.Platform) bool
	Metrics() bot.Metrics
	// Claim, Remember and Recall keep the answers of questions (for edits
	// and deletions) in the core's state, shared by instances.
	Claim(ctx context.Context, p bot.Platform, key string, ttl time.Duration) bool
	Remember(ctx context.Context, p bot.Platform, key, value string, ttl time.Duration)
	Recall(ctx context.Context, p bot.Platform, key string) string
}

var _ core = (*bot.Bot)(nil)

// rest lists exactly the discordgo.Session methods the adapter calls.
type rest interface {
	GatewayBot(options ...discordgo.RequestOption) (*discordgo.GatewayBotResponse, error)
	// RequestWithBucketID creates messages: discordgo's MessageSend has no
	// nonce.
	RequestWithBucketID(method, urlStr string, data interface{}, bucketID string, options ...discordgo.RequestOption) ([]byte, error)
	ChannelMessageEditComplex(m *discordgo.MessageEdit, options ...discordgo.RequestOption) (*discordgo.Message, error)
	ChannelMessageDelete(channelID, messageID string, options ...discordgo.RequestOption) error
	Channel(channelID string, options ...discordgo.RequestOption) (*discordgo.Channel, error)
	InteractionRespond(interaction *discordgo.Interaction, resp *discordgo.InteractionResponse, options ...discordgo.RequestOption) error
	InteractionResponseEdit(interaction *discordgo.Interaction, newresp *discordgo.WebhookEdit, options ...discordgo.RequestOption) (*discordgo.Message, error)
	ApplicationCommandBulkOverwrite(appID string, guildID string, commands []*discordgo.ApplicationCommand, options ...discordgo.RequestOption) ([]*discordgo.ApplicationCommand, error)
	ApplicationCommands(appID, guildID string, options ...discordgo.RequestOption) ([]*discordgo.ApplicationCommand, error)
}

var _ rest = (*discordgo.Session)(nil)

// maxInFlight bounds concurrent handlers per lane (messages, interactions);
// maxWaiting bounds the events waiting for a slot, beyond which they are
// dropped (and counted). Interactions have their own lane so that /faq
// never waits behind message handlers (Discord's 3-second deadline).
const (
	maxInFlight = 32
	maxWaiting  = 1000
)

// knobs are the adapter's waits and clock; tests shorten them.
type knobs struct {
	gateway gatewayTiming
	// identifySpacing is Discord's wait between two Identify of one
	// max_concurrency bucket.
	identifySpacing time.Duration
	// deferAfter is how long a command's answer may take before the
	// interaction is deferred (type 5) and edited later.
	deferAfter time.Duration
	// editWindow is how long after an answer an edited question is
	// answered again.
	editWindow time.Duration
	now        func() time.Time
}

func defaultKnobs() knobs {
	return knobs{
		gateway: gatewayTiming{
			handshake:      30 * time.Second,
			backoffMin:     time.Second,
			backoffMax:     2 * time.Minute,
			invalidSession: func() time.Duration { return time.Second + time.Duration(rand.Float64()*4*float64(time.Second)) },
			jitter:         rand.Float64,
		},
		identifySpacing: 5 * time.Second,
		deferAfter:      2 * time.Second,
		editWindow:      5 * time.Minute,
		now:             time.Now,
	}
}

// identity is who the bot is, from READY.
type identity struct {
	user, name, app string
}

// Adapter is a connection to Discord serving one bot.Bot. Create it with New
// and call Run once.
type Adapter struct {
	cfg       Config
	bot       core
	log       *slog.Logger
	rest      rest
	transport *http.Transport // nil with a fake REST client
	dialer    *websocket.Dialer
	intents   discordgo.Intent
	guilds    map[string]bool
	knobs     knobs

	self     atomic.Pointer[identity]
	state    guildState
	warned   sync.Map // permission warnings already logged
	cleaned  sync.Map // guilds whose stale commands were checked
	started  atomic.Bool
	ready    atomic.Bool
	appReady chan struct{} // closed at the first READY
	onceApp  sync.Once

	mu            sync.Mutex
	closing       bool
	up            map[int]bool // shards serving
	shards        []*shard
	shardsRunning sync.WaitGroup
	inflight      sync.WaitGroup
	outboxes      map[string]*outbox
	messageSlots  *lane
	actionSlots   *lane
	// work is the context of event handlers: it outlives Run's context so
	// that replies in flight can finish, and is cancelled after the grace
	// period.
	work       context.Context
	cancelWork context.CancelFunc

	// afterEvent, when set (tests), is called after each event has been
	// handled completely, its replies sent or not.
	afterEvent func()
}

// New builds an adapter for b on discordgo's REST client. It does not
// connect: Run does.
func New(cfg Config, b *bot.Bot, log *slog.Logger) (*Adapter, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	s, err := discordgo.New(cfg.botToken())
	if err != nil {
		return nil, fmt.Errorf("discord: session: %w", err)
	}
	client, tr := cfg.httpClient()
	s.Client = client
	// 5xx and 429 are retried by the adapter, which knows the context.
	s.MaxRestRetries = 0
	a := newAdapter(cfg, b, log, s)
	a.transport = tr
	return a, nil
}

// newAdapter builds an adapter on any REST client (a fake in unit tests).
func newAdapter(cfg Config, b core, log *slog.Logger, r rest) *Adapter {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.ShutdownGrace == 0 {
		cfg.ShutdownGrace = 5 * time.Second
	}
	a := &Adapter{
		cfg:          cfg,
		bot:          b,
		log:          log.With("adapter", "discord"),
		rest:         r,
		dialer:       &websocket.Dialer{HandshakeTimeout: 30 * time.Second, Proxy: http.ProxyFromEnvironment},
		intents:      cfg.intents(b.UsesAuto(bot.Discord)),
		guilds:       map[string]bool{},
		knobs:        defaultKnobs(),
		appReady:     make(chan struct{}),
		up:           map[int]bool{},
		outboxes:     map[string]*outbox{},
		messageSlots: newLane(maxInFlight, maxWaiting),
		actionSlots:  newLane(maxInFlight, maxWaiting),
	}
	a.state.init()
	for _, g := range cfg.Guilds {
		a.guilds[g] = true
	}
	a.work, a.cancelWork = context.WithCancel(context.Background())
	return a
}

// Ready reports whether every shard is connected and serving.
func (a *Adapter) Ready() bool { return a.ready.Load() }

// Run connects every shard of this process, registers the commands, serves
// until ctx is cancelled, then shuts down: no new events, replies in flight
// finish within Config.ShutdownGrace, and the gateway is closed. It fails
// when the token or the intents are refused, when start-up times out, or
// when Discord closes the gateway with a code no reconnect can fix.
func (a *Adapter) Run(ctx context.Context) error {
	if !a.started.CompareAndSwap(false, true) {
		return errors.New("discord: Run called twice")
	}
	defer a.closeIdle()
	defer a.cancelWork()
	if a.bot.UsesAuto(bot.Discord) && !a.cfg.MessageContent {
		a.log.Warn("channels use the auto policy but the message content intent is off: " +
			"un-mentioned messages arrive without text, so auto channels will only answer mentions; " +
			"enable the Message Content intent for the application and set discord.message_content: true")
	}
	startCtx, cancelStart := context.WithTimeout(ctx, a.cfg.startTimeout())
	defer cancelStart()
	gw, err := a.gatewayBot(startCtx)
	if err != nil {
		return fmt.Errorf("discord: connect: %w", err)
	}
	count, ids, err := a.cfg.shardPlan(gw.Shards)
	if err != nil {
		return fmt.Errorf("discord: %w", err)
	}
	shardCtx, stopShards := context.WithCancel(context.Background())
	defer stopShards()
	errc := make(chan error, len(ids))
	a.startShards(shardCtx, gw, count, ids, errc)
	a.log.Info("connecting", "shards", count, "running", ids)
	if err := a.awaitFirstReady(startCtx, errc); err != nil {
		a.shutdown(stopShards)
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("discord: connect: %w", err)
	}
	a.registerCommands(a.work)
	a.log.Info("connected", "user", a.identity().user, "application", a.identity().app)
	select {
	case <-ctx.Done():
		a.shutdown(stopShards)
		return nil
	case err := <-errc:
		a.bot.Metrics().Error(bot.Discord, "gateway_closed")
		a.log.Error("Discord closed the gateway for good", "err", err)
		a.shutdown(stopShards)
		return fmt.Errorf("discord: %w", err)
	}
}

// awaitFirstReady waits for a shard's READY, a shard's failure, or the end
// of start-up.
func (a *Adapter) awaitFirstReady(ctx context.Context, errc <-chan error) error {
	select {
	case <-a.appReady:
		return nil
	case err := <-errc:
		return err
	case <-ctx.Done():
		return fmt.Errorf("no READY from the gateway within %v", a.cfg.startTimeout())
	}
}

// shutdown stops taking events, closes the gateway, and waits for handlers
// and the replies they queued.
func (a *Adapter) shutdown(stopShards context.CancelFunc) {
	a.mu.Lock()
	a.closing = true
	a.mu.Unlock()
	a.ready.Store(false)
	stopShards()
	a.shardsRunning.Wait()
	done := make(chan struct{})
	go func() {
		a.inflight.Wait()
		close(done)
	}()
	t := time.NewTimer(a.cfg.ShutdownGrace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		a.log.Warn("replies still in flight at shutdown: abandoning them")
		a.cancelWork()
		<-done
	}
}

func (a *Adapter) closeIdle() {
	if a.transport != nil {
		a.transport.CloseIdleConnections()
	}
}

func (a *Adapter) identity() identity {
	if id := a.self.Load(); id != nil {
		return *id
	}
	return identity{}
}

// job is one event being handled, until everything it queued is sent:
// shutdown waits for it and the test hook hears of its end.
type job struct {
	a        *Adapter
	handed   atomic.Bool
	finished sync.Once
}

func (j *job) finish() {
	j.finished.Do(func() {
		if j.a.afterEvent != nil {
			j.a.afterEvent()
		}
		j.a.inflight.Done()
	})
}

// handOff passes the end of the job to whoever calls the returned func.
func (j *job) handOff() func() {
	j.handed.Store(true)
	return j.finish
}

// spawn runs f on a lane, tracked, unless the adapter is shutting down or
// the lane's queue is full (the event is dropped and counted). A panic in f
// is recovered, logged, counted, and answered with apologise (if not nil).
func (a *Adapter) spawn(l *lane, what string, apologise func(ctx context.Context), f func(ctx context.Context, j *job)) {
	if !a.track() {
		return
	}
	j := &job{a: a}
	run := func() {
		defer func() {
			if !j.handed.Load() {
				j.finish()
			}
		}()
		defer func() {
			if v := recover(); v != nil {
				a.panicked(what, v)
				if apologise != nil {
					a.safely(what+" apology", func() { apologise(a.work) })
				}
			}
		}()
		f(a.work, j)
	}
	if !l.submit(run) {
		a.bot.Metrics().Error(bot.Discord, "overloaded")
		a.logOnce("overloaded", "too many events waiting to be handled: dropping some", "lane", what)
		j.finish()
	}
}

// track counts one more piece of work for shutdown to wait for; false once
// shutdown has begun.
func (a *Adapter) track() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closing {
		return false
	}
	a.inflight.Add(1)
	return true
}

// safely runs f, recovering (logging and counting) a panic.
func (a *Adapter) safely(what string, f func()) {
	defer func() {
		if v := recover(); v != nil {
			a.panicked(what, v)
		}
	}()
	f()
}

// panicked logs and counts a recovered panic, without any user text.
func (a *Adapter) panicked(what string, v any) {
	a.bot.Metrics().Error(bot.Discord, "panic")
	a.log.Error("panic in the Discord adapter", "where", what, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
}

// allowedGuild applies the guild allow-list; DMs (no guild) are allowed.
func (a *Adapter) allowedGuild(guildID string) bool {
	return guildID == "" || len(a.guilds) == 0 || a.guilds[guildID]
}

// noMentions is sent with every message: whatever the text says, nobody is
// pinged (no users, roles, @everyone or @here, not even the replied-to user).
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}
