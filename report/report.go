// Package report summarises what people asked espbot, for FAQ
// maintainers: questions per platform and category, unanswered questions
// grouped by shared word stems, down-voted answers, candidate phrasings and
// low-confidence answers, as text, GitHub markdown (an esp-faq issue) or
// JSON.
package report

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/espbot/espbot/matcher"
	"github.com/espbot/espbot/store"
)

// Input is what a report is built from.
type Input struct {
	Since      time.Time
	Questions  []store.Question
	Feedback   []store.Feedback
	Candidates []store.Candidate
	// Titles maps entry IDs to titles (nil: the report shows IDs only).
	Titles map[string]string
}

// Read reads the questions, feedback and candidates recorded since since.
func Read(ctx context.Context, st *store.Store, since time.Time) (Input, error) {
	in := Input{Since: since}
	var err error
	if in.Questions, err = st.Questions(ctx, since); err != nil {
		return in, err
	}
	if in.Feedback, err = st.Feedback(ctx, since); err != nil {
		return in, err
	}
	in.Candidates, err = st.Candidates(ctx, since)
	return in, err
}

// Options bound a report.
type Options struct {
	Top int     // rows per section (0: all)
	Low float64 // answers below this confidence are listed as low-confidence
}

// Report is the maintainers' summary.
type Report struct {
	Since         time.Time       `json:"since"`
	Until         time.Time       `json:"until"`
	Questions     int             `json:"questions"`
	Answered      int             `json:"answered"`
	Platforms     []Count         `json:"platforms"`
	Categories    []Count         `json:"categories"`
	Unanswered    []Group         `json:"unanswered_clusters"`
	NoText        int             `json:"unanswered_without_text"`
	DownVoted     []EntryVotes    `json:"down_voted"`
	Candidates    []CandidateRow  `json:"candidate_phrasings"`
	LowConfidence []LowConfidence `json:"low_confidence"`
}

// Count is a name and how many.
type Count struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// Group is a cluster of similar unanswered questions.
type Group struct {
	// Terms are the stems most members share, the cluster's label.
	Terms    []string `json:"terms"`
	Count    int      `json:"count"`
	Examples []string `json:"examples"`
}

// EntryVotes are an entry's thumbs.
type EntryVotes struct {
	Entry string `json:"entry"`
	Title string `json:"title,omitempty"`
	Down  int    `json:"down"`
	Up    int    `json:"up"`
}

// CandidateRow is a candidate phrasing with its entry's title.
type CandidateRow struct {
	store.Candidate
	Title string `json:"title,omitempty"`
}

// LowConfidence is a question answered with little confidence.
type LowConfidence struct {
	Question   string  `json:"question"`
	Entry      string  `json:"entry"`
	Title      string  `json:"title,omitempty"`
	Confidence float64 `json:"confidence"`
	Count      int     `json:"count"`
}

// uncategorised names questions without an answer in the category counts.
const uncategorised = "(not answered)"

// Build summarises in as of now.
func Build(in Input, now time.Time, o Options) Report {
	r := Report{Since: in.Since, Until: now, Questions: len(in.Questions)}
	platforms, categories := map[string]int{}, map[string]int{}
	var unanswered []string
	for _, q := range in.Questions {
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
	r.Unanswered = limit(Cluster(matcher.NewTermAnalyzer(), unanswered), o.Top)
	r.DownVoted = limit(downVoted(in.Feedback, in.Titles), o.Top)
	for _, c := range limit(in.Candidates, o.Top) {
		r.Candidates = append(r.Candidates, CandidateRow{Candidate: c, Title: in.Titles[c.EntryID]})
	}
	r.LowConfidence = limit(lowConfidenceAnswers(in.Questions, in.Titles, o.Low), o.Top)
	return r
}

func limit[T any](s []T, n int) []T {
	if n > 0 && len(s) > n {
		return s[:n]
	}
	return s
}

// sortedCounts orders counts largest first, then by name.
func sortedCounts(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, v := range m {
		out = append(out, Count{k, v})
	}
	slices.SortFunc(out, func(a, b Count) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// downVoted lists the entries with thumbs down, most first.
func downVoted(fs []store.Feedback, titles map[string]string) []EntryVotes {
	votes := map[string]*EntryVotes{}
	for _, f := range fs {
		if f.EntryID == "" || (f.Kind != store.FeedbackDown && f.Kind != store.FeedbackUp) {
			continue
		}
		v := votes[f.EntryID]
		if v == nil {
			v = &EntryVotes{Entry: f.EntryID, Title: titles[f.EntryID]}
			votes[f.EntryID] = v
		}
		if f.Kind == store.FeedbackDown {
			v.Down++
		} else {
			v.Up++
		}
	}
	var out []EntryVotes
	for _, v := range votes {
		if v.Down > 0 {
			out = append(out, *v)
		}
	}
	slices.SortFunc(out, func(a, b EntryVotes) int {
		return cmp.Or(cmp.Compare(b.Down, a.Down), cmp.Compare(a.Up, b.Up), cmp.Compare(a.Entry, b.Entry))
	})
	return out
}

// lowConfidenceAnswers lists answered questions below the cut, least
// confident first; repeated questions are counted once.
func lowConfidenceAnswers(qs []store.Question, titles map[string]string, cut float64) []LowConfidence {
	byKey := map[string]*LowConfidence{}
	var out []*LowConfidence
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
		l := &LowConfidence{Question: q.Text, Entry: q.EntryID, Title: titles[q.EntryID], Confidence: q.Confidence, Count: 1}
		byKey[key] = l
		out = append(out, l)
	}
	slices.SortStableFunc(out, func(a, b *LowConfidence) int {
		return cmp.Or(cmp.Compare(a.Confidence, b.Confidence), cmp.Compare(b.Count, a.Count))
	})
	res := make([]LowConfidence, len(out))
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

// Formats returns the formats Write knows.
func Formats() []string { return []string{"text", "md", "json"} }

// Write renders r in format: "text", "md" or "json".
func Write(w io.Writer, r Report, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "md":
		return WriteMarkdown(w, r)
	case "text":
		return WriteText(w, r)
	}
	return fmt.Errorf("unknown report format %q (want text, md or json)", format)
}
