package store

import (
	"errors"
	"fmt"
	"testing"
)

func TestOpen_SQLitePragmas(t *testing.T) {
	t.Parallel()
	st := openStore(t, Options{Driver: SQLite, Path: t.TempDir() + "/p.db"})
	tests := []struct{ pragma, want string }{
		{"journal_mode", "wal"},
		{"synchronous", "1"}, // NORMAL
		{"busy_timeout", "10000"},
	}
	for _, tt := range tests {
		var got string
		if err := st.db.QueryRow("PRAGMA " + tt.pragma).Scan(&got); err != nil || got != tt.want {
			t.Errorf("PRAGMA %s = %q, %v; want %q", tt.pragma, got, err, tt.want)
		}
	}
}

type codeErr int

func (e codeErr) Error() string { return "sqlite error" }
func (e codeErr) Code() int     { return int(e) }

// TestSQLiteBusy: SQLITE_BUSY is retried at connect with any extended
// code; other errors are not.
func TestSQLiteBusy(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{codeErr(5), true},
		{fmt.Errorf("ping: %w", codeErr(5|2<<8)), true}, // SQLITE_BUSY_SNAPSHOT
		{codeErr(6), false},                             // SQLITE_LOCKED
		{errors.New("database is locked"), false},
	}
	for _, tt := range tests {
		if got := sqliteBusy(tt.err); got != tt.want {
			t.Errorf("sqliteBusy(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
