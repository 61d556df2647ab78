// Command espbot answers ESP32/ESP8266 networking questions from
// Espressif's FAQ, in a terminal, over HTTP, on Discord and on Slack.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/espbot/espbot/internal/progress"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// after the first signal, restore the default handling so that a
		// second Ctrl-C kills a shutdown that takes too long
		<-ctx.Done()
		stop()
	}()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// env carries the OS values every subcommand may use, so that tests can run
// them with buffers and a fake environment.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// bars sets up progress lines (the zero value: drawn on a terminal
	// only, ten times a second at most); tests force them on.
	bars progress.Config
}

// command is one subcommand. The table drives dispatch and the usage text.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

func commands() []command {
	return []command{
		{"chat", "chat with espbot in the terminal (the default)", runChat},
		{"ask", "answer questions given as arguments or one per line on stdin", runAsk},
		{"check", "parse and lint FAQ pages", runCheck},
		{"eval", "score a question set (JSONL) against the knowledge base, or cross-validate training (--cv K)", runEval},
		{"train", "fit the matcher's model on labelled questions (train --questions FILE --out MODEL)", runTrain},
		{"serve", "run the bot: HTTP API, Discord, Slack", runServe},
		{"config", "validate a configuration file (config check FILE)", runConfig},
		{"report", "summarise recorded questions and feedback for FAQ maintainers", runReport},
		{"learn", "review and accept alternate phrasings (list, accept, reject, export, import)", runLearn},
		{"slack", "print the Slack app manifest (slack manifest [--mode socket|http] [--url BASE])", runSlack},
		{"discord", "print the link that adds the bot to a server (discord invite [--client-id ID])", runDiscord},
		{"version", "print the version and the revision espbot was built from (also --version)", runVersion},
	}
}

// run is espbot's whole program; main only wires the OS into it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		return runChat(ctx, e, nil)
	}
	name, rest := args[0], args[1:]
	switch name {
	case "-h", "-help", "--help":
		usage(stdout)
		return nil
	case "help": // "espbot help ask" is "espbot ask -h"
		if len(rest) == 0 {
			usage(stdout)
			return nil
		}
		name, rest = rest[0], []string{"-h"}
	case "-version", "--version":
		name = "version"
	}
	if strings.HasPrefix(name, "-") {
		return runChat(ctx, e, args) // "espbot --knowledge DIR": the chat's flags
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, e, rest)
		}
	}
	fmt.Fprintf(stderr, "espbot: unknown command %q\n\n", name)
	usage(stderr)
	return errUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: espbot [command] [flags] [arguments]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-7s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Without a command, espbot chats. Run "espbot COMMAND -h" for a command's flags;`)
	fmt.Fprintln(w, `flags may come before or after the arguments.`)
}

// errUsage means the usage has already been printed; the exit status is 2.
var errUsage = errors.New("usage error")

// exitError carries a specific exit status whose message, if any, has
// already been printed.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// exitCode maps run's error to the process exit status, printing errors
// that have not been printed yet.
func exitCode(err error, stderr io.Writer) int {
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.As(err, &ee):
		return ee.code
	}
	fmt.Fprintf(stderr, "espbot: %v\n", err)
	return 1
}
