package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/espbot/espbot/config"
	"github.com/espbot/espbot/knowledge"
	"github.com/espbot/espbot/loader"
)

// runConfig is "espbot config check FILE": it validates a configuration
// file, secrets and knowledge base included, without starting anything,
// and prints every problem or "ok".
func runConfig(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "config", "config check [--print] FILE")
	show := fs.Bool("print", false, "also print the resulting configuration (secrets redacted)")
	if help, err := parseFlags(e, fs, args); help || err != nil {
		return err
	}
	switch {
	case fs.NArg() == 0 || fs.Arg(0) != "check":
		return usageError(e, fs, "want the subcommand check")
	case fs.NArg() != 2:
		return usageError(e, fs, "want one configuration FILE")
	}
	file := fs.Arg(1)
	c, err := config.Load(file, e.getenv)
	var ce *config.Error
	if err != nil && !errors.As(err, &ce) {
		return err
	}
	var problems []string
	if ce != nil {
		for _, p := range ce.Problems {
			problems = append(problems, p.String())
		}
	}
	problems = append(problems, checkKnowledge(c)...)
	problems = append(problems, checkStore(c)...)
	if *show {
		fmt.Fprint(e.stdout, c)
	}
	for _, w := range c.Warnings() {
		fmt.Fprintf(e.stdout, "warning: %s\n", w)
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(e.stdout, p)
		}
		fmt.Fprintf(e.stderr, "espbot: %s: %d problem(s)\n", file, len(problems))
		return exitError{code: 1}
	}
	fmt.Fprintln(e.stdout, "ok")
	return nil
}

// checkKnowledge loads the knowledge base and builds the index the way
// serve would, reporting missing paths, errors in the pages (path:line) and
// a lexicon the matcher refuses.
func checkKnowledge(c *config.Config) []string {
	var problems []string
	for i, p := range c.Knowledge.Paths {
		if _, err := os.Stat(p); err != nil {
			problems = append(problems, c.Problem(fmt.Sprintf("knowledge.paths[%d]", i), err.Error()).String())
		}
	}
	mo, err := matcherOptions(c)
	if err != nil {
		problems = append(problems, c.Problem("matcher.model", errors.Unwrap(err).Error()).String())
	}
	if len(problems) > 0 {
		return problems
	}
	_, kbProblems, err := loader.Build(c.Knowledge.Paths, knowledgeOptions(c), mo)
	for _, p := range kbProblems {
		if p.Severity == knowledge.Error {
			problems = append(problems, fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Message))
		}
	}
	if err != nil && len(problems) == 0 {
		problems = append(problems, c.Problem("knowledge.paths", err.Error()).String())
	}
	return problems
}

// checkStore checks that serve can create or write the SQLite store.
func checkStore(c *config.Config) []string {
	if c.Store.Driver != config.StoreSQLite || c.Store.Path == "" {
		return nil
	}
	if err := checkStorePath(c.Store.Path); err != nil {
		return []string{c.Problem("store.path", err.Error()).String()}
	}
	return nil
}
