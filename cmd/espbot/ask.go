package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/knowledge"
	"github.com/espbot/espbot/matcher"
)

// askOptions are the flags shared by ask and the non-interactive chat.
type askOptions struct {
	json      bool
	explain   bool
	threshold float64
	paths     pathsFlag
}

func runAsk(ctx context.Context, e env, args []string) error {
	var o askOptions
	fs := newFlagSet(e, "ask", "ask [--json] [--explain] [--knowledge PATH]... [QUESTION]")
	fs.BoolVar(&o.json, "json", false, "print one JSON object per question")
	fs.BoolVar(&o.explain, "explain", false, "show why: matched terms, expansions, corrections, decision")
	fs.Float64Var(&o.threshold, "threshold", 0, "confidence needed to answer (default: the matcher's)")
	fs.Var(&o.paths, "knowledge", "FAQ `PATH` (.rst file or folder); repeatable; default: the embedded FAQ")
	if help, err := parseFlags(e, fs, args); help || err != nil {
		return err
	}
	ix, err := buildIndex(e, o.paths, matcher.Options{AnswerThreshold: o.threshold})
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return answerOne(e.stdout, ix, strings.Join(fs.Args(), " "), o)
	}
	return answerLines(ctx, e, ix, o)
}

// buildIndex loads the knowledge base and indexes it. Load errors are
// printed as path:line: message and stop the command.
func buildIndex(e env, paths []string, opts matcher.Options) (*matcher.Index, error) {
	ix, problems, err := indexKnowledge(paths, opts)
	if err != nil {
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

// answerLines answers one question per line of stdin, in order, flushing
// each answer as it is written so that callers can stream.
func answerLines(ctx context.Context, e env, ix *matcher.Index, o askOptions) error {
	r := bufio.NewReaderSize(e.stdin, 64*1024)
	w := bufio.NewWriter(e.stdout)
	for ctx.Err() == nil {
		line, err := r.ReadString('\n')
		if q := strings.TrimRight(line, "\r\n"); strings.TrimSpace(q) != "" {
			if werr := answerOne(w, ix, q, o); werr != nil {
				return werr
			}
			if werr := w.Flush(); werr != nil {
				return fmt.Errorf("write answer: %w", werr)
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read questions: %w", err)
		}
	}
	return ctx.Err()
}

func answerOne(w io.Writer, ix *matcher.Index, q string, o askOptions) error {
	var res matcher.Result
	if o.explain {
		res = ix.Explain(q)
	} else {
		res = ix.Search(q)
	}
	var err error
	if o.json {
		err = json.NewEncoder(w).Encode(bot.NewAskResult(res))
	} else {
		err = writeResult(w, res)
	}
	if err == nil && o.explain && !o.json {
		err = writeExplanation(w, res.Explanation)
	}
	if err != nil {
		return fmt.Errorf("write answer: %w", err)
	}
	return nil
}
