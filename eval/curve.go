package eval

import (
	"fmt"
	"io"
	"slices"
)

// Point is what one answer threshold would do on a question set: the
// answers it would give right and wrong, and the overall score.
type Point struct {
	Threshold float64 `json:"threshold"`
	Right     int     `json:"right"`
	Wrong     int     `json:"wrong_entry"`
	// WrongRate is Wrong over the answerable questions.
	WrongRate float64 `json:"wrong_rate"`
	// FalseAnswers are unanswerable questions answered; OffTopic the
	// off-topic lines among them.
	FalseAnswers int     `json:"false_answers"`
	OffTopic     int     `json:"offtopic_answered"`
	Overall      float64 `json:"overall"`
}

// CurveThresholds are the thresholds Curve is usually asked about: 0.30
// to 0.90 in steps of 0.05.
func CurveThresholds() []float64 {
	var ts []float64
	for i := 30; i <= 90; i += 5 {
		ts = append(ts, float64(i)/100)
	}
	return ts
}

// Curve is an operating curve: what each threshold would answer, and how
// many answerable questions have an expected entry first, the most right
// answers any threshold could give.
type Curve struct {
	RankedFirst int     `json:"ranked_first"`
	Answerable  int     `json:"answerable"`
	Points      []Point `json:"points"`
}

// OperatingCurve is the curve of outs: for each threshold, what the
// searches would have answered had they answered from it. A withheld
// best entry (a single word, another language) is never answered. Run
// on cross-validated outcomes, it tells a maintainer what raising or
// lowering matcher.answer_threshold would do on questions like theirs.
func OperatingCurve(outs []Outcome, thresholds []float64) Curve {
	var c Curve
	for _, o := range outs {
		if o.Expect != nil {
			c.Answerable++
			if o.BestRight {
				c.RankedFirst++
			}
		}
	}
	c.Points = make([]Point, 0, len(thresholds))
	for _, t := range thresholds {
		pt := Point{Threshold: t}
		abstained := 0
		for _, o := range outs {
			answered := len(o.Top) > 0 && o.Withheld == "" && o.Confidence >= t
			switch verdict(o.Expect != nil, answered, answered && o.BestRight) {
			case Right:
				pt.Right++
			case Wrong:
				pt.Wrong++
			case FalseAnswer:
				pt.FalseAnswers++
				if o.Style == "offtopic" {
					pt.OffTopic++
				}
			case RightAbstain:
				abstained++
			}
		}
		pt.WrongRate = ratio(pt.Wrong, c.Answerable)
		pt.Overall = ratio(pt.Right+abstained, len(outs))
		c.Points = append(c.Points, pt)
	}
	return c
}

// WriteCurve prints the operating curve, marking the point at threshold
// mark (the one in use; none when no point is at it).
func WriteCurve(w io.Writer, c Curve, mark float64) error {
	if _, err := fmt.Fprintln(w, "  threshold  right  wrong entry  unanswerable answered  overall"); err != nil {
		return err
	}
	for _, p := range c.Points {
		star := " "
		if p.Threshold == mark {
			star = "*"
		}
		off := ""
		if p.OffTopic > 0 {
			off = fmt.Sprintf(" (%d off-topic)", p.OffTopic)
		}
		if _, err := fmt.Fprintf(w, "%s %-9.3f  %5d  %5d %5.1f%%  %5d%-18s  %.3f\n",
			star, p.Threshold, p.Right, p.Wrong, 100*p.WrongRate, p.FalseAnswers, off, p.Overall); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "ranked first  %d of %d answerable questions: the most right answers any threshold gives\n\n", c.RankedFirst, c.Answerable)
	return err
}

// WithThreshold returns ts with t added in order, unless it is there.
func WithThreshold(ts []float64, t float64) []float64 {
	i, found := slices.BinarySearch(ts, t)
	if found {
		return ts
	}
	return slices.Insert(slices.Clone(ts), i, t)
}
