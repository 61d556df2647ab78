package botstore

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/internal/faqtest"
	"github.com/espbot/espbot/internal/pgtest"
	"github.com/espbot/espbot/matcher"
	"github.com/espbot/espbot/store"
)

// testIndex is a real index over the embedded FAQ.
func testIndex(tb testing.TB) *matcher.Index { return faqtest.Index(tb) }

// backends runs fn with store options for SQLite and, when available,
// PostgreSQL: each call of open gives another handle on the same database,
// as another process would have.
func backends(t *testing.T, fn func(t *testing.T, open func() *store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		o := store.Options{Driver: store.SQLite, Path: filepath.Join(t.TempDir(), "espbot.db")}
		fn(t, func() *store.Store { return openStore(t, o) })
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		o := store.Options{Driver: store.Postgres, DSN: pgtest.Schema(t)}
		fn(t, func() *store.Store { return openStore(t, o) })
	})
}

func openStore(tb testing.TB, o store.Options) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// TestState_InstancesAnswerOnce: two cores, each on its own handle of one
// database, answer a redelivered event once, an auto thread once, and share
// cooldowns; a restarted core still knows the events handled before.
func TestState_InstancesAnswerOnce(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	title := ix.Entries()[3].Title
	backends(t, func(t *testing.T, open func() *store.Store) {
		cfg := func() bot.Config {
			return bot.Config{State: NewState(open(), nil, 0), Channels: map[string]bot.Policy{"help": bot.PolicyAuto},
				AutoThreshold: 0.01, UserCooldown: bot.Cooldown{PerMinute: 1, Burst: 3}}
		}
		bots := []*bot.Bot{bot.New(cfg(), ix, nil, nil), bot.New(cfg(), ix, nil, nil)}
		answers := func(msg func(i int) bot.Message) int {
			var mu sync.Mutex
			var wg sync.WaitGroup
			n := 0
			for i := range 6 {
				wg.Go(func() {
					if bots[i%2].Handle(context.Background(), msg(i)).Kind == bot.KindAnswer {
						mu.Lock()
						n++
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			return n
		}
		redelivered := func(int) bot.Message {
			return bot.Message{Platform: bot.Slack, EventID: "Ev1", Channel: "C1", User: "U1", Text: title, MentionsBot: true}
		}
		if n := answers(redelivered); n != 1 {
			t.Errorf("one event delivered 6 times: %d answers, want 1", n)
		}
		thread := func(i int) bot.Message {
			return bot.Message{Platform: bot.Slack, EventID: fmt.Sprint("Ev-t", i), Channel: "help", Thread: "1700.1", User: fmt.Sprint("U", 10+i), Text: title}
		}
		if n := answers(thread); n != 1 {
			t.Errorf("6 questions in one auto thread: %d answers, want 1", n)
		}
		// U1 has spent one token of three: two more, then a notice.
		kinds := ""
		for i := range 4 {
			r := bots[i%2].Handle(context.Background(), bot.Message{Platform: bot.Slack, Channel: "C1", User: "U1", Text: title, MentionsBot: true})
			kinds += r.Kind.String() + " "
		}
		if kinds != "answer answer notice ignore " {
			t.Errorf("shared cooldown: %s", kinds)
		}
		restarted := bot.New(cfg(), ix, nil, nil)
		if got := restarted.Handle(context.Background(), redelivered(0)).Kind; got != bot.KindIgnore {
			t.Errorf("after a restart the event is handled again: %v", got)
		}
	})
}

// twoInstances are two cores on one database: one as serve runs it (notes
// through its recorder's queue) on st, the other on another handle, both
// recording to rec.
func twoInstances(ix *matcher.Index, st, another *store.Store) (one, other *bot.Bot, rec *Recorder) {
	rec = NewRecorder(st, RecorderOptions{RecordText: true})
	one = bot.New(bot.Config{State: NewState(st, rec, 0), Recorder: rec}, ix, nil, nil)
	other = bot.New(bot.Config{State: NewState(another, nil, 0), Recorder: rec}, ix, nil, nil)
	return one, other, rec
}

// TestRecorder_FeedbackFindsTheQuestion: the question behind an answer is
// found from another instance, and a second vote replaces the first.
func TestRecorder_FeedbackFindsTheQuestion(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	backends(t, func(t *testing.T, open func() *store.Store) {
		st := open()
		one, other, rec := twoInstances(ix, st, open())
		ctx := context.Background()
		one.Handle(ctx, bot.Message{Platform: bot.Slack, Channel: "D1", User: "U1", Text: "mqtt keeps disconnecting", IsDM: true})
		// The question and its note are queued; feedback comes later.
		for deadline := time.Now().Add(30 * time.Second); rec.Written() < 2 && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
		vote := func(k bot.FeedbackKind) bot.Feedback {
			return bot.Feedback{Platform: bot.Slack, Channel: "D1", User: "U1", Kind: k, EntryID: "e1", Answer: "1700.5"}
		}
		other.RecordFeedback(ctx, vote(bot.ThumbsUp))
		other.RecordFeedback(ctx, vote(bot.ThumbsDown))
		if err := rec.Close(ctx); err != nil {
			t.Fatal(err)
		}
		fs, err := st.Feedback(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) != 1 || fs[0].Kind != store.FeedbackDown || fs[0].Query != "mqtt keeps disconnecting" || fs[0].Answer != "1700.5" {
			t.Errorf("feedback = %+v, want one down vote on the question", fs)
		}
	})
}

func TestRecorder_WithoutText(t *testing.T) {
	t.Parallel()
	st := openStore(t, store.Options{Driver: store.SQLite, Path: filepath.Join(t.TempDir(), "t.db")})
	rec := NewRecorder(st, RecorderOptions{})
	ctx := context.Background()
	b := bot.New(bot.Config{State: NewState(st, rec, 0), Recorder: rec}, testIndex(t), nil, nil)
	b.Handle(ctx, bot.Message{Platform: bot.Discord, Channel: "c", User: "42", Text: "<@1> my secret question", MentionsBot: true})
	b.RecordFeedback(ctx, bot.Feedback{Platform: bot.Discord, Channel: "c", User: "42", Kind: bot.OtherAnswer, EntryID: "e"})
	rec.Close(ctx)
	qs, _ := st.Questions(ctx, time.Time{})
	fs, _ := st.Feedback(ctx, time.Time{})
	if len(qs) != 1 || qs[0].Text != "" || qs[0].UserHash != st.HashUser("discord", "42") || len(fs) != 1 || fs[0].Query != "" {
		t.Errorf("questions %+v, feedback %+v: want no text, hashed users", qs, fs)
	}
	if note, _ := st.Note(ctx, "asked\x00discord\x00c\x0042", time.Now()); note != "" {
		t.Errorf("the question was noted for feedback: %q", note)
	}
}

// TestState_GivesUp: a call on a closed database fails promptly, and the
// core answers anyway.
func TestState_GivesUp(t *testing.T) {
	t.Parallel()
	st, err := store.Open(context.Background(), store.Options{Driver: store.SQLite, Path: filepath.Join(t.TempDir(), "c.db")})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	ix := testIndex(t)
	b := bot.New(bot.Config{State: NewState(st, nil, 100*time.Millisecond)}, ix, nil, nil)
	r := b.Handle(context.Background(), bot.Message{Platform: bot.Slack, EventID: "Ev", Channel: "D", User: "U", Text: ix.Entries()[0].Title, IsDM: true})
	if r.Kind != bot.KindAnswer {
		t.Errorf("with the database closed: %v, want an answer", r.Kind)
	}
}

// TestState_AdapterNotes: a note an adapter keeps through the recorder's
// queue is read back at once by its own instance, and by another instance
// (or after a restart) once written.
func TestState_AdapterNotes(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	backends(t, func(t *testing.T, open func() *store.Store) {
		one, other, rec := twoInstances(ix, open(), open())
		ctx := context.Background()
		one.Remember(ctx, bot.Discord, "q1", "answer 7", time.Hour)
		if got := one.Recall(ctx, bot.Discord, "q1"); got != "answer 7" {
			t.Errorf("the instance that kept the note read %q at once, want %q", got, "answer 7")
		}
		one.Remember(ctx, bot.Discord, "q1", "", 0) // forgotten
		if got := one.Recall(ctx, bot.Discord, "q1"); got != "" {
			t.Errorf("a forgotten note read %q", got)
		}
		one.Remember(ctx, bot.Discord, "q2", "answer 8", time.Hour)
		if err := rec.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if got := other.Recall(ctx, bot.Discord, "q2") + "|" + other.Recall(ctx, bot.Discord, "q1"); got != "answer 8|" {
			t.Errorf("another instance read %q, want %q", got, "answer 8|")
		}
	})
}
