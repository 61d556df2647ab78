package store

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"
)

func TestStore_WriteAndRead(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, _ Options, st *Store) {
		ctx := context.Background()
		q1 := Question{Time: at(0), Platform: "discord", Channel: "c1", UserHash: st.HashUser("discord", "u1"),
			Text: "how do I use mqtt over tls", Kind: KindAnswer, EntryID: "protocols-1", Category: "protocols",
			Confidence: 0.91, Latency: 1500 * time.Microsecond}
		q2 := Question{Time: at(time.Minute), Platform: "slack", Channel: "c2", Kind: KindNoMatch, Latency: time.Millisecond}
		f1 := Feedback{Time: at(2 * time.Minute), Platform: "discord", Channel: "c1", Kind: FeedbackDown, EntryID: "protocols-1", Query: "q"}
		if err := st.Write(ctx, Batch{Questions: []Question{q1, q2}, Feedback: []Feedback{f1}}); err != nil {
			t.Fatal(err)
		}
		qs, err := st.Questions(ctx, at(0))
		if err != nil {
			t.Fatal(err)
		}
		if want := []Question{q1, q2}; !reflect.DeepEqual(qs, want) {
			t.Errorf("Questions =\n%+v\nwant\n%+v", qs, want)
		}
		fs, err := st.Feedback(ctx, at(0))
		if err != nil {
			t.Fatal(err)
		}
		if want := []Feedback{f1}; !reflect.DeepEqual(fs, want) {
			t.Errorf("Feedback = %+v, want %+v", fs, want)
		}
		if qs, _ := st.Questions(ctx, at(30*time.Second)); len(qs) != 1 || qs[0].Platform != "slack" {
			t.Errorf("Questions since 30s = %+v, want the slack one", qs)
		}
	})
}

func TestStore_Migrations(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, o Options, st *Store) {
		ctx := context.Background()
		v, err := st.Version(ctx)
		if err != nil || v != len(migrations()) {
			t.Fatalf("Version = %d, %v; want %d", v, err, len(migrations()))
		}
		hash := st.HashUser("slack", "U1")
		// Reopening applies nothing twice and keeps the generated salt.
		again := openStore(t, o)
		if v, err := again.Version(ctx); err != nil || v != len(migrations()) {
			t.Errorf("Version after reopening = %d, %v", v, err)
		}
		if got := again.HashUser("slack", "U1"); got != hash {
			t.Errorf("hash after reopening = %q, want %q (salt must persist)", got, hash)
		}
	})
}

func TestStore_HashUser(t *testing.T) {
	t.Parallel()
	o := Options{Driver: SQLite, Path: t.TempDir() + "/a.db", Salt: "pepper"}
	a := openStore(t, o)
	o.Path = t.TempDir() + "/b.db"
	b := openStore(t, o)
	c := openStore(t, Options{Driver: SQLite, Path: t.TempDir() + "/c.db"})
	h := a.HashUser("discord", "1234")
	tests := []struct {
		name string
		got  string
		same bool
	}{
		{"same salt, other database", b.HashUser("discord", "1234"), true},
		{"other user", a.HashUser("discord", "1235"), false},
		{"other platform", a.HashUser("slack", "1234"), false},
		{"generated salt", c.HashUser("discord", "1234"), false},
	}
	for _, tt := range tests {
		if (tt.got == h) != tt.same {
			t.Errorf("%s: %q vs %q, same=%v", tt.name, tt.got, h, tt.same)
		}
	}
	if len(h) != 32 || h == "1234" {
		t.Errorf("hash %q: want 32 hex digits", h)
	}
	if a.HashUser("discord", "") != "" {
		t.Error("an empty user ID must hash to empty")
	}
}

func TestStore_DeleteBefore(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, _ Options, st *Store) {
		ctx := context.Background()
		var b Batch
		for i := range 10 {
			ts := at(time.Duration(i) * 24 * time.Hour)
			b.Questions = append(b.Questions, Question{Time: ts, Platform: "p", Kind: KindNoMatch})
			b.Feedback = append(b.Feedback, Feedback{Time: ts, Platform: "p", Kind: FeedbackUp, EntryID: "e"})
		}
		if err := st.Write(ctx, b); err != nil {
			t.Fatal(err)
		}
		if err := st.SetPhrasing(ctx, Phrasing{EntryID: "e", Text: "old phrasing", Status: Accepted, Time: at(0)}); err != nil {
			t.Fatal(err)
		}
		n, err := st.DeleteBefore(ctx, at(7*24*time.Hour))
		if err != nil || n != 14 {
			t.Fatalf("DeleteBefore = %d, %v; want 14 rows", n, err)
		}
		qs, _ := st.Questions(ctx, time.Time{})
		fs, _ := st.Feedback(ctx, time.Time{})
		if len(qs) != 3 || len(fs) != 3 || !qs[0].Time.Equal(at(7*24*time.Hour)) {
			t.Errorf("kept %d questions, %d feedback (first %v); want 3 and 3 from day 7", len(qs), len(fs), qs[0].Time)
		}
		if ps, _ := st.Phrasings(ctx, ""); len(ps) != 1 {
			t.Errorf("phrasings = %v; retention must keep them", ps)
		}
	})
}

