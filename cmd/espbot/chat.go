package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/bot/terminal"
	"github.com/espbot/espbot/internal/lineedit"
	"github.com/espbot/espbot/internal/tty"
)

// runChat is a conversation in the terminal. When stdin is not a terminal
// (a pipe, a file) it behaves like ask, so scripts get one answer per line.
func runChat(ctx context.Context, e env, args []string) error {
	var ixf indexFlags
	fs := newFlagSet(e, "chat", "chat [--knowledge PATH]... [--model MODEL]")
	ixf.register(fs)
	if help, err := parseFlags(e, fs, args); help || err != nil {
		return err
	}
	if _, ok := tty.Terminal(e.stdin); !ok || fs.NArg() > 0 {
		return runAsk(ctx, e, args)
	}
	ix, err := ixf.build(e)
	if err != nil {
		return err
	}
	hist := openHistory(e)
	defer func() {
		if err := hist.Close(); err != nil {
			fmt.Fprintf(e.stderr, "espbot: %v\n", err)
		}
	}()
	ed := lineedit.New(e.stdin, e.stdout, lineedit.Config{Prompt: "> ", History: hist, Plain: e.getenv("TERM") == "dumb"})
	return terminal.Chat(ctx, bot.New(bot.Config{}, ix, nil, nil), ed, e.stdout, ix.Len(), ed.Width)
}

// openHistory opens the chat's history file,
// $XDG_STATE_HOME/espbot/history (~/.local/state/espbot/history); when it
// cannot, the history stays in memory and a warning says why.
func openHistory(e env) *lineedit.History {
	dir := e.getenv("XDG_STATE_HOME")
	if dir == "" && e.getenv("HOME") != "" {
		dir = filepath.Join(e.getenv("HOME"), ".local", "state")
	}
	if dir == "" {
		return lineedit.NewHistory(0)
	}
	h, err := lineedit.LoadHistory(filepath.Join(dir, "espbot", "history"), 0)
	if err != nil {
		fmt.Fprintf(e.stderr, "espbot: %v (kept in memory only)\n", err)
		return lineedit.NewHistory(0)
	}
	return h
}
