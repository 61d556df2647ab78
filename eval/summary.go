package eval

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Summary holds the figures of a run.
type Summary struct {
	N            int     `json:"n"`
	Answerable   int     `json:"answerable"`
	Unanswerable int     `json:"unanswerable"`
	Top1         float64 `json:"top1"`
	Top3         float64 `json:"top3"`
	Abstention   float64 `json:"abstention"`
	Overall      float64 `json:"overall"`
	Wrong        int     `json:"wrong_confident"`
	// WrongRate is the share of answerable questions answered with the
	// wrong entry.
	WrongRate float64 `json:"wrong_rate"`
	P50       string  `json:"latency_p50"`
	P99       string  `json:"latency_p99"`
	// Verdicts counts the outcomes by verdict; InTop3 counts the answerable
	// cases with an expected entry among the first three.
	Verdicts map[string]int `json:"-"`
	InTop3   int            `json:"-"`
}

// Summarise computes the figures of outs.
func Summarise(outs []Outcome) Summary {
	s := Summary{N: len(outs), Verdicts: map[string]int{}}
	lat := make([]time.Duration, 0, len(outs))
	for _, o := range outs {
		s.Verdicts[o.Verdict]++
		if o.Expect != nil {
			s.Answerable++
			if o.InTop3 {
				s.InTop3++
			}
		}
		lat = append(lat, o.Latency)
	}
	s.Unanswerable = s.N - s.Answerable
	s.Top1 = ratio(s.Verdicts[Right], s.Answerable)
	s.Top3 = ratio(s.InTop3, s.Answerable)
	s.Abstention = ratio(s.Verdicts[RightAbstain], s.Unanswerable)
	s.Overall = ratio(s.Verdicts[Right]+s.Verdicts[RightAbstain], s.N)
	s.Wrong = s.Verdicts[Wrong] + s.Verdicts[FalseAnswer]
	s.WrongRate = ratio(s.Verdicts[Wrong], s.Answerable)
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
	return sorted[int(p*float64(len(sorted)-1)+0.5)]
}

// WriteText prints the figures; the last lines are the headline ones.
func WriteText(w io.Writer, s Summary) error {
	_, err := fmt.Fprintf(w, `questions     %d (%d answerable, %d unanswerable)
top-1         %.3f (%d/%d answered right)
top-3         %.3f (%d/%d expected entry ranked in the first three)
overall       %.3f (%d right answers + %d right abstentions)
abstention    %.3f (%d/%d unanswerable questions left unanswered)
wrong         %d confident wrong answers (%d wrong entry: %.1f%% of answerable; %d answered the unanswerable)
%s
`, s.N, s.Answerable, s.Unanswerable,
		s.Top1, s.Verdicts[Right], s.Answerable,
		s.Top3, s.InTop3, s.Answerable,
		s.Overall, s.Verdicts[Right], s.Verdicts[RightAbstain],
		s.Abstention, s.Verdicts[RightAbstain], s.Unanswerable,
		s.Wrong, s.Verdicts[Wrong], 100*s.WrongRate, s.Verdicts[FalseAnswer],
		latencyLine(s))
	return err
}

// latencyLine reports search times, when the run measured them (a
// cross-validation does not).
func latencyLine(s Summary) string {
	if s.P99 == "0s" {
		return "latency       not measured"
	}
	return fmt.Sprintf("latency       p50 %s, p99 %s per question", s.P50, s.P99)
}

// WriteFailures prints each miss with what was expected and what came back.
func WriteFailures(w io.Writer, outs []Outcome) error {
	for _, o := range Failures(outs) {
		if _, err := fmt.Fprintf(w, "%s %s (confidence %.2f)\n  question: %q\n  expected: %s\n  got:      %s\n",
			o.ID, o.Verdict, o.Confidence, o.Question, orNone(o.Expect), orNone(o.Got)); err != nil {
			return err
		}
		for i, t := range o.Top {
			fmt.Fprintf(w, "  #%d %s\n", i+1, t)
		}
		if _, err := fmt.Fprintln(w); err != nil {
			return err
		}
	}
	return nil
}

func orNone(s *string) string {
	if s == nil {
		return "(no answer)"
	}
	return *s
}

