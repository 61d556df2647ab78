package main

import (
	"context"
	"fmt"
	"strconv"

	discordbot "github.com/espbot/espbot/bot/discord"
	"github.com/espbot/espbot/config"
)

// runDiscord runs the Discord helpers: "discord invite" prints the link
// that adds the bot to a server.
func runDiscord(_ context.Context, e env, args []string) error {
	fs := newFlagSet(e, "discord", "discord invite [--client-id ID]")
	clientID := fs.String("client-id", "", "the application ID (default: read from "+config.EnvDiscordToken+")")
	if help, err := parseFlags(e, fs, args); help || err != nil {
		return err
	}
	switch {
	case fs.NArg() == 0 || fs.Arg(0) != "invite":
		return usageError(e, fs, "want the subcommand invite")
	case fs.NArg() > 1:
		return usageError(e, fs, fmt.Sprintf("unexpected argument %q", fs.Arg(1)))
	}
	id := *clientID
	if id == "" {
		var err error
		if id, err = discordbot.ClientIDFromToken(e.getenv(config.EnvDiscordToken)); err != nil {
			return fmt.Errorf("discord invite: give --client-id (the Application ID on the developer portal's General Information page), or set %s to the bot token", config.EnvDiscordToken)
		}
	}
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		return fmt.Errorf("discord invite: --client-id %q is not an application ID (a number)", id)
	}
	fmt.Fprintln(e.stdout, discordbot.InviteURL(id))
	return nil
}
