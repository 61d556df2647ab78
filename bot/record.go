package bot

import "time"

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

// NopRecorder records nothing.
type NopRecorder struct{}

// RecordQuestion discards q.
func (NopRecorder) RecordQuestion(QuestionRecord) {}

// RecordFeedback discards f.
func (NopRecorder) RecordFeedback(FeedbackRecord) {}

var _ Recorder = NopRecorder{}

// record hands a decided question to the recorder. Only questions the
// matcher decided on are kept: commands, help, notices and ignored chatter
// are not questions about the FAQ.
func (b *Bot) record(m Message, r Reply, took time.Duration) {
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
}
