// Package slack connects espbot's core to Slack with github.com/slack-go/slack,
// either over Socket Mode (no public URL needed) or as a signed Events API
// endpoint mounted on serve's HTTP server. It only translates Slack events into
// bot.Messages and renders bot.Replies as Block Kit; what to say is the core's
// business.
//
// The Slack app it needs (scopes, event subscriptions, /faq, the message
// shortcut, interactivity, Socket Mode or request URLs) is described by
// NewManifest, printed by "espbot slack manifest". Socket Mode also needs
// an app-level token with connections:write.
//
// The adapter stays up whatever Slack does: work is done by a bounded pool
// of workers (a full queue sheds and counts), every goroutine it starts
// recovers panics, failed calls are retried only where that cannot post
// twice (retry.go), and HTTP requests are rejected before their body is
// read when their headers are not Slack's.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/matcher"
)

// Mode is how Slack delivers events.
type Mode string

// Modes.
const (
	// ModeSocket receives events over a Socket Mode websocket (the default).
	ModeSocket Mode = "socket"
	// ModeHTTP receives signed requests on /slack/events, /slack/commands and
	// /slack/interactions.
	ModeHTTP Mode = "http"
)

// DefaultAPIURL is Slack's Web API.
const DefaultAPIURL = "https://slack.com/api/"

// Defaults for the zero values of Config.
const (
	DefaultStartTimeout    = 15 * time.Second
	DefaultShutdownTimeout = 5 * time.Second
	DefaultRetries         = 3
	DefaultCallTimeout     = 10 * time.Second
	DefaultMaxInFlight     = 32
	DefaultMaxQueued       = 256
)

// Config configures the adapter.
type Config struct {
	// Mode is ModeSocket ("" means socket) or ModeHTTP.
	Mode Mode
	// BotToken (xoxb-) calls the Web API.
	BotToken string
	// AppToken (xapp-) opens Socket Mode connections; socket mode only.
	AppToken string
	// SigningSecret verifies HTTP requests; HTTP mode only.
	SigningSecret string
	// APIURL is the Web API base ("" = DefaultAPIURL), for Slack-compatible
	// endpoints and tests. A missing trailing slash is added.
	APIURL string
	// Ephemeral shows /faq answers only to the asker, with a "Share in
	// channel" button.
	Ephemeral bool
	// StartTimeout bounds start-up: auth.test and the first Socket Mode
	// connection. A bot with a wrong token fails instead of retrying forever.
	StartTimeout time.Duration
	// ShutdownTimeout bounds how long replies in flight may finish after the
	// context is cancelled.
	ShutdownTimeout time.Duration
	// Retries is how often a failed Web API call is retried, when retrying
	// cannot post twice (0 = DefaultRetries, negative = never); see retry.go.
	Retries int
	// CallTimeout bounds each Web API request (0 = DefaultCallTimeout).
	CallTimeout time.Duration
	// MaxInFlight is how many events, commands and clicks are handled at
	// once (0 = DefaultMaxInFlight); MaxQueued how many more may wait
	// (0 = DefaultMaxQueued). Beyond that they are shed and counted, so that
	// a slow Slack cannot pile up goroutines and connections.
	MaxInFlight, MaxQueued int
	// HTTPClient calls the Web API (nil: a private client whose connections
	// per host are capped at MaxInFlight).
	HTTPClient *http.Client
}

// Validate reports configuration errors, naming the missing setting.
func (c Config) Validate() error {
	var errs []error
	if c.BotToken == "" {
		errs = append(errs, errors.New("bot token missing (ESPBOT_SLACK_BOT_TOKEN)"))
	}
	switch c.mode() {
	case ModeSocket:
		if c.AppToken == "" {
			errs = append(errs, errors.New("app token missing for socket mode (ESPBOT_SLACK_APP_TOKEN)"))
		}
	case ModeHTTP:
		if c.SigningSecret == "" {
			errs = append(errs, errors.New("signing secret missing for http mode (ESPBOT_SLACK_SIGNING_SECRET)"))
		}
	default:
		errs = append(errs, fmt.Errorf("unknown mode %q (want socket or http)", c.Mode))
	}
	return errors.Join(errs...)
}

func (c Config) mode() Mode {
	if c.Mode == "" {
		return ModeSocket
	}
	return c.Mode
}

