package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/espbot/espbot/eval"
	"github.com/espbot/espbot/matcher"
)

// runTrain is "espbot train": it fits the matcher's model on labelled
// questions over the knowledge base and writes the model file.
func runTrain(ctx context.Context, e env, args []string) error {
	var (
		sets  pathsFlag
		paths pathsFlag
		out   string
		folds int
	)
	fs := newFlagSet(e, "train", "train --questions FILE.jsonl... [--knowledge PATH]... --out MODEL")
	fs.Var(&sets, "questions", "labelled question set `FILE.jsonl` as for eval, or phrasings FILE.yaml from learn export (repeatable)")
	fs.Var(&paths, "knowledge", "FAQ `PATH` (.rst file or folder); repeatable; default: the embedded FAQ")
	fs.StringVar(&out, "out", "", "write the model to `MODEL`")
	fs.IntVar(&folds, "folds", 5, "cross-validation folds that calibrate the answer decision")
	if help, err := parseFlags(e, fs, args); help || err != nil {
		return err
	}
	sets = append(sets, fs.Args()...)
	if len(sets) == 0 || out == "" || folds < 2 {
		return usageError(e, fs, "want --questions FILE.jsonl, --out MODEL and --folds of 2 or more")
	}
	cases, err := readSets(sets)
	if err != nil {
		return err
	}
	ix, err := buildIndex(e, paths, matcher.Options{Model: matcher.UntrainedModel()})
	if err != nil {
		return err
	}
	cases = resolveEntries(e, ix, cases)
	qs, unknown := eval.TrainingQuestions(ix, casesOf(cases))
	warnUnknownTitles(e, cases, unknown)
	if countAnswered(qs) == 0 {
		return fmt.Errorf("train: no question of %s answers to an entry of the knowledge base", strings.Join(sets, ", "))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	bar := e.bar("train")
	m, err := matcher.Train(ix, qs, matcher.TrainOptions{Folds: folds, Progress: stepsOf(bar), Comments: []string{
		"written by espbot train from " + strings.Join(baseNames(sets), ", "),
	}})
	bar.Done()
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if err := writeModel(out, m); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s: %d questions over %d entries; answer threshold %.3f, auto %.3f\n",
		out, len(qs), ix.Len(), m.AnswerThreshold, m.AutoThreshold)
	return nil
}

func countAnswered(qs []matcher.TrainingQuestion) int {
	n := 0
	for _, q := range qs {
		if len(q.Answers) > 0 {
			n++
		}
	}
	return n
}

// baseNames are the file names of paths, so that the model does not record
// where the trainer's files were.
func baseNames(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}

// writeModel writes the model next to path and renames it into place, so
// a failed write never leaves half a model where the old one was.
func writeModel(path string, m *matcher.Model) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := m.WriteTo(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write model %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write model %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	return nil
}
