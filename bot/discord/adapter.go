// Package discord connects espbot's core to Discord with discordgo: it
// answers mentions, DMs, the /faq slash command (with autocomplete) and, in
// auto channels, un-mentioned questions and new forum posts. Answers are
// embeds with feedback buttons, an "Other answers" menu and a Dismiss button.
//
// The adapter only translates: Discord events become bot.Messages, bot.Replies
// are rendered by the pure render function. discordgo is reached through the
// unexported session interface, so unit tests can use a hand-written fake;
// end-to-end tests run the real client against the loopback fake in
// package discordtest.
//
// Setting up the application: invite the bot with the "bot" and
// "applications.commands" scopes and the View Channels, Send Messages, Send
// Messages in Threads, Read Message History and Embed Links permissions.
// Auto channels need the privileged Message Content intent, enabled in the
// developer portal and announced with Config.MessageContent; mentions, DMs
// and /faq work without it.
package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/espbot/espbot/bot"
)

// session lists exactly the discordgo.Session methods the adapter calls.
type session interface {
	AddHandler(handler interface{}) func()
	Open() error
	// Close must stop reconnecting before closing (see liveSession.Close).
	Close() error
	ChannelMessageSendComplex(channelID string, data *discordgo.MessageSend, options ...discordgo.RequestOption) (*discordgo.Message, error)
	ChannelMessageDelete(channelID, messageID string, options ...discordgo.RequestOption) error
	Channel(channelID string, options ...discordgo.RequestOption) (*discordgo.Channel, error)
	InteractionRespond(interaction *discordgo.Interaction, resp *discordgo.InteractionResponse, options ...discordgo.RequestOption) error
	ApplicationCommandBulkOverwrite(appID string, guildID string, commands []*discordgo.ApplicationCommand, options ...discordgo.RequestOption) ([]*discordgo.ApplicationCommand, error)
}

// liveSession is the real discordgo session.
type liveSession struct{ *discordgo.Session }

// Close stops discordgo from reconnecting, then closes the gateway. Without
// the flag, a heartbeat or read error racing with Close starts a reconnect
// loop after shutdown, which leaks goroutines and connections.
func (s liveSession) Close() error {
	s.Lock()
	if s.ShouldReconnectOnError { // a read racing with the reader's own reconnect check is fine; a write is not
		s.ShouldReconnectOnError = false
	}
	s.Unlock()
	return s.Session.Close()
}

var _ session = liveSession{}

// maxInFlight bounds concurrent event handlers; further events wait, which
// slows reading the gateway rather than piling up goroutines.
const maxInFlight = 32

// Adapter is a connection to Discord serving one bot.Bot. Create it with New
// and call Run once.
type Adapter struct {
	cfg       Config
	bot       *bot.Bot
	log       *slog.Logger
	sess      session
	transport *http.Transport // nil with a fake session
	guilds    map[string]bool

	botID   atomic.Pointer[string]
	botName atomic.Pointer[string]
	appID   atomic.Pointer[string]
	// botRoles holds the IDs of the roles managed for the bot.
	botRoles sync.Map
	ready    atomic.Bool
	// connects counts gateway connections; every one after the first is a
	// reconnect.
	connects atomic.Int64
	started  atomic.Bool

	channels channelCache

	mu       sync.Mutex
	closing  bool
	inflight sync.WaitGroup
	sem      chan struct{}
	// work is the context of event handlers: it outlives Run's context so
	// that replies in flight can finish, and is cancelled after the grace
	// period.
	work       context.Context
	cancelWork context.CancelFunc

	// fatal receives the error of a gateway close that no reconnect can fix.
	fatal chan error

	// afterEvent, when set (tests), is called after each event has been
	// handled completely, whether or not anything was sent.
	afterEvent func()
}

// New builds an adapter for b on the real discordgo client. It does not
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
	// Events are dispatched synchronously, in gateway order, to handlers that
	// only hand them to the adapter's bounded, tracked goroutines: thread
	// and channel bookkeeping sees events in order and shutdown can wait for
	// replies in flight.
	s.SyncEvents = true
	s.StateEnabled = false
	// discordgo retries a 502 itself; one retry makes "retry a 5xx once".
	s.MaxRestRetries = 1
	s.Identify.Intents = cfg.intents(b.UsesAuto(bot.Discord))
	a := newAdapter(cfg, b, log, liveSession{s})
	a.transport = tr
	s.Dialer = watchingDialer(a.gatewayClosed, nil)
	return a, nil
}