func (c Config) apiURL() string {
	u := c.APIURL
	if u == "" {
		u = DefaultAPIURL
	}
	if u[len(u)-1] != '/' {
		u += "/"
	}
	return u
}

// orDefault returns v, or def when v is not positive.
func orDefault[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

func (c Config) startTimeout() time.Duration {
	return orDefault(c.StartTimeout, DefaultStartTimeout)
}

func (c Config) shutdownTimeout() time.Duration {
	return orDefault(c.ShutdownTimeout, DefaultShutdownTimeout)
}

func (c Config) callTimeout() time.Duration { return orDefault(c.CallTimeout, DefaultCallTimeout) }
func (c Config) maxInFlight() int           { return orDefault(c.MaxInFlight, DefaultMaxInFlight) }
func (c Config) maxQueued() int             { return orDefault(c.MaxQueued, DefaultMaxQueued) }

func (c Config) retries() int {
	switch {
	case c.Retries == 0:
		return DefaultRetries
	case c.Retries < 0:
		return 0
	}
	return c.Retries
}

// httpClient is the client of the Web API and response URLs: per request
// timeout, connections per host capped, and requests marked when they
// failed before being written (which makes them safe to retry).
func (c Config) httpClient() (*http.Client, func()) {
	if c.HTTPClient != nil {
		hc := *c.HTTPClient
		hc.Transport = markUnsent{base: hc.Transport}
		return &hc, func() {}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxConnsPerHost = c.maxInFlight() + 2 // + apps.connections.open and a spare
	tr.MaxIdleConnsPerHost = c.maxInFlight()
	return &http.Client{Transport: markUnsent{base: tr}, Timeout: c.callTimeout()}, tr.CloseIdleConnections
}

// webAPI lists the slack-go Web API methods the adapter calls.
type webAPI interface {
	AuthTestContext(ctx context.Context) (*slack.AuthTestResponse, error)
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (string, error)
	// SendMessageContext posts to response URLs (slash commands, buttons).
	SendMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, string, error)
	// The conversation reads look for a reply that may have been posted
	// despite an error, before posting it again (postOnce).
	GetConversationRepliesContext(ctx context.Context, params *slack.GetConversationRepliesParameters) ([]slack.Message, bool, string, error)
	GetConversationHistoryContext(ctx context.Context, params *slack.GetConversationHistoryParameters) (*slack.GetConversationHistoryResponse, error)
}

// socketClient lists the socketmode.Client methods the adapter calls; its
// Events channel is passed alongside.
type socketClient interface {
	RunContext(ctx context.Context) error
	AckCtx(ctx context.Context, reqID string, payload any) error
}

var (
	_ webAPI       = (*slack.Client)(nil)
	_ socketClient = (*socketmode.Client)(nil)
)

// core is the part of *bot.Bot the adapter uses.
type core interface {
	Handle(ctx context.Context, m bot.Message) bot.Reply
	Show(id string) bot.Reply
	RecordFeedback(ctx context.Context, f bot.Feedback)
	PolicyFor(p bot.Platform, channel string) bot.Policy
	Metrics() bot.Metrics
	// Index names the entries of a menu carried by a click.
	Index() *matcher.Index
	// Claim, Remember and Recall keep what the adapter must know of the
	// messages it answered in the core's state, shared by instances.
	Claim(ctx context.Context, p bot.Platform, key string, ttl time.Duration) bool
	Remember(ctx context.Context, p bot.Platform, key, value string, ttl time.Duration)
	Recall(ctx context.Context, p bot.Platform, key string) string
}

var _ core = (*bot.Bot)(nil)

// identity is who the bot is in the workspace, from auth.test.
type identity struct {
	userID, botID, teamID string
}

// Adapter is a running connection between Slack and the core. Create it with
// New; Run serves until its context is cancelled.
type Adapter struct {
	cfg     Config
	bot     core
	log     *slog.Logger
	api     webAPI
	sock    socketClient
	events  <-chan socketmode.Event
	closeFn func() // releases idle HTTP connections after Run

	self  atomic.Pointer[identity]
	ready atomic.Bool
	// lostAt is when the Socket Mode connection was lost (unix ns, 0 while
	// connected or stopped): readiness holds over a refresh gap.
	lostAt   atomic.Int64
	accepted atomic.Int64 // jobs queued, for tests
	handled  atomic.Int64 // jobs fully handled, for tests

	// queue holds jobs waiting for one of the MaxInFlight workers.
	queue     chan job
	workers   sync.WaitGroup
	queueMu   sync.Mutex
	accepting bool
	shedLog   everySecond
	rejectLog everySecond

	// work is the context of replies in flight; it outlives Run's context by
	// at most ShutdownTimeout.
	work     context.Context
	stopWork context.CancelFunc

	// Tunables that tests shorten.
	refreshGrace time.Duration // readiness kept while Socket Mode reconnects
	readTimeout  time.Duration // reading an HTTP request's body
	retryWait    time.Duration // first wait before postOnce looks and posts again
}

// New builds an adapter on the real slack-go clients. It fails on an
// incomplete configuration; tokens are checked by Run. Errors do not repeat
// "slack:": the caller names the adapter.
func New(cfg Config, b *bot.Bot, log *slog.Logger) (*Adapter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	hc, closeFn := cfg.httpClient()
	opts := []slack.Option{
		slack.OptionAPIURL(cfg.apiURL()),
		slack.OptionHTTPClient(hc),
		slack.OptionLog(logBridge{log: logger(log)}),
	}
	if cfg.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(cfg.AppToken))
	}
	if n := cfg.retries(); n > 0 {
		// After OptionHTTPClient, which would otherwise replace the retrying client.
		opts = append(opts, slack.OptionRetryConfig(retryConfig(n, cfg.apiURL())))
	}
	api := slack.New(cfg.BotToken, opts...)
	a := newAdapter(cfg, b, log, api, nil, nil)
	a.closeFn = closeFn
	if cfg.mode() == ModeSocket {
		sm := socketmode.New(api, socketmode.OptionLog(logBridge{log: logger(log)}))
		a.sock, a.events = sm, sm.Events
	}
	return a, nil
}