func TestStore_CandidatesAndPhrasings(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, _ Options, st *Store) {
		ctx := context.Background()
		other := func(d time.Duration, q, entry string) Feedback {
			return Feedback{Time: at(d), Platform: "discord", Kind: FeedbackOther, EntryID: entry, Query: q}
		}
		b := Batch{Feedback: []Feedback{
			other(1, "wifi keeps dropping", "wifi-1"),
			other(2, "WiFi keeps dropping", "wifi-1"),
			other(3, "wifi keeps dropping", "wifi-2"),
			other(4, "ota over https", "ota-1"),
			other(5, "", "ota-1"),
			{Time: at(6), Platform: "discord", Kind: FeedbackDown, EntryID: "wifi-1", Query: "wifi keeps dropping"},
		}}
		if err := st.Write(ctx, b); err != nil {
			t.Fatal(err)
		}
		cands, err := st.Candidates(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(candidateKeys(cands))
		if want := "[wifi-1:wifi keeps dropping:2 ota-1:ota over https:1 wifi-2:wifi keeps dropping:1]"; got != want {
			t.Errorf("Candidates = %s\nwant %s", got, want)
		}
		if err := st.SetPhrasing(ctx, Phrasing{EntryID: "wifi-1", Text: "WiFi keeps dropping ", Status: Accepted}); err != nil {
			t.Fatal(err)
		}
		if err := st.SetPhrasing(ctx, Phrasing{EntryID: "wifi-2", Text: "wifi keeps dropping", Status: Rejected}); err != nil {
			t.Fatal(err)
		}
		cands, _ = st.Candidates(ctx, time.Time{})
		if got := fmt.Sprint(candidateKeys(cands)); got != "[ota-1:ota over https:1]" {
			t.Errorf("Candidates after decisions = %s, want only the undecided one", got)
		}
		acc, err := st.AcceptedPhrasings(ctx)
		if err != nil || !reflect.DeepEqual(acc, map[string][]string{"wifi-1": {"wifi keeps dropping"}}) {
			t.Errorf("AcceptedPhrasings = %v, %v", acc, err)
		}
		// A later decision replaces the earlier one.
		if err := st.SetPhrasing(ctx, Phrasing{EntryID: "wifi-1", Text: "wifi keeps dropping", Status: Rejected}); err != nil {
			t.Fatal(err)
		}
		if acc, _ := st.AcceptedPhrasings(ctx); len(acc) != 0 {
			t.Errorf("AcceptedPhrasings after rejecting = %v, want none", acc)
		}
		if ok, err := st.DeletePhrasing(ctx, "wifi-1", "WIFI keeps dropping"); !ok || err != nil {
			t.Errorf("DeletePhrasing = %v, %v", ok, err)
		}
		if err := st.SetPhrasing(ctx, Phrasing{EntryID: "x", Text: "y", Status: "maybe"}); err == nil {
			t.Error("SetPhrasing accepted an unknown status")
		}
	})
}

func candidateKeys(cs []Candidate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, fmt.Sprintf("%s:%s:%d", c.EntryID, c.Text, c.Count))
	}
	return out
}

func TestStore_ConcurrentWriters(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, o Options, st *Store) {
		ctx := context.Background()
		// Two handles on one database, as two espbot processes would have.
		other := openStore(t, o)
		const writers, batches, size = 8, 10, 20
		var wg sync.WaitGroup
		errs := make(chan error, writers*batches)
		for w := range writers {
			s := st
			if w%2 == 1 {
				s = other
			}
			wg.Go(func() {
				for i := range batches {
					var b Batch
					for j := range size {
						b.Questions = append(b.Questions, Question{Time: at(time.Duration(j)), Platform: "p",
							Channel: fmt.Sprintf("w%d-b%d", w, i), Kind: KindAnswer})
					}
					b.Feedback = []Feedback{{Time: at(0), Platform: "p", Channel: fmt.Sprintf("w%d-b%d", w, i), Kind: FeedbackUp}}
					if err := s.Write(ctx, b); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		qs, _ := st.Questions(ctx, time.Time{})
		fs, _ := st.Feedback(ctx, time.Time{})
		if len(qs) != writers*batches*size || len(fs) != writers*batches {
			t.Errorf("got %d questions, %d feedback; want %d, %d", len(qs), len(fs), writers*batches*size, writers*batches)
		}
	})
}

func TestOpen_UnknownDriver(t *testing.T) {
	t.Parallel()
	if _, err := Open(context.Background(), Options{Driver: "mysql"}); err == nil {
		t.Fatal("Open accepted an unknown driver")
	}
	if _, err := Open(context.Background(), Options{Driver: SQLite}); err == nil {
		t.Fatal("Open accepted SQLite without a path")
	}
}
