package discord

import (
	"fmt"
	"math"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/knowledge"
)

// Embed colours: Espressif red for answers, Discord blurple for help.
const (
	colorAnswer = 0xE7352C
	colorHelp   = 0x5865F2
)

// maxSuggestions is how many suggestion buttons a no-match reply offers.
const maxSuggestions = 3

// outgoing is a rendered reply, ready to become a channel message or an
// interaction response.
type outgoing struct {
	Content    string
	Embeds     []*discordgo.MessageEmbed
	Components []discordgo.MessageComponent
}

// renderOpts is what the renderer needs to know beyond the Reply.
type renderOpts struct {
	// Asker is the user who asked; only they may dismiss or swap the reply.
	// Empty hides the Dismiss button.
	Asker string
	// ShowQuery repeats the question above the answer: slash command
	// invocations do not show their arguments in the channel.
	ShowQuery bool
	// Ephemeral replies get no Dismiss button: users dismiss those themselves.
	Ephemeral bool
	// Share adds "Share in channel" to an answer (a private one);
	// ShareTarget is the message it answers, if any.
	Share       bool
	ShareTarget string
	// Plain renders without embeds, for channels where the bot lacks Embed
	// Links (Discord would show nothing of an embed).
	Plain bool
}

// render turns a Reply into Discord content, embeds and components. It is
// pure: the same Reply always gives the same message, within Discord's limits.
func render(r bot.Reply, o renderOpts) outgoing {
	var m outgoing
	switch r.Kind {
	case bot.KindAnswer:
		if r.Entry == nil {
			return renderNotice(r, o)
		}
		m = renderAnswer(r, o)
	case bot.KindSuggestions, bot.KindNoMatch:
		m = renderSuggestions(r, o)
	case bot.KindHelp:
		m = renderHelp(r, o)
	case bot.KindNotice:
		m = renderNotice(r, o)
	default:
		return outgoing{}
	}
	return m
}

func renderAnswer(r bot.Reply, o renderOpts) outgoing {
	e := r.Entry
	query := ""
	if o.ShowQuery && strings.TrimSpace(r.Query) != "" {
		query = "> " + escapeQuery(r.Query, 300)
	}
	if o.Plain {
		return outgoing{Content: plainAnswer(e, r.Confidence, query), Components: answerComponents(r, o)}
	}
	em := &discordgo.MessageEmbed{
		Type:   discordgo.EmbedTypeRich,
		Title:  truncateRunes(e.Title, maxEmbedTitle),
		URL:    webURL(e),
		Color:  colorAnswer,
		Footer: &discordgo.MessageEmbedFooter{Text: truncateRunes(footer(e, r.Confidence), maxFooter)},
	}
	em.Description, _ = shorten(markdownBlocks(e.Body), maxEmbedDescription, shortenedNote(e))
	if f := linksField(e.Links, em.Description, maxEmbedTotal-embedLength(em)); f != nil {
		em.Fields = []*discordgo.MessageEmbedField{f}
	}
	return outgoing{Content: query, Embeds: []*discordgo.MessageEmbed{em}, Components: answerComponents(r, o)}
}

// plainAnswer is an answer as message text: the question, the title in
// bold, the answer shortened to fit, links, and the footer as subtext.
func plainAnswer(e *knowledge.Entry, confidence float64, query string) string {
	var head []string
	if query != "" {
		head = append(head, query)
	}
	head = append(head, "**"+escape(truncateRunes(e.Title, maxEmbedTitle))+"**")
	foot := footer(e, confidence)
	if u := webURL(e); u != "" {
		foot = strings.TrimSpace(foot + " · <" + escapeURL(u) + ">")
	}
	if foot != "" {
		foot = "-# " + escape(truncateRunes(foot, 300))
	}
	budget := maxContent - runes(strings.Join(head, "\n")) - runes(foot) - 4
	body, _ := shorten(markdownBlocks(e.Body), budget*3/4, shortenedNote(e))
	const linksHead = "\n\n**Links**\n"
	if f := linksField(e.Links, body, budget-runes(body)-runes(linksHead)); f != nil {
		body += linksHead + f.Value
	}
	parts := append(head, body)
	if foot != "" {
		parts = append(parts, foot)
	}
	return strings.Join(parts, "\n")
}

// footer names the category, the chips and the confidence.
func footer(e *knowledge.Entry, confidence float64) string {
	parts := []string{}
	if e.Category != "" {
		parts = append(parts, e.Category)
	}
	if len(e.Chips) > 0 {
		parts = append(parts, strings.Join(e.Chips, ", "))
	}
	if confidence > 0 {
		parts = append(parts, fmt.Sprintf("confidence %d%%", int(math.Round(confidence*100))))
	}
	return strings.Join(parts, " · ")
}

// webURL is the entry's page on the published FAQ, the link of its title:
// "" when its page has none (Discord refuses an embed whose URL is not
// http or https).
func webURL(e *knowledge.Entry) string {
	if strings.HasPrefix(e.URL, "https://") || strings.HasPrefix(e.URL, "http://") {
		return e.URL
	}
	return ""
}

