package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers "sqlite"
)

// Store is a database of questions, feedback and phrasings. It is safe for
// concurrent use. Its methods write synchronously: replies go through a
// Writer instead.
type Store struct {
	db     *sql.DB
	driver string
	salt   []byte
}

// Open opens (creating if needed) the database and applies the migrations
// it lacks.
func Open(ctx context.Context, o Options) (*Store, error) {
	var db *sql.DB
	var err error
	switch o.Driver {
	case SQLite:
		db, err = openSQLite(o.Path)
	case Postgres:
		db, err = openPostgres(o.DSN)
	default:
		return nil, fmt.Errorf("open %q: %w", o.Driver, ErrDriver)
	}
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	s := &Store{db: db, driver: o.Driver}
	if err := s.start(ctx, o.Salt); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// openSQLite opens path in WAL mode. Transactions take the write lock at
// BEGIN (IMMEDIATE), so two writers wait for each other (busy_timeout)
// instead of failing on a lock upgrade; synchronous=NORMAL in WAL mode
// survives a killed process (not a power cut, which loses only the last
// transactions, never consistency).
func openSQLite(path string) (*sql.DB, error) {
	if path == "" {
		return nil, errors.New("sqlite needs a file path")
	}
	// The default file lives in a state folder that may not exist yet.
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	q := url.Values{}
	// busy_timeout first: switching a new file to WAL takes a lock, and a
	// process opening it at the same moment must wait, not fail
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Set("_txlock", "immediate")
	return sql.Open("sqlite", "file:"+path+"?"+q.Encode())
}

// openPostgres opens dsn with synchronous_commit off unless the DSN sets
// it: a commit then returns before its WAL record reaches the disk, which
// spares the reply path a disk flush per state write. A crash of the server
// (not of espbot) may lose the last fraction of a second of commits, never
// half of one: a few recorded questions, a claim that lets a redelivery
// through.
func openPostgres(dsn string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	if _, set := cfg.RuntimeParams["synchronous_commit"]; !set {
		cfg.RuntimeParams["synchronous_commit"] = "off"
	}
	return stdlib.OpenDB(*cfg), nil
}

// start checks the connection, migrates and loads the salt.
func (s *Store) start(ctx context.Context, salt string) error {
	if err := s.connect(ctx); err != nil {
		return fmt.Errorf("connect store: %w", err)
	}
	if err := s.migrate(ctx); err != nil {
		return fmt.Errorf("migrate store: %w", err)
	}
	if salt != "" {
		s.salt = []byte(salt)
		return nil
	}
	stored, err := s.storedSalt(ctx)
	if err != nil {
		return fmt.Errorf("store salt: %w", err)
	}
	s.salt = []byte(stored)
	return nil
}

// connectWait bounds how long connect retries a database that another
// process is switching to WAL, as busy_timeout bounds a locked write.
const connectWait = 10 * time.Second

// connect checks the connection. Two processes opening a new SQLite file
// together both switch it to WAL, each holding the read lock the other
// must upgrade past: SQLite fails one at once (a deadlock, so busy_timeout
// does not wait), and it succeeds when tried again after the other.
func (s *Store) connect(ctx context.Context) error {
	deadline := time.Now().Add(connectWait)
	for delay := 5 * time.Millisecond; ; delay = min(2*delay, 200*time.Millisecond) {
		err := s.db.PingContext(ctx)
		if err == nil || !sqliteBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(delay):
		}
	}
}

// sqliteBusy reports SQLite's SQLITE_BUSY, with any extended code.
func sqliteBusy(err error) bool {
	var e interface{ Code() int }
	return errors.As(err, &e) && e.Code()&0xff == 5
}

// storedSalt returns the database's salt, generating it on first use. Of
// two processes starting together, the first insert wins and both read it.
func (s *Store) storedSalt(ctx context.Context) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	if _, err := s.db.ExecContext(ctx, s.q("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING"),
		"salt", hex.EncodeToString(b)); err != nil {
		return "", err
	}
	var v string
	err := s.db.QueryRowContext(ctx, s.q("SELECT value FROM meta WHERE key = ?"), "salt").Scan(&v)
	return v, err
}

// Driver returns the driver name.
func (s *Store) Driver() string { return s.driver }

