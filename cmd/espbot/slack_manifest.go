package main

import (
	"context"
	"fmt"

	"go.yaml.in/yaml/v3"

	slackbot "github.com/espbot/espbot/bot/slack"
)

// runSlack is "espbot slack manifest [--mode socket|http] [--url BASE]": it
// prints the Slack app manifest to create the app from, in one step.
func runSlack(_ context.Context, e env, args []string) error {
	fs := newFlagSet(e, "slack", "slack manifest [--mode socket|http] [--url BASE]")
	mode := fs.String("mode", string(slackbot.ModeSocket), "how Slack delivers events: socket (Socket Mode, no public URL) or http (request URLs under --url)")
	base := fs.String("url", "", "http mode: the public https `URL` where espbot serves /slack/events, /slack/commands and /slack/interactions")
	if help, err := parseFlags(e, fs, args); help || err != nil {
		return err
	}
	switch {
	case fs.NArg() == 0 || fs.Arg(0) != "manifest":
		return usageError(e, fs, "want the subcommand manifest")
	case fs.NArg() > 1:
		return usageError(e, fs, fmt.Sprintf("unexpected argument %q", fs.Arg(1)))
	}
	m, err := slackbot.NewManifest(slackbot.ManifestOptions{Mode: slackbot.Mode(*mode), BaseURL: *base})
	if err != nil {
		return fmt.Errorf("slack manifest: %w", err)
	}
	fmt.Fprintf(e.stdout, "# Slack app manifest for espbot (%s mode). At https://api.slack.com/apps choose\n"+
		"# Create New App > From a manifest, pick the workspace, and paste this.\n", *mode)
	enc := yaml.NewEncoder(e.stdout)
	enc.SetIndent(2)
	if err := enc.Encode(m); err != nil {
		return fmt.Errorf("slack manifest: %w", err)
	}
	return enc.Close()
}
