package bot

import (
	"context"
	"time"
)

// QuestionRecord is one decided question, as handed to a Recorder.
type QuestionRecord struct {
	Time     time.Time
	Platform Platform
	Channel  string
	// User is the platform's user ID; recorders must hash it before
	// keeping it.
	User string
	// Query is the cleaned question.
	Query string
	// Kind is KindAnswer, KindSuggestions or KindNoMatch.
	Kind Kind
	// EntryID and Category are the answer, or the best suggestion ("" when
	// nothing matched).
	EntryID    string
	Category   string
	Confidence float64
	Latency    time.Duration
}

// FeedbackRecord is one reaction to an answer, as handed to a Recorder.
type FeedbackRecord struct {
	Time time.Time
	Feedback
}

// Recorder keeps questions and feedback for the maintainers' reports. Its
// methods are called on the reply path, so they must not block (queue and
// return) and must be safe for concurrent use.
type Recorder interface {
	RecordQuestion(QuestionRecord)
	RecordFeedback(FeedbackRecord)
}

// TextKeeper is a Recorder that can say whether it keeps question text;
// when it does not, the core does not note questions for the feedback on
// their answers either. A Recorder without the method keeps text.
type TextKeeper interface {
	KeepsText() bool
}

// keepsText reports whether r keeps question text.
func keepsText(r Recorder) bool {
	tk, ok := r.(TextKeeper)
	return !ok || tk.KeepsText()
}

// NopRecorder records nothing.
type NopRecorder struct{}

// RecordQuestion discards q.
func (NopRecorder) RecordQuestion(QuestionRecord) {}

// RecordFeedback discards f.
func (NopRecorder) RecordFeedback(FeedbackRecord) {}

// KeepsText is false: nothing is kept.
func (NopRecorder) KeepsText() bool { return false }

var (
	_ Recorder   = NopRecorder{}
	_ TextKeeper = NopRecorder{}
)

// record hands a decided question to the recorder. Only questions the
// matcher decided on, and entries picked as questions (Message.Pick), are
// kept: commands, help, notices and ignored chatter are not questions
// about the FAQ. The question is also noted as the asker's last, for the
// feedback on its answer.
func (b *Bot) record(ctx context.Context, m Message, r Reply, took time.Duration) {
	if _, nop := b.recorder.(NopRecorder); nop {
		return
	}
	if m.Pick != "" && r.Kind == KindAnswer && r.Entry != nil {
		r.Query = r.Entry.Title // what was typed never reached us
	}
	if r.Query == "" || (r.Kind != KindAnswer && r.Kind != KindSuggestions && r.Kind != KindNoMatch) {
		return
	}
	rec := QuestionRecord{Time: b.now(), Platform: m.Platform, Channel: m.Channel, User: m.User,
		Query: r.Query, Kind: r.Kind, Confidence: r.Confidence, Latency: took}
	switch {
	case r.Entry != nil:
		rec.EntryID, rec.Category = r.Entry.ID, r.Entry.Category
	case len(r.Alternatives) > 0:
		rec.EntryID = r.Alternatives[0].ID
		if e := lookup(b.Index(), rec.EntryID); e != nil {
			rec.Category = e.Category
		}
	}
	b.recorder.RecordQuestion(rec)
	if m.User == "" || !keepsText(b.recorder) {
		return
	}
	if err := b.state.SetNote(ctx, askedKey(m.Platform, m.Channel, m.User), r.Query, rec.Time, rec.Time.Add(askedTTL)); err != nil {
		b.stateFailed(m, "note", err)
	}
}

// recordFeedback hands feedback to the recorder. Adapters rarely know the
// question a button belongs to; the asker's last recorded question in that
// channel is taken then, so that "other answer" picks become candidate
// phrasings.
func (b *Bot) recordFeedback(ctx context.Context, f Feedback) {
	now := b.now()
	if f.Query == "" && f.User != "" && keepsText(b.recorder) {
		q, err := b.state.Note(ctx, askedKey(f.Platform, f.Channel, f.User), now)
		if err != nil {
			b.stateFailed(Message{Platform: f.Platform}, "note", err)
		}
		f.Query = q
	}
	b.recorder.RecordFeedback(FeedbackRecord{Time: now, Feedback: f})
}

func askedKey(p Platform, channel, user string) string {
	return "asked\x00" + string(p) + "\x00" + channel + "\x00" + user
}
