package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/espbot/espbot/config"
	"github.com/espbot/espbot/report"
	"github.com/espbot/espbot/store"
)

const learnSynopsis = `learn COMMAND [--config FILE] [--since 30d]
       list                      candidate phrasings ("other answer" picks) and accepted ones
       accept N | ENTRY TEXT...  accept candidate N of list, or TEXT as a phrasing of ENTRY
       reject N | ENTRY TEXT...  reject it (it is no longer proposed)
       forget ENTRY TEXT...      remove a decision
       export [FILE]             write the accepted phrasings as YAML (default stdout)
       import FILE               accept the phrasings of a YAML file`

// learnFlags are learn's command-line settings.
type learnFlags struct {
	config string
	since  string
}

// runLearn is "espbot learn": maintainers review the phrasings people's
// "other answer" picks suggest. Nothing is learned without a person
// accepting it; accepted phrasings are indexed as an extra field of their
// entry at serve's next start or reload.
func runLearn(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "learn", learnSynopsis)
	var f learnFlags
	fs.StringVar(&f.config, "config", e.getenv("ESPBOT_CONFIG"), "configuration `file` naming the store (default $ESPBOT_CONFIG)")
	fs.StringVar(&f.since, "since", "30d", "candidates from this recent `period`")
	if help, err := parseFlags(e, fs, args); help || err != nil {
		return err
	}
	sub, operands := fs.Arg(0), fs.Args()[min(1, fs.NArg()):]
	if !slices.Contains([]string{"list", "accept", "reject", "forget", "export", "import"}, sub) {
		return usageError(e, fs, "want a subcommand: list, accept, reject, forget, export or import")
	}
	period, err := config.ParseDuration(f.since)
	if err != nil {
		return usageError(e, fs, fmt.Sprintf("--since: %v", err))
	}
	c, st, err := openConfiguredStore(ctx, e, f.config)
	if err != nil {
		return err
	}
	defer st.Close()
	l := &learner{st: st, e: e, since: time.Now().Add(-period.D()), titles: entryTitles(c, e)}
	return l.run(ctx, sub, operands)
}

// learner runs learn's subcommands on a store.
type learner struct {
	st     *store.Store
	e      env
	since  time.Time
	titles map[string]string // nil when the FAQ could not be loaded
}

func (l *learner) run(ctx context.Context, sub string, args []string) error {
	switch sub {
	case "list":
		return l.list(ctx)
	case "accept":
		return l.decide(ctx, store.Accepted, args)
	case "reject":
		return l.decide(ctx, store.Rejected, args)
	case "forget":
		return l.forget(ctx, args)
	case "export":
		return l.export(ctx, args)
	}
	return l.importFile(ctx, args)
}

// list prints the pending candidates, numbered for accept and reject, then
// the accepted phrasings.
func (l *learner) list(ctx context.Context) error {
	cands, err := l.st.Candidates(ctx, l.since)
	if err != nil {
		return err
	}
	w := &errWriter{w: l.e.stdout}
	w.printf("Candidate phrasings (%d):\n", len(cands))
	for i, c := range cands {
		w.printf("  %d. %q -> %s, picked %d time%s\n", i+1, c.Text, report.EntryLabel(c.EntryID, l.titles[c.EntryID]), c.Count, report.Plural(c.Count))
	}
	if len(cands) > 0 {
		w.printf(`Accept with "espbot learn accept N", reject with "espbot learn reject N".` + "\n")
	}
	acc, err := l.st.Phrasings(ctx, store.Accepted)
	if err != nil {
		return err
	}
	w.printf("\nAccepted phrasings (%d):\n", len(acc))
	for _, p := range acc {
		w.printf("  %s: %q\n", p.EntryID, p.Text)
	}
	return w.err
}

