package discord

import (
	"context"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/espbot/espbot/bot"
)

// The slash command: /faq question:<text>.
const (
	commandName    = "faq"
	questionOption = "question"
)

// commands is what start-up registers, by bulk overwrite: the overwrite
// also removes commands of older versions.
func commands() []*discordgo.ApplicationCommand {
	return []*discordgo.ApplicationCommand{{
		Name:        commandName,
		Description: "Ask the ESP32/ESP8266 networking FAQ",
		Options: []*discordgo.ApplicationCommandOption{{
			Type:         discordgo.ApplicationCommandOptionString,
			Name:         questionOption,
			Description:  "Your question, or pick an FAQ entry",
			Required:     true,
			Autocomplete: true,
			MaxLength:    500,
		}},
	}}
}

// registerCommands overwrites the application's commands, globally or in
// each configured guild. A failure is logged, not fatal: mentions and DMs
// still work without the slash command.
func (a *Adapter) registerCommands() {
	app := a.id(&a.appID)
	if app == "" {
		a.log.Error("READY carried no application ID: /faq not registered")
		return
	}
	guilds := a.cfg.CommandGuilds
	if len(guilds) == 0 {
		guilds = []string{""} // global
	}
	for _, g := range guilds {
		a.retry(a.work, "register_commands", func() error {
			_, err := a.sess.ApplicationCommandBulkOverwrite(app, g, commands(), discordgo.WithContext(a.work))
			return err
		})
	}
}

// onInteractionCreate hands an interaction to a tracked goroutine. Discord
// wants a response within 3 seconds; the core answers in microseconds, so
// every interaction is answered directly, without deferring.
func (a *Adapter) onInteractionCreate(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
	if ic.Interaction == nil {
		return
	}
	a.spawn(func(ctx context.Context) { a.handleInteraction(ctx, ic.Interaction) })
}

func (a *Adapter) handleInteraction(ctx context.Context, i *discordgo.Interaction) {
	if !a.allowedGuild(i.GuildID) {
		a.respondText(ctx, i, "espbot does not answer in this server.")
		return
	}
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		a.handleCommand(ctx, i)
	case discordgo.InteractionApplicationCommandAutocomplete:
		a.handleAutocomplete(ctx, i)
	case discordgo.InteractionMessageComponent:
		a.handleComponent(ctx, i)
	}
}

// interactionUser is who clicked or typed: Member in guilds, User in DMs.
func interactionUser(i *discordgo.Interaction) string {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User.ID
	}
	if i.User != nil {
		return i.User.ID
	}
	return ""
}

// handleCommand answers /faq. A question that is an entry ID (what
// autocomplete submits when a title is picked) shows that entry.
func (a *Adapter) handleCommand(ctx context.Context, i *discordgo.Interaction) {
	data := i.ApplicationCommandData()
	if data.Name != commandName {
		a.respondText(ctx, i, "Unknown command.")
		return
	}
	q := ""
	if opt := data.GetOption(questionOption); opt != nil {
		q = opt.StringValue()
	}
	user := interactionUser(i)
	var reply bot.Reply
	if e, ok := a.bot.Index().Entry(q); ok {
		reply = a.bot.Show(e.ID)
	} else {
		reply = a.bot.Handle(ctx, bot.Message{
			Platform: bot.Discord, EventID: i.ID, Guild: i.GuildID, Channel: i.ChannelID,
			User: user, Text: q, IsDM: i.GuildID == "", Command: true,
		})
	}
	if reply.Kind == bot.KindIgnore {
		a.respondText(ctx, i, "I have nothing to add to that right now.")
		return
	}
	if reply.Query == "" && reply.Kind != bot.KindAnswer {
		reply.Query = q
	}
	ephemeral := a.cfg.Ephemeral || reply.Ephemeral
	out := render(reply, renderOpts{Asker: user, ShowQuery: reply.Kind == bot.KindAnswer && reply.Query != "", Ephemeral: ephemeral})
	a.respond(ctx, i, discordgo.InteractionResponseChannelMessageWithSource, out, ephemeral)
}

// handleAutocomplete offers entry titles for what has been typed so far.
// The value of a choice is the entry's ID, so picking one shows exactly that
// entry.
func (a *Adapter) handleAutocomplete(ctx context.Context, i *discordgo.Interaction) {
	typed := ""
	for _, opt := range i.ApplicationCommandData().Options {
		if opt.Focused {
			typed = opt.StringValue()
		}
	}
	alts := a.bot.Complete(typed, maxChoices)
	if len(alts) == 0 && typed == "" {
		for _, e := range a.bot.Index().Entries() {
			if len(alts) == maxChoices {
				break
			}
			alts = append(alts, bot.Alternative{ID: e.ID, Title: e.Title})
		}
	}
	choices := make([]*discordgo.ApplicationCommandOptionChoice, 0, len(alts)+1)
	if len(alts) == 0 && strings.TrimSpace(typed) != "" {
		// Nothing matches yet: offer to ask the text as typed (Discord wants
		// at least one choice, and an empty list reads as "broken").
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{
			Name: truncateRunes("Ask: "+strings.Join(strings.Fields(typed), " "), maxChoiceText), Value: truncateRunes(typed, maxChoiceText),
		})
	}
	for _, alt := range alts {
		if len(choices) == maxChoices {
			break
		}
		value := alt.ID
		if runes(value) > maxChoiceText {
			value = truncateRunes(alt.Title, maxChoiceText)
		}
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: truncateRunes(alt.Title, maxChoiceText), Value: value})
	}
	resp := &discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices},
	}
	a.retry(ctx, "autocomplete", func() error {
		return a.sess.InteractionRespond(i, resp, discordgo.WithContext(ctx))
	})
}

// respond answers an interaction with a rendered reply.
func (a *Adapter) respond(ctx context.Context, i *discordgo.Interaction, typ discordgo.InteractionResponseType, out outgoing, ephemeral bool) {
	data := &discordgo.InteractionResponseData{
		Content:         out.Content,
		Embeds:          out.Embeds,
		Components:      out.Components,
		AllowedMentions: noMentions(),
	}
	if ephemeral {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	if data.Embeds == nil {
		data.Embeds = []*discordgo.MessageEmbed{}
	}
	if data.Components == nil {
		data.Components = []discordgo.MessageComponent{}
	}
	resp := &discordgo.InteractionResponse{Type: typ, Data: data}
	a.retry(ctx, "interaction", func() error {
		return a.sess.InteractionRespond(i, resp, discordgo.WithContext(ctx))
	})
}

// respondText answers an interaction with a short message only the user sees.
func (a *Adapter) respondText(ctx context.Context, i *discordgo.Interaction, text string) {
	a.respond(ctx, i, discordgo.InteractionResponseChannelMessageWithSource, outgoing{Content: text}, true)
}