// newAdapter builds an adapter on any session (a fake in unit tests).
func newAdapter(cfg Config, b *bot.Bot, log *slog.Logger, s session) *Adapter {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.ShutdownGrace == 0 {
		cfg.ShutdownGrace = 5 * time.Second
	}
	a := &Adapter{
		cfg:    cfg,
		bot:    b,
		log:    log.With("adapter", "discord"),
		sess:   s,
		guilds: map[string]bool{},
		sem:    make(chan struct{}, maxInFlight),
		fatal:  make(chan error, 1),
	}
	for _, g := range cfg.Guilds {
		a.guilds[g] = true
	}
	a.work, a.cancelWork = context.WithCancel(context.Background())
	a.addHandlers()
	return a
}

func (a *Adapter) addHandlers() {
	a.sess.AddHandler(a.onReady)
	a.sess.AddHandler(a.onConnect)
	a.sess.AddHandler(a.onDisconnect)
	a.sess.AddHandler(a.onResumed)
	a.sess.AddHandler(a.onGuildCreate)
	a.sess.AddHandler(a.onChannelCreate)
	a.sess.AddHandler(a.onChannelUpdate)
	a.sess.AddHandler(a.onThreadCreate)
	a.sess.AddHandler(a.onThreadUpdate)
	a.sess.AddHandler(a.onThreadListSync)
	a.sess.AddHandler(a.onMessageCreate)
	a.sess.AddHandler(a.onInteractionCreate)
}

// Ready reports whether the adapter is connected to the gateway and serving.
func (a *Adapter) Ready() bool { return a.ready.Load() }

// Run connects to Discord, registers /faq, serves until ctx is cancelled,
// then shuts down: no new events, replies in flight finish within
// Config.ShutdownGrace, and the gateway is closed without reconnecting.
func (a *Adapter) Run(ctx context.Context) error {
	if !a.started.CompareAndSwap(false, true) {
		return errors.New("discord: Run called twice")
	}
	defer a.closeIdle()
	if a.bot.UsesAuto(bot.Discord) && !a.cfg.MessageContent {
		a.log.Warn("channels use the auto policy but the message content intent is off: " +
			"un-mentioned messages arrive without text, so auto channels will only answer mentions; " +
			"enable the Message Content intent for the application and set discord.message_content: true")
	}
	if err := a.sess.Open(); err != nil {
		a.cancelWork()
		return fmt.Errorf("discord: connect: %w", explainOpen(err))
	}
	a.registerCommands()
	a.ready.Store(true)
	a.log.Info("connected", "user", a.id(&a.botID), "application", a.id(&a.appID))
	select {
	case <-ctx.Done():
		a.shutdown()
		return nil
	case err := <-a.fatal:
		a.shutdown()
		return fmt.Errorf("discord: %w", err)
	}
}

// reconnectStopper is implemented by sessions that can be told not to
// reconnect (the real one).
type reconnectStopper interface{ stopReconnecting() }

// stopReconnecting runs on the goroutine reading the gateway, before
// discordgo handles the read error and decides whether to reconnect, so no
// lock is taken (Open may hold the session's).
func (s liveSession) stopReconnecting() { s.ShouldReconnectOnError = false }

// gatewayClosed is told the status code of every close frame Discord sends.
// Codes that no reconnect can fix stop the adapter with a clear error.
func (a *Adapter) gatewayClosed(code int) {
	reason, fatal := fatalCloseCodes[code]
	if !fatal {
		a.log.Debug("gateway sent a close frame", "code", code)
		return
	}
	a.log.Error("Discord closed the gateway for good", "code", code, "reason", reason)
	a.bot.Metrics().Error(bot.Discord, "gateway_closed")
	if rs, ok := a.sess.(reconnectStopper); ok {
		rs.stopReconnecting()
	}
	select {
	case a.fatal <- fmt.Errorf("gateway closed with %d: %s", code, reason):
	default:
	}
}

