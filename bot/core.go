package bot

import (
	"context"
	"log/slog"
	"sync/atomic"

	"github.com/espbot/espbot/matcher"
)

// Policy says when the bot speaks in a channel.
type Policy string

// Policies.
const (
	// PolicyMention: answer only when mentioned (the default for channels).
	PolicyMention Policy = "mention"
	// PolicyAuto: also answer un-mentioned questions above AutoThreshold,
	// at most once per thread.
	PolicyAuto Policy = "auto"
	// PolicyOff: ignore the channel.
	PolicyOff Policy = "off"
)

// Config is the core's configuration. SKELETON: extended by the core issue.
type Config struct {
	// DefaultPolicy applies to channels without an override ("" = mention).
	DefaultPolicy Policy
	// Channels overrides the policy per channel ID.
	Channels map[string]Policy
	// AutoThreshold is the confidence needed to answer un-mentioned
	// questions in auto channels.
	AutoThreshold float64
}

// Bot is the conversation core. It is safe for concurrent use.
type Bot struct {
	cfg     Config
	index   atomic.Pointer[matcher.Index]
	log     *slog.Logger
	metrics Metrics
}

// New returns a Bot answering from ix. A nil logger discards logs; nil
// metrics record nothing.
func New(cfg Config, ix *matcher.Index, log *slog.Logger, m Metrics) *Bot {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if m == nil {
		m = NopMetrics{}
	}
	b := &Bot{cfg: cfg, log: log, metrics: m}
	b.index.Store(ix)
	return b
}

// Index returns the index in use.
func (b *Bot) Index() *matcher.Index { return b.index.Load() }

// SetIndex swaps the index atomically (hot reload); replies in flight finish
// on the old one.
func (b *Bot) SetIndex(ix *matcher.Index) { b.index.Store(ix) }

// Metrics returns the metrics sink, for adapters to count reconnects and errors.
func (b *Bot) Metrics() Metrics { return b.metrics }

// PolicyFor returns the policy of a channel.
func (b *Bot) PolicyFor(p Platform, channel string) Policy {
	if pol, ok := b.cfg.Channels[channel]; ok {
		return pol
	}
	if b.cfg.DefaultPolicy != "" {
		return b.cfg.DefaultPolicy
	}
	return PolicyMention
}

// UsesAuto reports whether any channel of platform p uses PolicyAuto, so an
// adapter can ask for the permissions that needs (Discord's message content).
func (b *Bot) UsesAuto(p Platform) bool {
	if b.cfg.DefaultPolicy == PolicyAuto {
		return true
	}
	for _, pol := range b.cfg.Channels {
		if pol == PolicyAuto {
			return true
		}
	}
	return false
}

// Handle decides the reply to one message. SKELETON: policy, commands,
// cooldowns and de-duplication are filled in by the core issue; the
// signature is stable.
func (b *Bot) Handle(ctx context.Context, m Message) Reply {
	if m.AuthorIsSelf || m.AuthorIsBot {
		return Reply{Kind: KindIgnore}
	}
	if !m.IsDM && !m.Command && !m.MentionsBot && b.PolicyFor(m.Platform, m.Channel) != PolicyAuto {
		return Reply{Kind: KindIgnore}
	}
	return b.answer(m.Text)
}

func (b *Bot) answer(q string) Reply {
	res := b.Index().Search(q)
	r := Reply{Query: q, Confidence: res.Confidence}
	for _, h := range res.Alternatives {
		r.Alternatives = append(r.Alternatives, Alternative{ID: h.Entry.ID, Title: h.Entry.Title, Confidence: h.Confidence})
	}
	switch {
	case res.Answered:
		r.Kind, r.Entry = KindAnswer, res.Best.Entry
	case res.Best != nil:
		r.Kind = KindSuggestions
		r.Alternatives = append([]Alternative{{ID: res.Best.Entry.ID, Title: res.Best.Entry.Title, Confidence: res.Best.Confidence}}, r.Alternatives...)
	default:
		r.Kind = KindNoMatch
	}
	return r
}

// Show returns the answer reply for one entry (a picked suggestion or
// "other answer"), or a notice when id is unknown.
func (b *Bot) Show(id string) Reply {
	e, ok := b.Index().Entry(id)
	if !ok {
		return Reply{Kind: KindNotice, Title: "Unknown entry"}
	}
	return Reply{Kind: KindAnswer, Entry: e, Confidence: 1}
}

// Complete returns up to n entries whose titles best match what has been
// typed so far, for autocomplete.
func (b *Bot) Complete(prefix string, n int) []Alternative {
	var out []Alternative
	for _, h := range b.Index().SearchTitles(prefix, n) {
		out = append(out, Alternative{ID: h.Entry.ID, Title: h.Entry.Title, Confidence: h.Confidence})
	}
	return out
}

// RecordFeedback counts (and later stores) a reaction to an answer.
func (b *Bot) RecordFeedback(ctx context.Context, f Feedback) {
	b.metrics.Feedback(f.Platform, f.Kind)
}
