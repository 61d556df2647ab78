// Package bot is espbot's platform-neutral conversation core: it turns a
// Message into a Reply (an answer, suggestions, a no-match, help, a notice,
// or nothing). Every surface gets its replies from Bot.Handle: the chat
// adapters in bot/discord and bot/slack, the HTTP API in bot/httpapi and the
// terminal in bot/terminal only translate their input into Messages and
// render Replies. The core records, rate-limits, counts, and decides with
// one rule whether to answer, suggest or say it has no answer.
package bot

import (
	"time"

	"github.com/espbot/espbot/knowledge"
	"github.com/espbot/espbot/matcher"
)

// Platform names where a message came from.
type Platform string

// Platforms.
const (
	Discord  Platform = "discord"
	Slack    Platform = "slack"
	HTTP     Platform = "http"
	Terminal Platform = "terminal"
)

// Message is one incoming chat message, already translated by an adapter.
type Message struct {
	Platform Platform
	// EventID identifies the platform event; a redelivered event carries the
	// same ID and is handled once. Empty disables de-duplication.
	EventID string
	// Guild is the Discord guild or Slack team, if any.
	Guild   string
	Channel string
	// Thread identifies the thread or conversation within Channel ("" when
	// the message is not in a thread). Auto replies happen at most once per
	// Channel+Thread; a message outside any thread (Thread "") is its own
	// conversation, keyed by EventID.
	Thread string
	User   string
	Text   string
	// IsDM is true for a direct message to the bot.
	IsDM bool
	// MentionsBot is true when the bot is mentioned (or addressed by name).
	MentionsBot bool
	// AuthorIsBot is true for messages written by any bot, espbot included.
	AuthorIsBot bool
	// AuthorIsSelf is true for espbot's own messages.
	AuthorIsSelf bool
	// Command is true when the user explicitly asked (a slash command such as
	// /faq): it is answered like a DM whatever the channel's policy.
	Command bool
	// Ask is true for a question put to an API (POST /v1/ask, espbot ask):
	// Text is one question, never a chat command, and the reply is an
	// answer, suggestions, a no-match or, over the client's rate limit, a
	// notice with RetryAfter. User identifies the API client.
	Ask bool
	// Explain asks for the matcher's explanation in Reply.Explanation.
	Explain bool
	// Pick is the ID of an entry the user picked as their question (a
	// Discord autocomplete choice carries the ID, not what was typed), in
	// a message addressed to the bot: the reply is that entry with its
	// related entries, and it is recorded as a question it answers, titled
	// as the entry (an unknown ID gets a notice). Text is not read.
	Pick string
}

// Kind is what a Reply is.
type Kind int

// Reply kinds.
const (
	// KindIgnore: send nothing.
	KindIgnore Kind = iota
	// KindAnswer: Entry answers the question.
	KindAnswer
	// KindSuggestions: no confident answer, but Alternatives are worth offering.
	KindSuggestions
	// KindNoMatch: nothing to offer; Body holds a short kind message.
	KindNoMatch
	// KindHelp: Body holds help text (help, list, search output).
	KindHelp
	// KindNotice: Body holds a short notice (e.g. rate limited, unknown ID).
	KindNotice
)

// String returns the kind's name, used in metrics and logs.
func (k Kind) String() string {
	switch k {
	case KindIgnore:
		return "ignore"
	case KindAnswer:
		return "answer"
	case KindSuggestions:
		return "suggestions"
	case KindNoMatch:
		return "no_match"
	case KindHelp:
		return "help"
	case KindNotice:
		return "notice"
	}
	return "unknown"
}

// Alternative is an entry worth suggesting.
type Alternative struct {
	ID         string
	Title      string
	Score      float64
	Confidence float64
}

// Reply is what the core decided to say, in a platform-neutral form.
type Reply struct {
	Kind Kind
	// Query is the cleaned question. It is user text: renderers must escape
	// it and never let it ping anyone.
	Query string
	// Entry is the answer (KindAnswer).
	Entry *knowledge.Entry
	// Confidence of Entry, or of the best candidate; Score is Entry's
	// ranking score.
	Confidence float64
	Score      float64
	// Alternatives are up to three related entries (answer) or the closest
	// suggestions (suggestions, no-match).
	Alternatives []Alternative
	// Title is a short heading for help, notice and no-match replies.
	Title string
	// Body is the text of help, notice and no-match replies.
	Body knowledge.Doc
	// SmallTalk marks the short friendly notice that answers a greeting,
	// a thank-you or a goodbye. An adapter may leave it unsent where it
	// would only be noise, such as a "thanks!" in reply to an answer.
	SmallTalk bool
	// Ephemeral asks the adapter to show the reply only to the asker, where
	// the platform can.
	Ephemeral bool
	// RetryAfter is set on a rate-limit notice: when the asker may ask again.
	RetryAfter time.Duration
	// Explanation is why the matcher decided as it did, when the Message
	// asked for it.
	Explanation *matcher.Explanation
}

// FeedbackKind is what a user said about an answer.
type FeedbackKind int

// Feedback kinds.
const (
	ThumbsUp FeedbackKind = iota
	ThumbsDown
	// OtherAnswer: the user picked EntryID among the alternatives.
	OtherAnswer
	// Dismiss: the asker dismissed the answer.
	Dismiss
)

// String returns the kind's name, used in metrics.
func (k FeedbackKind) String() string {
	switch k {
	case ThumbsUp:
		return "up"
	case ThumbsDown:
		return "down"
	case OtherAnswer:
		return "other_answer"
	case Dismiss:
		return "dismiss"
	}
	return "unknown"
}

// Feedback is a reaction to an answer, from a button or menu.
type Feedback struct {
	Platform Platform
	Channel  string
	User     string
	Kind     FeedbackKind
	// EntryID is the answer the feedback is about (for OtherAnswer, the
	// entry picked).
	EntryID string
	// Query is the original question, when the adapter knows it.
	Query string
	// Answer identifies the answer message on its platform (a Slack message
	// ts, a Discord message ID). With User it makes feedback one vote per
	// user per answer: a second click replaces the first.
	Answer string
}

// Metrics receives counts from the core and the adapters. Implementations
// must be safe for concurrent use; NopMetrics discards everything.
type Metrics interface {
	Question(p Platform)
	Replied(p Platform, k Kind, confidence float64, latency time.Duration)
	Feedback(p Platform, k FeedbackKind)
	Reconnect(p Platform)
	Error(p Platform, where string)
	Reload(ok bool)
}

// NopMetrics is a Metrics that records nothing.
type NopMetrics struct{}

func (NopMetrics) Question(Platform)                              {}
func (NopMetrics) Replied(Platform, Kind, float64, time.Duration) {}
func (NopMetrics) Feedback(Platform, FeedbackKind)                {}
func (NopMetrics) Reconnect(Platform)                             {}
func (NopMetrics) Error(Platform, string)                         {}
func (NopMetrics) Reload(bool)                                    {}

var _ Metrics = NopMetrics{}
