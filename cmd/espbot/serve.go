package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/bot/httpapi"
	"github.com/espbot/espbot/botstore"
	"github.com/espbot/espbot/config"
	"github.com/espbot/espbot/knowledge"
	"github.com/espbot/espbot/loader"
	"github.com/espbot/espbot/matcher"
	"github.com/espbot/espbot/metrics"
)

// serveFlags are serve's command-line settings.
type serveFlags struct {
	config    string
	knowledge pathsFlag
	listen    string
}

// serveHooks are what tests replace: where reload requests come from, and
// who learns the address once the HTTP server listens.
type serveHooks struct {
	// reload receives a value for every reload request (SIGHUP in production).
	reload <-chan os.Signal
	// listening is called with the HTTP address once serve accepts requests.
	listening func(addr string)
	// adapters builds the enabled adapters (nil: startAdapters).
	adapters func(c *config.Config, b *bot.Bot, log *slog.Logger) ([]namedAdapter, error)
}

// runServe is "espbot serve": the HTTP API, health and metrics, plus the
// enabled chat adapters, until ctx is cancelled (SIGINT/SIGTERM in main).
func runServe(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "serve", "serve [--config FILE] [--knowledge PATH]... [--listen ADDR]")
	var f serveFlags
	fs.StringVar(&f.config, "config", e.getenv("ESPBOT_CONFIG"), "configuration `file` (YAML; default $ESPBOT_CONFIG); without one, the defaults and ESPBOT_* variables")
	fs.Var(&f.knowledge, "knowledge", "FAQ .rst file or folder (repeatable); replaces knowledge.paths")
	fs.StringVar(&f.listen, "listen", "", "HTTP `address` (host:port); replaces http.listen")
	if help, err := parseFlags(e, fs, args); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError(e, fs, fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	return serve(ctx, e, f, serveHooks{reload: hup})
}

