package eval

import (
	"context"
	"strings"
	"testing"
)

func TestCurve(t *testing.T) {
	t.Parallel()
	title := "What is the default MTU of LWIP for an ESP32?"
	top := []string{title}
	outs := []Outcome{
		{Expect: &title, Top: top, Confidence: 0.9, BestRight: true},
		{Expect: &title, Top: []string{"another"}, Confidence: 0.6},
		{Expect: &title, Top: top, Confidence: 0.95, BestRight: true, Withheld: "a single word"},
		{Expect: &title},                               // nothing matched
		{Top: top, Confidence: 0.5},                    // unanswerable
		{Top: top, Confidence: 0.4, Style: "offtopic"}, // off-topic
	}
	for _, tt := range []struct {
		t                          float64
		right, wrong, fa, offtopic int
		overall                    float64
	}{
		{0.3, 1, 1, 2, 1, 1.0 / 6},
		{0.4, 1, 1, 2, 1, 1.0 / 6}, // a confidence at the threshold answers
		{0.5, 1, 1, 1, 0, 2.0 / 6},
		{0.7, 1, 0, 0, 0, 3.0 / 6},
		{0.95, 0, 0, 0, 0, 2.0 / 6}, // the withheld best entry is never given
	} {
		c := OperatingCurve(outs, []float64{tt.t})
		p := c.Points[0]
		if p.Threshold != tt.t || p.Right != tt.right || p.Wrong != tt.wrong || p.FalseAnswers != tt.fa || p.OffTopic != tt.offtopic || p.Overall != tt.overall {
			t.Errorf("at %.2f: %+v, want right %d wrong %d false %d off-topic %d overall %.3f", tt.t, p, tt.right, tt.wrong, tt.fa, tt.offtopic, tt.overall)
		}
		if c.RankedFirst != 2 || c.Answerable != 4 {
			t.Errorf("ranked first %d of %d, want 2 of 4", c.RankedFirst, c.Answerable)
		}
		if want := float64(tt.wrong) / 4; p.WrongRate != want {
			t.Errorf("at %.2f: wrong rate %.3f, want %.3f", tt.t, p.WrongRate, want)
		}
	}
}

// At the index's own threshold the curve says what the run did.
func TestCurveAtThresholdInUse(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	cases, _ := ParseCases("set.jsonl", strings.NewReader(set+`{"id": "d", "question": "mtu", "expect": "What is the default MTU of LWIP for an ESP32?"}
{"id": "e", "question": "lwip mtu esp32 default value please", "expect": null}
`))
	outs, err := Run(context.Background(), ix, cases, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := Summarise(outs)
	p := OperatingCurve(outs, []float64{ix.AnswerThreshold()}).Points[0]
	if p.Right != s.Verdicts[Right] || p.Wrong != s.Verdicts[Wrong] || p.FalseAnswers != s.Verdicts[FalseAnswer] || p.Overall != s.Overall {
		t.Errorf("curve at %.3f: %+v; the run: %v, overall %.3f", p.Threshold, p, s.Verdicts, s.Overall)
	}
	if outs[3].Withheld == "" || outs[3].Got != nil {
		t.Errorf("a one-word question: withheld %q, got %v; want withheld, no answer", outs[3].Withheld, outs[3].Got)
	}
	if p.FalseAnswers == 0 {
		t.Errorf("the unanswerable question worded as an answerable one was not answered: the test shows nothing (%+v)", p)
	}
}

func TestWithThreshold(t *testing.T) {
	t.Parallel()
	ts := CurveThresholds()
	if len(ts) != 13 || ts[0] != 0.3 || ts[12] != 0.9 {
		t.Fatalf("CurveThresholds() = %v", ts)
	}
	got := WithThreshold(ts, 0.555)
	if len(got) != 14 || got[6] != 0.555 || len(ts) != 13 {
		t.Errorf("WithThreshold(.., 0.555) = %v (and ts %v)", got, ts)
	}
	if got := WithThreshold(ts, 0.5); len(got) != 13 {
		t.Errorf("WithThreshold(.., 0.5) = %v: added a threshold already there", got)
	}
}

func TestWriteCurve(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	c := Curve{RankedFirst: 3, Answerable: 4, Points: []Point{{Threshold: 0.5, Right: 3, Wrong: 1, WrongRate: 0.25, Overall: 0.6}, {Threshold: 0.555, Right: 2, FalseAnswers: 2, OffTopic: 1, Overall: 0.4}}}
	if err := WriteCurve(&b, c, 0.555); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[1], "  0.500") || !strings.HasPrefix(lines[2], "* 0.555") || !strings.Contains(lines[2], "(1 off-topic)") || !strings.Contains(lines[1], "25.0%") || !strings.Contains(b.String(), "ranked first  3 of 4 answerable") {
		t.Errorf("WriteCurve:\n%s", b.String())
	}
}
