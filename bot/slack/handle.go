package slack

import (
	"context"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/espbot/espbot/bot"
)

// sorryText is the apology for a failure on our side.
const sorryText = "Sorry, something went wrong on my side. Please try again later."

// incoming is one Slack message, from whichever event delivered it
// (app_mention, message, message_changed).
type incoming struct {
	team, channel, user, botID, text, ts, threadTS string
	// im is a direct message; mpim a group DM, treated as a DM too.
	im, mpim bool
}

func (in incoming) dm() bool { return in.im || in.mpim }

// key identifies the message: Slack delivers one message in several events
// (app_mention and message.mpim, redeliveries), all handled once.
func (in incoming) key() string { return in.channel + "/" + in.ts }

// rememberFor is how long the adapter remembers that it answered a message
// and that it answered an edit of one: an edit a day later is answered as
// the bot would answer a new message.
const rememberFor = 24 * time.Hour

// answeredKey and reansweredKey are the adapter's keys in the core's state.
func (in incoming) answeredKey() string   { return "answered\x00" + in.key() }
func (in incoming) reansweredKey() string { return "reanswered\x00" + in.key() }

// eventJob is the job of one Events API callback. Its apology goes to the
// user privately, and only when they spoke to the bot.
func (a *Adapter) eventJob(ev slackevents.EventsAPIEvent) job {
	return job{
		kind: "event",
		run:  func(ctx context.Context) { a.handleEventsAPI(ctx, ev) },
		sorry: func(ctx context.Context) {
			if in, ok := a.addressedBy(ev); ok {
				a.notice(ctx, in, sorryText)
			}
		},
	}
}

// handleEventsAPI handles one Events API callback. Slack redelivers events
// it thinks were lost (HTTP retries, envelopes resent after a reconnect),
// and delivers a message mentioning the bot in a group DM both as
// app_mention and as message.mpim: each message is handled once by the
// core, which claims its key (channel/ts, Message.EventID) in the state
// every instance shares, and an edit once by its re-answer claim. Nothing
// reaches Slack before either, so the adapter keeps no event IDs of its own.
func (a *Adapter) handleEventsAPI(ctx context.Context, ev slackevents.EventsAPIEvent) {
	switch inner := ev.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		in, edited := mentionOf(inner)
		in.team = ev.TeamID
		a.handleMention(ctx, in, edited)
	case *slackevents.MessageEvent:
		a.handleMessage(ctx, ev.TeamID, inner)
	}
}

func mentionOf(ev *slackevents.AppMentionEvent) (incoming, bool) {
	return incoming{channel: ev.Channel, user: ev.User, botID: ev.BotID, text: ev.Text,
		ts: ev.TimeStamp, threadTS: ev.ThreadTimeStamp}, ev.Edited != nil
}

// handleMention answers "@espbot question" in the thread of the mention. An
// edited mention (Slack sends app_mention again when an edit adds the
// mention) is an edit.
func (a *Adapter) handleMention(ctx context.Context, in incoming, edited bool) {
	if edited {
		a.handleEdit(ctx, in)
		return
	}
	a.reply(ctx, in, a.message(in))
}

// handleMessage answers direct and group messages (with a file attached
// too), and un-mentioned questions in auto channels. Mentions in channels
// arrive as app_mention too and are answered there.
func (a *Adapter) handleMessage(ctx context.Context, team string, ev *slackevents.MessageEvent) {
	in := incoming{team: team, channel: ev.Channel, im: ev.ChannelType == slackevents.ChannelTypeIM,
		mpim: ev.ChannelType == slackevents.ChannelTypeMPIM}
	switch ev.SubType {
	case "", "thread_broadcast", "file_share":
		in.user, in.botID, in.text, in.ts, in.threadTS = ev.User, ev.BotID, ev.Text, ev.TimeStamp, ev.ThreadTimeStamp
	case "message_changed":
		if edit, ok := editOf(ev); ok {
			in.user, in.botID, in.text, in.ts, in.threadTS = edit.User, edit.BotID, edit.Text, edit.Timestamp, edit.ThreadTimestamp
			a.handleEdit(ctx, in)
		}
		return
	default:
		return // deletions, joins, bot_message...
	}
	m := a.message(in)
	if !in.dm() && (m.MentionsBot || a.bot.PolicyFor(bot.Slack, in.channel) != bot.PolicyAuto) {
		return
	}
	a.reply(ctx, in, m)
}

// editOf returns the new version of an edited message, unless the text did
// not change (Slack also sends message_changed for unfurls and metadata).
func editOf(ev *slackevents.MessageEvent) (*slack.Msg, bool) {
	if ev.Message == nil || ev.Message.SubType == "bot_message" {
		return nil, false
	}
	if prev := ev.PreviousMessage; prev != nil && prev.Text == ev.Message.Text {
		return nil, false
	}
	return ev.Message, true
}

