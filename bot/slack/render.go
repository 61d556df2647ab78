package slack

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/knowledge"
)

// Slack's Block Kit limits (https://docs.slack.dev/reference/block-kit).
// Slack rejects a message over any of them (invalid_blocks), so the renderer
// stays within all of them.
const (
	maxBlocks       = 50
	maxSectionText  = 3000
	maxHeaderText   = 150
	maxButtonText   = 75
	maxOptionText   = 75
	maxOptionValue  = 150
	maxSelectOption = 100
	maxBlockID      = 255
	maxSuggestions  = 3
	maxFallback     = 500
	maxQueryShown   = 200
	maxNameShown    = 80
	// maxMessageText bounds the text of all blocks of a message together.
	// Slack answers msg_blocks_too_long from about 12,000 characters (the
	// exact figure depends on the blocks); counting bytes, not characters,
	// and keeping 1,000 in hand stays clear of it.
	maxMessageText = 11000
)

// Action IDs of the buttons and menus the renderer creates; the interaction
// handlers dispatch on them.
const (
	actionUp      = "faq_up"
	actionDown    = "faq_down"
	actionOther   = "faq_other"
	actionShare   = "faq_share"
	actionDismiss = "faq_dismiss"
	actionPick    = "faq_pick_" // + index: action IDs must be unique per block
	blockActions  = "faq_actions"
	blockSuggest  = "faq_suggestions"
	blockContext  = "faq_context"
	// noEntry is the value of controls about no entry (Slack requires one).
	noEntry = "-"
)

// message is a rendered reply: Block Kit blocks plus the fallback text shown
// in notifications and by clients that cannot draw blocks.
type message struct {
	Text   string        `json:"text"`
	Blocks []slack.Block `json:"blocks"`
}

// renderOpts are the per-surface choices of render.
type renderOpts struct {
	// share adds a "Share in channel" button (answers only the asker sees).
	share bool
	// dismiss adds a "Dismiss" button (in-channel answers; only the asker
	// may use it).
	dismiss bool
	// asker and query travel in the reply's controls (see replyState).
	asker, query string
	// picked: the entry was chosen from a menu, so no confidence is shown.
	picked bool
	// sharedBy names who shared the answer in the channel; the context then
	// says who and for which question instead of a confidence.
	sharedBy string
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
		return renderSuggestions(r, o)
	case bot.KindHelp, bot.KindNotice:
		return renderNotice(r)
	}
	return message{}
}

// renderAnswer: title, answer sections, context, actions. The sections get
// what the other blocks leave of the message's text budget.
func renderAnswer(r bot.Reply, o renderOpts) message {
	e := r.Entry
	title := titleBlock(e)
	ctx := contextBlock(e, r.Confidence, o)
	acts := answerActions(e, r.Alternatives, o)
	fixed := blockTextLen(title) + blockTextLen(ctx) + blockTextLen(acts)
	parts := docParts(e.Body)
	sections := packSections(parts, maxSectionText)
	if len(sections) == 0 {
		sections = []string{"_(no answer text)_"}
	}
	sections = fitSections(sections, maxMessageText-fixed, maxBlocks-3, shortenedNote(e))
	blocks := []slack.Block{title}
	blocks = append(blocks, sectionBlocks(sections)...)
	blocks = append(blocks, ctx, acts)
	return message{Text: fallback(fallbackTitle(e), firstProse(parts)), Blocks: blocks}
}

// fallbackTitle is the title of the notification text: linked as in the
// blocks while the link fits the fallback's limit (anchors of long titles
// are long too).
func fallbackTitle(e *knowledge.Entry) string {
	if t := titleText(e, maxHeaderText); len(t) <= maxFallback {
		return t
	}
	return escape(truncate(e.Title, maxHeaderText))
}

// titleBlock is the answer's title: a bold link to the entry on the
// published FAQ (a header's plain text cannot link), or a header when its
// page has no web address.
func titleBlock(e *knowledge.Entry) slack.Block {
	if e.URL == "" {
		return slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, truncate(e.Title, maxHeaderText), false, false))
	}
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*"+titleText(e, maxHeaderText)+"*", false, false), nil, nil)
}

// titleText is the title cut to n characters as mrkdwn, linked to the
// entry's published page when it has one.
func titleText(e *knowledge.Entry, n int) string {
	t := truncate(e.Title, n)
	if e.URL == "" {
		return escape(t)
	}
	return "<" + linkURL(e.URL) + "|" + linkText(t) + ">"
}

