package discord

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/espbot/espbot/bot"
)

// The commands: /faq question:<text>, and the message command "Ask espbot"
// (Apps > Ask espbot on any message).
const (
	commandName    = "faq"
	questionOption = "question"
	askCommandName = "Ask espbot"
)

// commands is what start-up registers, by bulk overwrite: the overwrite
// also removes commands of older versions.
func commands() []*discordgo.ApplicationCommand {
	return []*discordgo.ApplicationCommand{{
		Type:        discordgo.ChatApplicationCommand,
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
	}, {
		Type: discordgo.MessageApplicationCommand,
		Name: askCommandName,
	}}
}

// registerCommands overwrites the application's commands in their scope:
// each of Config.CommandGuilds, or globally. The other scope's copies are
// removed (globally here, per guild as guilds arrive), so that switching
// scopes does not leave two /faq. A failure is logged, not fatal: mentions
// and DMs still work without the commands.
func (a *Adapter) registerCommands(ctx context.Context) {
	app := a.identity().app
	if app == "" {
		a.log.Error("READY carried no application ID: /faq not registered")
		return
	}
	if len(a.cfg.CommandGuilds) == 0 {
		a.overwriteCommands(ctx, app, "", commands())
		return
	}
	for _, g := range a.cfg.CommandGuilds {
		a.overwriteCommands(ctx, app, g, commands())
	}
	a.overwriteCommands(ctx, app, "", nil)
}

func (a *Adapter) overwriteCommands(ctx context.Context, app, guild string, cmds []*discordgo.ApplicationCommand) {
	if cmds == nil {
		cmds = []*discordgo.ApplicationCommand{}
	}
	a.call(ctx, target{what: "register_commands", guild: guild}, func(opts ...discordgo.RequestOption) error {
		_, err := a.rest.ApplicationCommandBulkOverwrite(app, guild, cmds, opts...)
		return err
	})
}

// cleanGuildCommands removes the commands a guild still has from an older
// configuration (registered per guild) unless the guild is one espbot
// registers in. It runs once per guild, in the background.
func (a *Adapter) cleanGuildCommands(guild string) {
	if contains(a.cfg.CommandGuilds, guild) {
		return
	}
	if _, done := a.cleaned.LoadOrStore(guild, true); done {
		return
	}
	app := a.identity().app
	if app == "" {
		return
	}
	a.background("clean_commands", func(ctx context.Context) {
		var cmds []*discordgo.ApplicationCommand
		ok := a.call(ctx, target{what: "list_commands", guild: guild}, func(opts ...discordgo.RequestOption) (err error) {
			cmds, err = a.rest.ApplicationCommands(app, guild, opts...)
			return err
		})
		if ok && len(cmds) > 0 {
			a.log.Info("removing commands registered in a guild by an older configuration", "guild", guild, "commands", len(cmds))
			a.overwriteCommands(ctx, app, guild, nil)
		}
	})
}

// background runs f in a goroutine that shutdown waits for, outside the
// lanes and the event count.
func (a *Adapter) background(what string, f func(ctx context.Context)) {
	if !a.track() {
		return
	}
	go func() {
		defer a.inflight.Done()
		a.safely(what, func() { f(a.work) })
	}()
}

// pending is an interaction being answered. Discord takes one callback per
// interaction, within 3 seconds.
type pending struct {
	i *discordgo.Interaction
	// answered is set once the callback was made (or tried).
	answered atomic.Bool
	// plain is set when the bot may not embed links in the channel.
	plain bool
}

// onInteraction hands an interaction to the interaction lane, which
// message handlers never fill.
func (a *Adapter) onInteraction(data json.RawMessage) {
	i, ok := decode[discordgo.Interaction](a, "INTERACTION_CREATE", data)
	if !ok {
		return
	}
	p := &pending{i: i}
	a.spawn(a.actionSlots, "interaction", func(ctx context.Context) {
		if !p.answered.Load() && i.Type != discordgo.InteractionApplicationCommandAutocomplete {
			a.respondText(ctx, p, "Sorry, something went wrong on my side. Please try again later.")
		}
	}, func(ctx context.Context, _ *job) { a.handleInteraction(ctx, p) })
}

