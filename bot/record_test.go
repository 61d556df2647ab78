package bot

import (
	"context"
	"sync"
	"testing"
	"time"
)

// fakeRecorder is a hand-written fake Recorder that keeps what it gets.
type fakeRecorder struct {
	noText    bool
	mu        sync.Mutex
	questions []QuestionRecord
	feedback  []FeedbackRecord
}

func (f *fakeRecorder) RecordQuestion(q QuestionRecord) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.questions = append(f.questions, q)
}

func (f *fakeRecorder) RecordFeedback(r FeedbackRecord) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.feedback = append(f.feedback, r)
}

func (f *fakeRecorder) KeepsText() bool { return !f.noText }

func TestBot_Records(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	hosting := entryLike(t, ix, "HTTP hosting")
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	mention := func(text string) Message {
		return Message{Platform: Discord, Channel: "c1", User: "u1", Text: "<@123> " + text, MentionsBot: true}
	}
	tests := []struct {
		name   string
		msg    Message
		record bool
		kind   Kind
		entry  string
	}{
		{"answer", mention(hosting.Title), true, KindAnswer, hosting.ID},
		{"no match", mention(offTopic), true, KindNoMatch, ""},
		{"help command", mention("help"), false, 0, ""},
		{"show command", mention("show " + hosting.ID), false, 0, ""},
		{"empty mention", mention(""), false, 0, ""},
		{"chatter in a mention channel", Message{Platform: Discord, Channel: "c1", User: "u1", Text: hosting.Title}, false, 0, ""},
		{"bot author", Message{Platform: Slack, Channel: "D1", Text: hosting.Title, IsDM: true, AuthorIsBot: true}, false, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &fakeRecorder{}
			b := New(Config{Recorder: rec, Now: func() time.Time { return now }}, ix, nil, nil)
			r := b.Handle(context.Background(), tt.msg)
			if !tt.record {
				if len(rec.questions) != 0 {
					t.Fatalf("recorded %+v for a %s reply, want nothing", rec.questions, r.Kind)
				}
				return
			}
			if len(rec.questions) != 1 {
				t.Fatalf("recorded %d questions, want 1", len(rec.questions))
			}
			q := rec.questions[0]
			if q.Kind != tt.kind || q.EntryID != tt.entry || q.Query != r.Query || q.User != "u1" ||
				q.Channel != "c1" || q.Platform != Discord || !q.Time.Equal(now) || q.Confidence != r.Confidence {
				t.Errorf("recorded %+v; reply %s %q", q, r.Kind, r.Query)
			}
			if tt.entry != "" && q.Category != hosting.Category {
				t.Errorf("category %q, want %q", q.Category, hosting.Category)
			}
		})
	}
}

func TestBot_RecordFeedback_Recorder(t *testing.T) {
	t.Parallel()
	rec := &fakeRecorder{}
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	b := New(Config{Recorder: rec, Now: func() time.Time { return now }}, testIndex(t), nil, nil)
	f := Feedback{Platform: Slack, Channel: "c", User: "u", Kind: OtherAnswer, EntryID: "e1", Query: "q"}
	b.RecordFeedback(context.Background(), f)
	if len(rec.feedback) != 1 || rec.feedback[0].Feedback != f || !rec.feedback[0].Time.Equal(now) {
		t.Errorf("recorded %+v, want %+v at %v", rec.feedback, f, now)
	}
}

func TestBot_NilRecorder(t *testing.T) {
	t.Parallel()
	b := New(Config{}, testIndex(t), nil, nil)
	b.Handle(context.Background(), Message{Platform: Slack, Channel: "D", Text: offTopic, IsDM: true})
	b.RecordFeedback(context.Background(), Feedback{Platform: Slack, Kind: ThumbsUp})
}

