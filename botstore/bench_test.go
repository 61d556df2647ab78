package botstore

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/internal/pgtest"
	"github.com/espbot/espbot/store"
)

// BenchmarkReplyRecording measures the reply path (bot.Handle) as serve
// runs it: no store (state in memory, nothing recorded), or SQLite or
// PostgreSQL holding the conversation state (the event claimed and the
// cooldown buckets updated on the reply path; the question noted for
// feedback through the Writer's queue, with the question's record). It reports latency percentiles and the records the Writer lost.
// PostgreSQL needs ESPBOT_TEST_POSTGRES_DSN. For 10,000 questions:
//
//	go test -run '^$' -bench ReplyRecording -benchtime 10000x ./botstore
//
// "burst" asks as fast as the CPU allows; "paced" asks one question a
// millisecond, still far more than any chat channel.
func BenchmarkReplyRecording(b *testing.B) {
	for _, pace := range []time.Duration{0, time.Millisecond} {
		name := "burst"
		if pace > 0 {
			name = "paced"
		}
		b.Run(name, func(b *testing.B) { benchmarkReplyRecording(b, pace) })
	}
}

func benchmarkReplyRecording(b *testing.B, pace time.Duration) {
	ix := testIndex(b)
	var questions []string
	for i, e := range ix.Entries() {
		questions = append(questions, e.Title)
		if i%3 == 0 {
			questions = append(questions, fmt.Sprint("what's a good movie to watch tonight ", i))
		}
	}
	for _, driver := range []string{"", store.SQLite, store.Postgres} {
		b.Run(cmp.Or(driver, "nostore"), func(b *testing.B) {
			// Cooldowns as serve has them, too generous to refuse anything.
			cfg := bot.Config{UserCooldown: bot.Cooldown{PerMinute: 1e6, Burst: 1000}}
			var rec *Recorder
			if driver != "" {
				o := store.Options{Driver: driver, Path: filepath.Join(b.TempDir(), "bench.db")}
				if driver == store.Postgres {
					o.DSN = pgtest.Schema(b)
				}
				st := openStore(b, o)
				rec = NewRecorder(st, RecorderOptions{RecordText: true})
				cfg.Recorder, cfg.State = rec, NewState(st, rec, 0)
			}
			bt := bot.New(cfg, ix, nil, nil)
			lat := make([]time.Duration, 0, b.N)
			i := 0
			for b.Loop() {
				m := bot.Message{Platform: bot.Slack, EventID: fmt.Sprint(b.Name(), i), Channel: "D1", User: fmt.Sprint("U", i%500),
					Text: questions[i%len(questions)], IsDM: true}
				start := time.Now()
				bt.Handle(context.Background(), m)
				lat = append(lat, time.Since(start))
				i++
				if pace > 0 {
					time.Sleep(pace)
				}
			}
			b.StopTimer()
			if rec != nil {
				rec.Close(context.Background())
				b.ReportMetric(float64(rec.Dropped()), "dropped")
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}

// BenchmarkRecorder_RecordQuestion is what recording adds to a reply on
// the caller's goroutine: hashing the user ID and queueing.
func BenchmarkRecorder_RecordQuestion(b *testing.B) {
	st := openStore(b, store.Options{Driver: store.SQLite, Path: filepath.Join(b.TempDir(), "bench.db")})
	rec := NewRecorder(st, RecorderOptions{RecordText: true})
	defer rec.Close(context.Background())
	q := bot.QuestionRecord{Time: time.Now(), Platform: bot.Discord, Channel: "123456789012345678", User: "987654321098765432",
		Query: "how do I keep the wifi connection alive in light sleep", Kind: bot.KindAnswer, EntryID: "wifi-1a2b", Confidence: 0.8}
	b.ReportAllocs()
	for b.Loop() {
		rec.RecordQuestion(q)
	}
}

// BenchmarkState_PerQuestion is the store's share of one answered question,
// call by call: the event claimed and the two cooldown buckets updated in
// one transaction, on the reply path; the question noted for feedback,
// written here at once, which serve queues instead.
func BenchmarkState_PerQuestion(b *testing.B) {
	for _, driver := range []string{store.SQLite, store.Postgres} {
		b.Run(driver, func(b *testing.B) {
			o := store.Options{Driver: driver, Path: filepath.Join(b.TempDir(), "bench.db")}
			if driver == store.Postgres {
				o.DSN = pgtest.Schema(b)
			}
			s := NewState(openStore(b, o), nil, 0)
			ctx := context.Background()
			now := time.Now()
			keep := func(bs []bot.Bucket) []bot.Bucket { return bs }
			var claim, buckets, note time.Duration
			i := 0
			for b.Loop() {
				t0 := time.Now()
				s.Claim(ctx, fmt.Sprint("event\x00slack\x00Ev", i), now, now.Add(time.Hour))
				t1 := time.Now()
				s.UpdateBuckets(ctx, now, []string{fmt.Sprint("user\x00slack\x00U", i%500), "channel\x00slack\x00C1"}, keep)
				t2 := time.Now()
				s.SetNote(ctx, fmt.Sprint("asked\x00slack\x00C1\x00U", i%500), "how do I keep the wifi connection alive", now, now.Add(time.Hour))
				claim, buckets, note = claim+t1.Sub(t0), buckets+t2.Sub(t1), note+time.Since(t2)
				i++
			}
			b.ReportMetric(float64(claim.Microseconds())/float64(i), "claim-µs")
			b.ReportMetric(float64(buckets.Microseconds())/float64(i), "buckets-µs")
			b.ReportMetric(float64(note.Microseconds())/float64(i), "note-µs")
		})
	}
}
