// Package pgtest gives tests a PostgreSQL schema of their own on the
// server named by ESPBOT_TEST_POSTGRES_DSN (CI's .ci/run starts one and
// sets it), or skips them with a message saying so.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
)

// EnvDSN names the server's connection string.
const EnvDSN = "ESPBOT_TEST_POSTGRES_DSN"

// Schema creates a fresh schema, dropped when the test ends, and returns a
// DSN whose search_path is that schema. Without EnvDSN, or when the server
// does not answer, the test is skipped.
func Schema(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		tb.Skipf("set %s to run this test against PostgreSQL", EnvDSN)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Skipf("PostgreSQL at %s: %v", EnvDSN, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "espbot_test_" + hex.EncodeToString(b)
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		db.Close()
		tb.Skipf("PostgreSQL at %s: %v", EnvDSN, err)
	}
	tb.Cleanup(func() {
		db.Exec("DROP SCHEMA " + schema + " CASCADE")
		db.Close()
	})
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + schema
}