// WriteStyles prints one line of figures per style, when the set has
// styles.
func WriteStyles(w io.Writer, outs []Outcome) error {
	styles, sums := ByStyle(outs)
	if len(styles) < 2 && (len(styles) == 0 || styles[0] == "") {
		return nil
	}
	rows := make([]namedSummary, len(styles))
	for i, st := range styles {
		rows[i] = namedSummary{st, sums[st]}
		if st == "" {
			rows[i].name = "(none)"
		}
	}
	return writeTable(w, "style", rows)
}

// WritePosts prints one line of figures per post template the questions
// were filed in, when there are any.
func WritePosts(w io.Writer, posts []PostOutcomes) error {
	if len(posts) == 0 {
		return nil
	}
	rows := make([]namedSummary, len(posts))
	for i, p := range posts {
		rows[i] = namedSummary{"in " + p.Template, Summarise(p.Outcomes)}
	}
	return writeTable(w, "filed", rows)
}

// WriteVariants prints the figures of the questions searched with typos,
// with a set-up note, after an introduction and with a remark, when there
// are any.
func WriteVariants(w io.Writer, v Variants) error {
	var rows []namedSummary
	for _, r := range []struct {
		name string
		outs []Outcome
	}{{"with typos", v.Typos}, {"with a set-up note", v.Setup}, {"after an introduction", v.Intro}, {"with a remark", v.Remark}} {
		if len(r.outs) > 0 {
			rows = append(rows, namedSummary{r.name, Summarise(r.outs)})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	return writeTable(w, "variant", rows)
}

// summaryOf is the summary of outs, or nil when there are none.
func summaryOf(outs []Outcome) *Summary {
	if len(outs) == 0 {
		return nil
	}
	s := Summarise(outs)
	return &s
}

type namedSummary struct {
	name string
	Summary
}

// writeTable prints a line of figures per row, under a header whose first
// column is what the rows are.
func writeTable(w io.Writer, what string, rows []namedSummary) error {
	width := max(10, len(what)) // the style names fit in 10
	for _, r := range rows {
		width = max(width, len(r.name))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-*s %5s %7s %6s %6s %6s %6s %6s\n", width, what, "n", "overall", "top-1", "top-3", "abst.", "wrong", "false")
	for _, r := range rows {
		s := r.Summary
		fmt.Fprintf(&b, "%-*s %5d %7.3f %6.3f %6.3f %6s %5.1f%% %6d\n", width, r.name, s.N, s.Overall, s.Top1, s.Top3,
			orDash(s.Abstention, s.Unanswerable), 100*s.WrongRate, s.Verdicts[FalseAnswer])
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func orDash(v float64, n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f", v)
}

// WriteJSON prints the summary as one JSON object, with the figures per
// style under "styles" when the set has styles, those of the questions
// filed in each post template under "posts", of the questions with typos
// under "typos", with a set-up note under "setup", after an introduction
// under "intro" and with a remark under "remark" when there are any,
// the misses under "failures" when failures is set, and the operating
// curve under "thresholds" when curve is not nil.
func WriteJSON(w io.Writer, s Summary, outs []Outcome, posts []PostOutcomes, v Variants, failures bool, curve *Curve) error {
	type filed struct {
		Template string `json:"template"`
		Summary
	}
	out := struct {
		Summary
		Styles   map[string]Summary `json:"styles,omitempty"`
		Posts    []filed            `json:"posts,omitempty"`
		Typos    *Summary           `json:"typos,omitempty"`
		Setup    *Summary           `json:"setup,omitempty"`
		Intro    *Summary           `json:"intro,omitempty"`
		Remark   *Summary           `json:"remark,omitempty"`
		Failures []Outcome          `json:"failures,omitempty"`
		Curve    *Curve             `json:"thresholds,omitempty"`
	}{Summary: s, Curve: curve}
	out.Typos, out.Setup, out.Intro, out.Remark = summaryOf(v.Typos), summaryOf(v.Setup), summaryOf(v.Intro), summaryOf(v.Remark)
	if styles, sums := ByStyle(outs); len(styles) > 1 || len(styles) == 1 && styles[0] != "" {
		out.Styles = sums
	}
	for _, p := range posts {
		out.Posts = append(out.Posts, filed{p.Template, Summarise(p.Outcomes)})
	}
	if failures {
		out.Failures = Failures(outs)
	}
	return json.NewEncoder(w).Encode(out)
}
