package slack

import (
	"slices"
	"strings"
	"testing"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/bot/slack/slacktest"
)

// askWithMenu asks a question of the embedded FAQ whose answer offers other
// answers, and returns the answer call and its menu.
func askWithMenu(t *testing.T, h *harness) (slacktest.Call, []string) {
	t.Helper()
	h.sendEvent(t, "Ev-menu", mention("C1", "400.000001", "How to optimize communication latency for ESP32?"))
	c := h.next(t)
	menu := optionValues(c.Blocks())
	if headerText(c.Blocks()) == "" || len(menu) < 2 {
		t.Fatalf("want an answer with at least two other answers, got %q with %v", headerText(c.Blocks()), menu)
	}
	return c, menu
}

func entryTitle(t *testing.T, h *harness, id string) string {
	t.Helper()
	e, ok := h.adapter.bot.Index().Entry(id)
	if !ok {
		t.Fatalf("no entry %s", id)
	}
	return truncate(e.Title, maxHeaderText)
}

func TestSocket_OnlyTheAskerSwaps(t *testing.T) {
	t.Parallel()
	h := startOver(t, ModeSocket, benchEntries(t))
	answer, menu := askWithMenu(t, h)
	shownID := answerID(t, answer)

	other := h.interact(t, h.click(t, answer, actionOther, "U2", menu[0]))
	if other.JSON["response_type"] != "ephemeral" || other.JSON["replace_original"] == true {
		t.Errorf("another user's pick gave %v replace=%v, want the entry privately", other.JSON["response_type"], other.JSON["replace_original"])
	}
	if headerText(other.Blocks()) != entryTitle(t, h, menu[0]) || !hasAction(other.Blocks(), actionShare) {
		t.Errorf("another user got %q, want %s with Share", headerText(other.Blocks()), menu[0])
	}

	swapped := h.interact(t, h.click(t, answer, actionOther, "U1", menu[0]))
	if swapped.JSON["replace_original"] != true || headerText(swapped.Blocks()) != entryTitle(t, h, menu[0]) {
		t.Fatalf("the asker's pick gave replace=%v %q, want %s in place", swapped.JSON["replace_original"], headerText(swapped.Blocks()), menu[0])
	}
	want := append([]string{shownID}, menu[1:]...)
	if got := optionValues(swapped.Blocks()); !slices.Equal(got, want) {
		t.Errorf("menu after the swap %v, want the replaced answer first, then the rest: %v", got, want)
	}
	if strings.Contains(contextText(swapped.Blocks()), "confidence") || !hasAction(swapped.Blocks(), actionDismiss) {
		t.Errorf("a picked answer shows %q (no confidence wanted) with Dismiss=%v", contextText(swapped.Blocks()), hasAction(swapped.Blocks(), actionDismiss))
	}
	// Swap back, from the replaced message: the menu travels with it.
	swapped.TS, swapped.Form = answer.TS, answer.Form
	back := h.interact(t, h.click(t, swapped, actionOther, "U1", shownID))
	if headerText(back.Blocks()) != headerText(answer.Blocks()) || !slices.Contains(optionValues(back.Blocks()), menu[0]) {
		t.Errorf("swapping back gave %q with menu %v", headerText(back.Blocks()), optionValues(back.Blocks()))
	}
	h.waitIdle(t)
	var others int
	for _, f := range h.recorder.all() {
		if f.Kind == bot.OtherAnswer && f.Answer == answer.TS {
			others++
		}
	}
	if others != 3 {
		t.Errorf("%d other-answer picks recorded for the answer, want 3", others)
	}
}

// answerID is the entry an answer message shows (its thumbs' value).
func answerID(t *testing.T, c slacktest.Call) string {
	t.Helper()
	for _, e := range actionElements(c.Blocks()) {
		if e["action_id"] == actionUp {
			v, _ := e["value"].(string)
			return v
		}
	}
	t.Fatal("no thumbs in the answer")
	return ""
}

func TestSocket_EphemeralSwapKeepsMenu(t *testing.T) {
	t.Parallel()
	h := startOver(t, ModeSocket, benchEntries(t))
	env, err := h.fake.SendSlash(h.ctx(t), map[string]any{"command": "/faq", "text": "How to optimize communication latency for ESP32?",
		"team_id": slacktest.TeamID, "channel_id": "C1", "user_id": "U1", "response_url": h.fake.ResponseURL(), "trigger_id": "t-eph"})
	if err != nil {
		t.Fatal(err)
	}
	h.expectAck(t, env)
	answer := h.next(t)
	menu := optionValues(answer.Blocks())
	if len(menu) < 2 {
		t.Fatalf("menu %v", menu)
	}
	// Slack sends no copy of an ephemeral message with the click: the
	// menu comes from the click itself.
	swapped := h.interact(t, h.click(t, answer, actionOther, "U1", menu[1]))
	if swapped.JSON["replace_original"] != true || headerText(swapped.Blocks()) != entryTitle(t, h, menu[1]) {
		t.Fatalf("ephemeral swap gave replace=%v %q", swapped.JSON["replace_original"], headerText(swapped.Blocks()))
	}
	if got := optionValues(swapped.Blocks()); len(got) != len(menu) || !slices.Contains(got, answerID(t, answer)) {
		t.Errorf("menu after an ephemeral swap %v, want %d entries with the first answer", got, len(menu))
	}
	if !hasAction(swapped.Blocks(), actionShare) || hasAction(swapped.Blocks(), actionDismiss) {
		t.Error("an ephemeral answer keeps Share and gets no Dismiss")
	}
}

