package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/espbot/espbot/knowledge"
	"github.com/espbot/espbot/matcher"
)

// evalCase is one line of a question set (the format of shared/eval).
type evalCase struct {
	ID       string   `json:"id"`
	Question string   `json:"question"`
	Expect   *string  `json:"expect"` // null: no entry answers it
	Also     []string `json:"also"`   // further acceptable titles
	line     int
}

// evalOutcome is how espbot did on one case.
type evalOutcome struct {
	ID         string   `json:"id"`
	Question   string   `json:"question"`
	Expect     *string  `json:"expect"`
	Got        *string  `json:"got"` // the answer given, or null when it abstained
	Top        []string `json:"top"` // titles of the ranked entries
	Confidence float64  `json:"confidence"`
	Verdict    string   `json:"verdict"`
	latency    time.Duration
	inTop3     bool
}

// Verdicts.
const (
	verdictRight        = "right"
	verdictAbstained    = "abstained"     // on an answerable question
	verdictWrong        = "wrong"         // answered with the wrong entry
	verdictRightAbstain = "right-abstain" // on an unanswerable question
	verdictFalseAnswer  = "false-answer"  // answered an unanswerable question
)

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
	cases, err := readCases(fs.Arg(0))
	if err != nil {
		return err
	}
	ix, err := buildIndex(e, paths, matcher.Options{AnswerThreshold: threshold})
	if err != nil {
		return err
	}
	titles := titleSet(ix)
	for _, c := range cases {
		for _, t := range c.expected() {
			if !titles[titleKey(t)] {
				fmt.Fprintf(e.stderr, "%s:%d: expected title not in the knowledge base: %q\n", fs.Arg(0), c.line, t)
			}
		}
	}
	outs := make([]evalOutcome, 0, len(cases))
	for _, c := range cases {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		outs = append(outs, evaluate(ix, c))
	}
	s := summarise(outs)
	if asJSON {
		return writeJSONSummary(e.stdout, s, outs, failures)
	}
	if failures {
		writeFailures(e.stdout, outs)
	}
	return writeSummary(e.stdout, s)
}

func (c evalCase) expected() []string {
	if c.Expect == nil {
		return nil
	}
	return append([]string{*c.Expect}, c.Also...)
}

// readCases reads a JSONL question set; a bad line is an error naming the
// file and line.
func readCases(path string) ([]evalCase, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read question set: %w", err)
	}
	defer f.Close()
	var cases []evalCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var c evalCase
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		if strings.TrimSpace(c.Question) == "" {
			return nil, fmt.Errorf("%s:%d: empty question", path, n)
		}
		c.line = n
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return cases, nil
}

// titleKey normalises a title for comparison: expected titles in question
// sets are written in raw RST, with tag prefixes and full-width marks.
func titleKey(t string) string {
	t = knowledge.PlainText(t)
	if strings.HasPrefix(t, "[") {
		if i := strings.Index(t, "]"); i > 0 {
			t = t[i+1:]
		}
	}
	t = matcher.Normalize(t)
	t = strings.Join(strings.Fields(t), " ")
	return strings.TrimRight(t, "?. ")
}

func titleSet(ix *matcher.Index) map[string]bool {
	m := map[string]bool{}
	for _, e := range ix.Entries() {
		m[titleKey(e.Title)] = true
	}
	return m
}

func evaluate(ix *matcher.Index, c evalCase) evalOutcome {
	start := time.Now()
	res := ix.Search(c.Question)
	o := evalOutcome{ID: c.ID, Question: c.Question, Expect: c.Expect, Confidence: res.Confidence, latency: time.Since(start)}
	want := map[string]bool{}
	for _, t := range c.expected() {
		want[titleKey(t)] = true
	}
	if res.Best != nil {
		o.Top = append(o.Top, res.Best.Entry.Title)
		for _, h := range res.Alternatives {
			o.Top = append(o.Top, h.Entry.Title)
		}
	}
	for i, t := range o.Top {
		if i < 3 && want[titleKey(t)] {
			o.inTop3 = true
		}
	}
	if res.Answered {
		o.Got = &res.Best.Entry.Title
	}
	o.Verdict = verdict(c.Expect != nil, res.Answered, res.Answered && want[titleKey(*o.Got)])
	return o
}