// shortenedNote says where the full entry is, for answers too long for
// Discord: its published page, else its page relative to the knowledge
// root (never the server's path).
func shortenedNote(e *knowledge.Entry) string {
	where := "the FAQ"
	if u := webURL(e); u != "" {
		where = "[the FAQ page](" + escapeURL(u) + ")"
	} else if e.Source.Page != "" {
		where = "`" + strings.ReplaceAll(e.Source.Page, "`", "'") + "`"
		if e.Source.Line > 0 {
			where += fmt.Sprintf(", line %d", e.Source.Line)
		}
	}
	return "_… shortened to fit Discord; the full answer is in " + where + "._"
}

// shorten joins blocks with blank lines, keeping whole blocks while they fit
// in max characters; when some are left out it ends with note. A first block
// too long on its own is cut at a line boundary (code fences are re-closed).
func shorten(blocks []string, max int, note string) (string, bool) {
	full := strings.Join(blocks, "\n\n")
	if runes(full) <= max {
		return full, false
	}
	budget := max - runes(note) - 2
	var kept []string
	used := 0
	for _, b := range blocks {
		n := runes(b)
		if len(kept) > 0 {
			n += 2
		}
		if used+n > budget {
			break
		}
		kept = append(kept, b)
		used += n
	}
	if len(kept) == 0 && len(blocks) > 0 {
		kept = append(kept, cutBlock(blocks[0], budget))
	}
	if len(kept) == 0 || kept[0] == "" {
		return note, true
	}
	return strings.Join(kept, "\n\n") + "\n\n" + note, true
}

// cutBlock cuts one rendered block to at most max characters at a line
// boundary, closing a code fence left open (at its indentation: fences
// nest in list items).
func cutBlock(b string, max int) string {
	lines := strings.Split(b, "\n")
	var kept []string
	used, inFence, indent := 0, false, ""
	for _, l := range lines {
		open, ind := inFence, indent
		if t := strings.TrimLeft(l, " "); strings.HasPrefix(t, "```") {
			open, ind = !inFence, l[:len(l)-len(t)]
		}
		closing := 0
		if open {
			closing = runes(ind) + 4
		}
		if used+runes(l)+1+closing > max {
			break
		}
		kept, used, inFence, indent = append(kept, l), used+runes(l)+1, open, ind
	}
	if inFence && len(kept) > 0 && strings.HasPrefix(strings.TrimLeft(kept[len(kept)-1], " "), "```") {
		kept, inFence = kept[:len(kept)-1], false // an empty code block says nothing
	}
	if len(kept) == 0 {
		if strings.HasPrefix(b, "```") {
			return ""
		}
		return truncateRunes(lines[0], max)
	}
	if inFence {
		kept = append(kept, indent+"```")
	}
	return strings.Join(kept, "\n")
}

// linksField lists the entry's links that the description does not already
// show (for example because it was shortened), within the field limit and
// the room left in the embed.
func linksField(links []knowledge.Link, description string, room int) *discordgo.MessageEmbedField {
	const name = "Links"
	limit := min(maxFieldValue, room-len(name))
	var lines []string
	used := 0
	for _, l := range links {
		if !strings.HasPrefix(l.URL, "https://") && !strings.HasPrefix(l.URL, "http://") {
			continue
		}
		if strings.Contains(description, escapeURL(l.URL)) {
			continue
		}
		line := "- " + link(l.Text, l.URL)
		n := runes(line) + 1
		if used+n > limit {
			break
		}
		lines = append(lines, line)
		used += n
	}
	if len(lines) == 0 {
		return nil
	}
	return &discordgo.MessageEmbedField{Name: name, Value: strings.Join(lines, "\n")}
}

// answerComponents are the feedback buttons, Dismiss, and the "Other
// answers" select listing the alternatives.
func answerComponents(r bot.Reply, o renderOpts) []discordgo.MessageComponent {
	buttons := []discordgo.MessageComponent{
		discordgo.Button{Style: discordgo.SecondaryButton, Emoji: &discordgo.ComponentEmoji{Name: "👍"}, CustomID: customID(action{Verb: verbUp, Entry: r.Entry.ID})},
		discordgo.Button{Style: discordgo.SecondaryButton, Emoji: &discordgo.ComponentEmoji{Name: "👎"}, CustomID: customID(action{Verb: verbDown, Entry: r.Entry.ID})},
	}
	if b, ok := dismissButton(o); ok {
		buttons = append(buttons, b)
	}
	if b, ok := shareButton(r.Entry.ID, o); ok {
		buttons = append(buttons, b)
	}
	rows := []discordgo.MessageComponent{discordgo.ActionsRow{Components: buttons}}
	var options []discordgo.SelectMenuOption
	for _, a := range r.Alternatives {
		if a.ID == r.Entry.ID || a.ID == "" || len(options) == maxSelectOptions {
			continue
		}
		options = append(options, discordgo.SelectMenuOption{
			Label: truncateRunes(a.Title, maxOptionText),
			Value: a.ID,
		})
	}
	if len(options) > 0 {
		rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.SelectMenu{
				MenuType:    discordgo.StringSelectMenu,
				CustomID:    customID(action{Verb: verbAlt, Asker: o.Asker}),
				Placeholder: "Other answers",
				Options:     options,
			},
		}})
	}
	return rows
}