// HashUser returns the salted hash of a platform's user ID ("" for "").
func (s *Store) HashUser(platform, id string) string { return hashUser(s.salt, platform, id) }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// q rewrites "?" placeholders as "$n" for PostgreSQL. Queries hold no
// literal question marks.
func (s *Store) q(query string) string {
	if s.driver != Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Write records a batch in one transaction.
func (s *Store) Write(ctx context.Context, b Batch) error {
	if b.Len() == 0 {
		return nil
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.insertQuestions(ctx, tx, b.Questions); err != nil {
			return err
		}
		if err := s.insertFeedback(ctx, tx, b.Feedback); err != nil {
			return err
		}
		for _, n := range b.Notes {
			if err := s.setNote(ctx, tx, n.Key, n.Value, n.Expires); err != nil {
				return err
			}
		}
		return nil
	})
}

// tx runs fn in a transaction, committing when it returns nil.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (s *Store) insertQuestions(ctx context.Context, tx *sql.Tx, qs []Question) error {
	if len(qs) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, s.q(`INSERT INTO questions
		(at, platform, channel, user_hash, text, kind, entry_id, category, confidence, latency_us)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`))
	if err != nil {
		return fmt.Errorf("prepare questions: %w", err)
	}
	defer st.Close()
	for _, q := range qs {
		if _, err := st.ExecContext(ctx, micros(q.Time), q.Platform, q.Channel, q.UserHash, nullable(q.Text),
			q.Kind, q.EntryID, q.Category, q.Confidence, q.Latency.Microseconds()); err != nil {
			return fmt.Errorf("insert question: %w", err)
		}
	}
	return nil
}

func (s *Store) insertFeedback(ctx context.Context, tx *sql.Tx, fs []Feedback) error {
	if len(fs) == 0 {
		return nil
	}
	// A vote (thumbs up or down) on an answer message replaces the same
	// user's earlier vote on it: one vote per user per answer.
	st, err := tx.PrepareContext(ctx, s.q(`INSERT INTO feedback
		(at, platform, channel, user_hash, kind, entry_id, query, answer, vote_key)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (vote_key) DO UPDATE SET at = excluded.at, channel = excluded.channel,
		kind = excluded.kind, entry_id = excluded.entry_id, query = excluded.query`))
	if err != nil {
		return fmt.Errorf("prepare feedback: %w", err)
	}
	defer st.Close()
	for _, f := range fs {
		if _, err := st.ExecContext(ctx, micros(f.Time), f.Platform, f.Channel, f.UserHash,
			f.Kind, f.EntryID, nullable(f.Query), f.Answer, nullable(f.voteKey())); err != nil {
			return fmt.Errorf("insert feedback: %w", err)
		}
	}
	return nil
}

// voteKey identifies one user's vote on one answer message: "" for
// feedback that is not a vote, or whose answer or user is unknown.
func (f Feedback) voteKey() string {
	if (f.Kind != FeedbackUp && f.Kind != FeedbackDown) || f.Answer == "" || f.UserHash == "" {
		return ""
	}
	// PostgreSQL text holds no NUL: the parts are joined with spaces, which
	// no platform ID or hash contains.
	return f.Platform + " " + f.Answer + " " + f.UserHash
}

// Questions returns the questions recorded at or after since, oldest first.
func (s *Store) Questions(ctx context.Context, since time.Time) ([]Question, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT at, platform, channel, user_hash, text, kind,
		entry_id, category, confidence, latency_us FROM questions WHERE at >= ? ORDER BY at, id`), micros(since))
	if err != nil {
		return nil, fmt.Errorf("questions: %w", err)
	}
	defer rows.Close()
	var out []Question
	for rows.Next() {
		var q Question
		var at, lat int64
		var text sql.NullString
		if err := rows.Scan(&at, &q.Platform, &q.Channel, &q.UserHash, &text, &q.Kind,
			&q.EntryID, &q.Category, &q.Confidence, &lat); err != nil {
			return nil, fmt.Errorf("questions: %w", err)
		}
		q.Time, q.Text, q.Latency = fromMicros(at), text.String, time.Duration(lat)*time.Microsecond
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("questions: %w", err)
	}
	return out, nil
}

// Feedback returns the feedback recorded at or after since, oldest first.
func (s *Store) Feedback(ctx context.Context, since time.Time) ([]Feedback, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT at, platform, channel, user_hash, kind, entry_id, query, answer
		FROM feedback WHERE at >= ? ORDER BY at, id`), micros(since))
	if err != nil {
		return nil, fmt.Errorf("feedback: %w", err)
	}
	defer rows.Close()
	var out []Feedback
	for rows.Next() {
		var f Feedback
		var at int64
		var query sql.NullString
		if err := rows.Scan(&at, &f.Platform, &f.Channel, &f.UserHash, &f.Kind, &f.EntryID, &query, &f.Answer); err != nil {
			return nil, fmt.Errorf("feedback: %w", err)
		}
		f.Time, f.Query = fromMicros(at), query.String
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("feedback: %w", err)
	}
	return out, nil
}

