package bot

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

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

// Defaults for zero Config fields.
const (
	// DefaultSuggestThreshold is the confidence a candidate needs to be
	// offered as a suggestion when Config.SuggestThreshold is zero. The
	// matcher's confidence is the calibrated probability that the entry
	// answers the question: one in twenty is worth a look.
	DefaultSuggestThreshold = 0.05
	// maxSuggestions is how many suggestions a reply offers.
	maxSuggestions = 3
)

// Config is the core's configuration. The zero value is usable.
type Config struct {
	// DefaultPolicy applies to channels without an override ("" = mention).
	DefaultPolicy Policy
	// Channels overrides the policy per channel ID, on every platform.
	Channels map[string]Policy
	// PlatformPolicy overrides DefaultPolicy for one platform's channels.
	PlatformPolicy map[Platform]Policy
	// PlatformChannels overrides the policy per platform and channel ID; it
	// wins over Channels.
	PlatformChannels map[Platform]map[string]Policy
	// AutoThreshold is the confidence needed to answer un-mentioned
	// questions in auto channels (0: the matcher model's). The matcher must
	// also have decided to answer.
	AutoThreshold float64
	// SuggestThreshold is the confidence a candidate needs to be suggested
	// when there is no answer (0: DefaultSuggestThreshold).
	SuggestThreshold float64
	// UserCooldown and ChannelCooldown limit chat replies per user and per
	// channel; ClientCooldown limits API questions (Message.Ask) per client
	// (zero: unlimited).
	UserCooldown    Cooldown
	ChannelCooldown Cooldown
	ClientCooldown  Cooldown
	// Now is the clock of cooldowns and de-duplication (nil: time.Now).
	Now func() time.Time
	// DedupTTL is how long a handled event ID is remembered (0: one hour,
	// Slack's whole retry schedule).
	DedupTTL time.Duration
	// State keeps handled events, threads, cooldowns and the question
	// behind each answer (nil: a MemoryState of its own).
	State State
	// Recorder keeps decided questions and feedback (nil: NopRecorder).
	Recorder Recorder
}

// How long the core remembers a thread where it spoke, and an asker's
// question for the feedback on its answer.
const (
	threadTTL = 7 * 24 * time.Hour
	askedTTL  = time.Hour
)

