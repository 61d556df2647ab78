package store

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Writer defaults.
const (
	DefaultQueueSize = 10000
	DefaultBatchSize = 256
	// DefaultFlushInterval is how long a record may wait for its batch to fill.
	DefaultFlushInterval = 250 * time.Millisecond
	// retentionEvery is how often old rows are deleted when a retention is set.
	retentionEvery = time.Hour
	// expireEvery is how often expired conversation state is deleted.
	expireEvery = 10 * time.Minute
	// DefaultRetryMin and DefaultRetryMax bound the wait before a failed
	// batch is written again: it doubles from the first to the second.
	DefaultRetryMin = 100 * time.Millisecond
	DefaultRetryMax = 5 * time.Second
)

// WriterOptions tune a Writer. The zero value is usable.
type WriterOptions struct {
	// QueueSize bounds the records waiting in memory (0: DefaultQueueSize).
	// When full, the oldest record is dropped.
	QueueSize int
	// BatchSize is the most records written in one transaction
	// (0: DefaultBatchSize).
	BatchSize int
	// FlushInterval is how long records wait for a batch to fill before
	// they are written anyway (0: DefaultFlushInterval). Fewer, larger
	// transactions leave more CPU to replies.
	FlushInterval time.Duration
	// Retention deletes rows older than this at start and hourly (0: never).
	Retention time.Duration
	// RetryMin and RetryMax bound the backoff after a failed write
	// (0: DefaultRetryMin, DefaultRetryMax).
	RetryMin, RetryMax time.Duration
	// OnDrop is called (from the caller's goroutine, so it must be quick)
	// for each record dropped because the queue was full, or lost because
	// writes kept failing until Close.
	OnDrop func()
	// Log receives write errors (nil: discarded).
	Log *slog.Logger
}

// record is a queued question, feedback or note.
type record struct {
	q *Question
	f *Feedback
	n *Note
}

// database is what a Writer does with a Store, faked in tests.
type database interface {
	Write(ctx context.Context, b Batch) error
	DeleteBefore(ctx context.Context, t time.Time) (int64, error)
	DeleteExpired(ctx context.Context, now time.Time) (int64, error)
}

// Writer records questions and feedback without ever making the caller
// wait for the database: records go to a bounded in-memory queue, and one
// goroutine writes them in batches, one transaction each. A batch that
// fails goes back to the head of the queue and is written again after a
// backoff, so a short outage loses nothing while the queue has room. The
// same goroutine deletes old rows and expired conversation state.
type Writer struct {
	st   *Store
	db   database
	opts WriterOptions
	log  *slog.Logger

	mu     sync.Mutex
	queue  []record // ring buffer
	head   int      // index of the oldest record
	n      int      // records queued
	closed bool
	// pending is the latest note of each key queued or being written: what
	// Pending answers until the database has it.
	pending map[string]*Note

	wake    chan struct{} // capacity 1: "a batch is full"
	stop    chan struct{}
	done    chan struct{}
	dropped atomic.Uint64
	written atomic.Uint64
	// retry is the current backoff after failed writes (0: none failing).
	retry time.Duration
}

// NewWriter starts a Writer on st. Close it to flush.
func NewWriter(st *Store, o WriterOptions) *Writer {
	w := newWriter(st, st, o)
	go w.loop()
	return w
}

