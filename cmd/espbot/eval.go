package main

import (
	"context"
	"fmt"

	"github.com/espbot/espbot/eval"
	"github.com/espbot/espbot/matcher"
)

// runEval is "espbot eval": it scores question sets against the knowledge
// base, or, with --cv K, cross-validates training on them split by entry.
func runEval(ctx context.Context, e env, args []string) error {
	var (
		asJSON, failures, curve bool
		folds                   int
		ixf                     indexFlags
		sets                    pathsFlag
	)
	fs := newFlagSet(e, "eval", "eval [--json] [--failures] [--thresholds] [--cv K] [--knowledge PATH]... [--model MODEL] FILE.jsonl...")
	fs.BoolVar(&asJSON, "json", false, "print the summary as one JSON object")
	fs.BoolVar(&failures, "failures", false, "list the misses with what was expected and what came back")
	fs.BoolVar(&curve, "thresholds", false, "also show what each answer threshold from 0.30 to 0.90 would answer (right, wrong, unanswerable answered, overall), to choose matcher.answer_threshold")
	fs.IntVar(&folds, "cv", 0, "cross-validate: train on all but one of `K` folds split by entry, score the held-out fold")
	fs.Var(&sets, "questions", "question set `FILE.jsonl`, or phrasings FILE.yaml from learn export (repeatable; or give the files as arguments)")
	ixf.register(fs)
	if help, err := parseFlags(e, fs, args); help || err != nil {
		return err
	}
	sets = append(sets, fs.Args()...)
	if len(sets) == 0 || folds == 1 || folds < 0 {
		return usageError(e, fs, "want at least one FILE.jsonl, and --cv at least 2")
	}
	cases, err := readSets(sets)
	if err != nil {
		return err
	}
	ix, err := ixf.build(e)
	if err != nil {
		return err
	}
	cases = resolveEntries(e, ix, cases)
	warnUnknownTitles(e, cases, eval.UnknownTitles(ix, casesOf(cases)))
	var (
		outs     []eval.Outcome
		posts    []eval.PostOutcomes
		variants eval.Variants
	)
	if folds > 0 {
		bar := e.bar("cross-validate")
		var rep *eval.CVReport
		rep, err = eval.CrossValidate(ctx, ix, casesOf(cases), folds, matcher.TrainOptions{Progress: stepsOf(bar)})
		if rep != nil {
			outs, posts, variants = rep.Outcomes, rep.Posts, rep.Variants
		}
		bar.Done()
	} else {
		bar := e.bar("eval")
		outs, err = eval.Run(ctx, ix, casesOf(cases), stepsOf(bar))
		bar.Done()
	}
	if err != nil {
		return err
	}
	s := eval.Summarise(outs)
	var points *eval.Curve
	mark := -1.0 // cross-validation's fold models each have their own threshold
	if curve {
		ts := eval.CurveThresholds()
		if folds == 0 {
			mark = ix.AnswerThreshold()
			ts = eval.WithThreshold(ts, mark)
		}
		c := eval.OperatingCurve(outs, ts)
		points = &c
	}
	if asJSON {
		return eval.WriteJSON(e.stdout, s, outs, posts, variants, failures, points)
	}
	if failures {
		if err := eval.WriteFailures(e.stdout, outs); err != nil {
			return err
		}
	}
	// figures per style, per post template and of the variants first, so that
	// the headline figures end the output
	if err := eval.WriteStyles(e.stdout, outs); err != nil {
		return err
	}
	if err := eval.WritePosts(e.stdout, posts); err != nil {
		return err
	}
	if err := eval.WriteVariants(e.stdout, variants); err != nil {
		return err
	}
	if curve {
		if err := eval.WriteCurve(e.stdout, *points, mark); err != nil {
			return err
		}
	}
	return eval.WriteText(e.stdout, s)
}

// setCase is a case with the file it comes from, for messages.
type setCase struct {
	eval.Case
	file string
	// entry is the answering entry's ID for a phrasing of a phrasings
	// file, whose Expect resolveEntries fills in.
	entry string
}

// readSets reads question sets in order: JSONL sets, and phrasings files
// (.yaml, as "espbot learn export" writes them), whose phrasings are
// questions of the entries they are filed under; a bad line stops with
// its file and line.
func readSets(paths []string) ([]setCase, error) {
	var all []setCase
	for _, p := range paths {
		if isPhrasingsFile(p) {
			cases, err := phrasingCases(p)
			if err != nil {
				return nil, err
			}
			all = append(all, cases...)
			continue
		}
		cases, err := eval.ReadCases(p)
		if err != nil {
			return nil, err
		}
		for _, c := range cases {
			all = append(all, setCase{Case: c, file: p})
		}
	}
	return all, nil
}

// casesOf drops the file names.
func casesOf(cs []setCase) []eval.Case {
	out := make([]eval.Case, len(cs))
	for i, c := range cs {
		out[i] = c.Case
	}
	return out
}

// warnUnknownTitles names, file:line, the expected titles the knowledge
// base lacks, as found among the cases (eval.UnknownTitles, or what
// eval.TrainingQuestions reports).
func warnUnknownTitles(e env, cases []setCase, unknown []eval.UnknownTitle) {
	for _, u := range unknown {
		fmt.Fprintf(e.stderr, "%s:%d: expected title not in the knowledge base: %q\n", cases[u.Case].file, u.Line, u.Title)
	}
}