func TestSocket_Dismiss(t *testing.T) {
	t.Parallel()
	h := start(t, ModeSocket)
	h.sendEvent(t, "Ev1", mention("C1", "410.000001", testEntries[0].Title))
	answer := h.next(t)
	refused := h.interact(t, h.click(t, answer, actionDismiss, "U2", ""))
	if refused.JSON["response_type"] != "ephemeral" || refused.JSON["delete_original"] == true || !strings.Contains(refused.Text(), "Only the person who asked") {
		t.Errorf("dismiss by another user gave %v", refused.JSON)
	}
	deleted := h.interact(t, h.click(t, answer, actionDismiss, "U1", ""))
	if deleted.JSON["delete_original"] != true {
		t.Errorf("dismiss by the asker gave %v, want delete_original", deleted.JSON)
	}
	h.waitIdle(t)
	if fb := h.recorder.all(); len(fb) != 1 || fb[0].Kind != bot.Dismiss || fb[0].Answer != answer.TS {
		t.Errorf("feedback %+v, want one dismissal of the answer", fb)
	}
}

func TestSocket_SuggestionPicks(t *testing.T) {
	t.Parallel()
	h := startOver(t, ModeSocket, benchEntries(t))
	h.sendEvent(t, "Ev1", mention("C1", "420.000001", "wifi disconnect reason"))
	sugg := h.next(t)
	var picks []string
	for _, e := range actionElements(sugg.Blocks()) {
		if id, _ := e["action_id"].(string); strings.HasPrefix(id, actionPick) {
			picks = append(picks, id)
		}
	}
	if headerText(sugg.Blocks()) != "" || len(picks) < 2 {
		t.Skipf("the question was answered (%q) or has fewer than two suggestions", headerText(sugg.Blocks()))
	}
	mine := h.interact(t, h.click(t, sugg, picks[0], "U1", ""))
	if mine.JSON["replace_original"] != true || headerText(mine.Blocks()) == "" {
		t.Fatalf("the asker's pick gave %v %q", mine.JSON["replace_original"], headerText(mine.Blocks()))
	}
	if n := len(optionValues(mine.Blocks())); n != len(picks)-1 {
		t.Errorf("after a pick the menu has %d entries, want the %d other suggestions", n, len(picks)-1)
	}
	theirs := h.interact(t, h.click(t, sugg, picks[1], "U2", ""))
	if theirs.JSON["response_type"] != "ephemeral" || theirs.JSON["replace_original"] == true {
		t.Errorf("another user's pick gave %v", theirs.JSON)
	}
}

func TestSocket_GoneEntryIsAPrivateNotice(t *testing.T) {
	t.Parallel()
	h := startOver(t, ModeSocket, benchEntries(t))
	h.sendEvent(t, "Ev1", dm("430.000001", "mqtt"))
	sugg := h.next(t)
	p := h.click(t, sugg, actionDismiss, "U1", "")
	act := p["actions"].([]any)[0].(map[string]any)
	act["action_id"], act["value"] = actionPick+"0", "no-such-entry" // a suggestion gone in a reload
	c := h.interact(t, p)
	if c.JSON["replace_original"] == true || c.JSON["response_type"] != "ephemeral" {
		t.Errorf("unknown entry gave %v, want an ephemeral notice", c.JSON)
	}
}

func TestSocket_MessageShortcut(t *testing.T) {
	t.Parallel()
	h := start(t, ModeSocket)
	q := testEntries[2].Title
	c := h.interact(t, slacktest.MessageAction(shortcutAsk, "U3", "C1", "my broker rejects me: "+q, h.fake.ResponseURL()))
	if c.Method != "response_url" || c.JSON["response_type"] != "ephemeral" || headerText(c.Blocks()) != q || !hasAction(c.Blocks(), actionShare) {
		t.Fatalf("shortcut gave %s %v %q, want the answer privately with Share", c.Method, c.JSON["response_type"], headerText(c.Blocks()))
	}
	shared := h.interact(t, h.click(t, c, actionShare, "U3", ""))
	if shared.JSON["response_type"] != "in_channel" || !strings.Contains(contextText(shared.Blocks()), "Shared by *name-U3*") {
		t.Errorf("sharing the shortcut's answer gave %v %q", shared.JSON["response_type"], contextText(shared.Blocks()))
	}
	if del := h.next(t); del.JSON["delete_original"] != true {
		t.Errorf("after sharing got %v, want the private answer deleted", del.JSON)
	}
	empty := h.interact(t, slacktest.MessageAction(shortcutAsk, "U3", "C1", "  ", h.fake.ResponseURL()))
	if empty.JSON["response_type"] != "ephemeral" || !strings.Contains(empty.Text(), "no text") {
		t.Errorf("shortcut on a message without text gave %v", empty.JSON)
	}
}
