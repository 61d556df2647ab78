package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/espbot/espbot/config"
	"github.com/espbot/espbot/matcher"
	"github.com/espbot/espbot/store"
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
	if fs.NArg() > 0 || err != nil || !slices.Contains([]string{"text", "json", "md"}, f.format) {
		if err != nil {
			fmt.Fprintf(e.stderr, "espbot report: --since: %v\n", err)
		}
		fs.Usage()
		return errUsage
	}
	c, st, err := openConfiguredStore(ctx, e, f.config)
	if err != nil {
		return err
	}
	defer st.Close()
	now := time.Now().UTC()
	in, err := readReportInput(ctx, st, now.Add(-period.D()))
	if err != nil {
		return err
	}
	in.titles = entryTitles(c, e)
	r := buildReport(in, now, reportOptions{top: f.top, low: f.low})
	return writeReport(e.stdout, r, f.format)
}

// openConfiguredStore loads the configuration and opens its store.
func openConfiguredStore(ctx context.Context, e env, path string) (*config.Config, *store.Store, error) {
	c, err := config.Load(path, e.getenv)
	if err != nil {
		return nil, nil, err
	}
	if c.Store.Driver == "" {
		return nil, nil, errors.New("no store configured: set store.driver (and store.path or store.dsn) in the configuration")
	}
	st, err := openStore(ctx, c, e.getenv)
	if err != nil {
		return nil, nil, err
	}
	return c, st, nil
}

