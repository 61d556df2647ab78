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
	w := newWriter(st, WriterOptions{QueueSize: 3, OnDrop: func() { drops.Add(1) }})
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
	w := newWriter(st, WriterOptions{})
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
