package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/config"
	"github.com/espbot/espbot/store"
)

// envStoreSalt overrides the salt of user ID hashes (default: a random salt
// generated once and kept in the database).
const envStoreSalt = "ESPBOT_STORE_SALT"

// openStore opens the configured store, or returns nil when store.driver
// is unset. Only cmd reads the environment, so the salt comes in here.
func openStore(ctx context.Context, c *config.Config, getenv func(string) string) (*store.Store, error) {
	if c.Store.Driver == "" {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, store.Options{
		Driver: c.Store.Driver,
		Path:   c.Store.Path,
		DSN:    c.Store.DSN.Reveal(),
		Salt:   getenv(envStoreSalt),
	})
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return st, nil
}

// storeRecorder is the core's bot.Recorder backed by a store.Writer: it
// hashes user IDs, drops the text when record_text is off, and queues.
type storeRecorder struct {
	w          *store.Writer
	recordText bool
}

var _ bot.Recorder = (*storeRecorder)(nil)

// newStoreRecorder starts the writer of st. A dropped record is counted as
// an error "store_dropped" of platform "store".
func newStoreRecorder(st *store.Store, c *config.Config, log *slog.Logger, m bot.Metrics) *storeRecorder {
	w := store.NewWriter(st, store.WriterOptions{
		Retention: c.Store.Retention.D(),
		OnDrop:    func() { m.Error("store", "store_dropped") },
		Log:       log.With("component", "store"),
	})
	return &storeRecorder{w: w, recordText: c.Store.RecordText}
}

// RecordQuestion queues a decided question.
func (r *storeRecorder) RecordQuestion(q bot.QuestionRecord) {
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
func (r *storeRecorder) RecordFeedback(f bot.FeedbackRecord) {
	query := f.Query
	if !r.recordText {
		query = ""
	}
	r.w.Feedback(store.Feedback{
		Time: f.Time, Platform: string(f.Platform), Channel: f.Channel,
		UserHash: r.w.Store().HashUser(string(f.Platform), f.User),
		Kind:     f.Kind.String(), EntryID: f.EntryID, Query: query,
	})
}

// close flushes the queue (within timeout) and closes the store.
func (r *storeRecorder) close(timeout time.Duration, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := r.w.Close(ctx); err != nil {
		log.Warn("store queue not flushed in time", "err", err)
	}
	if err := r.w.Store().Close(); err != nil {
		log.Warn("store close", "err", err)
	}
	log.Info("store closed", "written", r.w.Written(), "dropped", r.w.Dropped())
}

// phrasingsOf returns a loader of st's accepted phrasings for the index
// builder; on error it logs and indexes without them.
func phrasingsOf(st *store.Store, log *slog.Logger) func() map[string][]string {
	return func() map[string][]string {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		ps, err := st.AcceptedPhrasings(ctx)
		if err != nil {
			log.Error("cannot load accepted phrasings; indexing without them", "err", err)
			return nil
		}
		return ps
	}
}
