package store

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestStore_Claim(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, o Options, st *Store) {
		ctx := context.Background()
		other := openStore(t, o) // a second process on the database
		steps := []struct {
			name  string
			st    *Store
			key   string
			now   time.Duration
			until time.Duration
			want  bool
		}{
			{"first claim", st, "slack Ev1", 0, time.Hour, true},
			{"the same key again", st, "slack Ev1", time.Minute, time.Hour, false},
			{"from another process", other, "slack Ev1", 59 * time.Minute, 2 * time.Hour, false},
			{"another key", other, "slack Ev2", 0, time.Hour, true},
			{"after expiry", other, "slack Ev1", time.Hour, 2 * time.Hour, true},
			{"held again", st, "slack Ev1", 90 * time.Minute, 3 * time.Hour, false},
		}
		for _, s := range steps {
			got, err := s.st.Claim(ctx, s.key, at(s.now), at(s.until))
			if err != nil || got != s.want {
				t.Fatalf("%s: Claim = %v, %v; want %v", s.name, got, err, s.want)
			}
		}
		if held, err := st.Claimed(ctx, "slack Ev1", at(119*time.Minute)); !held || err != nil {
			t.Errorf("Claimed before expiry = %v, %v", held, err)
		}
		if held, _ := st.Claimed(ctx, "slack Ev1", at(2*time.Hour)); held {
			t.Error("Claimed after expiry")
		}
		if held, _ := st.Claimed(ctx, "never", at(0)); held {
			t.Error("Claimed a key nobody claimed")
		}
	})
}

// TestStore_ClaimRace: of processes claiming one key at once, one wins.
func TestStore_ClaimRace(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, o Options, st *Store) {
		stores := []*Store{st, openStore(t, o), openStore(t, o)}
		for round := range 20 {
			var wins atomic.Int32
			var wg sync.WaitGroup
			for i := range 6 {
				wg.Go(func() {
					ok, err := stores[i%len(stores)].Claim(context.Background(), fmt.Sprint("event ", round), at(0), at(time.Hour))
					if err != nil {
						t.Error(err)
					}
					if ok {
						wins.Add(1)
					}
				})
			}
			wg.Wait()
			if wins.Load() != 1 {
				t.Fatalf("round %d: %d claims won, want 1", round, wins.Load())
			}
		}
	})
}

func TestStore_Notes(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, _ Options, st *Store) {
		ctx := context.Background()
		if err := st.SetNote(ctx, "asked slack C1 U1", "first question", at(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := st.SetNote(ctx, "asked slack C1 U1", "second question", at(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			key  string
			now  time.Duration
			want string
		}{
			{"asked slack C1 U1", 90 * time.Minute, "second question"},
			{"asked slack C1 U1", 2 * time.Hour, ""},
			{"asked slack C1 U2", 0, ""},
		} {
			if got, err := st.Note(ctx, tt.key, at(tt.now)); got != tt.want || err != nil {
				t.Errorf("Note(%s, %v) = %q, %v; want %q", tt.key, tt.now, got, err, tt.want)
			}
		}
	})
}

func TestStore_UpdateBuckets(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, o Options, st *Store) {
		ctx := context.Background()
		keys := []string{"u slack U1", "c slack C1"}
		var seen []Bucket
		err := st.UpdateBuckets(ctx, at(0), keys, func(bs []Bucket) []Bucket {
			seen = bs
			return []Bucket{{Tokens: 2, At: at(0), Expires: at(time.Minute)}, {Tokens: 9, At: at(0), Noticed: true, Expires: at(time.Minute)}}
		})
		if err != nil {
			t.Fatal(err)
		}
		if seen[0] != (Bucket{}) || seen[1] != (Bucket{}) {
			t.Errorf("new buckets = %+v, want zero", seen)
		}
		// In the other order, from another process.
		other := openStore(t, o)
		err = other.UpdateBuckets(ctx, at(time.Second), []string{keys[1], keys[0]}, func(bs []Bucket) []Bucket {
			seen = bs
			return bs
		})
		if err != nil {
			t.Fatal(err)
		}
		want := []Bucket{{Tokens: 9, At: at(0), Noticed: true, Expires: at(time.Minute)}, {Tokens: 2, At: at(0), Expires: at(time.Minute)}}
		if fmt.Sprint(seen) != fmt.Sprint(want) {
			t.Errorf("buckets = %+v, want %+v", seen, want)
		}
		// Expired: as good as new.
		st.UpdateBuckets(ctx, at(time.Minute), keys[:1], func(bs []Bucket) []Bucket { seen = bs; return bs })
		if seen[0] != (Bucket{}) {
			t.Errorf("an expired bucket = %+v, want zero", seen[0])
		}
		if err := st.UpdateBuckets(ctx, at(0), keys, func([]Bucket) []Bucket { return nil }); err == nil {
			t.Error("a function returning the wrong number of buckets was accepted")
		}
	})
}

