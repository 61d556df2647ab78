package discord

import (
	"context"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/espbot/espbot/bot"
)

// handleComponent handles clicks on the buttons and the select menu of a
// reply. Everything it needs is in the custom ID and the clicked message.
func (a *Adapter) handleComponent(ctx context.Context, p *pending) {
	data := p.i.MessageComponentData()
	act, ok := parseCustomID(data.CustomID)
	if !ok {
		a.respondText(ctx, p, "This button is no longer supported.")
		return
	}
	user := interactionUser(p.i)
	switch act.Verb {
	case verbUp, verbDown:
		a.handleThumb(ctx, p, act, user)
	case verbAlt:
		if len(data.Values) == 0 {
			a.respondText(ctx, p, "Pick an answer in the menu.")
			return
		}
		a.swap(ctx, p, act, data.Values[0], user)
	case verbShow:
		a.swap(ctx, p, act, act.Entry, user)
	case verbClose:
		a.handleDismiss(ctx, p, act, user)
	case verbShare:
		a.handleShare(ctx, p, act, user)
	}
}

// feedback is a reaction to the answer a component is on.
func feedback(i *discordgo.Interaction, user string, kind bot.FeedbackKind, entry string) bot.Feedback {
	f := bot.Feedback{Platform: bot.Discord, Channel: i.ChannelID, User: user, Kind: kind, EntryID: entry}
	if i.Message != nil {
		// One vote per user per answer message.
		f.Answer = i.Message.ID
	}
	return f
}

// handleThumb records a thumbs up or down and thanks the user privately.
func (a *Adapter) handleThumb(ctx context.Context, p *pending, act action, user string) {
	kind, text := bot.ThumbsUp, "Thanks for the feedback!"
	if act.Verb == verbDown {
		kind, text = bot.ThumbsDown, "Thanks, noted that this answer did not help."
	}
	a.bot.RecordFeedback(ctx, feedback(p.i, user, kind, act.Entry))
	a.respondText(ctx, p, text)
}

// swap shows another entry (from the "Other answers" menu or a suggestion
// button). The asker's message is updated in place, the shown entry taking
// the chosen one's place in the menu; anybody else sees the entry privately,
// so one person's click does not change the answer for everyone.
func (a *Adapter) swap(ctx context.Context, p *pending, act action, entryID, user string) {
	i := p.i
	reply := a.bot.Show(entryID)
	if reply.Kind != bot.KindAnswer || reply.Entry == nil {
		a.respond(ctx, p, discordgo.InteractionResponseChannelMessageWithSource, render(reply, renderOpts{Plain: p.plain}), true)
		return
	}
	a.bot.RecordFeedback(ctx, feedback(i, user, bot.OtherAnswer, entryID))
	if act.Asker == "" || user != act.Asker || i.Message == nil {
		a.respond(ctx, p, discordgo.InteractionResponseChannelMessageWithSource, render(reply, renderOpts{Ephemeral: true, Share: true, Plain: p.plain}), true)
		return
	}
	reply.Alternatives = otherAnswers(i.Message, entryID)
	ephemeral := i.Message.Flags&discordgo.MessageFlagsEphemeral != 0
	out := render(reply, renderOpts{Asker: act.Asker, Ephemeral: ephemeral, Share: ephemeral, ShareTarget: shareTarget(i.Message), Plain: p.plain})
	if act.Verb == verbAlt && !p.plain {
		out.Content = i.Message.Content // keeps the question shown by /faq
	}
	a.respond(ctx, p, discordgo.InteractionResponseUpdateMessage, out, false)
}

// otherAnswers collects the entries a message offers (the answer shown, the
// menu's options, suggestion buttons) except chosen, the answer shown first.
func otherAnswers(m *discordgo.Message, chosen string) []bot.Alternative {
	var out []bot.Alternative
	seen := map[string]bool{chosen: true}
	add := func(id, title string) {
		if id == "" || seen[id] || title == "" {
			return
		}
		seen[id] = true
		out = append(out, bot.Alternative{ID: id, Title: title})
	}
	shown, options := offered(m.Components)
	add(shown, shownTitle(m))
	for _, o := range options {
		add(o.ID, o.Title)
	}
	return out
}

