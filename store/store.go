// Package store records what people asked espbot and what they thought of
// the answers, so that FAQ maintainers can see what is missing, and keeps
// the alternate phrasings a maintainer accepted.
//
// Two drivers sit behind the one Store type: SQLite (modernc.org/sqlite,
// pure Go, the default, one file in WAL mode) and PostgreSQL
// (github.com/jackc/pgx/v5, for several espbot processes sharing one
// database). Both apply versioned migrations at start-up and write each
// batch in one transaction, so a killed process leaves no partial rows.
//
// Replies never wait for the database: Writer queues records in memory and
// writes them in batches from its own goroutine.
package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"
)

// Drivers.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Decision kinds of a recorded question (the core's reply kinds).
const (
	KindAnswer      = "answer"
	KindSuggestions = "suggestions"
	KindNoMatch     = "no_match"
)

// Feedback kinds.
const (
	FeedbackUp      = "up"
	FeedbackDown    = "down"
	FeedbackOther   = "other_answer"
	FeedbackDismiss = "dismiss"
)

// Phrasing statuses.
const (
	Accepted = "accepted"
	Rejected = "rejected"
)

// Question is one question the bot decided on.
type Question struct {
	Time     time.Time
	Platform string
	Channel  string
	// UserHash is the salted hash of the user ID (Store.HashUser), never
	// the ID or a name.
	UserHash string
	// Text is the cleaned question; "" when text recording is off.
	Text string
	// Kind is the decision: KindAnswer, KindSuggestions or KindNoMatch.
	Kind string
	// EntryID is the answer (or the best candidate); "" when nothing matched.
	EntryID string
	// Category is EntryID's category, for volume per category.
	Category   string
	Confidence float64
	Latency    time.Duration
}

// Answered reports whether the bot gave an answer.
func (q Question) Answered() bool { return q.Kind == KindAnswer }

// Feedback is one reaction to an answer.
type Feedback struct {
	Time     time.Time
	Platform string
	Channel  string
	UserHash string
	// Kind is FeedbackUp, FeedbackDown, FeedbackOther or FeedbackDismiss.
	Kind string
	// EntryID is the answer the feedback is about; for FeedbackOther, the
	// entry the user picked instead.
	EntryID string
	// Query is the original question, when known ("" when text recording
	// is off).
	Query string
	// Answer is the platform's ID of the answer message ("" when unknown).
	// A vote names it, so that a user's second vote on an answer replaces
	// the first.
	Answer string
}

// Note is a value of the conversation state kept under a key until it
// expires (see Store.SetNote).
type Note struct {
	Key, Value string
	Expires    time.Time
}

// Batch is written in one transaction: all of it or none.
type Batch struct {
	Questions []Question
	Feedback  []Feedback
	// Notes are set as Store.SetNote sets them, after the questions.
	Notes []Note
}

// Len is the number of records in the batch.
func (b Batch) Len() int { return len(b.Questions) + len(b.Feedback) + len(b.Notes) }

// Phrasing is an alternate phrasing of an entry's question, accepted or
// rejected by a maintainer.
type Phrasing struct {
	EntryID string `json:"entry"`
	Text    string `json:"text"`
	// Status is Accepted or Rejected.
	Status string    `json:"status"`
	Time   time.Time `json:"time"`
}

// Candidate is a phrasing suggested by "other answer" picks: people asked
// Text and then chose EntryID. Count is how many times.
type Candidate struct {
	EntryID string    `json:"entry"`
	Text    string    `json:"text"`
	Count   int       `json:"count"`
	Last    time.Time `json:"last"`
}

// Options say which database to open.
type Options struct {
	// Driver is SQLite or Postgres.
	Driver string
	// Path is the SQLite file.
	Path string
	// DSN is the PostgreSQL connection string.
	DSN string
	// Salt for user ID hashes; empty uses a random salt generated once and
	// kept in the database.
	Salt string
}

// ErrDriver is returned by Open for an unknown driver.
var ErrDriver = errors.New("unknown store driver")

// hashUser is the salted SHA-256 of a platform's user ID, truncated to 128
// bits: enough to count distinct users, useless to recover an ID.
func hashUser(salt []byte, platform, id string) string {
	if id == "" {
		return ""
	}
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte{0})
	h.Write([]byte(platform))
	h.Write([]byte{0})
	h.Write([]byte(id))
	return hex.EncodeToString(h.Sum(nil)[:16])
}
