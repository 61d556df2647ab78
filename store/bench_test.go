package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkStore_Write writes batches of DefaultBatchSize questions; the
// per-row cost is what the Writer's goroutine takes from the CPU.
func BenchmarkStore_Write(b *testing.B) {
	st, err := Open(context.Background(), Options{Driver: SQLite, Path: filepath.Join(b.TempDir(), "bench.db")})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var batch Batch
	for i := range DefaultBatchSize {
		batch.Questions = append(batch.Questions, Question{Time: time.Now(), Platform: "discord", Channel: "123456789012345678",
			UserHash: st.HashUser("discord", "u"), Text: "how do I keep the wifi connection alive in light sleep",
			Kind: KindAnswer, EntryID: "wifi-1a2b", Category: "wifi", Confidence: float64(i) / DefaultBatchSize})
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := st.Write(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*DefaultBatchSize), "ns/row")
}