// Candidates returns the "other answer" picks since since that no
// maintainer has decided on yet, grouped by question (compared without
// case) and picked entry, most frequent first.
func (s *Store) Candidates(ctx context.Context, since time.Time) ([]Candidate, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT f.entry_id, LOWER(f.query), COUNT(*), MAX(f.at)
		FROM feedback f
		WHERE f.kind = ? AND f.at >= ? AND f.query IS NOT NULL AND f.query <> '' AND f.entry_id <> ''
		  AND NOT EXISTS (SELECT 1 FROM phrasings p WHERE p.entry_id = f.entry_id AND p.text = LOWER(f.query))
		GROUP BY f.entry_id, LOWER(f.query)
		ORDER BY COUNT(*) DESC, MAX(f.at) DESC, f.entry_id, LOWER(f.query)`), FeedbackOther, micros(since))
	if err != nil {
		return nil, fmt.Errorf("candidates: %w", err)
	}
	defer rows.Close()
	var out []Candidate
	for rows.Next() {
		var c Candidate
		var last int64
		if err := rows.Scan(&c.EntryID, &c.Text, &c.Count, &last); err != nil {
			return nil, fmt.Errorf("candidates: %w", err)
		}
		c.Last = fromMicros(last)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("candidates: %w", err)
	}
	return out, nil
}

// SetPhrasing records a maintainer's decision on a phrasing, replacing any
// earlier one. The text is kept lower-case, as candidates are.
func (s *Store) SetPhrasing(ctx context.Context, p Phrasing) error {
	if p.Status != Accepted && p.Status != Rejected {
		return fmt.Errorf("phrasing status %q: want %s or %s", p.Status, Accepted, Rejected)
	}
	text := strings.ToLower(strings.TrimSpace(p.Text))
	if p.EntryID == "" || text == "" {
		return errors.New("phrasing needs an entry ID and a text")
	}
	if p.Time.IsZero() {
		p.Time = time.Now()
	}
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO phrasings (entry_id, text, status, at) VALUES (?, ?, ?, ?)
		ON CONFLICT (entry_id, text) DO UPDATE SET status = excluded.status, at = excluded.at`),
		p.EntryID, text, p.Status, micros(p.Time))
	if err != nil {
		return fmt.Errorf("set phrasing: %w", err)
	}
	return nil
}

// DeletePhrasing forgets a decision; it reports whether there was one.
func (s *Store) DeletePhrasing(ctx context.Context, entryID, text string) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.q("DELETE FROM phrasings WHERE entry_id = ? AND text = ?"),
		entryID, strings.ToLower(strings.TrimSpace(text)))
	if err != nil {
		return false, fmt.Errorf("delete phrasing: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Phrasings returns the decided phrasings with the given status (all when
// status is ""), by entry and text.
func (s *Store) Phrasings(ctx context.Context, status string) ([]Phrasing, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT entry_id, text, status, at FROM phrasings
		WHERE ? = '' OR status = ? ORDER BY entry_id, text`), status, status)
	if err != nil {
		return nil, fmt.Errorf("phrasings: %w", err)
	}
	defer rows.Close()
	var out []Phrasing
	for rows.Next() {
		var p Phrasing
		var at int64
		if err := rows.Scan(&p.EntryID, &p.Text, &p.Status, &at); err != nil {
			return nil, fmt.Errorf("phrasings: %w", err)
		}
		p.Time = fromMicros(at)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("phrasings: %w", err)
	}
	return out, nil
}

// AcceptedPhrasings returns the accepted phrasings by entry ID, in the form
// matcher.Options.Phrasings takes.
func (s *Store) AcceptedPhrasings(ctx context.Context) (map[string][]string, error) {
	ps, err := s.Phrasings(ctx, Accepted)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]string)
	for _, p := range ps {
		out[p.EntryID] = append(out[p.EntryID], p.Text)
	}
	return out, nil
}

// DeleteBefore deletes questions and feedback older than t (retention), in
// one transaction, and returns how many rows went. Phrasings stay.
func (s *Store) DeleteBefore(ctx context.Context, t time.Time) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for _, table := range []string{"questions", "feedback"} {
			res, err := tx.ExecContext(ctx, s.q("DELETE FROM "+table+" WHERE at < ?"), micros(t))
			if err != nil {
				return fmt.Errorf("retention %s: %w", table, err)
			}
			k, _ := res.RowsAffected()
			n += k
		}
		return nil
	})
	return n, err
}

// micros stores times as Unix microseconds: one portable integer column.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// nullable stores "" as NULL: no text recorded.
func nullable(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