// TestStore_UpdateBucketsSpendsEachTokenOnce: processes taking tokens from
// one bucket at once never spend more than it holds.
func TestStore_UpdateBucketsSpendsEachTokenOnce(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, o Options, st *Store) {
		stores := []*Store{st, openStore(t, o)}
		const tokens = 10
		var taken atomic.Int32
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				for range 4 {
					err := stores[i%2].UpdateBuckets(context.Background(), at(0), []string{"c shared", fmt.Sprint("u ", i)}, func(bs []Bucket) []Bucket {
						c := bs[0]
						if c.At.IsZero() {
							c = Bucket{Tokens: tokens, At: at(0), Expires: at(time.Hour)}
						}
						if c.Tokens >= 1 {
							c.Tokens--
							taken.Add(1)
						}
						return []Bucket{c, bs[1]}
					})
					if err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		if taken.Load() != tokens {
			t.Errorf("%d tokens taken from a bucket of %d", taken.Load(), tokens)
		}
	})
}

func TestStore_DeleteExpired(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, _ Options, st *Store) {
		ctx := context.Background()
		st.Claim(ctx, "old", at(0), at(time.Minute))
		st.Claim(ctx, "new", at(0), at(time.Hour))
		st.SetNote(ctx, "old", "x", at(time.Minute))
		st.UpdateBuckets(ctx, at(0), []string{"old"}, func([]Bucket) []Bucket {
			return []Bucket{{Tokens: 1, At: at(0), Expires: at(time.Minute)}}
		})
		n, err := st.DeleteExpired(ctx, at(time.Minute))
		if err != nil || n != 3 {
			t.Errorf("DeleteExpired = %d, %v; want 3", n, err)
		}
		if held, _ := st.Claimed(ctx, "new", at(time.Minute)); !held {
			t.Error("an unexpired claim was deleted")
		}
	})
}

func TestStore_StateKeysAreHashed(t *testing.T) {
	t.Parallel()
	st := openStore(t, Options{Driver: SQLite, Path: t.TempDir() + "/k.db"})
	ctx := context.Background()
	st.Claim(ctx, "slack C123 U456", at(0), at(time.Hour))
	st.SetNote(ctx, "asked slack C123 U456", "q", at(time.Hour))
	for _, table := range []string{"claims", "notes"} {
		var key string
		if err := st.db.QueryRow("SELECT key FROM " + table).Scan(&key); err != nil {
			t.Fatal(err)
		}
		if len(key) != 32 || key == st.hashKey("other") {
			t.Errorf("%s key %q: want a 32-digit salted hash", table, key)
		}
	}
}

func TestStore_OneVotePerUserPerAnswer(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, _ Options, st *Store) {
		ctx := context.Background()
		u1, u2 := st.HashUser("slack", "U1"), st.HashUser("slack", "U2")
		vote := func(d time.Duration, user, kind, answer string) Feedback {
			return Feedback{Time: at(d), Platform: "slack", Channel: "C1", UserHash: user, Kind: kind, EntryID: "e1", Answer: answer}
		}
		batches := []Batch{
			{Feedback: []Feedback{vote(1, u1, FeedbackUp, "1700.01"), vote(2, u1, FeedbackDown, "1700.01")}},
			{Feedback: []Feedback{vote(3, u1, FeedbackDown, "1700.01"), vote(4, u2, FeedbackUp, "1700.01")}},
			{Feedback: []Feedback{vote(5, u1, FeedbackUp, "1800.02"), vote(6, u1, FeedbackOther, "1800.02"), vote(7, u1, FeedbackOther, "1800.02")}},
			{Feedback: []Feedback{vote(8, u1, FeedbackUp, ""), vote(9, u1, FeedbackUp, "")}}, // no answer ID: kept apart
		}
		for _, b := range batches {
			if err := st.Write(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
		fs, err := st.Feedback(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range fs {
			who := map[string]string{u1: "u1", u2: "u2"}[f.UserHash]
			got = append(got, fmt.Sprintf("%s:%s:%s", who, f.Answer, f.Kind))
		}
		want := "[u1:1700.01:down u2:1700.01:up u1:1800.02:up u1:1800.02:other_answer u1:1800.02:other_answer u1::up u1::up]"
		if fmt.Sprint(got) != want {
			t.Errorf("feedback = %v\nwant       %s", got, want)
		}
	})
}

// TestOpen_ConcurrentMigrations opens fresh databases from several
// processes at once, as instances started together do: every one opens.
func TestOpen_ConcurrentMigrations(t *testing.T) {
	t.Parallel()
	for _, be := range backends(t) {
		be.run(t, func(t *testing.T, _ Options) {
			for round := range 5 {
				o := be.target(t)
				var wg sync.WaitGroup
				errs := make(chan error, 4)
				for range 4 {
					wg.Go(func() {
						st, err := Open(context.Background(), o)
						if err != nil {
							errs <- err
							return
						}
						st.Close()
					})
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					t.Fatalf("round %d: %v", round, err)
				}
			}
		})
	}
}

// TestOpen_PostgresCommitsAsynchronously: state writes do not wait for a
// disk flush, unless the DSN says otherwise.
func TestOpen_PostgresCommitsAsynchronously(t *testing.T) {
	t.Parallel()
	for _, be := range backends(t) {
		if be.name != Postgres {
			continue
		}
		be.run(t, func(t *testing.T, o Options) {
			for dsn, want := range map[string]string{o.DSN: "off", o.DSN + "&synchronous_commit=on": "on"} {
				st := openStore(t, Options{Driver: Postgres, DSN: dsn})
				var got string
				if err := st.db.QueryRow("SHOW synchronous_commit").Scan(&got); err != nil || got != want {
					t.Errorf("synchronous_commit = %q, %v; want %s", got, err, want)
				}
			}
		})
	}
}
