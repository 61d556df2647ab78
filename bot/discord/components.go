package discord

import (
	"context"

	"github.com/bwmarrin/discordgo"

	"github.com/espbot/espbot/bot"
)

// handleComponent handles clicks on the buttons and the select menu of a
// reply. Everything it needs is in the custom ID and the clicked message.
func (a *Adapter) handleComponent(ctx context.Context, i *discordgo.Interaction) {
	data := i.MessageComponentData()
	act, ok := parseCustomID(data.CustomID)
	if !ok {
		a.respondText(ctx, i, "This button is no longer supported.")
		return
	}
	user := interactionUser(i)
	switch act.Verb {
	case verbUp, verbDown:
		a.handleThumb(ctx, i, act, user)
	case verbAlt:
		if len(data.Values) == 0 {
			a.respondText(ctx, i, "Pick an answer in the menu.")
			return
		}
		a.swap(ctx, i, act, data.Values[0], user)
	case verbShow:
		a.swap(ctx, i, act, act.Entry, user)
	case verbClose:
		a.handleDismiss(ctx, i, act, user)
	}
}

// handleThumb records a thumbs up or down and thanks the user privately.
func (a *Adapter) handleThumb(ctx context.Context, i *discordgo.Interaction, act action, user string) {
	kind, text := bot.ThumbsUp, "Thanks for the feedback!"
	if act.Verb == verbDown {
		kind, text = bot.ThumbsDown, "Thanks, noted that this answer did not help."
	}
	a.bot.RecordFeedback(ctx, bot.Feedback{Platform: bot.Discord, Channel: i.ChannelID, User: user, Kind: kind, EntryID: act.Entry})
	a.respondText(ctx, i, text)
}

// swap shows another entry (from the "Other answers" menu or a suggestion
// button). The asker's message is updated in place, the shown entry taking
// the chosen one's place in the menu; anybody else sees the entry privately,
// so one person's click does not change the answer for everyone.
func (a *Adapter) swap(ctx context.Context, i *discordgo.Interaction, act action, entryID, user string) {
	reply := a.bot.Show(entryID)
	if reply.Kind != bot.KindAnswer || reply.Entry == nil {
		a.respond(ctx, i, discordgo.InteractionResponseChannelMessageWithSource, render(reply, renderOpts{}), true)
		return
	}
	a.bot.RecordFeedback(ctx, bot.Feedback{Platform: bot.Discord, Channel: i.ChannelID, User: user, Kind: bot.OtherAnswer, EntryID: entryID})
	if act.Asker == "" || user != act.Asker || i.Message == nil {
		a.respond(ctx, i, discordgo.InteractionResponseChannelMessageWithSource, render(reply, renderOpts{Ephemeral: true}), true)
		return
	}
	reply.Alternatives = a.otherAnswers(i.Message, entryID)
	ephemeral := i.Message.Flags&discordgo.MessageFlagsEphemeral != 0
	out := render(reply, renderOpts{Asker: act.Asker, Ephemeral: ephemeral})
	if act.Verb == verbAlt {
		out.Content = i.Message.Content // keeps the question shown by /faq
	}
	a.respond(ctx, i, discordgo.InteractionResponseUpdateMessage, out, false)
}

// otherAnswers collects the entries a message offers (the answer shown, the
// menu's options, suggestion buttons) except chosen, the answer shown first.
func (a *Adapter) otherAnswers(m *discordgo.Message, chosen string) []bot.Alternative {
	var out []bot.Alternative
	seen := map[string]bool{chosen: true}
	add := func(id, title string) {
		if id == "" || seen[id] {
			return
		}
		seen[id] = true
		if e, ok := a.bot.Index().Entry(id); ok {
			title = e.Title
		}
		out = append(out, bot.Alternative{ID: id, Title: title})
	}
	shown, options := offered(m.Components)
	add(shown, "")
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

// handleDismiss deletes a reply, but only for the person who asked.
func (a *Adapter) handleDismiss(ctx context.Context, i *discordgo.Interaction, act action, user string) {
	if act.Asker == "" || user != act.Asker || i.Message == nil {
		a.respondText(ctx, i, "Only the person who asked can dismiss this answer.")
		return
	}
	shown, _ := offered(i.Message.Components)
	a.bot.RecordFeedback(ctx, bot.Feedback{Platform: bot.Discord, Channel: i.ChannelID, User: user, Kind: bot.Dismiss, EntryID: shown})
	// Acknowledge first (Discord's 3-second limit), then delete.
	ack := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
	if !a.retry(ctx, "interaction", func() error { return a.sess.InteractionRespond(i, ack, discordgo.WithContext(ctx)) }) {
		return
	}
	channel := i.Message.ChannelID
	if channel == "" {
		channel = i.ChannelID
	}
	a.retry(ctx, "delete", func() error {
		return a.sess.ChannelMessageDelete(channel, i.Message.ID, discordgo.WithContext(ctx))
	})
}
