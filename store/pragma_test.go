package store

import (
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