// decide accepts or rejects candidate N, or ENTRY TEXT.
func (l *learner) decide(ctx context.Context, status string, args []string) error {
	p, err := l.phrasingArg(ctx, args)
	if err != nil {
		return err
	}
	p.Status = status
	if err := l.st.SetPhrasing(ctx, p); err != nil {
		return err
	}
	fmt.Fprintf(l.e.stdout, "%s: %q as a phrasing of %s\n", status, strings.ToLower(p.Text), report.EntryLabel(p.EntryID, l.titles[p.EntryID]))
	if status == store.Accepted {
		fmt.Fprintln(l.e.stdout, "A running espbot serve indexes it at its next reload (SIGHUP).")
	}
	return nil
}

// phrasingArg reads "N" (a candidate of list) or "ENTRY TEXT...".
func (l *learner) phrasingArg(ctx context.Context, args []string) (store.Phrasing, error) {
	if len(args) == 1 {
		n, err := strconv.Atoi(args[0])
		if err != nil {
			return store.Phrasing{}, fmt.Errorf("want a candidate number or ENTRY TEXT, got %q", args[0])
		}
		cands, err := l.st.Candidates(ctx, l.since)
		if err != nil {
			return store.Phrasing{}, err
		}
		if n < 1 || n > len(cands) {
			return store.Phrasing{}, fmt.Errorf("no candidate %d (there are %d; see espbot learn list)", n, len(cands))
		}
		return store.Phrasing{EntryID: cands[n-1].EntryID, Text: cands[n-1].Text}, nil
	}
	if len(args) < 2 {
		return store.Phrasing{}, errors.New("want a candidate number or ENTRY TEXT")
	}
	p := store.Phrasing{EntryID: args[0], Text: strings.Join(args[1:], " ")}
	return p, l.knownEntry(p.EntryID)
}

// knownEntry refuses entry IDs the FAQ lacks (when the FAQ is loaded).
func (l *learner) knownEntry(id string) error {
	if l.titles == nil {
		return nil
	}
	if _, ok := l.titles[id]; !ok {
		return fmt.Errorf("no FAQ entry %q", id)
	}
	return nil
}

func (l *learner) forget(ctx context.Context, args []string) error {
	if len(args) < 2 {
		return errors.New("forget: want ENTRY TEXT")
	}
	ok, err := l.st.DeletePhrasing(ctx, args[0], strings.Join(args[1:], " "))
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("no decision on %q for %s", strings.Join(args[1:], " "), args[0])
	}
	fmt.Fprintln(l.e.stdout, "forgotten")
	return nil
}

// export writes the accepted phrasings as YAML to args[0] or stdout.
func (l *learner) export(ctx context.Context, args []string) error {
	acc, err := l.st.AcceptedPhrasings(ctx)
	if err != nil {
		return err
	}
	out, err := yaml.Marshal(phrasingsFile{Phrasings: acc})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	out = append([]byte("# Alternate phrasings of esp-faq questions accepted with \"espbot learn\":\n# entry ID -> phrasings. Load with \"espbot learn import FILE\";\n# train on them with \"espbot train --questions FILE\".\n"), out...)
	if len(args) == 0 || args[0] == "-" {
		_, err = l.e.stdout.Write(out)
		return err
	}
	if err := os.WriteFile(args[0], out, 0o644); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(l.e.stdout, "exported %d entries' phrasings to %s\n", len(acc), args[0])
	return nil
}

// importFile accepts every phrasing of a YAML file; entries the FAQ lacks
// are skipped with a warning.
func (l *learner) importFile(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return errors.New("import: want one FILE")
	}
	ps, err := readPhrasings(args[0], l.e.stdin)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	n := 0
	for _, p := range ps {
		if err := l.knownEntry(p.entry); err != nil {
			fmt.Fprintf(l.e.stderr, "espbot: import: %s:%d: skipping: %v\n", args[0], p.line, err)
			continue
		}
		if err := l.st.SetPhrasing(ctx, store.Phrasing{EntryID: p.entry, Text: p.text, Status: store.Accepted}); err != nil {
			return fmt.Errorf("import %s: %w", args[0], err)
		}
		n++
	}
	fmt.Fprintf(l.e.stdout, "imported %d phrasing%s\n", n, report.Plural(n))
	return nil
}
