package slack

import (
	"context"
	"strings"

	"github.com/slack-go/slack"

	"github.com/espbot/espbot/bot"
)

// shortcutAsk is the callback ID of the message shortcut "Ask espbot about
// this message" (see Manifest).
const shortcutAsk = "faq_ask_message"

// slashJob is the job of a slash command; its apology goes to the
// command's response URL.
func (a *Adapter) slashJob(cmd slack.SlashCommand) job {
	return job{
		kind:  "command",
		run:   func(ctx context.Context) { a.handleSlash(ctx, cmd) },
		sorry: func(ctx context.Context) { a.respondNotice(ctx, cmd.ResponseURL, sorryText) },
	}
}

// interactionJob is the job of a click or shortcut.
func (a *Adapter) interactionJob(cb slack.InteractionCallback) job {
	return job{
		kind:  "interaction",
		run:   func(ctx context.Context) { a.handleInteraction(ctx, cb) },
		sorry: func(ctx context.Context) { a.respondNotice(ctx, cb.ResponseURL, sorryText) },
	}
}

// handleSlash answers "/faq question" through the command's response URL:
// ephemeral by default (with a "Share in channel" button), in channel when
// configured so.
func (a *Adapter) handleSlash(ctx context.Context, cmd slack.SlashCommand) {
	m := bot.Message{
		Platform: bot.Slack,
		EventID:  cmd.TriggerID,
		Guild:    cmd.TeamID,
		Channel:  cmd.ChannelID,
		User:     cmd.UserID,
		Text:     cmd.Text,
		IsDM:     strings.HasPrefix(cmd.ChannelID, "D"),
		Command:  true,
	}
	r := a.bot.Handle(ctx, m)
	if r.Kind == bot.KindIgnore {
		return
	}
	// Answers follow the configuration; the core may still ask for
	// notices (such as "slow down") to be private.
	ephemeral := a.cfg.Ephemeral || (r.Ephemeral && r.Kind != bot.KindAnswer)
	a.answerPrivately(ctx, cmd.ResponseURL, r, m.User, ephemeral)
}

// answerPrivately posts r to a response URL: only to the asker (answers
// with "Share in channel") or, with ephemeral false, in the channel (with
// "Dismiss").
func (a *Adapter) answerPrivately(ctx context.Context, responseURL string, r bot.Reply, asker string, ephemeral bool) {
	msg := render(r, renderOpts{share: ephemeral && r.Kind == bot.KindAnswer, dismiss: !ephemeral, asker: asker, query: r.Query})
	if len(msg.Blocks) == 0 {
		return
	}
	kind := slack.ResponseTypeInChannel
	if ephemeral {
		kind = slack.ResponseTypeEphemeral
	}
	a.respond(ctx, responseURL, msg, slack.MsgOptionResponseURL(responseURL, kind))
}

// handleInteraction handles the buttons and menu of rendered replies, and
// the message shortcut.
func (a *Adapter) handleInteraction(ctx context.Context, cb slack.InteractionCallback) {
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		for _, act := range cb.ActionCallback.BlockActions {
			a.handleAction(ctx, cb, act)
		}
	case slack.InteractionTypeMessageAction:
		if cb.CallbackID == shortcutAsk {
			a.handleShortcut(ctx, cb)
		}
	}
}

// handleShortcut answers the text of the message the shortcut was used on,
// to the user only, with "Share in channel".
func (a *Adapter) handleShortcut(ctx context.Context, cb slack.InteractionCallback) {
	if strings.TrimSpace(cb.Message.Text) == "" {
		a.respondNotice(ctx, cb.ResponseURL, "That message has no text I can look up.")
		return
	}
	m := bot.Message{Platform: bot.Slack, EventID: cb.TriggerID, Guild: cb.Team.ID, Channel: cb.Channel.ID,
		User: cb.User.ID, Text: cb.Message.Text, Command: true}
	r := a.bot.Handle(ctx, m)
	if r.Kind == bot.KindIgnore {
		return
	}
	a.answerPrivately(ctx, cb.ResponseURL, r, m.User, true)
}

// handleAction dispatches one click. The control's value names its entry;
// its block ID carries the asker, the menu and the question (replyState).
func (a *Adapter) handleAction(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction) {
	st := decodeState(act.BlockID)
	switch {
	case act.ActionID == actionUp, act.ActionID == actionDown:
		a.vote(ctx, cb, act)
	case act.ActionID == actionOther:
		a.swap(ctx, cb, st, act.SelectedOption.Value)
	case strings.HasPrefix(act.ActionID, actionPick):
		a.swap(ctx, cb, st, act.Value)
	case act.ActionID == actionShare:
		a.share(ctx, cb, st, act.Value)
	case act.ActionID == actionDismiss:
		a.dismiss(ctx, cb, st, act.Value)
	}
}

// feedback is a reaction to the answer message cb comes from.
func feedback(cb slack.InteractionCallback, kind bot.FeedbackKind, entry string) bot.Feedback {
	return bot.Feedback{Platform: bot.Slack, Channel: cb.Channel.ID, User: cb.User.ID, Kind: kind,
		EntryID: entry, Answer: firstNonEmpty(cb.Container.MessageTs, cb.Message.Timestamp)}
}