func (a *Adapter) handleInteraction(ctx context.Context, p *pending) {
	i := p.i
	if !a.allowedGuild(i.GuildID) {
		if i.Type == discordgo.InteractionApplicationCommandAutocomplete {
			a.respondChoices(ctx, p, nil)
			return
		}
		a.respondText(ctx, p, "espbot does not answer in this server.")
		return
	}
	if i.GuildID != "" {
		info, _ := a.state.channel(i.ChannelID)
		a.checkPerms(i.GuildID, i.ChannelID, i.AppPermissions, info.isThread())
		p.plain = i.AppPermissions&permEmbed == 0
	}
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		if i.ApplicationCommandData().CommandType == discordgo.MessageApplicationCommand {
			a.handleAsk(ctx, p)
			return
		}
		a.handleCommand(ctx, p)
	case discordgo.InteractionApplicationCommandAutocomplete:
		a.handleAutocomplete(ctx, p)
	case discordgo.InteractionMessageComponent:
		a.handleComponent(ctx, p)
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

// ask is what an interaction asks the core; pick is the entry picked
// instead of a question typed ("" for none).
func (a *Adapter) ask(ctx context.Context, i *discordgo.Interaction, text, pick string) bot.Reply {
	return a.bot.Handle(ctx, bot.Message{
		Platform: bot.Discord, EventID: i.ID, Guild: i.GuildID, Channel: i.ChannelID,
		User: interactionUser(i), Text: text, IsDM: i.GuildID == "", Command: true, Pick: pick,
	})
}

// handleCommand answers /faq. A question that is an entry ID (what
// autocomplete submits when a title is picked) is a pick, which goes
// through the core like typed questions (cooldowns, metrics, recording).
func (a *Adapter) handleCommand(ctx context.Context, p *pending) {
	data := p.i.ApplicationCommandData()
	if data.Name != commandName {
		a.respondText(ctx, p, "Unknown command.")
		return
	}
	q := ""
	if opt := data.GetOption(questionOption); opt != nil {
		q = opt.StringValue()
	}
	a.answerInTime(ctx, p, a.cfg.Ephemeral, func() prepared {
		reply := a.pickOrAsk(ctx, p.i, q)
		if reply.Query == "" && reply.Kind != bot.KindAnswer {
			reply.Query = q
		}
		// Only answers are worth showing the channel: no match and
		// suggestions stay with the asker.
		ephemeral := a.cfg.Ephemeral || reply.Ephemeral || reply.Kind == bot.KindNoMatch || reply.Kind == bot.KindSuggestions
		o := renderOpts{Asker: interactionUser(p.i), ShowQuery: reply.Kind == bot.KindAnswer && reply.Query != "", Ephemeral: ephemeral, Plain: p.plain}
		o.Share = ephemeral && reply.Kind == bot.KindAnswer
		return prepare(reply, o)
	})
}

// pickOrAsk asks the core q, or picks the entry q names.
func (a *Adapter) pickOrAsk(ctx context.Context, i *discordgo.Interaction, q string) bot.Reply {
	shown := a.bot.Show(strings.TrimSpace(q))
	if shown.Kind != bot.KindAnswer || shown.Entry == nil || !strings.EqualFold(shown.Entry.ID, strings.TrimSpace(q)) {
		return a.ask(ctx, i, q, "")
	}
	return a.ask(ctx, i, q, shown.Entry.ID)
}

// handleAsk answers the message command: the target message's text is the
// question. The answer is private, with "Share in channel".
func (a *Adapter) handleAsk(ctx context.Context, p *pending) {
	data := p.i.ApplicationCommandData()
	var target *discordgo.Message
	if data.Resolved != nil {
		target = data.Resolved.Messages[data.TargetID]
	}
	text := ""
	if target != nil {
		text = stripMention(target.Content, a.identity().user)
	}
	if text == "" {
		a.respondText(ctx, p, "That message has no text I can answer.")
		return
	}
	a.answerInTime(ctx, p, true, func() prepared {
		reply := a.ask(ctx, p.i, text, "")
		o := renderOpts{Asker: interactionUser(p.i), Ephemeral: true, Plain: p.plain}
		o.Share, o.ShareTarget = reply.Kind == bot.KindAnswer, data.TargetID
		return prepare(reply, o)
	})
}

// prepared is a rendered answer to an interaction.
type prepared struct {
	out       outgoing
	ephemeral bool
}

// prepare renders a reply for an interaction, which needs some answer even
// when the core has nothing to say.
func prepare(r bot.Reply, o renderOpts) prepared {
	if r.Kind == bot.KindIgnore {
		return prepared{out: outgoing{Content: "I have nothing to add to that right now."}, ephemeral: true}
	}
	return prepared{out: render(r, o), ephemeral: o.Ephemeral}
}

// answerInTime answers an interaction with what compute prepares. When
// that takes longer than deferAfter (a slow reload, a loaded machine), the
// interaction is deferred first (type 5, within Discord's 3 seconds) and
// the answer edited in when ready. ephemeral is the deferred message's
// visibility, which cannot change afterwards.
func (a *Adapter) answerInTime(ctx context.Context, p *pending, ephemeral bool, compute func() prepared) {
	res := make(chan prepared, 1)
	go func() {
		out := prepared{out: outgoing{Content: "Sorry, something went wrong on my side. Please try again later."}, ephemeral: true}
		defer func() { res <- out }()
		a.safely("interaction", func() { out = compute() })
	}()
	t := time.NewTimer(a.knobs.deferAfter)
	defer t.Stop()
	select {
	case pr := <-res:
		a.respondPrepared(ctx, p, pr)
		return
	case <-t.C:
	}
	data := &discordgo.InteractionResponseData{}
	if ephemeral {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	deferred := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource, Data: data}
	if !a.callback(ctx, p, deferred) {
		return
	}
	out := (<-res).out
	content, embeds, components := out.Content, nonNilEmbeds(out.Embeds), nonNilComponents(out.Components)
	edit := &discordgo.WebhookEdit{Content: &content, Embeds: &embeds, Components: &components, AllowedMentions: noMentions()}
	a.call(ctx, a.targetOf(p.i, "edit_response"), func(opts ...discordgo.RequestOption) error {
		_, err := a.rest.InteractionResponseEdit(p.i, edit, opts...)
		return err
	})
}

func (a *Adapter) respondPrepared(ctx context.Context, p *pending, pr prepared) {
	a.respond(ctx, p, discordgo.InteractionResponseChannelMessageWithSource, pr.out, pr.ephemeral)
}

// handleAutocomplete offers entry titles for what has been typed so far.
// The value of a choice is the entry's ID, so picking one shows exactly that
// entry.
func (a *Adapter) handleAutocomplete(ctx context.Context, p *pending) {
	typed := ""
	for _, opt := range p.i.ApplicationCommandData().Options {
		if opt.Focused {
			typed = opt.StringValue()
		}
	}
	alts := a.bot.Complete(typed, maxChoices)
	if len(alts) == 0 && strings.TrimSpace(typed) == "" {
		alts = a.bot.Titles(maxChoices)
	}
	choices := make([]*discordgo.ApplicationCommandOptionChoice, 0, len(alts)+1)
	if len(alts) == 0 && strings.TrimSpace(typed) != "" {
		// Nothing matches yet: offer to ask the text as typed (an empty list
		// reads as "broken").
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
	a.respondChoices(ctx, p, choices)
}

// choicesResponse is an autocomplete result. Discord wants "choices" even
// when empty, which discordgo's InteractionResponseData omits.
type choicesResponse struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data struct {
		Choices []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
	} `json:"data"`
}

// respondChoices answers autocomplete (type 8); an empty list is allowed.
func (a *Adapter) respondChoices(ctx context.Context, p *pending, choices []*discordgo.ApplicationCommandOptionChoice) {
	resp := choicesResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult}
	resp.Data.Choices = choices
	if resp.Data.Choices == nil {
		resp.Data.Choices = []*discordgo.ApplicationCommandOptionChoice{}
	}
	if p.answered.Swap(true) {
		return
	}
	ep := discordgo.EndpointInteractionResponse(p.i.ID, p.i.Token)
	a.call(ctx, a.targetOf(p.i, "autocomplete"), func(opts ...discordgo.RequestOption) error {
		_, err := a.rest.RequestWithBucketID(http.MethodPost, ep, resp, ep, opts...)
		return err
	})
}

