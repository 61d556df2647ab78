package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/espbot/espbot/knowledge"
	"github.com/espbot/espbot/loader"
)

// runCheck parses and lints FAQ pages: per-file entry counts, the total,
// errors and warnings. Exit status 0 when everything parsed (warnings
// allowed), 1 on errors, 2 on usage errors.
func runCheck(ctx context.Context, e env, args []string) error {
	var (
		asJSON bool
		paths  pathsFlag
	)
	fs := newFlagSet(e, "check", "check [--json] [--knowledge PATH]...\n\n"+
		"Parses FAQ pages and reports what a maintainer should fix.\n"+
		"Exit status: 0 parsed (warnings allowed), 1 errors, 2 usage.")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object instead of text")
	fs.Var(&paths, "knowledge", "FAQ `PATH` (.rst file or folder); repeatable; default: the embedded FAQ")
	if help, err := parseFlags(e, fs, args); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError(e, fs, fmt.Sprintf("unexpected argument %q (use --knowledge PATH)", fs.Arg(0)))
	}
	bar := e.bar("check")
	kb, err := loader.Load(paths, knowledge.Options{Progress: stepsOf(bar)})
	bar.Done()
	var le *knowledge.LoadError
	if err != nil && (kb == nil || !errors.As(err, &le)) {
		return fmt.Errorf("check: %w", err)
	}
	r := newCheckReport(kb)
	if asJSON {
		err = r.writeJSON(e.stdout)
	} else {
		err = r.writeText(e.stdout)
	}
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	if len(r.Errors) > 0 {
		return exitError{code: 1}
	}
	return nil
}

// checkReport is the result of espbot check; its JSON form is the --json
// output.
type checkReport struct {
	Files    []checkFile    `json:"files"`
	Entries  int            `json:"entries"`
	Errors   []checkProblem `json:"errors"`
	Warnings []checkProblem `json:"warnings"`
}

type checkFile struct {
	Path    string `json:"path"`
	Entries int    `json:"entries"`
}

type checkProblem struct {
	Path    string `json:"path"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

func newCheckReport(kb *knowledge.Base) checkReport {
	r := checkReport{Files: []checkFile{}, Errors: []checkProblem{}, Warnings: []checkProblem{}, Entries: len(kb.Entries)}
	for _, f := range kb.Files {
		r.Files = append(r.Files, checkFile{Path: f.Path, Entries: f.Entries})
	}
	for _, p := range kb.Problems {
		cp := checkProblem{Path: p.Path, Line: p.Line, Message: p.Message}
		if p.Severity == knowledge.Error {
			r.Errors = append(r.Errors, cp)
		} else {
			r.Warnings = append(r.Warnings, cp)
		}
	}
	return r
}

func (r checkReport) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// writeText prints the counts, then each problem as
// "path:line: error|warning: message", then a summary line.
func (r checkReport) writeText(w io.Writer) error {
	ew := &errWriter{w: w}
	for _, f := range r.Files {
		ew.printf("%s: %d %s\n", f.Path, f.Entries, countNoun(f.Entries, "entry", "entries"))
	}
	for _, p := range r.Errors {
		ew.printf("%s: error: %s\n", p.position(), p.Message)
	}
	for _, p := range r.Warnings {
		ew.printf("%s: warning: %s\n", p.position(), p.Message)
	}
	ew.printf("total: %d %s in %d %s, %d %s, %d %s\n",
		r.Entries, countNoun(r.Entries, "entry", "entries"),
		len(r.Files), countNoun(len(r.Files), "file", "files"),
		len(r.Errors), countNoun(len(r.Errors), "error", "errors"),
		len(r.Warnings), countNoun(len(r.Warnings), "warning", "warnings"))
	return ew.err
}

// position is "path:line", or "path" for problems about a whole file.
func (p checkProblem) position() string {
	if p.Line <= 0 {
		return p.Path
	}
	return fmt.Sprintf("%s:%d", p.Path, p.Line)
}

func countNoun(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
