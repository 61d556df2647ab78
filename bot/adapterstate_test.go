package bot

import (
	"context"
	"testing"
	"time"
)

// TestBot_AdapterState: adapters' claims and notes live in the core's
// State on the core's clock, apart per platform and from the core's own
// keys, and shared by the cores on one State (instances on one store).
func TestBot_AdapterState(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	clock := newFakeClock()
	shared := NewMemoryState(0)
	one := New(Config{State: shared, Now: clock.Now}, ix, nil, nil)
	other := New(Config{State: shared, Now: clock.Now}, ix, nil, nil)
	ctx := context.Background()

	if !one.Claim(ctx, Slack, "C1/1.5", time.Minute) {
		t.Fatal("a first claim was refused")
	}
	if other.Claim(ctx, Slack, "C1/1.5", time.Minute) {
		t.Error("another instance claimed the same key again")
	}
	if !other.Claim(ctx, Discord, "C1/1.5", time.Minute) {
		t.Error("Discord's key clashed with Slack's")
	}
	one.Remember(ctx, Discord, "q1", "answer 7", time.Minute)
	if got := other.Recall(ctx, Discord, "q1"); got != "answer 7" {
		t.Errorf("another instance recalled %q, want %q", got, "answer 7")
	}
	if got := other.Recall(ctx, Slack, "q1"); got != "" {
		t.Errorf("Slack recalled Discord's note: %q", got)
	}
	// An adapter's key cannot spend the core's: an event ID claimed by an
	// adapter is still handled once by the core.
	one.Claim(ctx, Slack, "event\x00slack\x00Ev1", time.Hour)
	if r := one.Handle(ctx, Message{Platform: Slack, EventID: "Ev1", IsDM: true, User: "u", Text: "help"}); r.Kind != KindHelp {
		t.Errorf("the core's event was taken by an adapter's key: %v", r.Kind)
	}
	clock.Advance(time.Minute)
	if got := one.Recall(ctx, Discord, "q1"); got != "" {
		t.Errorf("recalled %q after its time", got)
	}
	if !one.Claim(ctx, Slack, "C1/1.5", time.Minute) {
		t.Error("an expired claim was refused")
	}
}

// TestBot_AdapterStateDown: with the state down, claims are granted, notes
// read as nothing, and the failures are counted.
func TestBot_AdapterStateDown(t *testing.T) {
	t.Parallel()
	m := newRecordingMetrics()
	b := New(Config{State: failingState{}}, testIndex(t), nil, m)
	ctx := context.Background()
	b.Remember(ctx, Slack, "k", "v", time.Minute)
	first, second := b.Claim(ctx, Slack, "k", time.Minute), b.Claim(ctx, Slack, "k", time.Minute)
	if !first || !second || b.Recall(ctx, Slack, "k") != "" {
		t.Error("with the state down: want claims granted and nothing recalled")
	}
	if m.errors["state"] != 4 {
		t.Errorf("%d state failures counted, want 4", m.errors["state"])
	}
}