// shortenedNote says where the full entry is, for answers too long for
// Slack: its published page, else its page relative to the knowledge root
// (never the server's path).
func shortenedNote(e *knowledge.Entry) string {
	where := "in the FAQ"
	switch {
	case e.URL != "":
		where = "on <" + linkURL(e.URL) + "|the FAQ page>"
	case e.Source.Page != "":
		where = "in `" + escape(strings.ReplaceAll(e.Source.Page, "`", "'")) + "`"
		if e.Source.Line > 0 {
			where += fmt.Sprintf(", line %d", e.Source.Line)
		}
	}
	return "_… shortened to fit Slack; the full answer is " + where + "._"
}

// contextBlock shows category, chips, the confidence (or who shared the
// answer, and for which question) and the entry ID (people can type it to
// "show" the entry again).
func contextBlock(e *knowledge.Entry, confidence float64, o renderOpts) *slack.ContextBlock {
	var bits []string
	if o.sharedBy != "" {
		shared := "Shared by *" + escape(truncate(o.sharedBy, maxNameShown)) + "*"
		if q := strings.TrimSpace(o.query); q != "" {
			shared += " for “" + escape(truncate(q, maxQueryShown)) + "”"
		}
		bits = append(bits, shared)
	}
	if e.Category != "" {
		bits = append(bits, "*"+escape(e.Category)+"*")
	}
	if len(e.Chips) > 0 {
		bits = append(bits, escape(strings.Join(e.Chips, ", ")))
	}
	if o.sharedBy == "" && !o.picked {
		bits = append(bits, fmt.Sprintf("confidence %d%%", int(confidence*100+0.5)))
	}
	if e.ID != "" {
		bits = append(bits, "ID `"+escape(e.ID)+"`")
	}
	return slack.NewContextBlock(blockContext, slack.NewTextBlockObject(slack.MarkdownType, strings.Join(bits, "  ·  "), false, false))
}