// respond answers an interaction with a rendered reply.
func (a *Adapter) respond(ctx context.Context, p *pending, typ discordgo.InteractionResponseType, out outgoing, ephemeral bool) bool {
	data := &discordgo.InteractionResponseData{
		Content:         out.Content,
		Embeds:          nonNilEmbeds(out.Embeds),
		Components:      nonNilComponents(out.Components),
		AllowedMentions: noMentions(),
	}
	if ephemeral {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	return a.callback(ctx, p, &discordgo.InteractionResponse{Type: typ, Data: data})
}

// callback makes the interaction's one callback.
func (a *Adapter) callback(ctx context.Context, p *pending, resp *discordgo.InteractionResponse) bool {
	if p.answered.Swap(true) {
		a.log.Error("second response to an interaction suppressed (a bug)", a.targetOf(p.i, "interaction").attrs()...)
		return false
	}
	return a.call(ctx, a.targetOf(p.i, "interaction"), func(opts ...discordgo.RequestOption) error {
		return a.rest.InteractionRespond(p.i, resp, opts...)
	})
}

func (a *Adapter) targetOf(i *discordgo.Interaction, what string) target {
	return target{what: what, guild: i.GuildID, channel: i.ChannelID, interaction: i.ID}
}

// respondText answers an interaction with a short message only the user sees.
func (a *Adapter) respondText(ctx context.Context, p *pending, text string) {
	a.respond(ctx, p, discordgo.InteractionResponseChannelMessageWithSource, outgoing{Content: text}, true)
}

func nonNilEmbeds(e []*discordgo.MessageEmbed) []*discordgo.MessageEmbed {
	if e == nil {
		return []*discordgo.MessageEmbed{}
	}
	return e
}

func nonNilComponents(c []discordgo.MessageComponent) []discordgo.MessageComponent {
	if c == nil {
		return []discordgo.MessageComponent{}
	}
	return c
}