// explainOpen turns the gateway close codes that mean "fix your
// configuration" into clear errors.
func explainOpen(err error) error {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized {
		return fmt.Errorf("authentication failed: the token is not valid (%w)", err)
	}
	var ce *websocket.CloseError
	if !errors.As(err, &ce) {
		return err
	}
	switch ce.Code {
	case 4004:
		return fmt.Errorf("authentication failed: the token is not valid (%w)", err)
	case 4013, 4014:
		return fmt.Errorf("intents refused: enable the Message Content intent for the application, or set discord.message_content: false (%w)", err)
	}
	return err
}

// shutdown stops taking events, closes the gateway, and waits for handlers.
func (a *Adapter) shutdown() {
	a.mu.Lock()
	a.closing = true
	a.mu.Unlock()
	a.ready.Store(false)
	if err := a.sess.Close(); err != nil {
		a.log.Warn("close gateway", "err", err)
	}
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
	a.cancelWork()
}

func (a *Adapter) closeIdle() {
	if a.transport != nil {
		a.transport.CloseIdleConnections()
	}
}

// spawn runs f in a tracked goroutine with the work context, unless the
// adapter is shutting down. It blocks while maxInFlight handlers run.
func (a *Adapter) spawn(f func(ctx context.Context)) {
	a.mu.Lock()
	if a.closing {
		a.mu.Unlock()
		return
	}
	a.inflight.Add(1)
	a.mu.Unlock()
	a.sem <- struct{}{}
	go func() {
		defer a.inflight.Done()
		defer func() { <-a.sem }()
		defer a.done()
		f(a.work)
	}()
}

// done signals the test hook that one event was handled.
func (a *Adapter) done() {
	if a.afterEvent != nil {
		a.afterEvent()
	}
}

func (a *Adapter) id(p *atomic.Pointer[string]) string {
	if s := p.Load(); s != nil {
		return *s
	}
	return ""
}

func (a *Adapter) onReady(_ *discordgo.Session, r *discordgo.Ready) {
	if r.User != nil {
		id, name := r.User.ID, r.User.Username
		a.botID.Store(&id)
		a.botName.Store(&name)
	}
	if r.Application != nil {
		id := r.Application.ID
		a.appID.Store(&id)
	}
	for _, g := range r.Guilds {
		a.channels.addGuild(g)
	}
}

// onConnect runs inside discordgo's Open, with the session locked: it must
// not call the session.
func (a *Adapter) onConnect(_ *discordgo.Session, _ *discordgo.Connect) {
	if a.connects.Add(1) > 1 {
		a.bot.Metrics().Reconnect(bot.Discord)
		a.log.Info("reconnected to the gateway")
	}
	a.mu.Lock()
	closing := a.closing
	a.mu.Unlock()
	if closing {
		// A reconnect loop that started before shutdown has just succeeded:
		// close its connection (once Open releases the session's lock).
		go a.sess.Close()
		return
	}
	if a.started.Load() && a.connects.Load() > 1 {
		a.ready.Store(true)
	}
}

func (a *Adapter) onDisconnect(_ *discordgo.Session, _ *discordgo.Disconnect) {
	if a.ready.Swap(false) {
		a.log.Warn("disconnected from the gateway; reconnecting")
	}
}

func (a *Adapter) onResumed(_ *discordgo.Session, _ *discordgo.Resumed) {
	a.log.Info("gateway session resumed")
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

// retry calls f, and once more if it failed with a server error (5xx; a 502
// was already retried by discordgo). 429s are handled inside discordgo,
// which waits for retry_after. Failures are logged and counted, never
// returned: there is nobody to return them to.
func (a *Adapter) retry(ctx context.Context, where string, f func() error) bool {
	err := f()
	if err != nil && serverError(err) && ctx.Err() == nil {
		a.log.Info("server error from Discord, retrying once", "where", where, "err", err)
		err = f()
	}
	if err != nil {
		a.bot.Metrics().Error(bot.Discord, where)
		a.log.Error("discord request failed", "where", where, "err", err)
		return false
	}
	return true
}

func serverError(err error) bool {
	var re *discordgo.RESTError
	return errors.As(err, &re) && re.Response != nil && re.Response.StatusCode >= 500
}
