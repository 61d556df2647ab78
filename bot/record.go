package bot

import (
	"slices"
	"sync"
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
	if _, nop := b.recorder.(NopRecorder); nop {
		return
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
	b.asked.put(askedKey(m.Platform, m.Channel, m.User), r.Query, rec.Time)
}

// recordFeedback hands feedback to the recorder. Adapters rarely know the
// question a button belongs to; the asker's last recorded question in that
// channel is taken then, so that "other answer" picks become candidate
// phrasings.
func (b *Bot) recordFeedback(f Feedback) {
	now := b.now()
	if f.Query == "" {
		f.Query = b.asked.get(askedKey(f.Platform, f.Channel, f.User), now)
	}
	b.recorder.RecordFeedback(FeedbackRecord{Time: now, Feedback: f})
}

func askedKey(p Platform, channel, user string) string {
	return string(p) + "\x00" + channel + "\x00" + user
}

// Bounds of the memory of recent questions.
const (
	askedMax = 10000
	askedTTL = time.Hour
)

// recentQueries remembers each asker's last question for a while, with
// bounded memory (at most askedMax askers, each for askedTTL).
type recentQueries struct {
	mu    sync.Mutex
	last  map[string]askedQuery
	order []askedPut // puts in time order; superseded ones are skipped
	seq   uint64
}

type askedQuery struct {
	query string
	at    time.Time
	seq   uint64 // which put wrote it
}

type askedPut struct {
	key string
	seq uint64
	at  time.Time
}

func newRecentQueries() *recentQueries {
	return &recentQueries{last: make(map[string]askedQuery)}
}

func (r *recentQueries) put(key, query string, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	r.last[key] = askedQuery{query, now, r.seq}
	r.order = append(r.order, askedPut{key, r.seq, now})
	for len(r.order) > 0 {
		old := r.order[0]
		q, ok := r.last[old.key]
		current := ok && q.seq == old.seq
		if current && len(r.last) <= askedMax && now.Sub(old.at) < askedTTL {
			break
		}
		if current {
			delete(r.last, old.key)
		}
		r.order = r.order[1:]
	}
	if len(r.order) > 4*askedMax {
		// Many puts by the same askers: drop the superseded ones.
		r.order = slices.DeleteFunc(r.order, func(p askedPut) bool { return r.last[p.key].seq != p.seq })
	}
}

func (r *recentQueries) get(key string, now time.Time) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	q, ok := r.last[key]
	if !ok || now.Sub(q.at) > askedTTL {
		return ""
	}
	return q.query
}