// offered reads a message's components: the entry of its thumbs buttons and
// the entries of its menu options and suggestion buttons.
func offered(rows []discordgo.MessageComponent) (shown string, options []bot.Alternative) {
	for _, r := range rows {
		for _, c := range rowComponents(r) {
			switch c := c.(type) {
			case *discordgo.Button:
				shown, options = offeredButton(*c, shown, options)
			case discordgo.Button:
				shown, options = offeredButton(c, shown, options)
			case *discordgo.SelectMenu:
				options = append(options, menuOptions(*c)...)
			case discordgo.SelectMenu:
				options = append(options, menuOptions(c)...)
			}
		}
	}
	return shown, options
}

func rowComponents(r discordgo.MessageComponent) []discordgo.MessageComponent {
	switch r := r.(type) {
	case *discordgo.ActionsRow:
		return r.Components
	case discordgo.ActionsRow:
		return r.Components
	}
	return nil
}

func offeredButton(b discordgo.Button, shown string, options []bot.Alternative) (string, []bot.Alternative) {
	act, ok := parseCustomID(b.CustomID)
	switch {
	case !ok:
	case act.Verb == verbUp:
		shown = act.Entry
	case act.Verb == verbShow:
		options = append(options, bot.Alternative{ID: act.Entry, Title: b.Label})
	}
	return shown, options
}

func menuOptions(s discordgo.SelectMenu) []bot.Alternative {
	if act, ok := parseCustomID(s.CustomID); !ok || act.Verb != verbAlt {
		return nil
	}
	out := make([]bot.Alternative, 0, len(s.Options))
	for _, o := range s.Options {
		out = append(out, bot.Alternative{ID: o.Value, Title: o.Label})
	}
	return out
}

// shownTitle is the title of the answer a message shows: its embed's, or
// the bold first line of a plain-text answer.
func shownTitle(m *discordgo.Message) string {
	if len(m.Embeds) > 0 && m.Embeds[0] != nil {
		return m.Embeds[0].Title
	}
	for _, line := range strings.Split(m.Content, "\n") {
		if t, ok := strings.CutPrefix(line, "**"); ok {
			return unescape(strings.TrimSuffix(t, "**"))
		}
	}
	return ""
}

// shareTarget is the message a shared answer answers, from the Share
// button of m.
func shareTarget(m *discordgo.Message) string {
	for _, r := range m.Components {
		for _, c := range rowComponents(r) {
			if b, ok := c.(*discordgo.Button); ok {
				if act, ok := parseCustomID(b.CustomID); ok && act.Verb == verbShare {
					return act.Asker
				}
			}
		}
	}
	return ""
}

// handleDismiss deletes a reply, for the person who asked or a moderator
// (Manage Messages in the channel).
func (a *Adapter) handleDismiss(ctx context.Context, p *pending, act action, user string) {
	i := p.i
	moderator := i.Member != nil && i.Member.Permissions&permManage != 0
	if i.Message == nil || ((act.Asker == "" || user != act.Asker) && !moderator) {
		a.respondText(ctx, p, "Only the person who asked, or a moderator, can dismiss this answer.")
		return
	}
	shown, _ := offered(i.Message.Components)
	a.bot.RecordFeedback(ctx, feedback(i, user, bot.Dismiss, shown))
	// Acknowledge first (Discord's 3-second limit), then delete.
	ack := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
	if !a.callback(ctx, p, ack) {
		return
	}
	channel := i.Message.ChannelID
	if channel == "" {
		channel = i.ChannelID
	}
	a.call(ctx, a.targetOf(i, "delete"), func(opts ...discordgo.RequestOption) error {
		return a.rest.ChannelMessageDelete(channel, i.Message.ID, opts...)
	})
}

// handleShare posts a private answer in the channel for everyone, as the
// clicker's: it links the message it answers, when there is one.
func (a *Adapter) handleShare(ctx context.Context, p *pending, act action, user string) {
	reply := a.bot.Show(act.Entry)
	out := render(reply, renderOpts{Asker: user, Plain: p.plain})
	if act.Asker != "" && p.i.GuildID != "" && reply.Kind == bot.KindAnswer {
		link := "https://discord.com/channels/" + p.i.GuildID + "/" + p.i.ChannelID + "/" + act.Asker
		out.Content = strings.TrimSpace("Answer to " + link + "\n" + out.Content)
	}
	a.respond(ctx, p, discordgo.InteractionResponseChannelMessageWithSource, out, reply.Kind != bot.KindAnswer)
}
