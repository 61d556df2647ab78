package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/espbot/espbot/knowledge"
	"github.com/espbot/espbot/loader"
	"github.com/espbot/espbot/matcher"
	"github.com/espbot/espbot/store"
)

// learnSetup makes a store with "other answer" picks of learnedPhrasing
// for a real entry of the embedded FAQ, and a configuration naming it.
func learnSetup(t *testing.T) (cfg string, target knowledge.Entry) {
	t.Helper()
	kb, err := knowledge.LoadDefault()
	if err != nil || len(kb.Entries) < 4 {
		t.Fatalf("embedded FAQ: %v", err)
	}
	target = kb.Entries[3]
	dir := t.TempDir()
	db := filepath.Join(dir, "espbot.db")
	st, err := store.Open(context.Background(), store.Options{Driver: store.SQLite, Path: db})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pick := func(q, entry string) store.Feedback {
		return store.Feedback{Time: time.Now(), Platform: "discord", Kind: store.FeedbackOther, EntryID: entry, Query: q}
	}
	err = st.Write(context.Background(), store.Batch{Feedback: []store.Feedback{
		pick(learnedPhrasing, target.ID), pick(strings.ToUpper(learnedPhrasing), target.ID),
		pick("some other question", kb.Entries[0].ID),
	}})
	if err != nil {
		t.Fatal(err)
	}
	cfg = filepath.Join(dir, "espbot.yaml")
	if err := os.WriteFile(cfg, []byte("store:\n  driver: sqlite\n  path: "+db+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg, target
}

// learnRun runs "espbot learn args..." and returns stdout.
func learnRun(t *testing.T, cfg string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := env{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: &out, stderr: &errOut}
	err := runLearn(context.Background(), e, append([]string{args[0], "--config", cfg}, args[1:]...))
	return out.String() + errOut.String(), err
}

// indexWithPhrasings builds the embedded FAQ's index with the store's
// accepted phrasings, as serve does.
func indexWithPhrasings(t *testing.T, cfg string) *matcher.Index {
	t.Helper()
	e := env{getenv: func(string) string { return "" }, stderr: &bytes.Buffer{}}
	_, st, err := openConfiguredStore(context.Background(), e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ix, _, err := loader.Build(nil, knowledge.Options{}, matcher.Options{Phrasings: phrasingsOf(st, slog.New(slog.DiscardHandler))()})
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestLearn_AcceptAnswers(t *testing.T) {
	t.Parallel()
	cfg, target := learnSetup(t)
	out, err := learnRun(t, cfg, "list")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `1. "`+learnedPhrasing+`" -> `+target.ID) || !strings.Contains(out, "picked 2 times") {
		t.Fatalf("list:\n%s\nwant candidate 1 = %q -> %s, picked twice", out, learnedPhrasing, target.ID)
	}
	if res := indexWithPhrasings(t, cfg).Search(learnedPhrasing); res.Answered && res.Best.Entry.ID == target.ID {
		t.Fatalf("%q already answers %s before learning", learnedPhrasing, target.ID)
	}
	if out, err := learnRun(t, cfg, "accept", "1"); err != nil || !strings.Contains(out, "accepted") {
		t.Fatalf("accept 1: %v\n%s", err, out)
	}
	res := indexWithPhrasings(t, cfg).Search(learnedPhrasing)
	if !res.Answered || res.Best.Entry.ID != target.ID {
		t.Errorf("after accept: answered=%v best=%+v, want %s", res.Answered, res.Best, target.ID)
	}
	out, _ = learnRun(t, cfg, "list")
	if strings.Contains(out, "1. \""+learnedPhrasing) || !strings.Contains(out, "Accepted phrasings (1)") {
		t.Errorf("list after accept:\n%s\nwant it accepted, not a candidate", out)
	}
}

func TestLearn_RejectAndErrors(t *testing.T) {
	t.Parallel()
	cfg, target := learnSetup(t)
	if _, err := learnRun(t, cfg, "reject", "2"); err != nil {
		t.Fatal(err)
	}
	out, _ := learnRun(t, cfg, "list")
	if strings.Contains(out, "some other question") || !strings.Contains(out, "Candidate phrasings (1)") {
		t.Errorf("list after reject:\n%s", out)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"accept", "9"}, "no candidate 9"},
		{[]string{"accept", "no-such-entry", "some", "text"}, `no FAQ entry "no-such-entry"`},
		{[]string{"accept"}, "want a candidate number"},
		{[]string{"forget", target.ID, "never decided"}, "no decision"},
		{[]string{"import", filepath.Join(t.TempDir(), "missing.yaml")}, "no such file"},
	}
	for _, tt := range tests {
		if _, err := learnRun(t, cfg, tt.args...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("learn %v: %v, want %q", tt.args, err, tt.want)
		}
	}
	if _, err := learnRun(t, cfg, "unlearn"); err != errUsage {
		t.Errorf("unknown subcommand: %v, want a usage error", err)
	}
}

func TestLearn_ExportImport(t *testing.T) {
	t.Parallel()
	cfg, target := learnSetup(t)
	if _, err := learnRun(t, cfg, "accept", target.ID, "Wi-Fi gizmo", "question"); err != nil {
		t.Fatal(err)
	}
	if _, err := learnRun(t, cfg, "accept", "1"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "phrasings.yaml")
	if _, err := learnRun(t, cfg, "export", file); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(file)
	want := "phrasings:\n    " + target.ID + ":\n        - " + learnedPhrasing + "\n        - wi-fi gizmo question\n"
	if !strings.HasSuffix(string(data), want) {
		t.Errorf("exported:\n%s\nwant it to end with:\n%s", data, want)
	}
	other, _ := learnSetup(t)
	extra := filepath.Join(t.TempDir(), "extra.yaml")
	os.WriteFile(extra, append(data, "    not-an-entry:\n        - ignored\n"...), 0o644)
	out, err := learnRun(t, other, "import", extra)
	if err != nil || !strings.Contains(out, "imported 2 phrasings") || !strings.Contains(out, fmt.Sprintf(`%s:%d: skipping: no FAQ entry "not-an-entry"`, extra, strings.Count(string(data), "\n")+2)) {
		t.Fatalf("import: %v\n%s", err, out)
	}
	e := env{getenv: func(string) string { return "" }, stderr: &bytes.Buffer{}}
	_, st, err := openConfiguredStore(context.Background(), e, other)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	acc, _ := st.AcceptedPhrasings(context.Background())
	if wantAcc := map[string][]string{target.ID: {learnedPhrasing, "wi-fi gizmo question"}}; !reflect.DeepEqual(acc, wantAcc) {
		t.Errorf("imported %v, want %v", acc, wantAcc)
	}
}

func TestRun_ReportAndLearnHelp(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ cmd, want string }{
		{"report", "report [--since 7d] [--format text|json|md]"},
		{"learn", "accept N | ENTRY TEXT..."},
	} {
		var out bytes.Buffer
		err := run(context.Background(), []string{tt.cmd, "-h"}, func(string) string { return "" }, strings.NewReader(""), &out, &out)
		if err != nil || !strings.Contains(out.String(), tt.want) {
			t.Errorf("espbot %s -h: %v\n%s", tt.cmd, err, out.String())
		}
	}
}
