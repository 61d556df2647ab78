package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/knowledge"
	"github.com/espbot/espbot/matcher"
)

// runChat is a conversation in the terminal. When stdin is not a terminal
// (a pipe, a file) it behaves like ask, so scripts get one answer per line.
func runChat(ctx context.Context, e env, args []string) error {
	var paths pathsFlag
	fs := newFlagSet(e, "chat", "chat [--knowledge PATH]...")
	fs.Var(&paths, "knowledge", "FAQ `PATH` (.rst file or folder); repeatable; default: the embedded FAQ")
	if help, err := parseFlags(e, fs, args); help || err != nil {
		return err
	}
	if !isTerminal(e.stdin) || fs.NArg() > 0 {
		return runAsk(ctx, e, args)
	}
	ix, err := buildIndex(e, paths, matcher.Options{})
	if err != nil {
		return err
	}
	b := bot.New(bot.Config{}, ix, nil, nil)
	return chatLoop(ctx, e, b)
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// chatLoop reads questions after a prompt until end of input (Ctrl-D).
func chatLoop(ctx context.Context, e env, b *bot.Bot) error {
	fmt.Fprintf(e.stdout, "espbot: ask about ESP32/ESP8266 networking (%d FAQ entries). /help for commands, Ctrl-D to leave.\n", b.Index().Len())
	r := bufio.NewReader(e.stdin)
	for n := 1; ctx.Err() == nil; n++ {
		fmt.Fprint(e.stdout, "\n> ")
		line, err := r.ReadString('\n')
		if q := strings.TrimSpace(line); q != "" {
			msg := bot.Message{Platform: bot.Terminal, Channel: "terminal", User: "you", IsDM: true,
				EventID: fmt.Sprint("terminal-", n), Text: q}
			if werr := writeReply(e.stdout, b.Handle(ctx, msg)); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			fmt.Fprintln(e.stdout)
			return nil
		}
		if err != nil {
			return fmt.Errorf("read question: %w", err)
		}
	}
	return nil
}

// writeReply renders a core reply for the terminal.
func writeReply(w io.Writer, r bot.Reply) error {
	var b strings.Builder
	switch r.Kind {
	case bot.KindIgnore:
		return nil
	case bot.KindAnswer:
		e := r.Entry
		fmt.Fprintf(&b, "%s\n[%s] %s%s, confidence %.2f\n\n", e.Title, e.ID, e.Category, chipList(e.Chips), r.Confidence)
		b.WriteString(knowledge.RenderText(e.Body))
		writeReplyAlternatives(&b, "Related questions", r.Alternatives)
	case bot.KindSuggestions:
		b.WriteString("I'm not sure the FAQ answers that. Closest questions:\n")
		writeReplyAlternatives(&b, "", r.Alternatives)
	default:
		if r.Title != "" {
			b.WriteString(r.Title + "\n")
		}
		b.WriteString(knowledge.RenderText(r.Body))
		writeReplyAlternatives(&b, "Closest questions", r.Alternatives)
	}
	_, err := fmt.Fprintln(w, strings.TrimRight(b.String(), "\n"))
	return err
}

func writeReplyAlternatives(b *strings.Builder, heading string, alts []bot.Alternative) {
	if len(alts) == 0 {
		return
	}
	if heading != "" {
		fmt.Fprintf(b, "\n%s:\n", heading)
	}
	for _, a := range alts {
		fmt.Fprintf(b, "  /show %s  %s\n", a.ID, a.Title)
	}
}
