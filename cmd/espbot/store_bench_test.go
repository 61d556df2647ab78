package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/config"
	"github.com/espbot/espbot/metrics"
	"github.com/espbot/espbot/store"
)

// BenchmarkReplyRecording measures the reply path (bot.Handle) with and
// without recording to a SQLite store, and reports latency percentiles.
// Run with -benchtime=10000x for the 10,000 questions:
//
//	go test -run '^$' -bench ReplyRecording -benchtime 10000x ./cmd/espbot
func BenchmarkReplyRecording(b *testing.B) {
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
	for _, withStore := range []bool{false, true} {
		name := "nostore"
		if withStore {
			name = "sqlite"
		}
		b.Run(name, func(b *testing.B) {
			cfg := bot.Config{}
			var rec *storeRecorder
			if withStore {
				c := config.Default()
				c.Store = config.Store{Driver: store.SQLite, Path: filepath.Join(b.TempDir(), "bench.db"), RecordText: true}
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