// vote records a thumb (one vote per user and answer: the core keeps the
// last) and tells the user privately which vote now counts, so that a
// second click visibly changes it.
func (a *Adapter) vote(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction) {
	kind, text := bot.ThumbsUp, "Thanks for the feedback! Your vote on this answer: :+1: helpful. Click :-1: to change it."
	if act.ActionID == actionDown {
		kind, text = bot.ThumbsDown, "Thanks for the feedback! Your vote on this answer: :-1: not helpful. Click :+1: to change it."
	}
	a.bot.RecordFeedback(ctx, feedback(cb, kind, act.Value))
	a.respondNotice(ctx, cb.ResponseURL, text)
}

// swap shows entry id instead of the answer (from the "Other answers" menu
// or a suggestion button). The asker's message is replaced, the answer it
// showed staying in the menu; anyone else gets the entry privately, so that
// one person's click does not change the answer for everybody.
func (a *Adapter) swap(ctx context.Context, cb slack.InteractionCallback, st replyState, id string) {
	r := a.bot.Show(id)
	if r.Kind != bot.KindAnswer {
		// Say so privately, and keep the message (the entry may have gone
		// in a reload).
		a.respond(ctx, cb.ResponseURL, render(r, renderOpts{}), slack.MsgOptionResponseURL(cb.ResponseURL, slack.ResponseTypeEphemeral))
		return
	}
	a.bot.RecordFeedback(ctx, feedback(cb, bot.OtherAnswer, id))
	r.Alternatives = a.menuAfter(st, id, r.Alternatives)
	if !cb.Container.IsEphemeral && (st.Asker == "" || cb.User.ID != st.Asker) {
		msg := render(r, renderOpts{share: true, asker: cb.User.ID, query: st.Query, picked: true})
		a.respond(ctx, cb.ResponseURL, msg, slack.MsgOptionResponseURL(cb.ResponseURL, slack.ResponseTypeEphemeral))
		return
	}
	eph := cb.Container.IsEphemeral
	msg := render(r, renderOpts{share: eph, dismiss: !eph, asker: st.Asker, query: st.Query, picked: true})
	a.respond(ctx, cb.ResponseURL, msg, slack.MsgOptionReplaceOriginal(cb.ResponseURL))
}

// menuAfter is the menu once id is shown: the reply's menu with the answer
// it showed first, or, for messages without a menu in their state (older
// ones), the entry's own alternatives.
func (a *Adapter) menuAfter(st replyState, id string, own []bot.Alternative) []bot.Alternative {
	if len(st.Menu) == 0 {
		return own
	}
	ix := a.bot.Index()
	var out []bot.Alternative
	for _, id := range st.swapped(id).Menu[1:] {
		if e, ok := ix.Entry(id); ok {
			out = append(out, bot.Alternative{ID: e.ID, Title: e.Title})
		}
	}
	return out
}

// share posts entry id's answer in the channel, saying who shared it and
// for which question, and removes the private original.
func (a *Adapter) share(ctx context.Context, cb slack.InteractionCallback, st replyState, id string) {
	r := a.bot.Show(id)
	if r.Kind != bot.KindAnswer {
		a.respond(ctx, cb.ResponseURL, render(r, renderOpts{}), slack.MsgOptionResponseURL(cb.ResponseURL, slack.ResponseTypeEphemeral))
		return
	}
	r.Alternatives = a.menuAfter(st, id, r.Alternatives)
	msg := render(r, renderOpts{dismiss: true, asker: cb.User.ID, query: st.Query, sharedBy: userName(cb.User)})
	if !a.respond(ctx, cb.ResponseURL, msg, slack.MsgOptionResponseURL(cb.ResponseURL, slack.ResponseTypeInChannel)) {
		return
	}
	a.respond(ctx, cb.ResponseURL, message{}, slack.MsgOptionDeleteOriginal(cb.ResponseURL))
}

// userName is how a shared answer names who shared it: never a mention,
// which would ping them.
func userName(u slack.User) string {
	return firstNonEmpty(u.Name, u.Username, "someone")
}

// dismiss deletes an answer, but only for the person who asked.
func (a *Adapter) dismiss(ctx context.Context, cb slack.InteractionCallback, st replyState, id string) {
	if st.Asker == "" || cb.User.ID != st.Asker {
		a.respondNotice(ctx, cb.ResponseURL, "Only the person who asked can dismiss this answer.")
		return
	}
	if id != noEntry {
		a.bot.RecordFeedback(ctx, feedback(cb, bot.Dismiss, id))
	}
	a.respond(ctx, cb.ResponseURL, message{}, slack.MsgOptionDeleteOriginal(cb.ResponseURL))
}

// respondNotice tells the user of a response URL something privately.
func (a *Adapter) respondNotice(ctx context.Context, url, text string) {
	a.respond(ctx, url, noticeMessage(text), slack.MsgOptionResponseURL(url, slack.ResponseTypeEphemeral))
}

// respond posts msg to a response URL; mode selects post, replace or delete.
func (a *Adapter) respond(ctx context.Context, url string, msg message, mode slack.MsgOption) bool {
	if url == "" {
		return false
	}
	opts := []slack.MsgOption{mode}
	if len(msg.Blocks) > 0 {
		opts = append(opts, msg.options()...)
	}
	if _, _, _, err := a.api.SendMessageContext(ctx, "", opts...); err != nil {
		a.fail("response_url", err)
		return false
	}
	return true
}

// noticeMessage is a one-line message of ours (not user text: not escaped
// beyond mrkdwn's &, < and >).
func noticeMessage(text string) message {
	s := escape(text)
	return message{Text: s, Blocks: []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, s, false, false), nil, nil),
	}}
}