// serve runs until ctx is done, then stops within the configured shutdown
// timeout and returns nil. It returns an error when start-up fails or an
// adapter stops by itself.
func serve(ctx context.Context, e env, f serveFlags, hooks serveHooks) error {
	c, err := loadServeConfig(e, f)
	if err != nil {
		return err
	}
	log := newServeLogger(c.Log, e.stderr)
	for _, w := range c.Warnings() {
		log.Warn("configuration", "warning", w.String())
	}
	m := metrics.New()
	st, err := openStore(ctx, c, e.getenv)
	if err != nil {
		return fmt.Errorf("start: %w", err)
	}
	lo, err := loaderOptions(c)
	if err != nil {
		return fmt.Errorf("start: %w", err)
	}
	bc := botConfig(c)
	if st != nil {
		defer closeStore(st, log)
		rec := botstore.NewRecorder(st, botstore.RecorderOptions{RecordText: c.Store.RecordText, Retention: c.Store.Retention.D(),
			OnDrop: func() { m.Error("store", "store_dropped") }, Log: log.With("component", "store")})
		defer closeRecorder(rec, c.HTTP.ShutdownTimeout.D(), log)
		lo.Phrasings, bc.Recorder, bc.State = phrasingsOf(st, log), rec, botstore.NewState(st, rec, 0)
	}
	kb := loader.New(lo, log, m)
	ix, err := kb.Build()
	if err != nil {
		return fmt.Errorf("start: %w", err)
	}
	b := bot.New(bc, ix, log, m)
	if hooks.adapters == nil {
		hooks.adapters = startAdapters
	}
	adapters, err := hooks.adapters(c, b, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	s := &server{cfg: c, bot: b, metrics: m, log: log, adapters: adapters}
	srv := httpapi.NewServer(ln, s.handler(), httpLimits(c), m, log)
	log.Info("espbot serving", "addr", ln.Addr().String(), "entries", ix.Len(), "config", c)
	if hooks.listening != nil {
		hooks.listening(ln.Addr().String())
	}
	return s.run(ctx, srv, kb, hooks.reload)
}

// loadServeConfig reads the configuration and applies the flags.
func loadServeConfig(e env, f serveFlags) (*config.Config, error) {
	c, err := config.Load(f.config, e.getenv)
	if err != nil {
		return nil, err
	}
	if len(f.knowledge) > 0 {
		c.Knowledge.Paths = nil
		for _, p := range f.knowledge {
			abs, err := filepath.Abs(p)
			if err != nil {
				return nil, fmt.Errorf("knowledge path: %w", err)
			}
			c.Knowledge.Paths = append(c.Knowledge.Paths, abs)
		}
	}
	if f.listen != "" {
		c.HTTP.Listen = f.listen
	}
	return c, nil
}

// loaderOptions translates the configuration for the knowledge loader.
func loaderOptions(c *config.Config) (loader.Options, error) {
	mo, err := matcherOptions(c)
	return loader.Options{
		Paths:     c.Knowledge.Paths,
		Knowledge: knowledgeOptions(c),
		Matcher:   mo,
		Watch:     c.Knowledge.Watch,
		Debounce:  c.Knowledge.Debounce.D(),
	}, err
}

// knowledgeOptions translates the configuration for the FAQ parser.
func knowledgeOptions(c *config.Config) knowledge.Options {
	return knowledge.Options{BaseURL: c.Knowledge.BaseURL}
}

// httpLimits translates the configuration for the HTTP server.
func httpLimits(c *config.Config) httpapi.Limits {
	h := c.HTTP
	return httpapi.Limits{ReadTimeout: h.ReadTimeout.D(), WriteTimeout: h.WriteTimeout.D(), IdleTimeout: h.IdleTimeout.D(),
		MaxConnections: h.MaxConnections, MaxInFlight: h.MaxInFlight}
}

// newServeLogger builds the slog logger the configuration asks for.
func newServeLogger(c config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.Level)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// botConfig translates the configuration for the core.
func botConfig(c *config.Config) bot.Config {
	chans := func(m map[string]string) map[string]bot.Policy {
		out := make(map[string]bot.Policy, len(m))
		for id, p := range m {
			out[id] = bot.Policy(p)
		}
		return out
	}
	return bot.Config{
		DefaultPolicy: bot.Policy(c.Policy.Default),
		PlatformPolicy: map[bot.Platform]bot.Policy{
			bot.Discord: bot.Policy(c.Discord.Policy),
			bot.Slack:   bot.Policy(c.Slack.Policy),
		},
		PlatformChannels: map[bot.Platform]map[string]bot.Policy{
			bot.Discord: chans(c.Discord.Channels),
			bot.Slack:   chans(c.Slack.Channels),
		},
		AutoThreshold:   c.Matcher.AutoThreshold,
		UserCooldown:    cooldown(c.Cooldown.User),
		ChannelCooldown: cooldown(c.Cooldown.Channel),
		ClientCooldown:  cooldown(c.HTTP.RateLimit),
	}
}

func cooldown(r config.Rate) bot.Cooldown {
	return bot.Cooldown{PerMinute: r.PerMinute, Burst: r.Burst}
}

// matcherOptions translates the configuration for the matcher, reading
// its model file.
func matcherOptions(c *config.Config) (matcher.Options, error) {
	m, err := loadModel(c.Matcher.Model)
	if err != nil {
		return matcher.Options{}, fmt.Errorf("matcher.model: %w", err)
	}
	return matcher.Options{AnswerThreshold: c.Matcher.AnswerThreshold, Lexicon: c.Matcher.Lexicon, Model: m}, nil
}

// namedAdapter is a running chat adapter and its platform.
type namedAdapter struct {
	platform bot.Platform
	adapter  adapter
}

// startAdapters builds the enabled adapters (they connect in run).
func startAdapters(c *config.Config, b *bot.Bot, log *slog.Logger) ([]namedAdapter, error) {
	var out []namedAdapter
	if c.Discord.Enabled {
		a, err := newDiscordAdapter(c, b, log.With("platform", bot.Discord))
		if err != nil {
			return nil, fmt.Errorf("discord: %w", err)
		}
		out = append(out, namedAdapter{bot.Discord, a})
	}
	if c.Slack.Enabled {
		a, err := newSlackAdapter(c, b, log.With("platform", bot.Slack))
		if err != nil {
			return nil, fmt.Errorf("slack: %w", err)
		}
		out = append(out, namedAdapter{bot.Slack, a})
	}
	return out, nil
}

// server is one running "espbot serve".
type server struct {
	cfg      *config.Config
	bot      *bot.Bot
	metrics  *metrics.Metrics
	log      *slog.Logger
	adapters []namedAdapter
	draining atomic.Bool
}

// run serves HTTP, the adapters and reloads until ctx is done or an adapter
// fails, then shuts everything down within the shutdown timeout.
func (s *server) run(ctx context.Context, srv *httpapi.Server, kb *loader.Loader, reload <-chan os.Signal) error {
	errc := make(chan error, len(s.adapters)+1)
	go func() {
		if err := srv.Serve(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("http: %w", err)
		}
	}()
	actx, stopAdapters := context.WithCancel(context.WithoutCancel(ctx))
	defer stopAdapters()
	var running sync.WaitGroup
	for _, a := range s.adapters {
		running.Go(func() {
			err := a.adapter.Run(actx)
			if actx.Err() == nil {
				if err == nil {
					err = errors.New("stopped")
				}
				errc <- fmt.Errorf("%s: %w", a.platform, err)
			}
		})
	}
	rctx, stopReloads := context.WithCancel(ctx)
	var reloading sync.WaitGroup
	reloading.Go(func() { kb.Run(rctx, s.bot, reload) })

	var failed error
	select {
	case <-ctx.Done():
		s.log.Info("stopping")
	case failed = <-errc:
		s.log.Error("stopping after a failure", "err", failed)
	}
	s.draining.Store(true)
	stopReloads()
	s.shutdown(srv.Server, stopAdapters, &running)
	reloading.Wait()
	return failed
}

// shutdown stops taking new requests and events, and gives the ones in
// flight the shutdown timeout to finish.
func (s *server) shutdown(srv *http.Server, stopAdapters context.CancelFunc, running *sync.WaitGroup) {
	timeout := s.cfg.HTTP.ShutdownTimeout.D()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	// HTTP first: its listener closes at once, and requests in flight (an
	// Events API delivery being acknowledged) finish while their adapter
	// still runs. Then the adapters stop taking events and finish replies.
	if err := srv.Shutdown(ctx); err != nil {
		s.log.Warn("HTTP requests abandoned at shutdown", "err", err)
		srv.Close()
	}
	stopAdapters()
	done := make(chan struct{})
	go func() {
		running.Wait()
		close(done)
	}()
	select {
	case <-done:
		s.log.Info("stopped")
	case <-ctx.Done():
		s.log.Warn("adapters did not stop in time", "timeout", timeout)
	}
}
