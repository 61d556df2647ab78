package slack

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/knowledge"
)

// Slack's Block Kit limits (https://docs.slack.dev/reference/block-kit).
const (
	maxBlocks       = 50
	maxSectionText  = 3000
	maxHeaderText   = 150
	maxButtonText   = 75
	maxOptionText   = 75
	maxOptionValue  = 150
	maxSelectOption = 100
	maxSuggestions  = 3
	maxFallback     = 500
	maxQueryShown   = 200
)

// Action IDs of the buttons and menus the renderer creates; the interaction
// handlers dispatch on them.
const (
	actionUp      = "faq_up"
	actionDown    = "faq_down"
	actionOther   = "faq_other"
	actionShare   = "faq_share"
	actionPick    = "faq_pick_" // + index: action IDs must be unique per block
	blockActions  = "faq_actions"
	blockSuggest  = "faq_suggestions"
	responseShare = "in_channel"
)

// message is a rendered reply: Block Kit blocks plus the fallback text shown
// in notifications and by clients that cannot draw blocks.
type message struct {
	Text   string        `json:"text"`
	Blocks []slack.Block `json:"blocks"`
}

// renderOpts are the per-surface choices of render.
type renderOpts struct {
	// share adds a "Share in channel" button (ephemeral slash answers).
	share bool
}

// render turns a core reply into a Slack message. It is pure: the same reply
// always gives the same JSON, which the golden tests rely on.
func render(r bot.Reply, o renderOpts) message {
	switch r.Kind {
	case bot.KindAnswer:
		if r.Entry != nil {
			return renderAnswer(r, o)
		}
	case bot.KindSuggestions, bot.KindNoMatch:
		return renderSuggestions(r)
	case bot.KindHelp, bot.KindNotice:
		return renderNotice(r)
	}
	return message{}
}

// renderAnswer: header, answer sections, context, actions.
func renderAnswer(r bot.Reply, o renderOpts) message {
	e := r.Entry
	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, truncate(e.Title, maxHeaderText), false, false)),
	}
	parts := docParts(e.Body)
	sections := packSections(parts, maxSectionText)
	if len(sections) == 0 {
		sections = []string{"_(no answer text)_"}
	}
	room := maxBlocks - 3 // header, context, actions
	if len(sections) > room {
		sections = append(sections[:room-1], "_The answer is too long for Slack; see the FAQ page "+escape(e.Source.Path)+"._")
	}
	for _, s := range sections {
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, s, false, false), nil, nil))
	}
	blocks = append(blocks, contextBlock(e, r.Confidence), answerActions(e, r.Alternatives, o))
	return message{Text: fallback(e.Title, firstProse(parts)), Blocks: blocks}
}

// contextBlock shows category, chips, confidence and the entry ID (people
// can type it to "show" the entry again).
func contextBlock(e *knowledge.Entry, confidence float64) *slack.ContextBlock {
	var bits []string
	if e.Category != "" {
		bits = append(bits, "*"+escape(e.Category)+"*")
	}
	if len(e.Chips) > 0 {
		bits = append(bits, escape(strings.Join(e.Chips, ", ")))
	}
	bits = append(bits, fmt.Sprintf("confidence %d%%", int(confidence*100+0.5)))
	if e.ID != "" {
		bits = append(bits, "ID `"+escape(e.ID)+"`")
	}
	return slack.NewContextBlock("faq_context", slack.NewTextBlockObject(slack.MarkdownType, strings.Join(bits, "  ·  "), false, false))
}