// newWriter builds a Writer without starting its goroutine, for tests.
func newWriter(st *Store, db database, o WriterOptions) *Writer {
	if o.QueueSize <= 0 {
		o.QueueSize = DefaultQueueSize
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = DefaultFlushInterval
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.RetryMin <= 0 {
		o.RetryMin = DefaultRetryMin
	}
	if o.RetryMax < o.RetryMin {
		o.RetryMax = max(DefaultRetryMax, o.RetryMin)
	}
	w := &Writer{
		st:      st,
		db:      db,
		opts:    o,
		log:     o.Log,
		queue:   make([]record, o.QueueSize),
		pending: map[string]*Note{},
		wake:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	return w
}

// Store returns the store written to.
func (w *Writer) Store() *Store { return w.st }

// Question queues a question. It never blocks on the database.
func (w *Writer) Question(q Question) { w.push(record{q: &q}) }

// Feedback queues a feedback. It never blocks on the database.
func (w *Writer) Feedback(f Feedback) { w.push(record{f: &f}) }

// Note queues a note of the conversation state (Store.SetNote), for
// values read later, such as the question behind an answer. It never
// blocks on the database; Pending sees it at once.
func (w *Writer) Note(n Note) { w.push(record{n: &n}) }

// Pending returns the latest note queued under key that is not written
// yet, so that this process reads its own notes before the database has
// them (other processes see them once written).
func (w *Writer) Pending(key string) (Note, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if n, ok := w.pending[key]; ok {
		return *n, true
	}
	return Note{}, false
}

// settled forgets the pending notes of rs, written or lost, unless a newer
// note of the same key is pending. Called with w.mu held.
func (w *Writer) settled(rs ...record) {
	for _, r := range rs {
		if r.n != nil && w.pending[r.n.Key] == r.n {
			delete(w.pending, r.n.Key)
		}
	}
}

// Dropped is how many records were dropped (queue full or failed writes).
func (w *Writer) Dropped() uint64 { return w.dropped.Load() }

// Written is how many records were written.
func (w *Writer) Written() uint64 { return w.written.Load() }

// push adds r to the queue, dropping the oldest record when it is full:
// recent questions matter more to a report than old ones.
func (w *Writer) push(r record) {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		w.drop(1)
		return
	}
	full := w.n == len(w.queue)
	if full {
		w.settled(w.queue[w.head])
		w.head = (w.head + 1) % len(w.queue)
		w.n--
	}
	w.queue[(w.head+w.n)%len(w.queue)] = r
	w.n++
	if r.n != nil {
		w.pending[r.n.Key] = r.n
	}
	batchFull := w.n >= w.opts.BatchSize
	w.mu.Unlock()
	if full {
		w.drop(1)
	}
	if batchFull {
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

func (w *Writer) drop(n int) {
	w.dropped.Add(uint64(n))
	if w.opts.OnDrop != nil {
		for range n {
			w.opts.OnDrop()
		}
	}
}

// take removes up to BatchSize records from the head of the queue, oldest
// first.
func (w *Writer) take() []record {
	w.mu.Lock()
	defer w.mu.Unlock()
	rs := make([]record, 0, min(w.n, w.opts.BatchSize))
	for w.n > 0 && len(rs) < w.opts.BatchSize {
		rs = append(rs, w.queue[w.head])
		w.queue[w.head] = record{}
		w.head = (w.head + 1) % len(w.queue)
		w.n--
	}
	return rs
}

// requeue puts records that failed to be written back at the head of the
// queue, where they were. What no longer fits (newer records arrived
// meanwhile) is dropped, oldest first, as push drops.
func (w *Writer) requeue(rs []record) {
	w.mu.Lock()
	room := len(w.queue) - w.n
	lost := max(0, len(rs)-room)
	w.settled(rs[:lost]...)
	for i := len(rs) - 1; i >= lost; i-- {
		w.head = (w.head - 1 + len(w.queue)) % len(w.queue)
		w.queue[w.head] = rs[i]
		w.n++
	}
	w.mu.Unlock()
	w.drop(lost)
}

func batchOf(rs []record) Batch {
	var b Batch
	for _, r := range rs {
		switch {
		case r.q != nil:
			b.Questions = append(b.Questions, *r.q)
		case r.f != nil:
			b.Feedback = append(b.Feedback, *r.f)
		default:
			b.Notes = append(b.Notes, *r.n)
		}
	}
	return b
}

// loop writes batches when one is full or every FlushInterval, until
// Close, then drains the queue. After a failed write it waits out the
// backoff before writing again, whatever wakes it.
func (w *Writer) loop() {
	defer close(w.done)
	var retain <-chan time.Time
	if w.opts.Retention > 0 {
		w.retain()
		t := time.NewTicker(retentionEvery)
		defer t.Stop()
		retain = t.C
	}
	expire := time.NewTicker(expireEvery)
	defer expire.Stop()
	flush := time.NewTicker(w.opts.FlushInterval)
	defer flush.Stop()
	var retry <-chan time.Time
	for {
		select {
		case <-w.wake:
		case <-flush.C:
		case <-retry:
			retry = nil
		case <-retain:
			w.retain()
			continue
		case <-expire.C:
			w.expire()
			continue
		case <-w.stop:
			w.flush()
			w.dropQueued()
			return
		}
		if retry != nil {
			continue // still backing off
		}
		if !w.flush() {
			retry = time.After(w.retry)
		}
	}
}

// flush writes everything queued, batch after batch. A failed batch goes
// back to the queue, the backoff grows, and flush returns false.
func (w *Writer) flush() bool {
	for {
		rs := w.take()
		if len(rs) == 0 {
			return true
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := w.db.Write(ctx, batchOf(rs))
		cancel()
		if err != nil {
			w.requeue(rs)
			w.retry = min(max(2*w.retry, w.opts.RetryMin), w.opts.RetryMax)
			w.log.Error("store write failed; retrying", "records", len(rs), "retry_in", w.retry, "err", err)
			return false
		}
		if w.retry > 0 {
			w.log.Info("store writes resumed")
			w.retry = 0
		}
		w.mu.Lock()
		w.settled(rs...)
		w.mu.Unlock()
		w.written.Add(uint64(len(rs)))
	}
}

// dropQueued counts what is left in the queue at Close as lost.
func (w *Writer) dropQueued() {
	w.mu.Lock()
	n := w.n
	w.n = 0
	clear(w.queue)
	clear(w.pending)
	w.mu.Unlock()
	if n > 0 {
		w.log.Error("store closed with records unwritten", "records", n)
	}
	w.drop(n)
}

// retain deletes rows older than the retention.
func (w *Writer) retain() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n, err := w.db.DeleteBefore(ctx, time.Now().Add(-w.opts.Retention))
	if err != nil {
		w.log.Error("store retention failed", "err", err)
		return
	}
	if n > 0 {
		w.log.Info("store retention", "deleted", n)
	}
}

// expire deletes expired conversation state.
func (w *Writer) expire() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := w.db.DeleteExpired(ctx, time.Now()); err != nil {
		w.log.Warn("store: deleting expired state failed", "err", err)
	}
}

// Close writes what is queued and stops the Writer; records pushed after
// Close are dropped. It does not close the Store. ctx bounds the wait.
func (w *Writer) Close(ctx context.Context) error {
	w.mu.Lock()
	already := w.closed
	w.closed = true
	w.mu.Unlock()
	if !already {
		close(w.stop)
	}
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
