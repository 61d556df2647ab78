package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/espbot/espbot/config"
	"github.com/espbot/espbot/loader"
	"github.com/espbot/espbot/report"
)

// reportFlags are report's command-line settings.
type reportFlags struct {
	config string
	since  string
	format string
	top    int
	low    float64
}

// runReport is "espbot report": what people asked and what the FAQ lacks,
// from the recorded questions and feedback.
func runReport(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "report", "report [--since 7d] [--format text|json|md] [--config FILE]")
	var f reportFlags
	fs.StringVar(&f.config, "config", e.getenv("ESPBOT_CONFIG"), "configuration `file` naming the store (default $ESPBOT_CONFIG)")
	fs.StringVar(&f.since, "since", "7d", "report on this recent `period` (e.g. 24h, 7d, 30d)")
	fs.StringVar(&f.format, "format", "text", "output `format`: text, json or md (an esp-faq issue)")
	fs.IntVar(&f.top, "top", 10, "at most this many `rows` per section")
	fs.Float64Var(&f.low, "low", 0.8, "answers below this `confidence` are listed as low-confidence")
	if help, err := parseFlags(e, fs, args); help || err != nil {
		return err
	}
	period, err := config.ParseDuration(f.since)
	switch {
	case fs.NArg() > 0:
		return usageError(e, fs, fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	case err != nil:
		return usageError(e, fs, fmt.Sprintf("--since: %v", err))
	case !slices.Contains(report.Formats(), f.format):
		return usageError(e, fs, fmt.Sprintf("--format %q: want one of %s", f.format, strings.Join(report.Formats(), ", ")))
	}
	c, st, err := openConfiguredStore(ctx, e, f.config)
	if err != nil {
		return err
	}
	defer st.Close()
	now := time.Now().UTC()
	in, err := report.Read(ctx, st, now.Add(-period.D()))
	if err != nil {
		return err
	}
	in.Titles = entryTitles(c, e)
	return report.Write(e.stdout, report.Build(in, now, report.Options{Top: f.top, Low: f.low}), f.format)
}

// entryTitles maps entry IDs to titles, from the configured FAQ; without
// it the report shows IDs only.
func entryTitles(c *config.Config, e env) map[string]string {
	kb, err := loader.Load(c.Knowledge.Paths, knowledgeOptions(c))
	if err != nil {
		fmt.Fprintf(e.stderr, "espbot: FAQ not loaded, showing entry IDs only: %v\n", err)
		return nil
	}
	out := make(map[string]string, len(kb.Entries))
	for _, en := range kb.Entries {
		out[en.ID] = en.Title
	}
	return out
}
