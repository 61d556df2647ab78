package discord

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/espbot/espbot/bot"
)

// answersKept is how long the adapter remembers the answer to a question:
// deleting the question deletes the answer within that time.
const answersKept = 24 * time.Hour

// answered is what the adapter remembers of a question it answered.
type answered struct {
	// answer is the answer message's ID; "" while the answer is queued (or
	// if sending it failed).
	answer string
	at     time.Time
}

// The adapter keeps its answers in the core's state, so that a restarted
// process (or another one, after the shards moved) still edits or deletes
// the answer of a question it answered: a note per question message ID,
// "<unix ms> <answer ID>", and a claim for its one re-answer. The core's
// state shows this process its own notes at once, so an edit or deletion
// queued behind the answer's send always finds the answer ID.

func answerKey(question string) string { return "answer\x00" + question }
func editedKey(question string) string { return "edited\x00" + question }

// noteAnswer remembers that question is answered (by answer, once sent).
func (a *Adapter) noteAnswer(ctx context.Context, question string, rec answered) {
	v := strconv.FormatInt(rec.at.UnixMilli(), 10) + " " + rec.answer
	a.bot.Remember(ctx, bot.Discord, answerKey(question), v, answersKept)
}

// answerOf returns what is remembered of a question's answer.
func (a *Adapter) answerOf(ctx context.Context, question string) (answered, bool) {
	at, answer, ok := strings.Cut(a.bot.Recall(ctx, bot.Discord, answerKey(question)), " ")
	ms, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil {
		return answered{}, false
	}
	return answered{answer: answer, at: time.UnixMilli(ms)}, true
}

// forgetAnswer forgets a question's answer (deleted with it).
func (a *Adapter) forgetAnswer(ctx context.Context, question string) {
	a.bot.Remember(ctx, bot.Discord, answerKey(question), "", 0)
}

// claimEdit reports whether this edit of question is its one re-answer.
func (a *Adapter) claimEdit(ctx context.Context, question string) bool {
	return a.bot.Claim(ctx, bot.Discord, editedKey(question), answersKept)
}