func TestBot_FeedbackTakesTheAskersLastQuestion(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	clock := now
	rec := &fakeRecorder{}
	b := New(Config{Recorder: rec, Now: func() time.Time { return clock }}, ix, nil, nil)
	ask := func(user, text string) {
		b.Handle(context.Background(), Message{Platform: Slack, Channel: "c", User: user, Text: text, IsDM: true})
	}
	pick := func(user string) string {
		b.RecordFeedback(context.Background(), Feedback{Platform: Slack, Channel: "c", User: user, Kind: OtherAnswer, EntryID: "e"})
		return rec.feedback[len(rec.feedback)-1].Query
	}
	ask("u1", offTopic)
	ask("u2", "lora radio range")
	ask("u1", "http hosting on the esp8266")
	if got := pick("u1"); got != "http hosting on the esp8266" {
		t.Errorf("u1's pick has query %q, want u1's last question", got)
	}
	if got := pick("u3"); got != "" {
		t.Errorf("a user who asked nothing: query %q, want none", got)
	}
	b.RecordFeedback(context.Background(), Feedback{Platform: Slack, Channel: "c", User: "u2", Kind: OtherAnswer, Query: "given"})
	if got := rec.feedback[len(rec.feedback)-1].Query; got != "given" {
		t.Errorf("a query given by the adapter was replaced by %q", got)
	}
	clock = now.Add(askedTTL + time.Second)
	if got := pick("u2"); got != "" {
		t.Errorf("after %v: query %q, want it forgotten", askedTTL, got)
	}
}

// TestBot_RecordsPicks: an entry picked as the question (an autocomplete
// choice) is answered with that entry and its related entries, within the
// asker's cooldown, counted, and recorded as a question it answers, titled
// as the entry; the feedback on its answer finds that question.
func TestBot_RecordsPicks(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	hosting := entryLike(t, ix, "HTTP hosting")
	rec, m := &fakeRecorder{}, newRecordingMetrics()
	b := New(Config{Recorder: rec, UserCooldown: Cooldown{PerMinute: 1, Burst: 1}}, ix, nil, m)
	ctx := context.Background()
	pick := func(user, id string) Reply {
		return b.Handle(ctx, Message{Platform: Discord, EventID: user + id, Channel: "c1", User: user, Text: id, Pick: id, Command: true})
	}

	r := pick("u1", hosting.ID)
	if r.Kind != KindAnswer || r.Entry == nil || r.Entry.ID != hosting.ID || len(r.Alternatives) == 0 || r.Query != "" {
		t.Fatalf("a pick got %s %+v, want the entry, its alternatives and no query shown", r.Kind, r)
	}
	if len(rec.questions) != 1 {
		t.Fatalf("recorded %d questions for a pick, want 1", len(rec.questions))
	}
	q := rec.questions[0]
	if q.Kind != KindAnswer || q.EntryID != hosting.ID || q.Category != hosting.Category || q.Query != hosting.Title ||
		q.Confidence != 1 || q.User != "u1" || q.Platform != Discord {
		t.Errorf("recorded %+v, want an answered question titled as the entry", q)
	}
	if m.questions != 1 || m.replies[KindAnswer] != 1 {
		t.Errorf("metrics: %d questions, %v replies; want the pick counted", m.questions, m.replies)
	}
	b.RecordFeedback(ctx, Feedback{Platform: Discord, Channel: "c1", User: "u1", Kind: ThumbsUp, EntryID: hosting.ID})
	if got := rec.feedback[0].Query; got != hosting.Title {
		t.Errorf("feedback on the pick's answer has query %q, want %q", got, hosting.Title)
	}

	if r := pick("u1", ix.Entries()[0].ID); r.Kind != KindNotice || r.RetryAfter == 0 {
		t.Errorf("a second pick over the cooldown: %s, want the slow-down notice", r.Kind)
	}
	if r := pick("u2", "no-such-entry"); r.Kind != KindNotice {
		t.Errorf("an unknown pick: %s, want a notice", r.Kind)
	}
	if len(rec.questions) != 1 {
		t.Errorf("recorded %d questions, want only the pick answered", len(rec.questions))
	}
}
