package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/espbot/espbot/internal/faqtest"
	"github.com/espbot/espbot/matcher"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func testIndex(tb testing.TB) *matcher.Index { return faqtest.Index(tb) }

const set = `{"id": "a", "question": "default mtu of lwip on esp32", "expect": "What is the default MTU of LWIP for an ESP32?", "also": [], "style": "terse"}

{"id": "b", "question": "tell me a joke", "expect": null, "also": [], "source": "hand-written"}
{"id": "c", "question": "how do i exit vim", "expect": "Does MQTT support automatic reconnection?", "also": ["No such title?"]}
`

func TestParseCases(t *testing.T) {
	t.Parallel()
	cases, err := ParseCases("set.jsonl", strings.NewReader(set))
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 3 || cases[0].Style != "terse" || cases[1].Line != 3 || cases[1].Expect != nil || cases[2].Line != 4 {
		t.Errorf("cases = %+v", cases)
	}
	if got := cases[2].Expected(); len(got) != 2 || got[1] != "No such title?" {
		t.Errorf("Expected = %v", got)
	}
	for _, tt := range []struct{ in, want string }{
		{"{\"question\": \"ok\"}\nnot json\n", "set.jsonl:2: invalid character"},
		{"{\"question\": \"  \"}\n", "set.jsonl:1: empty question"},
		{"{\"question\": 3}\n", "set.jsonl:1: json: cannot unmarshal number"},
	} {
		if _, err := ParseCases("set.jsonl", strings.NewReader(tt.in)); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ParseCases(%q) = %v, want %q...", tt.in, err, tt.want)
		}
	}
	if _, err := ReadCases(filepath.Join(t.TempDir(), "none.jsonl")); err == nil {
		t.Error("a missing file read without error")
	}
}

func TestEvaluateAndSummarise(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	cases, _ := ParseCases("set.jsonl", strings.NewReader(set))
	var progress []int
	outs, err := Run(context.Background(), ix, cases, func(done, total int) {
		if total != len(cases) {
			t.Errorf("progress total %d, want %d", total, len(cases))
		}
		progress = append(progress, done)
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(progress) != "[1 2 3]" {
		t.Errorf("progress %v, want [1 2 3]", progress)
	}
	want := []string{Right, RightAbstain, Abstained}
	for i, o := range outs {
		if o.Verdict != want[i] {
			t.Errorf("%s: verdict %s, want %s", o.ID, o.Verdict, want[i])
		}
	}
	if !outs[0].InTop3 || outs[0].Style != "terse" || outs[0].Got == nil || outs[1].Got != nil {
		t.Errorf("outcomes %+v", outs)
	}
	s := Summarise(outs)
	if s.N != 3 || s.Answerable != 2 || s.Top1 != 0.5 || s.Abstention != 1 || s.Overall < 0.66 || s.Overall > 0.67 || s.Wrong != 0 {
		t.Errorf("summary = %+v", s)
	}
	if f := Failures(outs); len(f) != 1 || f[0].ID != "c" {
		t.Errorf("failures = %+v", f)
	}
	unknown := UnknownTitles(ix, cases)
	if len(unknown) != 1 || unknown[0].Case != 2 || unknown[0].Line != 4 || unknown[0].Title != "No such title?" {
		t.Errorf("unknown titles = %+v", unknown)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, ix, cases, nil); err == nil {
		t.Error("Run ignored a cancelled context")
	}
}

func TestVerdict(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		answerable, answered, right bool
		want                        string
	}{
		{true, true, true, Right}, {true, true, false, Wrong}, {true, false, false, Abstained},
		{false, true, false, FalseAnswer}, {false, false, false, RightAbstain},
	} {
		if got := verdict(tt.answerable, tt.answered, tt.right); got != tt.want {
			t.Errorf("verdict(%v, %v, %v) = %s, want %s", tt.answerable, tt.answered, tt.right, got, tt.want)
		}
	}
}

func TestTitleKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"[LWIP] What is the default MTU?":  "what is the default mtu",
		"How to optimize ``latency``？":     "how to optimize latency",
		"  Does   ESP8266 support HTTP?  ": "does esp8266 support http",
	} {
		if got := TitleKey(in); got != want {
			t.Errorf("TitleKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWriters pins the text, failure, per-style and JSON output on fixed
// outcomes.
func TestWriters(t *testing.T) {
	t.Parallel()
	expect := "What is the default MTU of LWIP for an ESP32?"
	got := "Does MQTT support automatic reconnection?"
	outs := []Outcome{
		{ID: "a", Question: "mtu", Expect: &expect, Got: &expect, Top: []string{expect}, Confidence: 0.9, Verdict: Right, InTop3: true, Latency: 40 * time.Microsecond},
		{ID: "b", Question: "joke", Confidence: 0.1, Verdict: RightAbstain, Latency: 20 * time.Microsecond},
		{ID: "c", Question: "vim", Expect: &expect, Got: &got, Top: []string{got, expect}, Confidence: 0.7, Verdict: Wrong, InTop3: true, Style: "typo", Latency: 90 * time.Microsecond},
	}
	s := Summarise(outs)
	var b bytes.Buffer
	if err := WriteText(&b, s); err != nil {
		t.Fatal(err)
	}
	if err := WriteFailures(&b, outs); err != nil {
		t.Fatal(err)
	}
	if err := WriteStyles(&b, outs); err != nil {
		t.Fatal(err)
	}
	posts := []PostOutcomes{{Template: "esp-idf-form", Outcomes: outs[:2]}, {Template: "forum", Outcomes: outs[2:]}}
	if err := WritePosts(&b, posts); err != nil {
		t.Fatal(err)
	}
	variants := Variants{Typos: outs[:2], Setup: outs[1:], Intro: outs[2:], Remark: outs[:1]}
	if err := WriteVariants(&b, variants); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&b, s, outs, posts, variants, true, nil); err != nil {
		t.Fatal(err)
	}
	golden(t, "writers.golden", b.Bytes())
	var decoded map[string]any
	if err := json.Unmarshal([]byte(b.String()[strings.LastIndex(b.String(), "\n{")+1:]), &decoded); err != nil {
		t.Fatalf("JSON summary: %v", err)
	}
}

func golden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	faqtest.Golden(tb, filepath.Join("testdata", name), got, *update)
}

// TestTrainingQuestions resolves titles to entries, names the unknown ones
// and drops cases left without an answer.
func TestTrainingQuestions(t *testing.T) {
	t.Parallel()
	ix := faqtest.Index(t)
	mtu := "What is the default MTU of LWIP for an ESP32?"
	typo := "What is the default MTU of LWIP for an ESP33?"
	cases := []Case{
		{ID: "a", Question: "mtu", Expect: &mtu, Line: 1},
		{ID: "b", Question: "mtu too", Expect: &typo, Line: 2},
		{ID: "c", Question: "joke", Line: 3, Style: "offtopic"},
	}
	qs, unknown := TrainingQuestions(ix, cases)
	if len(qs) != 2 || qs[0].ID != "a" || len(qs[0].Answers) != 1 || qs[1].ID != "c" || len(qs[1].Answers) != 0 || qs[1].Style != "offtopic" {
		t.Errorf("questions %+v", qs)
	}
	if len(unknown) != 1 || unknown[0].Line != 2 {
		t.Errorf("unknown titles %+v, want line 2", unknown)
	}
}
