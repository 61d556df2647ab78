package main

import (
	"context"
	"io"
	"os"

	"golang.org/x/term"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/bot/terminal"
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
	if !isTerminal(e.stdin) || fs.NArg() > 0 {
		return runAsk(ctx, e, args)
	}
	ix, err := ixf.build(e)
	if err != nil {
		return err
	}
	return terminal.Chat(ctx, bot.New(bot.Config{}, ix, nil, nil), e.stdin, e.stdout, ix.Len())
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
