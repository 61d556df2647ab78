package main

import (
	"context"
	"log/slog"

	"github.com/espbot/espbot/bot"
	slackbot "github.com/espbot/espbot/bot/slack"
	"github.com/espbot/espbot/config"
)

// newSlackAdapter builds the Slack adapter from the configuration. In HTTP
// mode the adapter also implements httpMounter, so that serve mounts
// /slack/events, /slack/commands and /slack/interactions on its own server;
// in socket mode it does not, and those paths stay unmounted.
func newSlackAdapter(c *config.Config, b *bot.Bot, log *slog.Logger) (adapter, error) {
	cfg := slackConfig(c)
	a, err := slackbot.New(cfg, b, log)
	if err != nil {
		return nil, err // serve prefixes "slack: "
	}
	if cfg.Mode == slackbot.ModeHTTP {
		return a, nil
	}
	return socketOnly{a}, nil
}

// slackConfig converts the configuration's slack section. Channel policies
// are the core's (bot.Config), not the adapter's.
func slackConfig(c *config.Config) slackbot.Config {
	s := c.Slack
	cfg := slackbot.Config{
		Mode:          slackbot.Mode(s.Mode),
		BotToken:      s.BotToken.Reveal(),
		AppToken:      s.AppToken.Reveal(),
		SigningSecret: s.SigningSecret.Reveal(),
		APIURL:        s.APIURL,
		Ephemeral:     s.Ephemeral,
	}
	// Replies in flight get half of serve's shutdown budget.
	if d := c.HTTP.ShutdownTimeout.D() / 2; d > 0 {
		cfg.ShutdownTimeout = d
	}
	return cfg
}

// socketOnly hides Mount, which a socket mode adapter must not offer.
type socketOnly struct{ a *slackbot.Adapter }

// Run runs the adapter.
func (s socketOnly) Run(ctx context.Context) error { return s.a.Run(ctx) }

// Ready reports whether the adapter is connected.
func (s socketOnly) Ready() bool { return s.a.Ready() }

var (
	_ adapter     = socketOnly{}
	_ httpMounter = (*slackbot.Adapter)(nil)
)
