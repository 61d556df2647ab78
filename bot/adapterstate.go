package bot

import (
	"context"
	"time"
)

// Adapters remember a little of their own between events: which messages
// they answered, and with which message, so that an edit or a deletion of
// the question reaches its answer. They keep it in the core's State, with
// the core's clock, so that it survives restarts and is shared by the
// instances on one store like the rest of the conversation. Keys are the
// adapter's own, kept apart per platform. A failing state is logged and
// counted, as for the core's own keys.

// Claim claims key of platform p for ttl and reports whether this call got
// it: false while an earlier claim holds it, on this instance or another.
// When the state fails the claim is granted: a rare repeat beats never
// answering.
func (b *Bot) Claim(ctx context.Context, p Platform, key string, ttl time.Duration) bool {
	return b.claim(ctx, Message{Platform: p}, adapterKey(p, key), ttl)
}

// Remember keeps value under key of platform p for ttl. The state may
// write it a little later (botstore queues notes), but Recall in this
// process sees it at once.
func (b *Bot) Remember(ctx context.Context, p Platform, key, value string, ttl time.Duration) {
	now := b.now()
	if err := b.state.SetNote(ctx, adapterKey(p, key), value, now, now.Add(ttl)); err != nil {
		b.stateFailed(Message{Platform: p}, "note", err)
	}
}

// Recall returns what Remember kept under key of platform p: "" when
// nothing is kept, it expired, or the state failed.
func (b *Bot) Recall(ctx context.Context, p Platform, key string) string {
	v, err := b.state.Note(ctx, adapterKey(p, key), b.now())
	if err != nil {
		b.stateFailed(Message{Platform: p}, "note", err)
		return ""
	}
	return v
}

// adapterKey keeps adapters' keys apart from the core's and each other's.
func adapterKey(p Platform, key string) string {
	return "adapter\x00" + string(p) + "\x00" + key
}
