package bot

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"testing"
	"time"
)

func TestExpiring_TTLAndBound(t *testing.T) {
	t.Parallel()
	now := time.Unix(1000, 0)
	c := newExpiring[int](3, maphash.MakeSeed())
	exp := func(d time.Duration) time.Time { return now.Add(d) }
	if !c.add("a", 1, now, exp(time.Minute)) || !c.add("b", 2, now, exp(3*time.Minute)) || !c.add("c", 3, now, exp(2*time.Minute)) {
		t.Fatal("new keys refused")
	}
	if c.add("a", 9, now, exp(time.Hour)) {
		t.Error("add replaced an unexpired value")
	}
	c.add("d", 4, now, exp(4*time.Minute)) // over the bound: a, the closest to expiry, goes
	if _, ok := c.get("a", now); ok || c.forgotten() != 1 {
		t.Errorf("bound: a still there or forgotten = %d", c.forgotten())
	}
	for _, k := range []string{"b", "c", "d"} {
		if _, ok := c.get(k, now); !ok {
			t.Errorf("%s lost", k)
		}
	}
	later := exp(150 * time.Second) // c expired, b and d not
	if _, ok := c.get("c", later); ok {
		t.Error("c outlived its expiry")
	}
	if !c.add("c", 5, later, exp(time.Hour)) {
		t.Error("an expired key was not new again")
	}
	if v, ok := c.get("c", later); !ok || v != 5 {
		t.Errorf("c = %d, %v", v, ok)
	}
	if c.forgotten() != 1 {
		t.Errorf("expiry counted as forgetting: %d", c.forgotten())
	}
}

func TestExpiring_ReplacedValuesDoNotPileUp(t *testing.T) {
	t.Parallel()
	now := time.Unix(1000, 0)
	c := newExpiring[int](10, maphash.MakeSeed())
	for i := range 10000 {
		c.put(fmt.Sprint("k", i%5), i, now, now.Add(time.Duration(i)*time.Second))
	}
	if len(c.items) != 5 || len(c.heap) > 2*5+65 {
		t.Errorf("%d items, %d stamps: stale stamps pile up", len(c.items), len(c.heap))
	}
	if v, _ := c.get("k4", now); v != 9999 {
		t.Errorf("k4 = %d, want the last value", v)
	}
}

// TestMemoryState_RemembersAnHourAtAThousandEventsASecond: the redelivery
// of an event is recognised however many events came in between, up to the
// bound, which is meant for an hour at 1,000 events a second.
func TestMemoryState_RemembersAnHourAtAThousandEventsASecond(t *testing.T) {
	t.Parallel()
	if DefaultMemoryClaims < 3600*1000 {
		t.Fatalf("DefaultMemoryClaims %d is less than an hour at 1,000 events/s", DefaultMemoryClaims)
	}
	if testing.Short() || raceEnabled {
		t.Skip("3.6 million claims: run without -short and -race")
	}
	s := NewMemoryState(0)
	ctx := context.Background()
	start := time.Unix(1_700_000_000, 0)
	for i := range 3600 * 1000 {
		now := start.Add(time.Duration(i) * time.Millisecond)
		if ok, _ := s.Claim(ctx, "E"+fmt.Sprint(i), now, now.Add(time.Hour)); !ok {
			t.Fatalf("event %d refused", i)
		}
	}
	now := start.Add(time.Hour - time.Millisecond)
	if ok, _ := s.Claim(ctx, "E0", now, now.Add(time.Hour)); ok {
		t.Error("the first event, redelivered just under an hour later, was claimed again")
	}
	if s.Forgotten() != 0 {
		t.Errorf("%d claims forgotten early", s.Forgotten())
	}
}

func TestMemoryState_Buckets(t *testing.T) {
	t.Parallel()
	s := NewMemoryState(0)
	ctx := context.Background()
	now := time.Unix(1000, 0)
	keys := []string{"u", "c"}
	var seen []Bucket
	s.UpdateBuckets(ctx, now, keys, func(bs []Bucket) []Bucket {
		seen = bs
		return []Bucket{{Tokens: 1, At: now, Expires: now.Add(time.Minute)}, {Tokens: 2, At: now, Expires: now.Add(time.Second)}}
	})
	if seen[0] != (Bucket{}) || seen[1] != (Bucket{}) {
		t.Errorf("new buckets %+v, want zero", seen)
	}
	s.UpdateBuckets(ctx, now.Add(2*time.Second), keys, func(bs []Bucket) []Bucket { seen = bs; return bs })
	if seen[0].Tokens != 1 || seen[1] != (Bucket{}) {
		t.Errorf("buckets %+v: want u kept and c expired", seen)
	}
}

// failingState is a State whose every call fails, as a database that is down.
type failingState struct{}

var errDown = errors.New("database is down")

func (failingState) Claim(context.Context, string, time.Time, time.Time) (bool, error) {
	return false, errDown
}
func (failingState) Claimed(context.Context, string, time.Time) (bool, error) { return false, errDown }
func (failingState) UpdateBuckets(context.Context, time.Time, []string, func([]Bucket) []Bucket) error {
	return errDown
}
func (failingState) SetNote(context.Context, string, string, time.Time, time.Time) error {
	return errDown
}
func (failingState) Note(context.Context, string, time.Time) (string, error) { return "", errDown }

// TestBot_StateDownAnswers: when the state fails, the bot still answers
// (it may answer a redelivery twice) and counts the failures.
func TestBot_StateDownAnswers(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	title := entryLike(t, ix, "HTTP hosting").Title
	m := newRecordingMetrics()
	b := New(Config{State: failingState{}, UserCooldown: Cooldown{PerMinute: 1, Burst: 1},
		Channels: map[string]Policy{"auto": PolicyAuto}, AutoThreshold: 0.01, Recorder: &fakeRecorder{}}, ix, nil, m)
	for _, msg := range []Message{
		{Platform: Slack, EventID: "Ev1", Channel: "D", User: "u", Text: title, IsDM: true},
		{Platform: Slack, EventID: "Ev1", Channel: "D", User: "u", Text: title, IsDM: true},
		{Platform: Slack, EventID: "Ev2", Channel: "auto", Thread: "t", User: "u", Text: title},
	} {
		if got := b.Handle(context.Background(), msg).Kind; got != KindAnswer {
			t.Errorf("%s with the state down: %v, want an answer", msg.EventID, got)
		}
	}
	b.RecordFeedback(context.Background(), Feedback{Platform: Slack, Channel: "D", User: "u", Kind: ThumbsUp})
	if m.errors["state"] == 0 {
		t.Error("state failures not counted")
	}
}
