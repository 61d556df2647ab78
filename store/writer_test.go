package store

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestWriter_FlushesOnClose(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, _ Options, st *Store) {
		w := NewWriter(st, WriterOptions{BatchSize: 100})
		const goroutines, each = 8, 250
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Go(func() {
				for i := range each {
					if i%5 == 0 {
						w.Feedback(Feedback{Time: at(0), Platform: "p", Channel: fmt.Sprint(g), Kind: FeedbackUp})
						continue
					}
					w.Question(Question{Time: at(time.Duration(i)), Platform: "p", Channel: fmt.Sprint(g), Kind: KindAnswer})
				}
			})
		}
		wg.Wait()
		if err := w.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		qs, _ := st.Questions(context.Background(), time.Time{})
		fs, _ := st.Feedback(context.Background(), time.Time{})
		if len(qs)+len(fs) != goroutines*each || len(fs) != goroutines*each/5 {
			t.Errorf("stored %d questions + %d feedback, want %d in all (%d feedback)", len(qs), len(fs), goroutines*each, goroutines*each/5)
		}
		if w.Dropped() != 0 || w.Written() != goroutines*each {
			t.Errorf("Dropped = %d, Written = %d", w.Dropped(), w.Written())
		}
	})
}

func TestWriter_DropsOldestWhenFull(t *testing.T) {
	t.Parallel()
	st := openStore(t, Options{Driver: SQLite, Path: t.TempDir() + "/q.db"})
	var drops atomic.Int32
	// Not started: nothing drains the queue while it fills.
	w := newWriter(st, st, WriterOptions{QueueSize: 3, OnDrop: func() { drops.Add(1) }})
	for i := 1; i <= 5; i++ {
		w.Question(Question{Time: at(0), Platform: "p", Channel: fmt.Sprint(i), Kind: KindNoMatch})
	}
	if w.Dropped() != 2 || drops.Load() != 2 {
		t.Errorf("Dropped = %d, OnDrop calls = %d; want 2", w.Dropped(), drops.Load())
	}
	go w.loop()
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	qs, _ := st.Questions(context.Background(), time.Time{})
	var got []string
	for _, q := range qs {
		got = append(got, q.Channel)
	}
	if fmt.Sprint(got) != "[3 4 5]" {
		t.Errorf("stored channels %v, want the newest three [3 4 5]", got)
	}
	w.Question(Question{Time: at(0), Platform: "p", Kind: KindNoMatch})
	if w.Dropped() != 3 {
		t.Errorf("a record after Close: Dropped = %d, want 3", w.Dropped())
	}
}

func TestWriter_Retention(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, _ Options, st *Store) {
		ctx := context.Background()
		old := Question{Time: time.Now().Add(-48 * time.Hour), Platform: "p", Kind: KindAnswer}
		if err := st.Write(ctx, Batch{Questions: []Question{old}}); err != nil {
			t.Fatal(err)
		}
		w := NewWriter(st, WriterOptions{Retention: 24 * time.Hour})
		w.Question(Question{Time: time.Now(), Platform: "new", Kind: KindAnswer})
		if err := w.Close(ctx); err != nil {
			t.Fatal(err)
		}
		qs, _ := st.Questions(ctx, time.Time{})
		if len(qs) != 1 || qs[0].Platform != "new" {
			t.Errorf("after retention: %+v, want only the new question", qs)
		}
	})
}

func TestWriter_FailedWriteCounts(t *testing.T) {
	t.Parallel()
	st := openStore(t, Options{Driver: SQLite, Path: t.TempDir() + "/f.db"})
	w := newWriter(st, st, WriterOptions{})
	w.Question(Question{Time: at(0), Platform: "p", Kind: KindAnswer})
	w.Feedback(Feedback{Time: at(0), Platform: "p", Kind: FeedbackUp})
	st.Close()
	go w.loop()
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if w.Dropped() != 2 || w.Written() != 0 {
		t.Errorf("Dropped = %d, Written = %d; want 2 lost, 0 written", w.Dropped(), w.Written())
	}
}

