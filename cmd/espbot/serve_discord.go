package main

import (
	"errors"
	"log/slog"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/config"
)

// newDiscordAdapter builds the Discord adapter from the configuration. Placeholder
// until the Discord issue lands.
func newDiscordAdapter(c *config.Config, b *bot.Bot, log *slog.Logger) (adapter, error) {
	return nil, errors.New("discord: not implemented yet")
}