// entryTitles maps entry IDs to titles, from the configured FAQ; without
// it the report shows IDs only.
func entryTitles(c *config.Config, e env) map[string]string {
	kb, err := loadKnowledge(c.Knowledge.Paths)
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

// reportInput is what a report is built from.
type reportInput struct {
	since      time.Time
	questions  []store.Question
	feedback   []store.Feedback
	candidates []store.Candidate
	titles     map[string]string
}

func readReportInput(ctx context.Context, st *store.Store, since time.Time) (reportInput, error) {
	in := reportInput{since: since}
	var err error
	if in.questions, err = st.Questions(ctx, since); err != nil {
		return in, err
	}
	if in.feedback, err = st.Feedback(ctx, since); err != nil {
		return in, err
	}
	in.candidates, err = st.Candidates(ctx, since)
	return in, err
}

// reportOptions bound a report.
type reportOptions struct {
	top int     // rows per section
	low float64 // low-confidence cut
}

// report is the maintainers' summary.
type report struct {
	Since         time.Time       `json:"since"`
	Until         time.Time       `json:"until"`
	Questions     int             `json:"questions"`
	Answered      int             `json:"answered"`
	Platforms     []count         `json:"platforms"`
	Categories    []count         `json:"categories"`
	Unanswered    []cluster       `json:"unanswered_clusters"`
	NoText        int             `json:"unanswered_without_text"`
	DownVoted     []entryVotes    `json:"down_voted"`
	Candidates    []candidateRow  `json:"candidate_phrasings"`
	LowConfidence []lowConfidence `json:"low_confidence"`
}

// count is a name and how many.
type count struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// cluster is a group of similar unanswered questions.
type cluster struct {
	// Terms are the stems most members share, the cluster's label.
	Terms    []string `json:"terms"`
	Count    int      `json:"count"`
	Examples []string `json:"examples"`
}

// entryVotes are an entry's thumbs.
type entryVotes struct {
	Entry string `json:"entry"`
	Title string `json:"title,omitempty"`
	Down  int    `json:"down"`
	Up    int    `json:"up"`
}

// candidateRow is a candidate phrasing with its entry's title.
type candidateRow struct {
	store.Candidate
	Title string `json:"title,omitempty"`
}

// lowConfidence is a question answered with little confidence.
type lowConfidence struct {
	Question   string  `json:"question"`
	Entry      string  `json:"entry"`
	Title      string  `json:"title,omitempty"`
	Confidence float64 `json:"confidence"`
	Count      int     `json:"count"`
}

// uncategorised names questions without an answer in the category counts.
const uncategorised = "(not answered)"

// buildReport summarises in.
func buildReport(in reportInput, now time.Time, o reportOptions) report {
	r := report{Since: in.since, Until: now, Questions: len(in.questions)}
	platforms, categories := map[string]int{}, map[string]int{}
	var unanswered []string
	for _, q := range in.questions {
		platforms[q.Platform]++
		if !q.Answered() {
			categories[uncategorised]++
			if q.Text == "" {
				r.NoText++
			} else {
				unanswered = append(unanswered, q.Text)
			}
			continue
		}
		r.Answered++
		categories[cmp.Or(q.Category, "(none)")]++
	}
	r.Platforms, r.Categories = sortedCounts(platforms), sortedCounts(categories)
	r.Unanswered = limit(clusterQuestions(matcher.NewTermAnalyzer(), unanswered), o.top)
	r.DownVoted = limit(downVoted(in.feedback, in.titles), o.top)
	for _, c := range limit(in.candidates, o.top) {
		r.Candidates = append(r.Candidates, candidateRow{Candidate: c, Title: in.titles[c.EntryID]})
	}
	r.LowConfidence = limit(lowConfidenceAnswers(in.questions, in.titles, o.low), o.top)
	return r
}

func limit[T any](s []T, n int) []T {
	if n > 0 && len(s) > n {
		return s[:n]
	}
	return s
}

// sortedCounts orders counts largest first, then by name.
func sortedCounts(m map[string]int) []count {
	out := make([]count, 0, len(m))
	for k, v := range m {
		out = append(out, count{k, v})
	}
	slices.SortFunc(out, func(a, b count) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// downVoted lists the entries with thumbs down, most first.
func downVoted(fs []store.Feedback, titles map[string]string) []entryVotes {
	votes := map[string]*entryVotes{}
	for _, f := range fs {
		if f.EntryID == "" || (f.Kind != store.FeedbackDown && f.Kind != store.FeedbackUp) {
			continue
		}
		v := votes[f.EntryID]
		if v == nil {
			v = &entryVotes{Entry: f.EntryID, Title: titles[f.EntryID]}
			votes[f.EntryID] = v
		}
		if f.Kind == store.FeedbackDown {
			v.Down++
		} else {
			v.Up++
		}
	}
	var out []entryVotes
	for _, v := range votes {
		if v.Down > 0 {
			out = append(out, *v)
		}
	}
	slices.SortFunc(out, func(a, b entryVotes) int {
		return cmp.Or(cmp.Compare(b.Down, a.Down), cmp.Compare(a.Up, b.Up), cmp.Compare(a.Entry, b.Entry))
	})
	return out
}

// lowConfidenceAnswers lists answered questions below the cut, least
// confident first; repeated questions are counted once.
func lowConfidenceAnswers(qs []store.Question, titles map[string]string, cut float64) []lowConfidence {
	byKey := map[string]*lowConfidence{}
	var out []*lowConfidence
	for _, q := range qs {
		if !q.Answered() || q.Confidence >= cut || q.Text == "" {
			continue
		}
		key := normalQuestion(q.Text) + "\x00" + q.EntryID
		if l := byKey[key]; l != nil {
			l.Count++
			l.Confidence = min(l.Confidence, q.Confidence)
			continue
		}
		l := &lowConfidence{Question: q.Text, Entry: q.EntryID, Title: titles[q.EntryID], Confidence: q.Confidence, Count: 1}
		byKey[key] = l
		out = append(out, l)
	}
	slices.SortStableFunc(out, func(a, b *lowConfidence) int {
		return cmp.Or(cmp.Compare(a.Confidence, b.Confidence), cmp.Compare(b.Count, a.Count))
	})
	res := make([]lowConfidence, len(out))
	for i, l := range out {
		res[i] = *l
	}
	return res
}

// normalQuestion is the key of identical questions: lower case, single
// spaces, no trailing punctuation.
func normalQuestion(s string) string {
	return strings.TrimRight(strings.Join(strings.Fields(strings.ToLower(s)), " "), "?!. ")
}

// writeReport renders r in format.
func writeReport(w io.Writer, r report, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "md":
		return writeReportMarkdown(w, r)
	}
	return writeReportText(w, r)
}