// answerActions: thumbs, the "Other answers" menu and, for ephemeral answers,
// "Share in channel". Every control carries the entry ID it is about.
func answerActions(e *knowledge.Entry, alts []bot.Alternative, o renderOpts) *slack.ActionBlock {
	id := truncateBytes(e.ID, maxOptionValue)
	els := []slack.BlockElement{
		slack.NewButtonBlockElement(actionUp, id, plain(":+1: Helpful")),
		slack.NewButtonBlockElement(actionDown, id, plain(":-1: Not helpful")),
	}
	var opts []*slack.OptionBlockObject
	for _, a := range alts {
		if a.ID == e.ID || a.ID == "" || len(opts) == maxSelectOption {
			continue
		}
		opts = append(opts, slack.NewOptionBlockObject(truncateBytes(a.ID, maxOptionValue), plain(truncate(a.Title, maxOptionText)), nil))
	}
	if len(opts) > 0 {
		els = append(els, slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Other answers"), actionOther, opts...))
	}
	if o.share {
		els = append(els, slack.NewButtonBlockElement(actionShare, id, plain("Share in channel")).WithStyle(slack.StylePrimary))
	}
	return slack.NewActionBlock(blockActions, els...)
}

// renderSuggestions: a short line plus up to three suggestion buttons.
func renderSuggestions(r bot.Reply) message {
	text := docText(r.Body)
	if text == "" {
		q := escape(truncate(strings.TrimSpace(r.Query), maxQueryShown))
		switch {
		case len(r.Alternatives) > 0 && q != "":
			text = "I'm not sure I have an answer to “" + q + "”. Did you mean one of these?"
		case len(r.Alternatives) > 0:
			text = "Did you mean one of these?"
		case q != "":
			text = "Sorry, I found nothing about “" + q + "” in the FAQ."
		default:
			text = "Sorry, I found nothing about that in the FAQ."
		}
	}
	if r.Title != "" {
		text = "*" + escape(r.Title) + "*\n" + text
	}
	sections := packSections([]part{{text: text}}, maxSectionText)
	blocks := sectionBlocks(sections, maxBlocks-1)
	var els []slack.BlockElement
	for i, a := range r.Alternatives {
		if i == maxSuggestions {
			break
		}
		els = append(els, slack.NewButtonBlockElement(fmt.Sprintf("%s%d", actionPick, i), truncateBytes(a.ID, maxOptionValue), plain(truncate(a.Title, maxButtonText))))
	}
	if len(els) > 0 {
		blocks = append(blocks, slack.NewActionBlock(blockSuggest, els...))
	}
	return message{Text: fallback("", sections[0]), Blocks: blocks}
}

// renderNotice: help, list and notices: a bold title and the body.
func renderNotice(r bot.Reply) message {
	text := docText(r.Body)
	if r.Title != "" {
		text = strings.TrimSpace("*" + escape(r.Title) + "*\n" + text)
	}
	if text == "" {
		return message{}
	}
	sections := packSections([]part{{text: text}}, maxSectionText)
	return message{Text: fallback("", sections[0]), Blocks: sectionBlocks(sections, maxBlocks)}
}

// docText renders a whole Doc as one mrkdwn text (to be split later).
func docText(d knowledge.Doc) string {
	var out []string
	for _, p := range docParts(d) {
		if p.code {
			out = append(out, fence(p.text))
		} else {
			out = append(out, p.text)
		}
	}
	return strings.Join(out, "\n\n")
}

func sectionBlocks(sections []string, room int) []slack.Block {
	if len(sections) > room {
		sections = sections[:room]
	}
	var blocks []slack.Block
	for _, s := range sections {
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, s, false, false), nil, nil))
	}
	return blocks
}

// firstProse is the first non-code part, for the notification text (a
// notification cut inside a code block reads badly).
func firstProse(parts []part) string {
	for _, p := range parts {
		if !p.code {
			return p.text
		}
	}
	return ""
}

// fallback is the notification text: the title and the start of the body.
func fallback(title, body string) string {
	out := escape(title)
	if out != "" && body != "" {
		out += "\n"
	}
	room := maxFallback - len(out)
	if room > 0 {
		out += splitText(body, room)[0]
	}
	return out
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, true, false)
}

// truncateBytes cuts s to at most n bytes on a rune boundary (IDs and
// option values are limited in bytes, not characters).
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return splitText(s, n)[0]
}