func TestWriter_WritesFullBatchesWithoutWaiting(t *testing.T) {
	t.Parallel()
	st := openStore(t, Options{Driver: SQLite, Path: t.TempDir() + "/b.db"})
	// An hour's interval: only a full batch can cause this write.
	w := NewWriter(st, WriterOptions{BatchSize: 10, FlushInterval: time.Hour})
	defer w.Close(context.Background())
	for range 10 {
		w.Question(Question{Time: at(0), Platform: "p", Kind: KindAnswer})
	}
	deadline := time.Now().Add(30 * time.Second) // guards against a hang only
	for w.Written() != 10 {
		if time.Now().After(deadline) {
			t.Fatalf("a full batch was not written: Written = %d", w.Written())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// flakyDB is a database whose writes fail while down is set; it keeps what
// it was given when up.
type flakyDB struct {
	mu       sync.Mutex
	down     bool
	attempts int
	got      []string // channels of the questions written, in order
}

func (f *flakyDB) Write(_ context.Context, b Batch) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attempts++
	if f.down {
		return fmt.Errorf("connection refused")
	}
	for _, q := range b.Questions {
		f.got = append(f.got, q.Channel)
	}
	return nil
}

func (f *flakyDB) DeleteBefore(context.Context, time.Time) (int64, error)  { return 0, nil }
func (f *flakyDB) DeleteExpired(context.Context, time.Time) (int64, error) { return 0, nil }

func (f *flakyDB) set(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
}

func (f *flakyDB) state() (attempts int, got []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.attempts, append([]string(nil), f.got...)
}

func TestWriter_RetriesThroughAnOutage(t *testing.T) {
	t.Parallel()
	db := &flakyDB{down: true}
	w := newWriter(nil, db, WriterOptions{BatchSize: 50, FlushInterval: 5 * time.Millisecond,
		RetryMin: 10 * time.Millisecond, RetryMax: 40 * time.Millisecond})
	go w.loop()
	for i := range 300 {
		w.Question(Question{Channel: fmt.Sprint(i)})
	}
	waitUntil(t, "three failed attempts", func() bool { n, _ := db.state(); return n >= 3 })
	for i := 300; i < 400; i++ {
		w.Question(Question{Channel: fmt.Sprint(i)}) // asked during the outage
	}
	db.set(false)
	waitUntil(t, "every record written", func() bool { _, got := db.state(); return len(got) == 400 })
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, got := db.state()
	for i, ch := range got {
		if ch != fmt.Sprint(i) {
			t.Fatalf("record %d is %s: order lost across retries", i, ch)
		}
	}
	if w.Dropped() != 0 || w.Written() != 400 {
		t.Errorf("Dropped = %d, Written = %d; want 0 and 400", w.Dropped(), w.Written())
	}
}

func TestWriter_OutageDropsOldestOnlyWhenFull(t *testing.T) {
	t.Parallel()
	db := &flakyDB{down: true}
	w := newWriter(nil, db, WriterOptions{QueueSize: 10, BatchSize: 4, FlushInterval: time.Millisecond,
		RetryMin: time.Millisecond, RetryMax: 2 * time.Millisecond})
	go w.loop()
	for i := range 6 {
		w.Question(Question{Channel: fmt.Sprint(i)})
	}
	waitUntil(t, "a failed attempt", func() bool { n, _ := db.state(); return n >= 1 })
	for i := 6; i < 25; i++ {
		w.Question(Question{Channel: fmt.Sprint(i)})
	}
	db.set(false)
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, got := db.state()
	if fmt.Sprint(got) != "[15 16 17 18 19 20 21 22 23 24]" || w.Dropped() != 15 {
		t.Errorf("wrote %v, dropped %d; want the newest ten and 15 dropped", got, w.Dropped())
	}
}

func TestWriter_BacksOff(t *testing.T) {
	t.Parallel()
	db := &flakyDB{down: true}
	w := newWriter(nil, db, WriterOptions{FlushInterval: time.Millisecond, RetryMin: 20 * time.Millisecond, RetryMax: 80 * time.Millisecond})
	go w.loop()
	defer w.Close(context.Background())
	w.Question(Question{Channel: "x"})
	// Flush ticks come every millisecond; with the backoff, attempts come at
	// about 0, 20, 60, 140, 220 ms: a handful in 250 ms, not hundreds (a
	// loaded machine only makes them fewer).
	time.Sleep(250 * time.Millisecond)
	if n, _ := db.state(); n < 2 || n > 7 {
		t.Errorf("%d attempts in 250 ms, want 2 to 7 with a 20-80 ms backoff", n)
	}
}

// waitUntil polls cond; the deadline only guards against a hang.
func waitUntil(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestWriter_PendingNotes: a queued note is readable from the queue, the
// newest of its key, through an outage, until it is written; a note the
// full queue dropped is no longer pending.
func TestWriter_PendingNotes(t *testing.T) {
	t.Parallel()
	db := &flakyDB{down: true}
	w := newWriter(nil, db, WriterOptions{QueueSize: 4, BatchSize: 2, FlushInterval: time.Millisecond,
		RetryMin: time.Millisecond, RetryMax: 2 * time.Millisecond})
	pending := func(key string) string {
		n, ok := w.Pending(key)
		if !ok {
			return "(none)"
		}
		return n.Value
	}
	w.Note(Note{Key: "a", Value: "1"})
	w.Note(Note{Key: "b", Value: "1"})
	w.Note(Note{Key: "a", Value: "2"})
	if got := pending("a") + " " + pending("b") + " " + pending("c"); got != "2 1 (none)" {
		t.Errorf("pending a, b, c = %s; want the newest of each: 2 1 (none)", got)
	}
	go w.loop()
	waitUntil(t, "a failed attempt", func() bool { n, _ := db.state(); return n >= 1 })
	if got := pending("a"); got != "2" {
		t.Errorf("during the outage a = %s, want 2", got)
	}
	for i := range 4 { // pushes the notes out of the full queue
		w.Question(Question{Channel: fmt.Sprint(i)})
	}
	waitUntil(t, "the dropped notes forgotten", func() bool { return pending("a") == "(none)" && pending("b") == "(none)" })
	db.set(false)
	w.Note(Note{Key: "c", Value: "3"})
	waitUntil(t, "the note written", func() bool { return pending("c") == "(none)" })
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if w.Written() == 0 {
		t.Error("nothing written")
	}
}
