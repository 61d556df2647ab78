package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// envPostgresDSN names the PostgreSQL server of the suite's second run.
const envPostgresDSN = "ESPBOT_TEST_POSTGRES_DSN"

// defaultPostgresDSN is tried when the variable is unset.
const defaultPostgresDSN = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// backend opens fresh, empty stores of one driver.
type backend struct {
	name string
	// target returns Options for a new empty database (a file, or a schema
	// of its own on the PostgreSQL server).
	target func(tb testing.TB) Options
	// skip, when set, says why this backend's runs are skipped.
	skip string
}

// run runs fn as a parallel subtest of t for this backend, or skips it.
func (be backend) run(t *testing.T, fn func(t *testing.T, o Options)) {
	t.Run(be.name, func(t *testing.T) {
		if be.skip != "" {
			t.Skip(be.skip)
		}
		t.Parallel()
		fn(t, be.target(t))
	})
}

// backends returns SQLite and, when a server is reachable, PostgreSQL.
func backends(tb testing.TB) []backend {
	tb.Helper()
	out := []backend{{name: SQLite, target: func(tb testing.TB) Options {
		return Options{Driver: SQLite, Path: filepath.Join(tb.TempDir(), "espbot.db")}
	}}}
	dsn := postgresDSN()
	pg := backend{name: Postgres, target: func(tb testing.TB) Options {
		return Options{Driver: Postgres, DSN: postgresSchema(tb, dsn)}
	}}
	if err := pingPostgres(dsn); err != nil {
		pg.skip = fmt.Sprintf("no PostgreSQL server at %s (%v); set %s to run the PostgreSQL suite", redactDSN(dsn), err, envPostgresDSN)
	}
	return append(out, pg)
}

func postgresDSN() string {
	if dsn := os.Getenv(envPostgresDSN); dsn != "" {
		return dsn
	}
	return defaultPostgresDSN
}

func pingPostgres(dsn string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

// postgresSchema creates a schema for one test, dropped at its end, and
// returns a DSN whose search_path points at it, so tests run in parallel on
// one server without seeing each other's rows.
func postgresSchema(tb testing.TB, dsn string) string {
	tb.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "espbot_test_" + hex.EncodeToString(b)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		db.Close()
		tb.Fatal(err)
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

func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(invalid DSN)"
	}
	return u.Redacted()
}

// openStore opens o and closes it at the end of the test.
func openStore(tb testing.TB, o Options) *Store {
	tb.Helper()
	st, err := Open(context.Background(), o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// forEachBackend runs fn as a subtest per backend with a fresh store.
func forEachBackend(t *testing.T, fn func(t *testing.T, o Options, st *Store)) {
	t.Helper()
	for _, be := range backends(t) {
		be.run(t, func(t *testing.T, o Options) { fn(t, o, openStore(t, o)) })
	}
}

// at is a fixed time plus d, for deterministic rows.
func at(d time.Duration) time.Time {
	return time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC).Add(d)
}