// newAdapter wires an adapter to any implementation of the SDK boundary;
// unit tests pass hand-written fakes.
func newAdapter(cfg Config, b core, log *slog.Logger, api webAPI, sock socketClient, events <-chan socketmode.Event) *Adapter {
	work, stop := context.WithCancel(context.Background())
	return &Adapter{
		cfg: cfg, bot: b, log: logger(log), api: api, sock: sock, events: events,
		closeFn: func() {},
		queue:   make(chan job, cfg.maxQueued()), work: work, stopWork: stop,
		refreshGrace: 10 * time.Second, readTimeout: 10 * time.Second, retryWait: 200 * time.Millisecond,
	}
}

func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// Ready reports whether the adapter is connected and serving. A Socket Mode
// reconnect (Slack asks for one every few hours) keeps it ready for a grace
// period, so that /readyz does not flap.
func (a *Adapter) Ready() bool {
	if a.ready.Load() {
		return true
	}
	lost := a.lostAt.Load()
	return lost != 0 && time.Since(time.Unix(0, lost)) < a.refreshGrace
}

// Run checks the bot token, connects (socket mode) and serves until ctx is
// cancelled. Start-up fails within Config.StartTimeout on a wrong token or
// an unreachable Slack. Replies in flight get Config.ShutdownTimeout to
// finish after ctx is cancelled.
func (a *Adapter) Run(ctx context.Context) error {
	defer a.closeFn()
	a.startWorkers()
	defer a.drain()
	if err := a.authenticate(ctx); err != nil {
		return err
	}
	if a.cfg.mode() == ModeHTTP {
		a.ready.Store(true)
		a.log.Info("slack: serving the events API", "team", a.identity().teamID)
		<-ctx.Done()
		a.ready.Store(false)
		return nil
	}
	return a.runSocket(ctx)
}

// authenticate calls auth.test to learn the bot's own IDs (to ignore its own
// messages and strip its mention) and to fail early on a bad token.
func (a *Adapter) authenticate(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.startTimeout())
	defer cancel()
	res, err := a.api.AuthTestContext(ctx)
	if err != nil {
		return fmt.Errorf("auth.test with the bot token: %w", err)
	}
	a.self.Store(&identity{userID: res.UserID, botID: res.BotID, teamID: res.TeamID})
	return nil
}

func (a *Adapter) identity() identity {
	if id := a.self.Load(); id != nil {
		return *id
	}
	return identity{}
}

// logBridge sends slack-go's log lines to slog at debug level.
type logBridge struct{ log *slog.Logger }

// Output implements slack-go's logger interface.
func (l logBridge) Output(_ int, s string) error {
	l.log.Debug("slack-go: " + s)
	return nil
}
