// Package eval scores espbot's matcher on a question set: JSONL lines of
// {"id", "question", "expect", "also", "style"}, where expect is the title
// of the entry that answers the question, or null when none does. It reads
// sets (with file:line errors), evaluates cases against an index, and
// summarises and writes the figures, so that cross-validation and figures
// per style can be built on the same pieces.
package eval

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/espbot/espbot/knowledge"
	"github.com/espbot/espbot/matcher"
)

// Case is one line of a question set. Unknown fields are ignored, so sets
// may carry more than espbot reads.
type Case struct {
	ID       string `json:"id"`
	Question string `json:"question"`
	// Expect is the title of the answering entry; nil: no entry answers.
	Expect *string `json:"expect"`
	// Also lists further acceptable titles.
	Also []string `json:"also"`
	// Style says how the question is asked (e.g. "typo", "terse"), when
	// the set says.
	Style string `json:"style,omitempty"`
	// Line is the case's line in its file.
	Line int `json:"-"`
}

// Expected returns every acceptable title (none for an unanswerable case).
func (c Case) Expected() []string {
	if c.Expect == nil {
		return nil
	}
	return append([]string{*c.Expect}, c.Also...)
}

// ReadCases reads the question set at path.
func ReadCases(path string) ([]Case, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read question set: %w", err)
	}
	defer f.Close()
	return ParseCases(path, f)
}

// ParseCases reads a JSONL question set from r; name is the file named in
// errors ("name:line: ..."). Blank lines are skipped.
func ParseCases(name string, r io.Reader) ([]Case, error) {
	var cases []Case
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var c Case
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
		if strings.TrimSpace(c.Question) == "" {
			return nil, fmt.Errorf("%s:%d: empty question", name, n)
		}
		c.Line = n
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return cases, nil
}

// UnknownTitle is an expected title that no entry of the index has.
type UnknownTitle struct {
	Case  int // the index of the case among those given
	Line  int
	Title string
}

// UnknownTitles lists the expected titles the index lacks: a typo in the
// set, or a knowledge base other than the one the set was written for.
func UnknownTitles(ix *matcher.Index, cases []Case) []UnknownTitle {
	titles := map[string]bool{}
	for _, e := range ix.Entries() {
		titles[TitleKey(e.Title)] = true
	}
	var out []UnknownTitle
	for i, c := range cases {
		for _, t := range c.Expected() {
			if !titles[TitleKey(t)] {
				out = append(out, UnknownTitle{Case: i, Line: c.Line, Title: t})
			}
		}
	}
	return out
}

// TitleKey normalises a title for comparison: expected titles in question
// sets are written in raw RST, with tag prefixes and full-width marks.
func TitleKey(t string) string {
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

// Verdicts.
const (
	Right        = "right"
	Abstained    = "abstained"     // on an answerable question
	Wrong        = "wrong"         // answered with the wrong entry
	RightAbstain = "right-abstain" // on an unanswerable question
	FalseAnswer  = "false-answer"  // answered an unanswerable question
)

// Outcome is how espbot did on one case.
type Outcome struct {
	ID       string  `json:"id"`
	Question string  `json:"question"`
	Expect   *string `json:"expect"`
	// Got is the answer given; nil when espbot abstained.
	Got *string `json:"got"`
	// Top holds the titles of the ranked entries, best first.
	Top        []string `json:"top"`
	Confidence float64  `json:"confidence"`
	Verdict    string   `json:"verdict"`
	Style      string   `json:"style,omitempty"`
	// InTop3 is true when an expected entry is among the first three.
	InTop3 bool `json:"-"`
	// BestRight is true when the best entry is an expected one, answered
	// or not; Withheld says why it is never answered, whatever the
	// threshold (see matcher.Result.Withheld), for operating curves.
	BestRight bool          `json:"-"`
	Withheld  string        `json:"withheld,omitempty"`
	Latency   time.Duration `json:"-"`
}

// Failed reports whether the outcome is a miss.
func (o Outcome) Failed() bool { return o.Verdict != Right && o.Verdict != RightAbstain }

// Evaluate asks ix the case's question and judges the result.
func Evaluate(ix *matcher.Index, c Case) Outcome {
	start := time.Now()
	res := ix.Search(c.Question)
	return Judge(c, res, time.Since(start))
}

// Judge says how a search result did on a case.
func Judge(c Case, res matcher.Result, latency time.Duration) Outcome {
	o := Outcome{ID: c.ID, Question: c.Question, Expect: c.Expect, Style: c.Style, Confidence: res.Confidence, Latency: latency}
	want := map[string]bool{}
	for _, t := range c.Expected() {
		want[TitleKey(t)] = true
	}
	if res.Best != nil {
		o.Top = append(o.Top, res.Best.Entry.Title)
		for _, h := range res.Alternatives {
			o.Top = append(o.Top, h.Entry.Title)
		}
	}
	for i, t := range o.Top {
		if i < 3 && want[TitleKey(t)] {
			o.InTop3 = true
		}
	}
	o.BestRight = len(o.Top) > 0 && want[TitleKey(o.Top[0])]
	o.Withheld = res.Withheld
	if res.Answered {
		o.Got = &res.Best.Entry.Title
	}
	o.Verdict = verdict(c.Expect != nil, res.Answered, res.Answered && want[TitleKey(*o.Got)])
	return o
}

func verdict(answerable, answered, right bool) string {
	switch {
	case answerable && right:
		return Right
	case answerable && answered:
		return Wrong
	case answerable:
		return Abstained
	case answered:
		return FalseAnswer
	}
	return RightAbstain
}

// Run evaluates every case in order, stopping when ctx is done. progress,
// when not nil, is called after each case with the cases done and their
// total, for a progress display.
func Run(ctx context.Context, ix *matcher.Index, cases []Case, progress func(done, total int)) ([]Outcome, error) {
	outs := make([]Outcome, 0, len(cases))
	for i, c := range cases {
		if err := ctx.Err(); err != nil {
			return outs, err
		}
		outs = append(outs, Evaluate(ix, c))
		if progress != nil {
			progress(i+1, len(cases))
		}
	}
	return outs, nil
}

// Failures returns the misses, in order.
func Failures(outs []Outcome) []Outcome {
	var out []Outcome
	for _, o := range outs {
		if o.Failed() {
			out = append(out, o)
		}
	}
	return out
}
