package main

import (
	"errors"
	"log/slog"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/config"
)

// newSlackAdapter builds the Slack adapter from the configuration. Placeholder
// until the Slack issue lands.
func newSlackAdapter(c *config.Config, b *bot.Bot, log *slog.Logger) (adapter, error) {
	return nil, errors.New("slack: not implemented yet")
}
