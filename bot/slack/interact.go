package slack

import (
	"context"
	"strings"

	"github.com/slack-go/slack"

	"github.com/espbot/espbot/bot"
)

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
	msg := render(r, renderOpts{share: ephemeral && r.Kind == bot.KindAnswer})
	if len(msg.Blocks) == 0 {
		return
	}
	kind := slack.ResponseTypeInChannel
	if ephemeral {
		kind = slack.ResponseTypeEphemeral
	}
	a.respond(ctx, cmd.ResponseURL, msg, slack.MsgOptionResponseURL(cmd.ResponseURL, kind))
}

// handleInteraction handles the buttons and menu of rendered replies.
func (a *Adapter) handleInteraction(ctx context.Context, cb slack.InteractionCallback) {
	if cb.Type != slack.InteractionTypeBlockActions {
		return
	}
	for _, act := range cb.ActionCallback.BlockActions {
		a.handleAction(ctx, cb, act)
	}
}

func (a *Adapter) handleAction(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction) {
	fb := bot.Feedback{Platform: bot.Slack, Channel: cb.Channel.ID, User: cb.User.ID, EntryID: act.Value}
	switch {
	case act.ActionID == actionUp, act.ActionID == actionDown:
		fb.Kind = bot.ThumbsUp
		if act.ActionID == actionDown {
			fb.Kind = bot.ThumbsDown
		}
		a.bot.RecordFeedback(ctx, fb)
		a.respond(ctx, cb.ResponseURL, noticeMessage("Thanks for the feedback!"), slack.MsgOptionResponseURL(cb.ResponseURL, slack.ResponseTypeEphemeral))
	case act.ActionID == actionOther:
		fb.Kind, fb.EntryID = bot.OtherAnswer, act.SelectedOption.Value
		a.bot.RecordFeedback(ctx, fb)
		a.replaceWith(ctx, cb, fb.EntryID)
	case strings.HasPrefix(act.ActionID, actionPick):
		a.replaceWith(ctx, cb, act.Value)
	case act.ActionID == actionShare:
		a.share(ctx, cb, act.Value)
	}
}

// replaceWith replaces the message that holds the control with entry id's
// answer; the previous answer and the other alternatives stay in the menu.
func (a *Adapter) replaceWith(ctx context.Context, cb slack.InteractionCallback, id string) {
	r := a.bot.Show(id)
	if r.Kind != bot.KindAnswer {
		// Say so privately, and keep the message (the entry may have gone
		// in a reload).
		a.respond(ctx, cb.ResponseURL, render(r, renderOpts{}), slack.MsgOptionResponseURL(cb.ResponseURL, slack.ResponseTypeEphemeral))
		return
	}
	r.Alternatives = menuAlternatives(cb.Message.Blocks.BlockSet)
	msg := render(r, renderOpts{share: cb.Container.IsEphemeral})
	a.respond(ctx, cb.ResponseURL, msg, slack.MsgOptionReplaceOriginal(cb.ResponseURL))
}

// share posts entry id's answer in the channel and removes the ephemeral
// original.
func (a *Adapter) share(ctx context.Context, cb slack.InteractionCallback, id string) {
	r := a.bot.Show(id)
	if r.Kind != bot.KindAnswer {
		a.respond(ctx, cb.ResponseURL, render(r, renderOpts{}), slack.MsgOptionResponseURL(cb.ResponseURL, slack.ResponseTypeEphemeral))
		return
	}
	if !a.respond(ctx, cb.ResponseURL, render(r, renderOpts{}), slack.MsgOptionResponseURL(cb.ResponseURL, slack.ResponseTypeInChannel)) {
		return
	}
	a.respond(ctx, cb.ResponseURL, message{}, slack.MsgOptionDeleteOriginal(cb.ResponseURL))
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

func noticeMessage(text string) message {
	return render(bot.Reply{Kind: bot.KindNotice, Title: text}, renderOpts{})
}

// menuAlternatives rebuilds the alternatives of an answer from its message:
// the answer itself (its thumbs carry its ID, its header its title) and the
// entries of its "Other answers" menu. Slack sends the message with
// non-ephemeral interactions only; otherwise there is no menu.
func menuAlternatives(blocks []slack.Block) []bot.Alternative {
	var out []bot.Alternative
	title := ""
	for _, b := range blocks {
		switch blk := b.(type) {
		case *slack.HeaderBlock:
			if blk.Text != nil {
				title = blk.Text.Text
			}
		case *slack.ActionBlock:
			if blk.BlockID != blockActions || blk.Elements == nil {
				continue
			}
			for _, el := range blk.Elements.ElementSet {
				switch e := el.(type) {
				case *slack.ButtonBlockElement:
					if e.ActionID == actionUp {
						out = append(out, bot.Alternative{ID: e.Value, Title: title})
					}
				case *slack.SelectBlockElement:
					for _, o := range e.Options {
						if o != nil && o.Text != nil {
							out = append(out, bot.Alternative{ID: o.Value, Title: o.Text.Text})
						}
					}
				}
			}
		}
	}
	return out
}
