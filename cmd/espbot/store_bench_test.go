package main

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/config"
	"github.com/espbot/espbot/metrics"
	"github.com/espbot/espbot/store"
)

// BenchmarkReplyRecording measures the reply path (bot.Handle) with and
// without recording to a store, and reports latency percentiles. The
// PostgreSQL run needs ESPBOT_TEST_POSTGRES_DSN (it uses a schema of its
// own, dropped at the end). Run with -benchtime=10000x for the issue's
// 10,000 questions:
//
//	go test -run '^$' -bench ReplyRecording -benchtime 10000x ./cmd/espbot
//
// "burst" asks as fast as the CPU allows (about 20,000 questions a second
// on two cores, where the writer's goroutine competes with the replies for
// CPU); "paced" asks one question a millisecond, still far more than any
// chat channel, leaving the writer the gaps between questions.
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
	ix, _, err := indexKnowledge(nil, matcherOptions(config.Default()))
	if err != nil {
		b.Fatal(err)
	}
	var questions []string
	for i, e := range ix.Entries() {
		questions = append(questions, e.Title)
		if i%3 == 0 {
			questions = append(questions, offTopicQuestion+fmt.Sprint(i))
		}
	}
	for _, driver := range []string{"", store.SQLite, store.Postgres} {
		b.Run(cmp.Or(driver, "nostore"), func(b *testing.B) {
			cfg := bot.Config{}
			var rec *storeRecorder
			if driver != "" {
				c := config.Default()
				c.Store = config.Store{Driver: driver, Path: filepath.Join(b.TempDir(), "bench.db"), DSN: benchPostgres(b, driver), RecordText: true}
				st, err := openStore(context.Background(), c, func(string) string { return "" })
				if err != nil {
					b.Fatal(err)
				}
				rec = newStoreRecorder(st, c, slog.New(slog.DiscardHandler), metrics.New())
				cfg.Recorder = rec
			}
			bt := bot.New(cfg, ix, nil, nil)
			lat := make([]time.Duration, 0, b.N)
			i := 0
			for b.Loop() {
				m := bot.Message{Platform: bot.Slack, Channel: "D1", User: fmt.Sprint("U", i%500), Text: questions[i%len(questions)], IsDM: true}
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
				rec.close(time.Minute, slog.New(slog.DiscardHandler))
				b.ReportMetric(float64(rec.w.Dropped()), "dropped")
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}

// benchPostgres returns a DSN for a fresh schema when driver is Postgres,
// and skips without ESPBOT_TEST_POSTGRES_DSN.
func benchPostgres(b *testing.B, driver string) config.Secret {
	if driver != store.Postgres {
		return ""
	}
	dsn := os.Getenv("ESPBOT_TEST_POSTGRES_DSN")
	if dsn == "" {
		b.Skip("set ESPBOT_TEST_POSTGRES_DSN for the PostgreSQL run")
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		b.Fatal(err)
	}
	schema := fmt.Sprintf("espbot_bench_%d", time.Now().UnixNano())
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		b.Skipf("PostgreSQL at ESPBOT_TEST_POSTGRES_DSN: %v", err)
	}
	b.Cleanup(func() {
		db.Exec("DROP SCHEMA " + schema + " CASCADE")
		db.Close()
	})
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return config.Secret(dsn + sep + "search_path=" + schema)
}

// BenchmarkStoreRecorder_RecordQuestion is what recording adds to a reply
// on the caller's goroutine: hashing the user ID and queueing.
func BenchmarkStoreRecorder_RecordQuestion(b *testing.B) {
	c := config.Default()
	c.Store = config.Store{Driver: store.SQLite, Path: filepath.Join(b.TempDir(), "bench.db"), RecordText: true}
	st, err := openStore(context.Background(), c, func(string) string { return "" })
	if err != nil {
		b.Fatal(err)
	}
	rec := newStoreRecorder(st, c, slog.New(slog.DiscardHandler), metrics.New())
	defer rec.close(time.Minute, slog.New(slog.DiscardHandler))
	q := bot.QuestionRecord{Time: time.Now(), Platform: bot.Discord, Channel: "123456789012345678", User: "987654321098765432",
		Query: "how do I keep the wifi connection alive in light sleep", Kind: bot.KindAnswer, EntryID: "wifi-1a2b", Confidence: 0.8}
	b.ReportAllocs()
	for b.Loop() {
		rec.RecordQuestion(q)
	}
}
