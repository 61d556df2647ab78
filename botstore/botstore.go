// Package botstore connects the conversation core to the store: a
// bot.Recorder that queues decided questions and feedback on a
// store.Writer, and a bot.State kept in the database, so that handled
// events, threads, cooldowns and the questions behind answers survive
// restarts and are shared by every instance on one database.
package botstore

import (
	"context"
	"log/slog"
	"time"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/store"
)

// Recorder is the core's bot.Recorder backed by a store.Writer: it hashes
// user IDs, drops the text when text recording is off, and queues.
type Recorder struct {
	w          *store.Writer
	recordText bool
}

var (
	_ bot.Recorder   = (*Recorder)(nil)
	_ bot.TextKeeper = (*Recorder)(nil)
)

// RecorderOptions configure a Recorder.
type RecorderOptions struct {
	// RecordText keeps question text (off: only decisions and hashes).
	RecordText bool
	// Retention deletes rows older than this (0: keep everything).
	Retention time.Duration
	// OnDrop is called for each record lost (queue full, or the database
	// down until the end).
	OnDrop func()
	// Log receives write errors.
	Log *slog.Logger
}

// NewRecorder starts the writer of st.
func NewRecorder(st *store.Store, o RecorderOptions) *Recorder {
	w := store.NewWriter(st, store.WriterOptions{Retention: o.Retention, OnDrop: o.OnDrop, Log: o.Log})
	return &Recorder{w: w, recordText: o.RecordText}
}

// RecordQuestion queues a decided question.
func (r *Recorder) RecordQuestion(q bot.QuestionRecord) {
	text := q.Query
	if !r.recordText {
		text = ""
	}
	r.w.Question(store.Question{
		Time: q.Time, Platform: string(q.Platform), Channel: q.Channel,
		UserHash: r.w.Store().HashUser(string(q.Platform), q.User),
		Text:     text, Kind: q.Kind.String(), EntryID: q.EntryID, Category: q.Category,
		Confidence: q.Confidence, Latency: q.Latency,
	})
}

// RecordFeedback queues a reaction to an answer.
func (r *Recorder) RecordFeedback(f bot.FeedbackRecord) {
	query := f.Query
	if !r.recordText {
		query = ""
	}
	r.w.Feedback(store.Feedback{
		Time: f.Time, Platform: string(f.Platform), Channel: f.Channel,
		UserHash: r.w.Store().HashUser(string(f.Platform), f.User),
		Kind:     f.Kind.String(), EntryID: f.EntryID, Query: query, Answer: f.Answer,
	})
}

// KeepsText reports whether question text is recorded.
func (r *Recorder) KeepsText() bool { return r.recordText }

// Written and Dropped count the records written and lost so far.
func (r *Recorder) Written() uint64 { return r.w.Written() }

// Dropped counts the records lost so far.
func (r *Recorder) Dropped() uint64 { return r.w.Dropped() }

// Close writes what is queued (within ctx) and stops the writer. It does
// not close the store.
func (r *Recorder) Close(ctx context.Context) error { return r.w.Close(ctx) }

// State is a bot.State kept in the store.
type State struct {
	st *store.Store
	// notes, when set, queues notes instead of writing them on the reply
	// path: they are read later (the question behind an answer, when the
	// feedback comes).
	notes *store.Writer
	// timeout bounds each call: a reply never waits long on the database.
	timeout time.Duration
}

var _ bot.State = (*State)(nil)

// DefaultStateTimeout bounds one state call on the reply path.
const DefaultStateTimeout = 2 * time.Second

// NewState returns the conversation state of st; each call gives up after
// timeout (0: DefaultStateTimeout), and the core then carries on without.
// With a recorder, notes go through its queue, off the reply path.
func NewState(st *store.Store, rec *Recorder, timeout time.Duration) *State {
	if timeout <= 0 {
		timeout = DefaultStateTimeout
	}
	s := &State{st: st, timeout: timeout}
	if rec != nil {
		s.notes = rec.w
	}
	return s
}

func (s *State) ctx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), s.timeout)
}

// Claim implements bot.State.
func (s *State) Claim(ctx context.Context, key string, now, expires time.Time) (bool, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	return s.st.Claim(ctx, key, now, expires)
}

// Claimed implements bot.State.
func (s *State) Claimed(ctx context.Context, key string, now time.Time) (bool, error) {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	return s.st.Claimed(ctx, key, now)
}

// UpdateBuckets implements bot.State.
func (s *State) UpdateBuckets(ctx context.Context, now time.Time, keys []string, fn func([]bot.Bucket) []bot.Bucket) error {
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	return s.st.UpdateBuckets(ctx, now, keys, func(in []store.Bucket) []store.Bucket {
		bs := make([]bot.Bucket, len(in))
		for i, b := range in {
			bs[i] = bot.Bucket(b)
		}
		bs = fn(bs)
		out := make([]store.Bucket, len(bs))
		for i, b := range bs {
			out[i] = store.Bucket(b)
		}
		return out
	})
}

// SetNote implements bot.State.
func (s *State) SetNote(ctx context.Context, key, value string, _, expires time.Time) error {
	if s.notes != nil {
		s.notes.Note(store.Note{Key: key, Value: value, Expires: expires})
		return nil
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	return s.st.SetNote(ctx, key, value, expires)
}

// Note implements bot.State. A note still queued is read from the queue:
// this process sees its own notes at once.
func (s *State) Note(ctx context.Context, key string, now time.Time) (string, error) {
	if s.notes != nil {
		if n, ok := s.notes.Pending(key); ok {
			if !n.Expires.After(now) {
				return "", nil
			}
			return n.Value, nil
		}
	}
	ctx, cancel := s.ctx(ctx)
	defer cancel()
	return s.st.Note(ctx, key, now)
}
