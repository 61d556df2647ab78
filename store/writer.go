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
	// OnDrop is called (from the caller's goroutine, so it must be quick)
	// for each record dropped because the queue was full, or lost because
	// a write failed.
	OnDrop func()
	// Log receives write errors (nil: discarded).
	Log *slog.Logger
}

// record is a queued question or feedback.
type record struct {
	q *Question
	f *Feedback
}

// Writer records questions and feedback without ever making the caller
// wait for the database: records go to a bounded in-memory queue, and one
// goroutine writes them in batches, one transaction each.
type Writer struct {
	st   *Store
	opts WriterOptions
	log  *slog.Logger

	mu     sync.Mutex
	queue  []record // ring buffer
	head   int      // index of the oldest record
	n      int      // records queued
	closed bool

	wake    chan struct{} // capacity 1: "a batch is full"
	stop    chan struct{}
	done    chan struct{}
	dropped atomic.Uint64
	written atomic.Uint64
}

// NewWriter starts a Writer on st. Close it to flush.
func NewWriter(st *Store, o WriterOptions) *Writer {
	w := newWriter(st, o)
	go w.loop()
	return w
}

// newWriter builds a Writer without starting its goroutine, for tests.
func newWriter(st *Store, o WriterOptions) *Writer {
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
	w := &Writer{
		st:    st,
		opts:  o,
		log:   o.Log,
		queue: make([]record, o.QueueSize),
		wake:  make(chan struct{}, 1),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	return w
}

// Store returns the store written to.
func (w *Writer) Store() *Store { return w.st }

// Question queues a question. It never blocks on the database.
func (w *Writer) Question(q Question) { w.push(record{q: &q}) }

// Feedback queues a feedback. It never blocks on the database.
func (w *Writer) Feedback(f Feedback) { w.push(record{f: &f}) }

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
		w.head = (w.head + 1) % len(w.queue)
		w.n--
	}
	w.queue[(w.head+w.n)%len(w.queue)] = r
	w.n++
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

// take removes up to BatchSize records from the queue.
func (w *Writer) take() Batch {
	w.mu.Lock()
	defer w.mu.Unlock()
	var b Batch
	for w.n > 0 && b.Len() < w.opts.BatchSize {
		r := w.queue[w.head]
		w.queue[w.head] = record{}
		w.head = (w.head + 1) % len(w.queue)
		w.n--
		if r.q != nil {
			b.Questions = append(b.Questions, *r.q)
		} else {
			b.Feedback = append(b.Feedback, *r.f)
		}
	}
	return b
}

// loop writes batches when one is full or every FlushInterval, until
// Close, then drains the queue.
func (w *Writer) loop() {
	defer close(w.done)
	var retain <-chan time.Time
	if w.opts.Retention > 0 {
		w.retain()
		t := time.NewTicker(retentionEvery)
		defer t.Stop()
		retain = t.C
	}
	flush := time.NewTicker(w.opts.FlushInterval)
	defer flush.Stop()
	for {
		select {
		case <-w.wake:
			w.flush()
		case <-flush.C:
			w.flush()
		case <-retain:
			w.retain()
		case <-w.stop:
			w.flush()
			return
		}
	}
}

// flush writes everything queued, batch after batch.
func (w *Writer) flush() {
	for {
		b := w.take()
		if b.Len() == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := w.st.Write(ctx, b)
		cancel()
		if err != nil {
			w.log.Error("store write failed; records lost", "records", b.Len(), "err", err)
			w.drop(b.Len())
			continue
		}
		w.written.Add(uint64(b.Len()))
	}
}

// retain deletes rows older than the retention.
func (w *Writer) retain() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n, err := w.st.DeleteBefore(ctx, time.Now().Add(-w.opts.Retention))
	if err != nil {
		w.log.Error("store retention failed", "err", err)
		return
	}
	if n > 0 {
		w.log.Info("store retention", "deleted", n)
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