func verdict(answerable, answered, right bool) string {
	switch {
	case answerable && right:
		return verdictRight
	case answerable && answered:
		return verdictWrong
	case answerable:
		return verdictAbstained
	case answered:
		return verdictFalseAnswer
	}
	return verdictRightAbstain
}

// evalSummary holds the figures of a run.
type evalSummary struct {
	N            int     `json:"n"`
	Answerable   int     `json:"answerable"`
	Unanswerable int     `json:"unanswerable"`
	Top1         float64 `json:"top1"`
	Top3         float64 `json:"top3"`
	Abstention   float64 `json:"abstention"`
	Overall      float64 `json:"overall"`
	Wrong        int     `json:"wrong_confident"`
	P50          string  `json:"latency_p50"`
	P99          string  `json:"latency_p99"`
	counts       map[string]int
	top3         int
}

func summarise(outs []evalOutcome) evalSummary {
	s := evalSummary{N: len(outs), counts: map[string]int{}}
	lat := make([]time.Duration, 0, len(outs))
	for _, o := range outs {
		s.counts[o.Verdict]++
		if o.Expect != nil {
			s.Answerable++
			if o.inTop3 {
				s.top3++
			}
		}
		lat = append(lat, o.latency)
	}
	s.Unanswerable = s.N - s.Answerable
	s.Top1 = ratio(s.counts[verdictRight], s.Answerable)
	s.Top3 = ratio(s.top3, s.Answerable)
	s.Abstention = ratio(s.counts[verdictRightAbstain], s.Unanswerable)
	s.Overall = ratio(s.counts[verdictRight]+s.counts[verdictRightAbstain], s.N)
	s.Wrong = s.counts[verdictWrong] + s.counts[verdictFalseAnswer]
	slices.Sort(lat)
	s.P50, s.P99 = percentile(lat, 0.50).String(), percentile(lat, 0.99).String()
	return s
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted)-1) + 0.5)
	return sorted[i]
}

// writeSummary prints the figures; the last lines are the headline ones.
func writeSummary(w io.Writer, s evalSummary) error {
	_, err := fmt.Fprintf(w, `questions     %d (%d answerable, %d unanswerable)
top-1         %.3f (%d/%d answered right)
top-3         %.3f (%d/%d expected entry ranked in the first three)
overall       %.3f (%d right answers + %d right abstentions)
abstention    %.3f (%d/%d unanswerable questions left unanswered)
wrong         %d confident wrong answers (%d wrong entry, %d answered the unanswerable)
latency       p50 %s, p99 %s per question
`, s.N, s.Answerable, s.Unanswerable,
		s.Top1, s.counts[verdictRight], s.Answerable,
		s.Top3, s.top3, s.Answerable,
		s.Overall, s.counts[verdictRight], s.counts[verdictRightAbstain],
		s.Abstention, s.counts[verdictRightAbstain], s.Unanswerable,
		s.Wrong, s.counts[verdictWrong], s.counts[verdictFalseAnswer],
		s.P50, s.P99)
	return err
}

func writeFailures(w io.Writer, outs []evalOutcome) {
	for _, o := range outs {
		if o.Verdict == verdictRight || o.Verdict == verdictRightAbstain {
			continue
		}
		fmt.Fprintf(w, "%s %s (confidence %.2f)\n  question: %q\n  expected: %s\n  got:      %s\n",
			o.ID, o.Verdict, o.Confidence, o.Question, orNone(o.Expect), orNone(o.Got))
		for i, t := range o.Top {
			fmt.Fprintf(w, "  #%d %s\n", i+1, t)
		}
		fmt.Fprintln(w)
	}
}

func orNone(s *string) string {
	if s == nil {
		return "(no answer)"
	}
	return *s
}

func writeJSONSummary(w io.Writer, s evalSummary, outs []evalOutcome, failures bool) error {
	out := struct {
		evalSummary
		Failures []evalOutcome `json:"failures,omitempty"`
	}{evalSummary: s}
	if failures {
		for _, o := range outs {
			if o.Verdict != verdictRight && o.Verdict != verdictRightAbstain {
				out.Failures = append(out.Failures, o)
			}
		}
	}
	return json.NewEncoder(w).Encode(out)
}
