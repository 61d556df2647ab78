package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParsePhrasings(t *testing.T) {
	tests := []struct {
		name, in string
		want     []phrasing
		err      string
	}{
		{name: "empty file"},
		{
			name: "export",
			in:   "# comment\nphrasings:\n    protocols-bc95:\n        - lwip mtu?\n        - biggest packet\n    protocols-ebe7:\n        - wifi lag\n",
			want: []phrasing{
				{entry: "protocols-bc95", text: "lwip mtu?", line: 4},
				{entry: "protocols-bc95", text: "biggest packet", line: 5},
				{entry: "protocols-ebe7", text: "wifi lag", line: 7},
			},
		},
		{
			name: "aliases",
			in:   "phrasings:\n  a: &same\n    - &q lwip mtu?\n  b: *same\n  c:\n    - *q\n",
			want: []phrasing{
				{entry: "a", text: "lwip mtu?", line: 3},
				{entry: "b", text: "lwip mtu?", line: 3},
				{entry: "c", text: "lwip mtu?", line: 3},
			},
		},
		{name: "empty phrasing", in: "phrasings:\n  a:\n    - ok\n    - '  '\n", err: "f.yaml:4: empty phrasing of a"},
		{name: "unknown field", in: "phrasings: {}\nquestions: {}\n", err: `f.yaml:2: unknown field "questions"`},
		{name: "not a mapping", in: "- a\n- b\n", err: "f.yaml"},
		{name: "phrasings not by entry", in: "phrasings:\n  - a\n", err: "f.yaml"},
		{name: "bad yaml", in: "phrasings:\n  a: [b\n", err: "f.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parsePhrasings("f.yaml", strings.NewReader(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one with %q", err, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

// phrasingSet is a phrasings file as "espbot learn export" writes it, over
// entries of the embedded page, and one entry it lacks.
const phrasingSet = `# Alternate phrasings of esp-faq questions accepted with "espbot learn":
phrasings:
    protocols-bc95:
        - largest frame lwip sends without splitting it
        - whats the packet size limit of the tcp ip stack
    protocols-ebe7:
        - my board answers pings slowly, how to make it snappier
    no-such-entry:
        - ignored
`

// TestRunTrain_phrasings: the phrasings "espbot learn export" writes are a
// question set for train and eval, beside JSONL sets; a phrasing of an
// entry the knowledge base lacks is skipped and named with its line.
func TestRunTrain_phrasings(t *testing.T) {
	set := writeFile(t, "set.jsonl", trainSet)
	phr := writeFile(t, "phrasings.yaml", phrasingSet)
	dir := t.TempDir()
	with, without := filepath.Join(dir, "with.txt"), filepath.Join(dir, "without.txt")
	_, stderr, err := runArgs(t, "", "train", "--questions", set, "--questions", phr, "--out", with, "--folds", "2")
	if err != nil {
		t.Fatalf("train: %v\n%s", err, stderr)
	}
	if want := phr + `:9: no entry "no-such-entry" in the knowledge base; phrasing skipped`; !strings.Contains(stderr, want) {
		t.Errorf("stderr %q, want %q", stderr, want)
	}
	if _, _, err := runArgs(t, "", "train", "--questions", set, "--out", without, "--folds", "2"); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(with)
	b, _ := os.ReadFile(without)
	if string(a) == string(b) {
		t.Error("the phrasings did not change the model")
	}
	if !strings.Contains(string(a), "set.jsonl, phrasings.yaml") {
		t.Errorf("the model does not name the phrasings file:\n%.300s", a)
	}
	out, _, err := runArgs(t, "", "eval", "--model", with, phr)
	if err != nil {
		t.Fatalf("eval: %v\n%s", err, out)
	}
	if !strings.Contains(out, "3 answerable") || !strings.Contains(out, "phrasing") {
		t.Errorf("eval of the phrasings:\n%s", out)
	}
}