func dismissButton(o renderOpts) (discordgo.Button, bool) {
	if o.Asker == "" || o.Ephemeral {
		return discordgo.Button{}, false
	}
	return discordgo.Button{Label: "Dismiss", Style: discordgo.SecondaryButton, CustomID: customID(action{Verb: verbClose, Asker: o.Asker})}, true
}

// shareButton posts a private answer for the whole channel.
func shareButton(entry string, o renderOpts) (discordgo.Button, bool) {
	if !o.Share {
		return discordgo.Button{}, false
	}
	id := customID(action{Verb: verbShare, Asker: o.ShareTarget, Entry: entry})
	if len(id) > maxCustomID {
		id = customID(action{Verb: verbShare, Entry: entry})
	}
	if len(id) > maxCustomID {
		return discordgo.Button{}, false
	}
	return discordgo.Button{Label: "Share in channel", Style: discordgo.PrimaryButton, CustomID: id}, true
}

// renderSuggestions is the no-match reply: a short sentence and up to three
// closest entries as buttons.
func renderSuggestions(r bot.Reply, o renderOpts) outgoing {
	var sb strings.Builder
	if t := strings.TrimSpace(r.Title); t != "" {
		sb.WriteString("**" + escape(t) + "**\n")
	}
	body := markdown(r.Body)
	q := escapeQuery(r.Query, 200)
	switch {
	case body != "":
		sb.WriteString(body)
	case r.Kind == bot.KindSuggestions && q != "":
		sb.WriteString("I'm not sure I have the answer to “" + q + "”. Is it one of these?")
	case r.Kind == bot.KindSuggestions:
		sb.WriteString("I'm not sure I have the answer. Is it one of these?")
	case q != "":
		sb.WriteString("Sorry, I found nothing about “" + q + "” in the FAQ.")
	default:
		sb.WriteString("Sorry, I found nothing about that in the FAQ.")
	}
	if r.Kind == bot.KindNoMatch && len(r.Alternatives) > 0 && body == "" {
		sb.WriteString(" The closest entries:")
	}
	m := outgoing{Content: truncateRunes(sb.String(), maxContent)}
	var buttons []discordgo.MessageComponent
	for _, a := range r.Alternatives {
		if len(buttons) == maxSuggestions {
			break
		}
		if a.ID == "" {
			continue
		}
		buttons = append(buttons, discordgo.Button{
			Label:    truncateRunes(a.Title, maxButtonLabel),
			Style:    discordgo.PrimaryButton,
			CustomID: customID(action{Verb: verbShow, Asker: o.Asker, Entry: a.ID}),
		})
	}
	if b, ok := dismissButton(o); ok && len(buttons) > 0 {
		buttons = append(buttons, b)
	}
	if len(buttons) > 0 {
		m.Components = []discordgo.MessageComponent{discordgo.ActionsRow{Components: buttons}}
	}
	return m
}

// renderHelp puts help text (commands, lists) in an embed.
func renderHelp(r bot.Reply, o renderOpts) outgoing {
	title := r.Title
	if title == "" {
		title = "espbot"
	}
	if o.Plain {
		head := "**" + escape(truncateRunes(title, maxEmbedTitle)) + "**\n"
		text, _ := shorten(markdownBlocks(r.Body), maxContent-runes(head), "_… (more than Discord can show)_")
		m := outgoing{Content: head + text}
		if b, ok := dismissButton(o); ok {
			m.Components = []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{b}}}
		}
		return m
	}
	desc, _ := shorten(markdownBlocks(r.Body), maxEmbedDescription, "_… (more than Discord can show)_")
	em := &discordgo.MessageEmbed{
		Type:        discordgo.EmbedTypeRich,
		Title:       truncateRunes(title, maxEmbedTitle),
		Description: desc,
		Color:       colorHelp,
	}
	m := outgoing{Embeds: []*discordgo.MessageEmbed{em}}
	if b, ok := dismissButton(o); ok {
		m.Components = []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{b}}}
	}
	return m
}

// renderNotice is a short plain message (rate limited, unknown entry...).
func renderNotice(r bot.Reply, _ renderOpts) outgoing {
	var parts []string
	if t := strings.TrimSpace(r.Title); t != "" {
		parts = append(parts, "**"+escape(t)+"**")
	}
	parts = append(parts, markdownBlocks(r.Body)...)
	text, _ := shorten(parts, maxContent, "…")
	if text == "" {
		text = "Sorry, I have nothing to say to that."
	}
	return outgoing{Content: text}
}