// Bot is the conversation core. It is safe for concurrent use.
type Bot struct {
	cfg      Config
	index    atomic.Pointer[matcher.Index]
	log      *slog.Logger
	metrics  Metrics
	recorder Recorder
	state    State
	now      func() time.Time
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
	if cfg.SuggestThreshold == 0 {
		cfg.SuggestThreshold = DefaultSuggestThreshold
	}
	if cfg.DedupTTL == 0 {
		cfg.DedupTTL = time.Hour
	}
	b := &Bot{cfg: cfg, log: log, metrics: m, recorder: cfg.Recorder, state: cfg.State, now: cfg.Now}
	if b.now == nil {
		b.now = time.Now
	}
	if b.recorder == nil {
		b.recorder = NopRecorder{}
	}
	if b.state == nil {
		b.state = NewMemoryState(0)
	}
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

// PolicyFor returns the policy of a channel: the platform's override for
// the channel, then the cross-platform one, then the platform's default,
// then the default.
func (b *Bot) PolicyFor(p Platform, channel string) Policy {
	if pol, ok := b.cfg.PlatformChannels[p][channel]; ok {
		return pol
	}
	if pol, ok := b.cfg.Channels[channel]; ok {
		return pol
	}
	if pol := b.cfg.PlatformPolicy[p]; pol != "" {
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
	if b.PolicyFor(p, "") == PolicyAuto {
		return true
	}
	for _, chans := range []map[string]Policy{b.cfg.PlatformChannels[p], b.cfg.Channels} {
		for _, pol := range chans {
			if pol == PolicyAuto {
				return true
			}
		}
	}
	return false
}

// AutoThreshold is the confidence needed for un-mentioned answers: the
// configured one, else the one the matcher's model advises.
func (b *Bot) AutoThreshold() float64 {
	if b.cfg.AutoThreshold > 0 {
		return b.cfg.AutoThreshold
	}
	return b.Index().AutoThreshold()
}

// mode is how the core treats a message.
type mode int

const (
	ignore mode = iota
	// addressed: the user spoke to the bot (mention, DM, slash command).
	addressed
	// overheard: an un-mentioned message in an auto channel.
	overheard
	// asked: a question put to an API.
	asked
)

// modeOf applies the reply policy. Own and bots' messages are always
// ignored, so two bots can never talk to each other in a loop.
func (b *Bot) modeOf(m Message) mode {
	switch {
	case m.AuthorIsSelf || m.AuthorIsBot:
		return ignore
	case m.Ask:
		return asked
	case m.IsDM || m.Command:
		return addressed
	}
	switch b.PolicyFor(m.Platform, m.Channel) {
	case PolicyOff:
		return ignore
	case PolicyAuto:
		if m.MentionsBot {
			return addressed
		}
		return overheard
	}
	if m.MentionsBot {
		return addressed
	}
	return ignore
}

// Handle decides the reply to one message. It never panics: a panic while
// handling is recovered, logged without the user's text, counted, and
// answered with a short apology (or nothing, for overheard messages).
func (b *Bot) Handle(ctx context.Context, m Message) (r Reply) {
	start := time.Now()
	md := b.modeOf(m)
	if md == ignore || ctx.Err() != nil {
		return Reply{Kind: KindIgnore}
	}
	defer func() {
		if v := recover(); v != nil {
			r = b.recovered(m, md, v)
		}
		if r.Kind != KindIgnore {
			took := time.Since(start)
			b.metrics.Replied(m.Platform, r.Kind, r.Confidence, took)
			b.logReply(m, r, took)
			b.record(ctx, m, r, took)
		}
	}()
	// Redelivered events are handled once; the key is only spent on events
	// the policy lets through, so chatter does not crowd the memory.
	if m.EventID != "" && !b.claim(ctx, m, "event\x00"+string(m.Platform)+"\x00"+m.EventID, b.cfg.DedupTTL) {
		b.log.Debug("redelivered event ignored", "platform", m.Platform, "channel", m.Channel, "event", m.EventID)
		return Reply{Kind: KindIgnore}
	}
	b.metrics.Question(m.Platform)
	switch md {
	case overheard:
		return b.overheard(ctx, m)
	case asked:
		return b.ask(ctx, m)
	}
	return b.addressed(ctx, m)
}

// claim claims key for ttl in the state. When the state fails, the claim
// is granted: a rare double answer beats never answering.
func (b *Bot) claim(ctx context.Context, m Message, key string, ttl time.Duration) bool {
	now := b.now()
	ok, err := b.state.Claim(ctx, key, now, now.Add(ttl))
	if err != nil {
		b.stateFailed(m, "claim", err)
		return true
	}
	return ok
}

// claimed reports whether key is claimed (false when the state fails).
func (b *Bot) claimed(ctx context.Context, m Message, key string) bool {
	ok, err := b.state.Claimed(ctx, key, b.now())
	if err != nil {
		b.stateFailed(m, "claim", err)
		return false
	}
	return ok
}

// stateFailed logs and counts a state that could not be read or written.
func (b *Bot) stateFailed(m Message, what string, err error) {
	b.metrics.Error(m.Platform, "state")
	b.log.Warn("conversation state unavailable", "what", what, "platform", m.Platform, "err", err)
}

// logReply logs a decision at debug level: where, what and how sure, never
// the user's text.
func (b *Bot) logReply(m Message, r Reply, took time.Duration) {
	if !b.log.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	entry := ""
	if r.Entry != nil {
		entry = r.Entry.ID
	}
	b.log.Debug("reply", "platform", m.Platform, "channel", m.Channel, "event", m.EventID,
		"kind", r.Kind.String(), "entry", entry, "confidence", r.Confidence, "took", took)
}

// recovered turns a panic into a logged, counted error. The log carries
// where it happened and the text's length, never the text or any token.
func (b *Bot) recovered(m Message, md mode, v any) Reply {
	b.metrics.Error(m.Platform, "panic")
	b.log.Error("panic while handling a message",
		"platform", m.Platform, "channel", m.Channel, "event", m.EventID,
		"text_bytes", len(m.Text), "panic", truncate(fmt.Sprint(v), 200), "stack", string(debug.Stack()))
	if md != addressed && md != asked {
		return Reply{Kind: KindIgnore}
	}
	r := notice("Sorry", docOf(para(text("Sorry, something went wrong on my side. Please try again later."))))
	r.Ephemeral = m.Command
	return r
}

// addressed answers a message spoken to the bot: a command, a question, or
// an empty mention (which gets help).
func (b *Bot) addressed(ctx context.Context, m Message) Reply {
	ix := b.Index()
	q := Clean(m.Platform, m.Text)
	if v, wait := b.take(ctx, m); v != allowed {
		if v == limitedSilent {
			return Reply{Kind: KindIgnore}
		}
		return b.slowDown(m, wait)
	}
	v := voiceOf(m.Platform)
	var r Reply
	if m.Pick != "" {
		r = b.showEntry(ix, m.Pick)
	} else if cmd, args, _, ok := parseCommand(q); ok {
		r = b.runCommand(ix, v, cmd, args)
	} else if q == "" {
		r = b.help(ix, v, nil)
	} else if st, ok := smallTalk(q, v); ok {
		r = st
	} else {
		r = b.answer(ix, q, m)
	}
	if r.Kind == KindNotice {
		r.Ephemeral = m.Command
	}
	b.spokeIn(ctx, m)
	return r
}

// ask answers a question put to an API: never a command, always a
// decision, and over the client's rate limit always a notice (an API
// client must be told, every time, when to come back).
func (b *Bot) ask(ctx context.Context, m Message) Reply {
	q := strings.TrimSpace(truncate(m.Text, MaxQuestionBytes))
	if v, wait := b.take(ctx, m); v != allowed {
		return b.slowDown(m, wait)
	}
	return b.answer(b.Index(), q, m)
}

// overheard answers an un-mentioned message of an auto channel only when
// the answer is confident and the bot has not spoken in that thread yet.
// Everything else (commands, suggestions, notices) stays silent.
func (b *Bot) overheard(ctx context.Context, m Message) Reply {
	key, ok := threadKey(m)
	if !ok {
		return Reply{Kind: KindIgnore}
	}
	if b.claimed(ctx, m, key) {
		b.threadAnswered(m)
		return Reply{Kind: KindIgnore}
	}
	q := Clean(m.Platform, m.Text)
	if q == "" {
		return Reply{Kind: KindIgnore}
	}
	if _, _, explicit, isCmd := parseCommand(q); isCmd && explicit {
		return Reply{Kind: KindIgnore}
	}
	r := b.answer(b.Index(), q, m)
	if r.Kind != KindAnswer || r.Confidence < b.AutoThreshold() {
		return Reply{Kind: KindIgnore}
	}
	if v, _ := b.take(ctx, m); v != allowed {
		return Reply{Kind: KindIgnore}
	}
	// Claim, not Claimed: of two racing messages of one thread, on one
	// instance or several, one answers.
	if !b.claim(ctx, m, key, threadTTL) {
		b.threadAnswered(m)
		return Reply{Kind: KindIgnore}
	}
	return r
}

// threadAnswered logs an auto reply not given because the bot has spoken
// in the thread.
func (b *Bot) threadAnswered(m Message) {
	b.log.Debug("thread already answered", "platform", m.Platform, "channel", m.Channel, "event", m.EventID)
}

// threadKey identifies the conversation of m for "once per thread": its
// thread, or, outside threads, the message itself.
func threadKey(m Message) (string, bool) {
	id := m.Thread
	if id == "" {
		id = "msg\x00" + m.EventID
		if m.EventID == "" {
			return "", false
		}
	}
	return "thread\x00" + string(m.Platform) + "\x00" + m.Channel + "\x00" + id, true
}

// spokeIn remembers that the bot replied in m's thread, so that an auto
// channel does not answer again there.
func (b *Bot) spokeIn(ctx context.Context, m Message) {
	if m.Thread == "" || m.IsDM || b.PolicyFor(m.Platform, m.Channel) != PolicyAuto {
		return
	}
	if key, ok := threadKey(m); ok {
		b.claim(ctx, m, key, threadTTL)
	}
}

// slowDown is the one notice an over-limit asker gets.
func (b *Bot) slowDown(m Message, wait time.Duration) Reply {
	secs := int(wait.Round(time.Second) / time.Second)
	when := "in a moment"
	if secs > 1 {
		when = fmt.Sprintf("in about %d seconds", secs)
	}
	r := notice("Slow down", docOf(para(text("I'm getting a lot of questions right now. Please ask again "+when+"."))))
	r.Ephemeral = m.Command
	r.RetryAfter = max(wait, time.Second)
	return r
}

// answer matches a cleaned question and decides, with the one rule every
// surface shares: the matcher's answer, else the candidates above the
// suggestion threshold (the best first), else no answer.
func (b *Bot) answer(ix *matcher.Index, q string, m Message) Reply {
	var res matcher.Result
	if m.Explain {
		res = ix.Explain(q)
	} else {
		res = ix.Search(q)
	}
	r := Reply{Query: q, Confidence: res.Confidence, Explanation: res.Explanation}
	if res.Answered && res.Best != nil {
		r.Kind, r.Entry, r.Score = KindAnswer, res.Best.Entry, res.Best.Score
		for _, h := range res.Alternatives {
			r.Alternatives = append(r.Alternatives, alternative(h))
		}
		return r
	}
	var cands []matcher.Hit
	if res.Best != nil {
		cands = append(cands, *res.Best)
	}
	for _, h := range append(cands, res.Alternatives...) {
		if h.Confidence >= b.cfg.SuggestThreshold && len(r.Alternatives) < maxSuggestions {
			r.Alternatives = append(r.Alternatives, alternative(h))
		}
	}
	if len(r.Alternatives) > 0 {
		why := "I'm not sure the FAQ answers exactly that."
		if res.NotEnglish {
			why = "I can only read questions in English, and the FAQ is in English."
		}
		r.Kind, r.Title = KindSuggestions, "Not sure"
		r.Body = docOf(para(text(why + " Is it one of these?")))
		return r
	}
	r.Kind, r.Title = KindNoMatch, "No answer"
	if res.NotEnglish {
		r.Body = docOf(para(text("Sorry, I can only read questions in English, and the FAQ is in English. Could you ask it in English?")))
		return r
	}
	if m.Ask { // an API has no search command
		r.Body = docOf(para(text("Sorry, I couldn't find an answer to that in the FAQ. Try rephrasing.")))
		return r
	}
	r.Body = docOf(para(text("Sorry, I couldn't find an answer to that in the FAQ. Try rephrasing, or "),
		voiceOf(m.Platform).cmd("search <words>"), text(" for matching questions.")))
	return r
}

func alternative(h matcher.Hit) Alternative {
	return Alternative{ID: h.Entry.ID, Title: h.Entry.Title, Score: h.Score, Confidence: h.Confidence}
}

// Show returns the answer reply for one entry (a picked suggestion or
// "other answer"), or a notice when id is unknown.
func (b *Bot) Show(id string) Reply { return b.showEntry(b.Index(), id) }

// showEntry is entry id with its related entries as alternatives, or a
// notice when id is unknown.
func (b *Bot) showEntry(ix *matcher.Index, id string) Reply {
	if e := lookup(ix, id); e != nil {
		r := Reply{Kind: KindAnswer, Entry: e, Confidence: 1}
		for _, h := range ix.Related(e.ID, maxSuggestions) {
			r.Alternatives = append(r.Alternatives, alternative(h))
		}
		return r
	}
	return b.show(ix, voice{}, []string{id})
}

// Complete returns up to n entries whose titles best match what has been
// typed so far, for autocomplete.
func (b *Bot) Complete(prefix string, n int) []Alternative {
	var out []Alternative
	for _, h := range b.Index().SearchTitles(prefix, n) {
		out = append(out, alternative(h))
	}
	return out
}

// RecordFeedback counts and records a reaction to an answer. The store
// keeps one vote per user per answer message (Feedback.Answer): a second
// click changes the vote.
func (b *Bot) RecordFeedback(ctx context.Context, f Feedback) {
	b.metrics.Feedback(f.Platform, f.Kind)
	b.recordFeedback(ctx, f)
}