// answerActions: thumbs, the "Other answers" menu, "Share in channel" for
// answers only the asker sees, and "Dismiss" for in-channel ones. Every
// control names its entry in its value; the block ID carries the rest
// (replyState).
func answerActions(e *knowledge.Entry, alts []bot.Alternative, o renderOpts) *slack.ActionBlock {
	id := truncateBytes(e.ID, maxOptionValue)
	els := []slack.BlockElement{
		slack.NewButtonBlockElement(actionUp, id, plain(":+1: Helpful")),
		slack.NewButtonBlockElement(actionDown, id, plain(":-1: Not helpful")),
	}
	menu := []string{e.ID}
	var opts []*slack.OptionBlockObject
	for _, a := range alts {
		if a.ID == e.ID || a.ID == "" || len(a.ID) > maxOptionValue || len(opts) == maxSelectOption {
			continue
		}
		menu = append(menu, a.ID)
		opts = append(opts, slack.NewOptionBlockObject(a.ID, plain(truncate(a.Title, maxOptionText)), nil))
	}
	if len(opts) > 0 {
		els = append(els, slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Other answers"), actionOther, opts...))
	}
	if o.share {
		els = append(els, slack.NewButtonBlockElement(actionShare, id, plain("Share in channel")).WithStyle(slack.StylePrimary))
	}
	if o.dismiss {
		els = append(els, slack.NewButtonBlockElement(actionDismiss, id, plain("Dismiss")))
	}
	st := replyState{Asker: o.asker, Menu: menu, Query: o.query}
	return slack.NewActionBlock(st.encode(), els...)
}

// renderSuggestions: a short line plus up to three suggestion buttons.
func renderSuggestions(r bot.Reply, o renderOpts) message {
	text := docText(r.Body)
	if text == "" {
		text = suggestionLine(r)
	}
	if r.Title != "" {
		text = "*" + escape(r.Title) + "*\n" + text
	}
	var els []slack.BlockElement
	var menu []string
	for _, a := range r.Alternatives {
		if len(els) == maxSuggestions {
			break
		}
		if a.ID == "" || len(a.ID) > maxOptionValue {
			continue
		}
		menu = append(menu, a.ID)
		els = append(els, slack.NewButtonBlockElement(fmt.Sprintf("%s%d", actionPick, len(els)), a.ID, plain(truncate(a.Title, maxButtonText))))
	}
	var acts *slack.ActionBlock
	fixed := 0
	if len(els) > 0 && o.dismiss {
		els = append(els, slack.NewButtonBlockElement(actionDismiss, noEntry, plain("Dismiss")))
	}
	if len(els) > 0 {
		st := replyState{Asker: o.asker, Menu: menu, Query: o.query}
		acts = slack.NewActionBlock(st.encode(), els...)
		fixed = blockTextLen(acts)
	}
	sections := packSections([]part{{text: text}}, maxSectionText)
	sections = fitSections(sections, maxMessageText-fixed, maxBlocks-1, listNote)
	blocks := sectionBlocks(sections)
	if acts != nil {
		blocks = append(blocks, acts)
	}
	return message{Text: fallback("", sections[0]), Blocks: blocks}
}

// suggestionLine is the text of a no-match reply without a body.
func suggestionLine(r bot.Reply) string {
	q := escape(truncate(strings.TrimSpace(r.Query), maxQueryShown))
	switch {
	case len(r.Alternatives) > 0 && q != "":
		return "I'm not sure I have an answer to “" + q + "”. Did you mean one of these?"
	case len(r.Alternatives) > 0:
		return "Did you mean one of these?"
	case q != "":
		return "Sorry, I found nothing about “" + q + "” in the FAQ."
	}
	return "Sorry, I found nothing about that in the FAQ."
}

// listNote ends help and list replies too long for one Slack message.
const listNote = "_… shortened to fit Slack; narrow it down with `list <category>` or `search <words>`._"

// renderNotice: help, list and notices: a bold title and the body, shortened
// to fit one message.
func renderNotice(r bot.Reply) message {
	text := docText(r.Body)
	if r.Title != "" {
		text = strings.TrimSpace("*" + escape(r.Title) + "*\n" + text)
	}
	if text == "" {
		return message{}
	}
	sections := packSections([]part{{text: text}}, maxSectionText)
	sections = fitSections(sections, maxMessageText, maxBlocks, listNote)
	return message{Text: fallback("", sections[0]), Blocks: sectionBlocks(sections)}
}

// fitSections keeps the leading sections while they fit in budget bytes and
// room blocks; when some are left out, the last kept one makes way for note.
func fitSections(sections []string, budget, room int, note string) []string {
	total := 0
	for _, s := range sections {
		total += len(s)
	}
	if total <= budget && len(sections) <= room {
		return sections
	}
	var out []string
	used := len(note)
	for _, s := range sections {
		if len(out)+2 > room || used+len(s) > budget {
			break
		}
		out = append(out, s)
		used += len(s)
	}
	return append(out, note)
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

func sectionBlocks(sections []string) []slack.Block {
	var blocks []slack.Block
	for _, s := range sections {
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, s, false, false), nil, nil))
	}
	return blocks
}

// blockTextLen is how many bytes of text a header, section, context or
// actions block adds to the message's text budget.
func blockTextLen(b slack.Block) int {
	n := 0
	switch blk := b.(type) {
	case *slack.HeaderBlock:
		n += len(blk.Text.Text)
	case *slack.SectionBlock:
		n += len(blk.Text.Text)
	case *slack.ContextBlock:
		for _, el := range blk.ContextElements.Elements {
			if t, ok := el.(*slack.TextBlockObject); ok {
				n += len(t.Text)
			}
		}
	case *slack.ActionBlock:
		for _, el := range blk.Elements.ElementSet {
			switch e := el.(type) {
			case *slack.ButtonBlockElement:
				n += len(e.Text.Text)
			case *slack.SelectBlockElement:
				n += len(e.Placeholder.Text)
				for _, o := range e.Options {
					n += len(o.Text.Text)
				}
			}
		}
	}
	return n
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

// fallback is the notification text: the title (mrkdwn) and the start of
// the body. Either may be empty (a table-only answer has no prose), not
// both.
func fallback(title, body string) string {
	out := title
	if out != "" && body != "" {
		out += "\n"
	}
	if room := maxFallback - len(out); room > 0 {
		cut := truncateBytes(body, room)
		if strings.Count(cut, "```")%2 == 1 { // cut inside a code block: stop before it
			cut = strings.TrimRight(cut[:strings.LastIndex(cut, "```")], " \n")
		}
		out += cut
	}
	return strings.TrimRight(out, " \n")
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, true, false)
}

// truncateBytes cuts s to at most n bytes on a rune, entity and link
// boundary (IDs and option values are limited in bytes, not characters).
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return splitText(s, n)[0]
}
