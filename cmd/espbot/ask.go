package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/bot/terminal"
	"github.com/espbot/espbot/internal/tty"
	"github.com/espbot/espbot/knowledge"
	"github.com/espbot/espbot/loader"
	"github.com/espbot/espbot/matcher"
)

// runAsk is "espbot ask": the core answers questions given as arguments, or
// one per line of stdin, as text or JSON.
func runAsk(ctx context.Context, e env, args []string) error {
	var o terminal.AskOptions
	var ixf indexFlags
	fs := newFlagSet(e, "ask", "ask [--json] [--explain] [--knowledge PATH]... [--model MODEL] [QUESTION]")
	fs.BoolVar(&o.JSON, "json", false, "print one JSON object per question")
	fs.BoolVar(&o.Explain, "explain", false, "show why: learned term weights, associations, features, the calibrated decision")
	ixf.register(fs)
	if help, err := parseFlags(e, fs, args); help || err != nil {
		return err
	}
	ix, err := ixf.build(e)
	if err != nil {
		return err
	}
	if fd, ok := tty.Terminal(e.stdout); ok {
		o.Width = tty.Width(fd, 0)
	}
	b := bot.New(bot.Config{}, ix, nil, nil)
	if fs.NArg() > 0 {
		return terminal.AskOne(ctx, b, e.stdout, strings.Join(fs.Args(), " "), o)
	}
	return terminal.AskLines(ctx, b, e.stdin, e.stdout, o)
}

// build loads the knowledge base and indexes it with the flags' model.
func (f *indexFlags) build(e env) (*matcher.Index, error) {
	opts, err := f.options()
	if err != nil {
		return nil, err
	}
	return buildIndex(e, f.paths, opts)
}

// buildIndex loads the knowledge base and indexes it. Load errors are
// printed as path:line: message and stop the command, with an error that
// counts them.
func buildIndex(e env, paths []string, opts matcher.Options) (*matcher.Index, error) {
	bar := e.bar("load")
	ix, problems, err := loader.Build(paths, knowledge.Options{Progress: stepsOf(bar)}, opts)
	bar.Done()
	var le *knowledge.LoadError
	switch {
	case errors.As(err, &le):
		printProblems(e.stderr, problems, knowledge.Error)
		n := len(le.Errors)
		return nil, fmt.Errorf("load knowledge: %d %s, listed above", n, countNoun(n, "error", "errors"))
	case err != nil:
		printProblems(e.stderr, problems, knowledge.Error)
		return nil, fmt.Errorf("load knowledge: %w", err)
	}
	return ix, nil
}

// printProblems prints the problems of at least the given severity.
func printProblems(w io.Writer, ps []knowledge.Problem, min knowledge.Severity) {
	for _, p := range ps {
		if p.Severity >= min {
			fmt.Fprintln(w, p.String())
		}
	}
}
