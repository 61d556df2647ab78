package main

import (
	"context"
	"fmt"

	"github.com/espbot/espbot/eval"
	"github.com/espbot/espbot/matcher"
)

// runEval is "espbot eval": it scores a question set against the knowledge
// base.
func runEval(ctx context.Context, e env, args []string) error {
	var (
		asJSON, failures bool
		threshold        float64
		paths            pathsFlag
	)
	fs := newFlagSet(e, "eval", "eval [--json] [--failures] [--knowledge PATH]... FILE.jsonl")
	fs.BoolVar(&asJSON, "json", false, "print the summary as one JSON object")
	fs.BoolVar(&failures, "failures", false, "list the misses with what was expected and what came back")
	fs.Float64Var(&threshold, "threshold", 0, "confidence needed to answer (default: the matcher's)")
	fs.Var(&paths, "knowledge", "FAQ `PATH` (.rst file or folder); repeatable; default: the embedded FAQ")
	if help, err := parseFlags(e, fs, args); help || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "eval: want exactly one FILE.jsonl")
		fs.Usage()
		return errUsage
	}
	cases, err := eval.ReadCases(fs.Arg(0))
	if err != nil {
		return err
	}
	ix, err := buildIndex(e, paths, matcher.Options{AnswerThreshold: threshold})
	if err != nil {
		return err
	}
	for _, u := range eval.UnknownTitles(ix, cases) {
		fmt.Fprintf(e.stderr, "%s:%d: expected title not in the knowledge base: %q\n", fs.Arg(0), u.Line, u.Title)
	}
	outs, err := eval.Run(ctx, ix, cases)
	if err != nil {
		return err
	}
	s := eval.Summarise(outs)
	if asJSON {
		return eval.WriteJSON(e.stdout, s, outs, failures)
	}
	if failures {
		if err := eval.WriteFailures(e.stdout, outs); err != nil {
			return err
		}
	}
	return eval.WriteText(e.stdout, s)
}