// handleEdit answers an edited question once, if the edit addresses the
// bot (a DM, a mention, an auto channel) and the bot has not answered the
// message yet: the edit added the mention, or fixed a question the bot
// could not answer.
func (a *Adapter) handleEdit(ctx context.Context, in incoming) {
	m := a.message(in)
	if m.AuthorIsBot || m.AuthorIsSelf || a.bot.Recall(ctx, bot.Slack, in.answeredKey()) != "" {
		return
	}
	if !in.dm() && !m.MentionsBot && a.bot.PolicyFor(bot.Slack, in.channel) != bot.PolicyAuto {
		return
	}
	// Claimed, not only the core's event: app_mention and message_changed
	// both come for one edit, and a second edit is not answered again.
	if !a.bot.Claim(ctx, bot.Slack, in.reansweredKey(), rememberFor) {
		return
	}
	m.EventID += "/edit"
	a.reply(ctx, in, m)
}

// message translates in for the core.
func (a *Adapter) message(in incoming) bot.Message {
	self := a.identity()
	return bot.Message{
		Platform:     bot.Slack,
		EventID:      in.key(),
		Guild:        firstNonEmpty(in.team, self.teamID),
		Channel:      in.channel,
		Thread:       firstNonEmpty(in.threadTS, in.ts),
		User:         in.user,
		Text:         in.text,
		IsDM:         in.dm(),
		MentionsBot:  self.userID != "" && strings.Contains(in.text, "<@"+self.userID+">"),
		AuthorIsBot:  in.botID != "",
		AuthorIsSelf: isSelf(self, in.user, in.botID),
	}
}

// addressedBy returns the message of a callback when its author spoke to
// the bot (a mention or a DM), for apologies.
func (a *Adapter) addressedBy(ev slackevents.EventsAPIEvent) (incoming, bool) {
	switch ev := ev.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		in, _ := mentionOf(ev)
		return in, ev.BotID == "" && ev.User != ""
	case *slackevents.MessageEvent:
		in := incoming{channel: ev.Channel, user: ev.User, ts: ev.TimeStamp, threadTS: ev.ThreadTimeStamp,
			im: ev.ChannelType == slackevents.ChannelTypeIM, mpim: ev.ChannelType == slackevents.ChannelTypeMPIM}
		if ev.Message != nil && ev.SubType == "message_changed" {
			in.user, in.ts, in.threadTS = ev.Message.User, ev.Message.Timestamp, ev.Message.ThreadTimestamp
		}
		return in, in.dm() && in.user != "" && ev.BotID == ""
	}
	return incoming{}, false
}

func isSelf(self identity, user, botID string) bool {
	return (user != "" && user == self.userID) || (botID != "" && botID == self.botID)
}

// reply asks the core and posts its reply: in the message's thread in
// channels, in the conversation in DMs (unless the user threaded). Only
// answers are posted for un-mentioned messages in auto channels: there,
// "no match" is silence. Notices (slow down, apologies) go privately to the
// asker, except in a one-to-one DM, which is private anyway.
func (a *Adapter) reply(ctx context.Context, in incoming, m bot.Message) {
	if m.AuthorIsBot || m.AuthorIsSelf {
		return // checked here too: answering bots can loop forever
	}
	r := a.bot.Handle(ctx, m)
	if r.Kind == bot.KindIgnore {
		return
	}
	if !m.IsDM && !m.MentionsBot && r.Kind != bot.KindAnswer {
		return
	}
	ephemeral := r.Ephemeral || (r.Kind == bot.KindNotice && !in.im)
	msg := render(r, renderOpts{asker: m.User, query: r.Query, dismiss: !ephemeral})
	if len(msg.Blocks) == 0 {
		return
	}
	thread := m.Thread
	if in.dm() {
		thread = in.threadTS // a DM is a conversation: thread only if the user did
	}
	if r.Kind == bot.KindAnswer && !ephemeral {
		// Before posting: an edit may follow the answer at once. The note is
		// written off the reply path; this instance sees it at once.
		a.bot.Remember(ctx, bot.Slack, in.answeredKey(), "1", rememberFor)
	}
	if err := a.post(ctx, in.channel, thread, m.User, ephemeral, msg); err != nil {
		a.fail("post", err)
	}
}

// notice tells the author of in something privately, in their thread.
func (a *Adapter) notice(ctx context.Context, in incoming, text string) {
	thread := firstNonEmpty(in.threadTS, in.ts)
	if in.dm() {
		thread = in.threadTS
	}
	if err := a.post(ctx, in.channel, thread, in.user, true, noticeMessage(text)); err != nil {
		a.fail("post", err)
	}
}

// post sends msg to channel (in thread, if set): to user only when
// ephemeral. Public posts are posted once whatever the failures (postOnce).
func (a *Adapter) post(ctx context.Context, channel, thread, user string, ephemeral bool, msg message) error {
	opts := append(msg.options(), slack.MsgOptionDisableLinkUnfurl(), slack.MsgOptionDisableMediaUnfurl())
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	if ephemeral {
		_, err := a.api.PostEphemeralContext(ctx, channel, user, opts...)
		return err
	}
	_, err := a.postOnce(ctx, channel, thread, msg, opts)
	return err
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
