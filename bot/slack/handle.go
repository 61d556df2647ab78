package slack

import (
	"context"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/espbot/espbot/bot"
)

// handleEventsAPI handles one Events API callback, once per event ID: Slack
// redelivers events it thinks were lost, in both modes.
func (a *Adapter) handleEventsAPI(ctx context.Context, ev slackevents.EventsAPIEvent) {
	eventID := ""
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok {
		eventID = cb.EventID
	}
	if eventID != "" && !a.seen.add(eventID) {
		a.log.Debug("slack: duplicate event ignored", "event_id", eventID)
		return
	}
	switch in := ev.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		a.handleMention(ctx, ev.TeamID, eventID, in)
	case *slackevents.MessageEvent:
		a.handleMessage(ctx, ev.TeamID, eventID, in)
	}
}

// handleMention answers "@espbot question" in the thread of the mention.
func (a *Adapter) handleMention(ctx context.Context, team, eventID string, ev *slackevents.AppMentionEvent) {
	if ev.Edited != nil {
		return // an edit of an old message, not a new question
	}
	self := a.identity()
	thread := firstNonEmpty(ev.ThreadTimeStamp, ev.TimeStamp)
	m := bot.Message{
		Platform:     bot.Slack,
		EventID:      eventID,
		Guild:        team,
		Channel:      ev.Channel,
		Thread:       thread,
		User:         ev.User,
		Text:         ev.Text,
		MentionsBot:  true,
		AuthorIsBot:  ev.BotID != "",
		AuthorIsSelf: isSelf(self, ev.User, ev.BotID),
	}
	a.reply(ctx, m, thread)
}

// handleMessage answers direct messages, and un-mentioned questions in auto
// channels. Mentions in channels arrive as app_mention too and are answered
// there, so they are skipped here to answer once.
func (a *Adapter) handleMessage(ctx context.Context, team, eventID string, ev *slackevents.MessageEvent) {
	if ev.SubType != "" && ev.SubType != "thread_broadcast" {
		return // edits, deletions, joins, bot_message...
	}
	self := a.identity()
	dm := ev.ChannelType == "im"
	mentioned := self.userID != "" && strings.Contains(ev.Text, "<@"+self.userID+">")
	if !dm && (mentioned || a.bot.PolicyFor(bot.Slack, ev.Channel) != bot.PolicyAuto) {
		return
	}
	thread := firstNonEmpty(ev.ThreadTimeStamp, ev.TimeStamp)
	m := bot.Message{
		Platform:     bot.Slack,
		EventID:      eventID,
		Guild:        team,
		Channel:      ev.Channel,
		Thread:       thread,
		User:         ev.User,
		Text:         ev.Text,
		IsDM:         dm,
		MentionsBot:  mentioned,
		AuthorIsBot:  ev.BotID != "",
		AuthorIsSelf: isSelf(self, ev.User, ev.BotID),
	}
	replyTS := thread
	if dm {
		replyTS = ev.ThreadTimeStamp // a DM is a conversation: thread only if the user did
	}
	a.reply(ctx, m, replyTS)
}

func isSelf(self identity, user, botID string) bool {
	return (user != "" && user == self.userID) || (botID != "" && botID == self.botID)
}

// reply asks the core and posts its reply in the channel (in thread
// threadTS, if set). Only answers are posted for un-mentioned messages in
// auto channels: there, "no match" is silence.
func (a *Adapter) reply(ctx context.Context, m bot.Message, threadTS string) {
	if m.AuthorIsBot || m.AuthorIsSelf {
		return // checked here too: answering bots can loop forever
	}
	r := a.bot.Handle(ctx, m)
	if r.Kind == bot.KindIgnore {
		return
	}
	if !m.IsDM && !m.MentionsBot && !m.Command && r.Kind != bot.KindAnswer {
		return
	}
	msg := render(r, renderOpts{})
	if len(msg.Blocks) == 0 {
		return
	}
	opts := append(msg.options(), slack.MsgOptionDisableLinkUnfurl(), slack.MsgOptionDisableMediaUnfurl())
	if threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(threadTS))
	}
	var err error
	if r.Ephemeral {
		_, err = a.api.PostEphemeralContext(ctx, m.Channel, m.User, opts...)
	} else {
		_, _, err = a.api.PostMessageContext(ctx, m.Channel, opts...)
	}
	if err != nil {
		a.fail("post", err)
	}
}

// fail logs and counts a failed Slack call. The error never holds tokens
// (slack-go sends them in request bodies) nor the user's text.
func (a *Adapter) fail(where string, err error) {
	a.bot.Metrics().Error(bot.Slack, where)
	a.log.Warn("slack: call failed", "where", where, "err", err)
}

// options are the message options posting msg.
func (msg message) options() []slack.MsgOption {
	return []slack.MsgOption{slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...)}
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
