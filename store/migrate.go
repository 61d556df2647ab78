package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// migration is one schema version. Statements are written once for both
// databases; {{id}} becomes each one's auto-increment key.
type migration struct {
	version int
	stmts   []string
}

// migrations are applied in order, each in its own transaction, and never
// edited once released: a change is a new version.
func migrations() []migration {
	return []migration{
		{1, []string{
			`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
			`CREATE TABLE questions (
			id {{id}},
			at BIGINT NOT NULL,
			platform TEXT NOT NULL,
			channel TEXT NOT NULL,
			user_hash TEXT NOT NULL,
			text TEXT,
			kind TEXT NOT NULL,
			entry_id TEXT NOT NULL,
			category TEXT NOT NULL,
			confidence DOUBLE PRECISION NOT NULL,
			latency_us BIGINT NOT NULL)`,
			`CREATE INDEX questions_at ON questions (at)`,
			`CREATE TABLE feedback (
			id {{id}},
			at BIGINT NOT NULL,
			platform TEXT NOT NULL,
			channel TEXT NOT NULL,
			user_hash TEXT NOT NULL,
			kind TEXT NOT NULL,
			entry_id TEXT NOT NULL,
			query TEXT)`,
			`CREATE INDEX feedback_at ON feedback (at)`,
			`CREATE INDEX feedback_kind_entry ON feedback (kind, entry_id)`,
			`CREATE TABLE phrasings (
			entry_id TEXT NOT NULL,
			text TEXT NOT NULL,
			status TEXT NOT NULL,
			at BIGINT NOT NULL,
			PRIMARY KEY (entry_id, text))`,
		}},
		// Version 2: one vote per user per answer, and the conversation
		// state instances share (handled events, threads, cooldowns, the
		// question behind an answer). Keys are salted hashes; rows expire.
		{2, []string{
			`ALTER TABLE feedback ADD COLUMN answer TEXT NOT NULL DEFAULT ''`,
			`ALTER TABLE feedback ADD COLUMN vote_key TEXT`,
			`CREATE UNIQUE INDEX feedback_vote ON feedback (vote_key)`,
			`CREATE TABLE claims (key TEXT PRIMARY KEY, expires BIGINT NOT NULL)`,
			`CREATE INDEX claims_expires ON claims (expires)`,
			`CREATE TABLE notes (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires BIGINT NOT NULL)`,
			`CREATE INDEX notes_expires ON notes (expires)`,
			`CREATE TABLE buckets (
			key TEXT PRIMARY KEY,
			tokens DOUBLE PRECISION NOT NULL,
			at BIGINT NOT NULL,
			noticed INTEGER NOT NULL,
			expires BIGINT NOT NULL)`,
			`CREATE INDEX buckets_expires ON buckets (expires)`,
		}},
	}
}

// migrate brings the schema to the latest version in one transaction, so
// that processes starting together on a fresh database take turns: on
// PostgreSQL an advisory lock, taken before anything else, serialises the
// whole migration (CREATE TABLE IF NOT EXISTS is not safe against a
// concurrent create); SQLite's immediate transaction holds the write lock.
func (s *Store) migrate(ctx context.Context) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if s.driver == Postgres {
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(7253014)"); err != nil {
				return fmt.Errorf("lock: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
			return err
		}
		for _, m := range migrations() {
			if err := s.apply(ctx, tx, m); err != nil {
				return fmt.Errorf("version %d: %w", m.version, err)
			}
		}
		return nil
	})
}

// apply runs m unless it has been applied already.
func (s *Store) apply(ctx context.Context, tx *sql.Tx, m migration) error {
	var n int
	if err := tx.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM schema_migrations WHERE version = ?"), m.version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	id := "INTEGER PRIMARY KEY AUTOINCREMENT"
	if s.driver == Postgres {
		id = "BIGSERIAL PRIMARY KEY"
	}
	for _, st := range m.stmts {
		if _, err := tx.ExecContext(ctx, strings.ReplaceAll(st, "{{id}}", id)); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, s.q("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)"),
		m.version, time.Now().UnixMicro())
	return err
}

// Version returns the schema version in use.
func (s *Store) Version(ctx context.Context) (int, error) {
	var v sql.NullInt64
	if err := s.db.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&v); err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return int(v.Int64), nil
}
