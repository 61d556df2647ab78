package eval

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/espbot/espbot/matcher"
)

// TrainingQuestions turns cases into the matcher's training questions,
// expected titles resolved to entry IDs. Titles the index lacks are
// returned, with their lines, and left out of the answers; a case whose
// titles are all unknown is left out, so a typo never teaches "no entry
// answers this".
func TrainingQuestions(ix *matcher.Index, cases []Case) ([]matcher.TrainingQuestion, []UnknownTitle) {
	ids := map[string]string{}
	for _, e := range ix.Entries() {
		if k := TitleKey(e.Title); ids[k] == "" {
			ids[k] = e.ID
		}
	}
	var qs []matcher.TrainingQuestion
	var unknown []UnknownTitle
	for i, c := range cases {
		q := matcher.TrainingQuestion{ID: c.ID, Text: c.Question, Style: c.Style}
		for _, t := range c.Expected() {
			id, ok := ids[TitleKey(t)]
			if !ok {
				unknown = append(unknown, UnknownTitle{Case: i, Line: c.Line, Title: t})
				continue
			}
			if !slices.Contains(q.Answers, id) {
				q.Answers = append(q.Answers, id)
			}
		}
		if c.Expect != nil && len(q.Answers) == 0 {
			continue
		}
		qs = append(qs, q)
	}
	return qs, unknown
}

// CVReport is what cross-validation found: the outcomes of the questions
// as asked, and of the same questions filed in each post template.
type CVReport struct {
	Outcomes []Outcome
	Posts    []PostOutcomes
	Variants
}

// Variants are the outcomes of the questions searched the other ways
// people write them; their Question is the question as written.
type Variants struct {
	// Typos: with typos in about a quarter of their longer typed words
	// (matcher.CVTypoRate).
	Typos []Outcome
	// Setup: with a note of the asker's set-up after them ("(esp-idf
	// v5.1.2)", one of five; see matcher.CrossValidate).
	Setup []Outcome
	// Intro: after a sentence introducing the asker ("Long time lurker,
	// first post.", one of five; see matcher.CrossValidate).
	Intro []Outcome
	// Remark: with a remark on the message around them ("EDIT: same thing
	// with a second board.", one of seven; see matcher.CrossValidate).
	Remark []Outcome
}

// PostOutcomes are the outcomes of the questions filed in one post
// template; their Question is the question alone, not the whole post.
type PostOutcomes struct {
	Template string
	Outcomes []Outcome
}

// CrossValidate trains on all folds but one and judges the held-out
// fold's cases, for k folds split by entry (see matcher.CrossValidate):
// the figures say how espbot does on entries nobody asked about in
// training, as chat questions and filed in long posts. Outcomes are in the
// order of the cases kept by TrainingQuestions.
func CrossValidate(ctx context.Context, ix *matcher.Index, cases []Case, k int, opts matcher.TrainOptions) (*CVReport, error) {
	qs, _ := TrainingQuestions(ix, cases)
	kept := make([]Case, 0, len(qs))
	byID := map[string][]Case{}
	for _, c := range cases {
		byID[c.ID+"\x00"+c.Question] = append(byID[c.ID+"\x00"+c.Question], c)
	}
	for _, q := range qs {
		key := q.ID + "\x00" + q.Text
		kept = append(kept, byID[key][0])
		byID[key] = byID[key][1:]
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res, err := matcher.CrossValidate(ix, qs, k, opts)
	if err != nil {
		return nil, err
	}
	rep := &CVReport{Outcomes: make([]Outcome, len(res)), Posts: postOutcomes(opts.Posts)}
	for i, r := range res {
		rep.Outcomes[i] = Judge(kept[i], r.Result, time.Duration(0))
		rep.Typos = append(rep.Typos, Judge(kept[i], r.Typos, time.Duration(0)))
		rep.Setup = append(rep.Setup, Judge(kept[i], r.Setup, time.Duration(0)))
		rep.Intro = append(rep.Intro, Judge(kept[i], r.Intro, time.Duration(0)))
		rep.Remark = append(rep.Remark, Judge(kept[i], r.Remark, time.Duration(0)))
		for j, pr := range r.Posts {
			rep.Posts[j].Outcomes = append(rep.Posts[j].Outcomes, Judge(kept[i], pr, time.Duration(0)))
		}
	}
	return rep, nil
}

// postOutcomes names the post templates cross-validation files questions
// in: the built-in ones by name, others by number.
func postOutcomes(posts []string) []PostOutcomes {
	var out []PostOutcomes
	if posts == nil {
		for _, t := range matcher.PostTemplates() {
			out = append(out, PostOutcomes{Template: t.Name})
		}
		return out
	}
	for i := range posts {
		out = append(out, PostOutcomes{Template: fmt.Sprintf("template %d", i+1)})
	}
	return out
}

// ByStyle summarises the outcomes of each style ("" for cases without
// one), styles in alphabetical order.
func ByStyle(outs []Outcome) ([]string, map[string]Summary) {
	groups := map[string][]Outcome{}
	for _, o := range outs {
		groups[o.Style] = append(groups[o.Style], o)
	}
	styles := make([]string, 0, len(groups))
	sums := make(map[string]Summary, len(groups))
	for st, g := range groups {
		styles = append(styles, st)
		sums[st] = Summarise(g)
	}
	slices.Sort(styles)
	return styles, sums
}
