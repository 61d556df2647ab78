package main

import (
	"fmt"
	"log/slog"

	"github.com/espbot/espbot/bot"
	discordbot "github.com/espbot/espbot/bot/discord"
	"github.com/espbot/espbot/config"
)

// newDiscordAdapter builds the Discord adapter from the configuration. It
// connects when serve runs it.
func newDiscordAdapter(c *config.Config, b *bot.Bot, log *slog.Logger) (adapter, error) {
	a, err := discordbot.New(discordConfig(c), b, log)
	if err != nil {
		return nil, fmt.Errorf("discord adapter: %w", err)
	}
	return a, nil
}

// discordConfig converts the configuration's discord section. Channel
// policies are the core's (bot.Config), not the adapter's; the adapter asks
// the core which channels use auto to choose its gateway intents.
func discordConfig(c *config.Config) discordbot.Config {
	d := c.Discord
	cfg := discordbot.Config{
		Token:          d.Token.Reveal(),
		APIURL:         d.APIURL,
		Guilds:         d.Guilds,
		CommandGuilds:  d.CommandGuilds,
		Ephemeral:      d.Ephemeral,
		MessageContent: d.MessageContent,
		Shards:         int(d.Shards),
		ShardIDs:       d.ShardIDs,
	}
	// Replies in flight get half of serve's shutdown budget.
	if t := c.HTTP.ShutdownTimeout.D() / 2; t > 0 {
		cfg.ShutdownGrace = t
	}
	return cfg
}

var _ adapter = (*discordbot.Adapter)(nil)
