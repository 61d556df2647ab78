package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The conversation state: what a bot must remember between messages, kept
// here so that it survives restarts and is shared by every process on the
// database. Keys are hashed with the salt before they are stored (they name
// users and channels); every row carries an expiry and DeleteExpired drops
// the old ones. Reads treat an expired row as absent, whether or not it has
// been deleted yet.

// Bucket is a token bucket's state. A zero At is a bucket never used: full.
type Bucket struct {
	Tokens  float64
	At      time.Time
	Noticed bool
	// Expires is when the row may be forgotten (the bucket is full again).
	Expires time.Time
}

// hashKey hides what a state key names, as user IDs are hidden.
func (s *Store) hashKey(key string) string {
	h := sha256.New()
	h.Write(s.salt)
	h.Write([]byte{1})
	h.Write([]byte(key))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Claim records key until expires and reports whether this call got it:
// false when an earlier, unexpired claim holds it. Of several processes
// claiming one key at once, exactly one gets it.
func (s *Store) Claim(ctx context.Context, key string, now, expires time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.q(`INSERT INTO claims (key, expires) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET expires = excluded.expires WHERE claims.expires <= ?`),
		s.hashKey(key), micros(expires), micros(now))
	if err != nil {
		return false, fmt.Errorf("claim: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim: %w", err)
	}
	return n == 1, nil
}

// Claimed reports whether key is claimed at now.
func (s *Store) Claimed(ctx context.Context, key string, now time.Time) (bool, error) {
	var one int
	err := s.db.QueryRowContext(ctx, s.q("SELECT 1 FROM claims WHERE key = ? AND expires > ?"), s.hashKey(key), micros(now)).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("claimed: %w", err)
	}
	return true, nil
}

// SetNote keeps value under key until expires, replacing any earlier one.
// A Writer sets notes off the caller's path (Writer.Note).
func (s *Store) SetNote(ctx context.Context, key, value string, expires time.Time) error {
	return s.setNote(ctx, s.db, key, value, expires)
}

// execer is a database or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func (s *Store) setNote(ctx context.Context, db execer, key, value string, expires time.Time) error {
	_, err := db.ExecContext(ctx, s.q(`INSERT INTO notes (key, value, expires) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires`),
		s.hashKey(key), value, micros(expires))
	if err != nil {
		return fmt.Errorf("set note: %w", err)
	}
	return nil
}

// Note returns the value under key at now, or "" when there is none.
func (s *Store) Note(ctx context.Context, key string, now time.Time) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, s.q("SELECT value FROM notes WHERE key = ? AND expires > ?"), s.hashKey(key), micros(now)).Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("note: %w", err)
	}
	return v, nil
}

// UpdateBuckets runs fn on the buckets of keys (in order; a missing or
// expired bucket is the zero Bucket) and stores what it returns, in one
// transaction that holds the rows: processes sharing the database take
// turns, so no token is spent twice.
func (s *Store) UpdateBuckets(ctx context.Context, now time.Time, keys []string, fn func([]Bucket) []Bucket) error {
	if len(keys) == 0 {
		return nil
	}
	hashed := make([]string, len(keys))
	for i, k := range keys {
		hashed[i] = s.hashKey(k)
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		cur, err := s.lockBuckets(ctx, tx, hashed, now)
		if err != nil {
			return err
		}
		next := fn(cur)
		if len(next) != len(keys) {
			return fmt.Errorf("got %d buckets for %d keys", len(next), len(keys))
		}
		return s.saveBuckets(ctx, tx, hashed, next)
	})
	if err != nil {
		return fmt.Errorf("update buckets: %w", err)
	}
	return nil
}

// lockBuckets reads the buckets of hashed keys inside tx, holding their
// rows. On PostgreSQL FOR UPDATE locks only rows that exist, so missing ones
// (keys nobody has used yet, the rare case) are first created empty and
// read again; SQLite's immediate transaction already holds the database.
func (s *Store) lockBuckets(ctx context.Context, tx *sql.Tx, hashed []string, now time.Time) ([]Bucket, error) {
	// Sorted, so that two transactions lock shared rows in the same order.
	sorted := slices.Clone(hashed)
	slices.Sort(sorted)
	args := make([]any, len(sorted))
	for i, h := range sorted {
		args[i] = h
	}
	found, err := s.readBuckets(ctx, tx, args, now)
	if err != nil {
		return nil, err
	}
	if s.driver == Postgres && found.rows < len(sorted) {
		values := strings.TrimSuffix(strings.Repeat("(?, 0, 0, 0, 0), ", len(sorted)), ", ")
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO buckets (key, tokens, at, noticed, expires) VALUES "+values+
			" ON CONFLICT (key) DO NOTHING"), args...); err != nil {
			return nil, err
		}
		if found, err = s.readBuckets(ctx, tx, args, now); err != nil {
			return nil, err
		}
	}
	out := make([]Bucket, len(hashed))
	for i, h := range hashed {
		out[i] = found.live[h]
	}
	return out, nil
}

// bucketRows are the rows read: how many exist, and the unexpired buckets.
type bucketRows struct {
	rows int
	live map[string]Bucket
}

func (s *Store) readBuckets(ctx context.Context, tx *sql.Tx, keys []any, now time.Time) (bucketRows, error) {
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(keys)), ", ")
	query := "SELECT key, tokens, at, noticed, expires FROM buckets WHERE key IN (" + marks + ") ORDER BY key"
	if s.driver == Postgres {
		query += " FOR UPDATE"
	}
	found := bucketRows{live: map[string]Bucket{}}
	rows, err := tx.QueryContext(ctx, s.q(query), keys...)
	if err != nil {
		return found, err
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var at, expires int64
		var noticed int
		var b Bucket
		if err := rows.Scan(&key, &b.Tokens, &at, &noticed, &expires); err != nil {
			return found, err
		}
		found.rows++
		if at != 0 && expires > micros(now) {
			b.At, b.Noticed, b.Expires = fromMicros(at), noticed != 0, fromMicros(expires)
			found.live[key] = b
		}
	}
	return found, rows.Err()
}

// saveBuckets writes every bucket in one statement.
func (s *Store) saveBuckets(ctx context.Context, tx *sql.Tx, hashed []string, bs []Bucket) error {
	args := make([]any, 0, 5*len(bs))
	for i, b := range bs {
		noticed := 0
		if b.Noticed {
			noticed = 1
		}
		args = append(args, hashed[i], b.Tokens, micros(b.At), noticed, micros(b.Expires))
	}
	values := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?), ", len(bs)), ", ")
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO buckets (key, tokens, at, noticed, expires) VALUES `+values+`
		ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, at = excluded.at,
		noticed = excluded.noticed, expires = excluded.expires`), args...)
	return err
}

// DeleteExpired drops the state rows expired at now and returns how many.
func (s *Store) DeleteExpired(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for _, table := range []string{"claims", "notes", "buckets"} {
			res, err := tx.ExecContext(ctx, s.q("DELETE FROM "+table+" WHERE expires <= ?"), micros(now))
			if err != nil {
				return fmt.Errorf("expire %s: %w", table, err)
			}
			k, _ := res.RowsAffected()
			n += k
		}
		return nil
	})
	return n, err
}
