package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/config"
	"github.com/espbot/espbot/store"
)

// learnedPhrasing is a question no FAQ title resembles; accepted for an
// entry, it must then answer with that entry.
const learnedPhrasing = "my gizmo forgets the hotspot password after a brownout"

// serveWithStore runs serve with a SQLite store at dbPath and returns the
// core it built, a reload channel and a stop function returning serve's
// error.
func serveWithStore(t *testing.T, dbPath, extra string) (*bot.Bot, chan os.Signal, func() error) {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "espbot.yaml")
	yaml := "http:\n  listen: 127.0.0.1:0\nstore:\n  driver: sqlite\n  path: " + dbPath + "\n" + extra
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	core := make(chan *bot.Bot, 1)
	reload := make(chan os.Signal, 1)
	listening := make(chan struct{}, 1)
	hooks := serveHooks{reload: reload, listening: func(string) { listening <- struct{}{} },
		adapters: func(_ *config.Config, b *bot.Bot, _ *slog.Logger) ([]namedAdapter, error) {
			core <- b
			return nil, nil
		}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	e := env{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
	go func() { done <- serve(ctx, e, serveFlags{config: cfg}, hooks) }()
	var b *bot.Bot
	select {
	case b = <-core:
	case err := <-done:
		t.Fatalf("serve failed: %v", err)
	}
	<-listening
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { stop() })
	return b, reload, stop
}

func TestServe_RecordsToStore(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "espbot.db")
	b, _, stop := serveWithStore(t, db, "")
	title := b.Index().Entries()[0].Title
	ctx := context.Background()
	r := b.Handle(ctx, bot.Message{Platform: bot.Slack, Channel: "D1", User: "U123", Text: title, IsDM: true})
	b.Handle(ctx, bot.Message{Platform: bot.Discord, Channel: "c9", User: "42", Text: "<@1> " + offTopicQuestion, MentionsBot: true})
	b.RecordFeedback(ctx, bot.Feedback{Platform: bot.Slack, Channel: "D1", User: "U123", Kind: bot.OtherAnswer, EntryID: "x-1", Query: title})
	// Stopping flushes the queue.
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, store.Options{Driver: store.SQLite, Path: db})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	qs, _ := st.Questions(ctx, time.Time{})
	fs, _ := st.Feedback(ctx, time.Time{})
	if len(qs) != 2 || len(fs) != 1 {
		t.Fatalf("stored %d questions, %d feedback; want 2 and 1", len(qs), len(fs))
	}
	q := qs[0]
	if q.Kind != store.KindAnswer || q.EntryID != r.Entry.ID || q.Text != r.Query || q.Platform != "slack" {
		t.Errorf("stored %+v for reply %s %s", q, r.Kind, r.Entry.ID)
	}
	if q.UserHash == "" || strings.Contains(q.UserHash, "U123") || q.UserHash != st.HashUser("slack", "U123") {
		t.Errorf("user hash %q: want the salted hash, never the ID", q.UserHash)
	}
	if qs[1].Kind != store.KindNoMatch || fs[0].Kind != store.FeedbackOther || fs[0].Query != title {
		t.Errorf("stored %+v and %+v", qs[1], fs[0])
	}
}

const offTopicQuestion = "what's a good movie to watch tonight"

func TestServe_StoreWithoutText(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "espbot.db")
	b, _, stop := serveWithStore(t, db, "  record_text: false\n")
	ctx := context.Background()
	b.Handle(ctx, bot.Message{Platform: bot.Slack, Channel: "D1", User: "U1", Text: offTopicQuestion, IsDM: true})
	b.RecordFeedback(ctx, bot.Feedback{Platform: bot.Slack, User: "U1", Kind: bot.OtherAnswer, EntryID: "x", Query: offTopicQuestion})
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, store.Options{Driver: store.SQLite, Path: db})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	qs, _ := st.Questions(ctx, time.Time{})
	fs, _ := st.Feedback(ctx, time.Time{})
	if len(qs) != 1 || qs[0].Text != "" || len(fs) != 1 || fs[0].Query != "" {
		t.Errorf("stored %+v, %+v; want rows without text", qs, fs)
	}
}

func TestServe_IndexesAcceptedPhrasings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "espbot.db")
	b, reload, stop := serveWithStore(t, db, "")
	defer stop()
	if res := b.Index().Search(learnedPhrasing); res.Answered {
		t.Fatalf("%q is answered (%s) before learning; pick another phrasing", learnedPhrasing, res.Best.Entry.ID)
	}
	target := b.Index().Entries()[3].ID
	// A maintainer accepts the phrasing while serve runs (espbot learn
	// accept, another process), then reloads.
	st, err := store.Open(ctx, store.Options{Driver: store.SQLite, Path: db})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.SetPhrasing(ctx, store.Phrasing{EntryID: target, Text: learnedPhrasing, Status: store.Accepted}); err != nil {
		t.Fatal(err)
	}
	old := b.Index()
	reload <- os.Interrupt
	waitFor(t, "the reload", func() bool { return b.Index() != old })
	res := b.Index().Search(learnedPhrasing)
	if !res.Answered || res.Best.Entry.ID != target {
		t.Errorf("after accepting: answered=%v best=%v, want %s", res.Answered, res.Best, target)
	}
}

// TestServe_RecordsByDefault: without store keys, serve records to
// espbot.db beside its configuration, the API included, and report reads
// the same store.
func TestServe_RecordsByDefault(t *testing.T) {
	t.Parallel()
	rs := startServe(t, "http:\n  listen: 127.0.0.1:0\n", serveFlags{})
	rs.ask(t, serveOffTopic)
	if err := rs.stop(t); err != nil {
		t.Fatal(err)
	}
	cfg := rs.config
	var out, errOut strings.Builder
	e := env{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: &out, stderr: &errOut}
	if err := runReport(context.Background(), e, []string{"--config", cfg, "--format", "json"}); err != nil {
		t.Fatalf("report: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), `"name": "http"`) || !strings.Contains(out.String(), "movie") {
		t.Errorf("the report does not show the API question:\n%s", out.String())
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(cfg), "espbot.db")); err != nil {
		t.Errorf("no espbot.db beside the configuration: %v", err)
	}
}

// TestServe_StoreNone: store.driver none keeps nothing.
func TestServe_StoreNone(t *testing.T) {
	t.Parallel()
	rs := startServe(t, "http:\n  listen: 127.0.0.1:0\nstore:\n  driver: none\n", serveFlags{})
	rs.ask(t, serveOffTopic)
	if err := rs.stop(t); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(rs.config), "espbot.db")); !os.IsNotExist(err) {
		t.Errorf("a database was created with store.driver none: %v", err)
	}
}
