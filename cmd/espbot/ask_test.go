package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/espbot/espbot/eval"
)

// runArgs runs espbot with the given stdin and buffers.
func runArgs(tb testing.TB, stdin string, args ...string) (stdout, stderr string, err error) {
	tb.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, func(string) string { return "" }, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

// askLine is the contract of "ask --json", decoded strictly.
type askLine struct {
	Question   string  `json:"question"`
	Answered   bool    `json:"answered"`
	Confidence float64 `json:"confidence"`
	Answer     *struct {
		ID, Title, Category, Source, Text, URL string
		Score                                  float64
		Chips                                  []string
		Links                                  []struct{ Text, URL string }
	} `json:"answer"`
	Alternatives []struct {
		ID, Title         string
		Score, Confidence float64
	} `json:"alternatives"`
}

func decodeLines(tb testing.TB, out string) []askLine {
	tb.Helper()
	var res []askLine
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		var a askLine
		if err := dec.Decode(&a); err != nil {
			tb.Fatalf("line %q: %v", line, err)
		}
		res = append(res, a)
	}
	return res
}

func TestRunAsk_JSON(t *testing.T) {
	out, _, err := runArgs(t, "", "ask", "--json", "What is the default MTU of LWIP for an ESP32?")
	if err != nil {
		t.Fatal(err)
	}
	got := decodeLines(t, out)
	if len(got) != 1 || !got[0].Answered || got[0].Answer == nil {
		t.Fatalf("got %+v", got)
	}
	a := got[0].Answer
	if a.Title != "What is the default MTU of LWIP for an ESP32?" || a.ID == "" || a.Category != "Protocols" ||
		!strings.HasPrefix(a.Source, "embedded:protocols.rst:") || !strings.Contains(a.Text, "1500") {
		t.Errorf("answer = %+v", a)
	}
	if a.Chips == nil || got[0].Alternatives == nil {
		t.Error("chips and alternatives must be arrays, not null")
	}
}

func TestRunAsk_stdinStreamsInOrder(t *testing.T) {
	in := "what is the default mtu of lwip?\n\ntell me a joke\nDoes MQTT support automatic reconnection?\n"
	out, _, err := runArgs(t, in, "ask", "--json")
	if err != nil {
		t.Fatal(err)
	}
	got := decodeLines(t, out)
	if len(got) != 3 {
		t.Fatalf("%d answers for 3 questions", len(got))
	}
	if got[0].Question != "what is the default mtu of lwip?" || got[2].Question != "Does MQTT support automatic reconnection?" {
		t.Errorf("out of order: %q, %q", got[0].Question, got[2].Question)
	}
	if got[1].Answered || got[1].Answer != nil {
		t.Errorf("chit-chat answered: %+v", got[1])
	}
}

func TestRunAsk_textAndExplain(t *testing.T) {
	out, _, err := runArgs(t, "", "ask", "--explain", "mqqt keepalive default")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"keep-alive", "Explanation:", "decision:"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	out, _, err = runArgs(t, "", "ask", "how do i exit vim")
	if err != nil || !strings.Contains(out, "couldn't find an answer") {
		t.Errorf("no-match text: %v\n%s", err, out)
	}
}

func TestRun_usageErrors(t *testing.T) {
	tests := [][]string{{"nope"}, {"ask", "--nope"}, {"eval"}, {"eval", "--bogus", "x"}}
	for _, args := range tests {
		_, stderr, err := runArgs(t, "", args...)
		if !errors.Is(err, errUsage) || exitCode(err, &bytes.Buffer{}) != 2 || !strings.Contains(stderr, "Usage") {
			t.Errorf("%v: err=%v stderr=%q", args, err, stderr)
		}
	}
	for _, cmd := range []string{"ask", "eval", "chat", "check"} {
		out, _, err := runArgs(t, "", cmd, "-h")
		if err != nil || !strings.Contains(out, "Usage: espbot "+cmd) {
			t.Errorf("%s -h: %v %q", cmd, err, out)
		}
	}
}

func TestRunAsk_badKnowledge(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.rst")
	if err := os.WriteFile(bad, []byte("Bad\n===\n\nQ?\n----\n\n  caf\xe9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := runArgs(t, "", "ask", "--knowledge", bad, "q")
	if err == nil || !strings.Contains(stderr, bad+":7: not valid UTF-8") {
		t.Errorf("err = %v, stderr %q: want the file and line of the error", err, stderr)
	}
	if msg := err.Error(); strings.Count(msg, "load knowledge") != 1 || !strings.Contains(msg, "1 error") {
		t.Errorf("err = %q: want one prefix and the count", msg)
	}
}

// TestRunChat_notATerminal: with stdin a pipe, chat behaves like ask.
func TestRunChat_notATerminal(t *testing.T) {
	out, _, err := runArgs(t, "What is the default MTU of LWIP for an ESP32?\n")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "1500") {
		t.Errorf("chat on a pipe:\n%s", out)
	}
}

func TestRunEval(t *testing.T) {
	dir := t.TempDir()
	set := filepath.Join(dir, "set.jsonl")
	lines := `{"id": "a", "question": "default mtu of lwip on esp32", "expect": "What is the default MTU of LWIP for an ESP32?", "also": []}
{"id": "b", "question": "tell me a joke", "expect": null, "also": []}
{"id": "c", "question": "how do i exit vim", "expect": "Does MQTT support automatic reconnection?", "also": []}
`
	if err := os.WriteFile(set, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := runArgs(t, "", "eval", "--json", "--failures", set)
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		N, Answerable, Unanswerable int
		Top1, Abstention, Overall   float64
		Failures                    []struct{ ID, Verdict string }
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err, out)
	}
	if s.N != 3 || s.Answerable != 2 || s.Top1 != 0.5 || s.Abstention != 1 || s.Overall < 0.66 || s.Overall > 0.67 {
		t.Errorf("summary = %+v", s)
	}
	if len(s.Failures) != 1 || s.Failures[0].ID != "c" || s.Failures[0].Verdict != eval.Abstained {
		t.Errorf("failures = %+v", s.Failures)
	}
	testEvalThresholds(t, set)
	if err := os.WriteFile(set, []byte("{\"question\": \"ok\"}\nnot json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runArgs(t, "", "eval", set); err == nil || !strings.Contains(err.Error(), "set.jsonl:2") {
		t.Errorf("bad line: err = %v, want file:line", err)
	}
}

// testEvalThresholds checks eval --thresholds: the curve, with the
// threshold in use marked and saying what the run did.
func testEvalThresholds(t *testing.T, set string) {
	t.Helper()
	out, _, err := runArgs(t, "", "eval", "--thresholds", set)
	if err != nil {
		t.Fatal(err)
	}
	var marked []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "* ") {
			marked = append(marked, l)
		}
	}
	if !strings.Contains(out, "threshold  right  wrong entry") || len(marked) != 1 || !strings.HasSuffix(marked[0], "0.667") {
		t.Errorf("eval --thresholds: marked %q in\n%s", marked, out)
	}
	out, _, err = runArgs(t, "", "eval", "--json", "--thresholds", set)
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Thresholds eval.Curve
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err, out)
	}
	if c := s.Thresholds; len(c.Points) < 13 || c.Points[0].Threshold != 0.3 || c.Points[0].Right != 1 || c.RankedFirst != 1 || c.Answerable != 2 {
		t.Errorf("eval --json --thresholds: %+v", s.Thresholds)
	}
}
