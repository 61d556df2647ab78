package bot

import (
	"fmt"
	"slices"
	"strings"

	"github.com/espbot/espbot/knowledge"
	"github.com/espbot/espbot/matcher"
)

// command is one chat command. The table in commands drives parsing and the
// generated help, so the two cannot disagree.
type command struct {
	name    string
	args    string // argument synopsis for help, "" for none
	summary string
	example string
	// minArgs and maxArgs bound the words after the name (maxArgs < 0: any).
	// Without a leading "/" or "!", a message is a command only when its
	// words fit, so "show me how to use MQTT" stays a question.
	minArgs, maxArgs int
	run              func(b *Bot, ix *matcher.Index, v voice, args []string) Reply
}

// commands is the command table.
func commands() []command {
	return []command{
		{name: "help", summary: "show this help", minArgs: 0, maxArgs: 0, run: (*Bot).help},
		{name: "list", args: "[category]", summary: "list the FAQ categories and questions", example: "list protocols", minArgs: 0, maxArgs: -1, run: (*Bot).list},
		{name: "show", args: "<id>", summary: "show one FAQ entry by its ID", minArgs: 1, maxArgs: 1, run: (*Bot).show},
		{name: "search", args: "<words>", summary: "search the FAQ questions (titles only)", example: "search mqtt tls", minArgs: 1, maxArgs: -1, run: (*Bot).search},
	}
}

// parseCommand recognises a command at the start of a cleaned message.
// explicit is true when the user typed a "/" or "!" prefix.
func parseCommand(text string) (cmd command, args []string, explicit, ok bool) {
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return command{}, nil, false, false
	}
	name := strings.ToLower(fields[0])
	if rest, cut := cutAny(name, "/", "!"); cut {
		name, explicit = rest, true
	}
	i := slices.IndexFunc(commands(), func(c command) bool { return c.name == name })
	if i < 0 {
		return command{}, nil, false, false
	}
	cmd, args = commands()[i], fields[1:]
	fits := len(args) >= cmd.minArgs && (cmd.maxArgs < 0 || len(args) <= cmd.maxArgs)
	if !fits && !explicit {
		return command{}, nil, false, false
	}
	return cmd, args, explicit, true
}

// runCommand runs cmd, or explains its usage when the arguments do not fit.
func (b *Bot) runCommand(ix *matcher.Index, v voice, cmd command, args []string) Reply {
	if len(args) < cmd.minArgs || (cmd.maxArgs >= 0 && len(args) > cmd.maxArgs) {
		return notice("Usage", docOf(para(text("Usage: "), v.cmd(synopsis(cmd)), text("."))))
	}
	return cmd.run(b, ix, v, args)
}

func synopsis(c command) string {
	if c.args == "" {
		return c.name
	}
	return c.name + " " + c.args
}

// help lists the commands from the command table, and says how to ask
// where the asker is.
func (b *Bot) help(_ *matcher.Index, v voice, _ []string) Reply {
	var items [][]knowledge.Block
	for _, c := range commands() {
		in := []knowledge.Inline{v.cmd(synopsis(c)), text(": " + c.summary)}
		if c.example != "" {
			in = append(in, text(", e.g. "), v.cmd(c.example))
		}
		items = append(items, []knowledge.Block{para(in...)})
	}
	how := "mention me in a channel or send me a direct message"
	last := para(text("Commands also work with a leading "), literal("/"), text(" or "), literal("!"), text("."))
	if v.terminal {
		how = "type it at the prompt and press Enter"
		last = para(text("Up and Down bring back earlier questions, Ctrl-C clears the line, and Ctrl-D (or Ctrl-C twice) leaves."))
	}
	return Reply{
		Kind:  KindHelp,
		Title: "espbot help",
		Body: docOf(
			para(text("Ask me a question about ESP32/ESP8266 networking (Wi-Fi, TCP/IP, MQTT, TLS, SNTP, HTTP...): "+how+". I answer from Espressif's FAQ.")),
			knowledge.Block{Kind: knowledge.List, Items: items},
			last,
		),
	}
}

// maxListed bounds "list" without a category: beyond it, only categories
// and their sizes are listed.
const maxListed = 40

// list shows the categories and their questions, or one category's.
func (b *Bot) list(ix *matcher.Index, v voice, args []string) Reply {
	want := strings.ToLower(strings.Join(args, " "))
	var cats []string
	byCat := map[string][]*knowledge.Entry{}
	entries := ix.Entries()
	for i := range entries {
		e := &entries[i]
		if want != "" && !strings.Contains(strings.ToLower(e.Category), want) {
			continue
		}
		if _, ok := byCat[e.Category]; !ok {
			cats = append(cats, e.Category)
		}
		byCat[e.Category] = append(byCat[e.Category], e)
	}
	if len(cats) == 0 {
		return notice("No such category", docOf(para(text("No category matches. Try "), v.cmd("list"), text(" to see them all."))))
	}
	n := 0
	for _, c := range cats {
		n += len(byCat[c])
	}
	var blocks []knowledge.Block
	if n > maxListed && want == "" {
		var items [][]knowledge.Block
		for _, c := range cats {
			items = append(items, []knowledge.Block{para(strong(c), text(fmt.Sprintf(" (%d)", len(byCat[c]))))})
		}
		blocks = append(blocks,
			para(text(fmt.Sprintf("%d questions in %d categories. Use ", n, len(cats))), v.cmd("list <category>"), text(" to see the questions of one.")),
			knowledge.Block{Kind: knowledge.List, Items: items})
	} else {
		for _, c := range cats {
			var items [][]knowledge.Block
			for _, e := range byCat[c] {
				items = append(items, []knowledge.Block{para(literal(e.ID), text(" "+e.Title))})
			}
			blocks = append(blocks, para(strong(c)), knowledge.Block{Kind: knowledge.List, Items: items})
		}
		blocks = append(blocks, para(text("Use "), v.cmd("show <id>"), text(" to see one.")))
	}
	return Reply{Kind: KindHelp, Title: "FAQ questions", Body: knowledge.Doc{Blocks: blocks}}
}

// show answers with one entry by ID (case-insensitive as a fallback, since
// people type IDs).
func (b *Bot) show(ix *matcher.Index, v voice, args []string) Reply {
	if e := lookup(ix, args[0]); e != nil {
		return Reply{Kind: KindAnswer, Entry: e, Confidence: 1}
	}
	return notice("Unknown entry", docOf(para(text("No FAQ entry has that ID. Try "), v.cmd("search <words>"), text(" or "), v.cmd("list"), text("."))))
}

func lookup(ix *matcher.Index, id string) *knowledge.Entry {
	if e, ok := ix.Entry(id); ok {
		return e
	}
	entries := ix.Entries()
	for i := range entries {
		if strings.EqualFold(entries[i].ID, id) {
			return &entries[i]
		}
	}
	return nil
}

// maxSearch is how many titles "search" lists.
const maxSearch = 10

// search lists the entries whose titles match the words.
func (b *Bot) search(ix *matcher.Index, v voice, args []string) Reply {
	hits := ix.SearchTitles(strings.Join(args, " "), maxSearch)
	if len(hits) == 0 {
		return notice("No match", docOf(para(text("No FAQ question matches those words. Try "), v.cmd("list"), text("."))))
	}
	var items [][]knowledge.Block
	r := Reply{Kind: KindHelp, Title: "Matching questions"}
	for i, h := range hits {
		items = append(items, []knowledge.Block{para(literal(h.Entry.ID), text(" "+h.Entry.Title))})
		if i < maxSuggestions {
			r.Alternatives = append(r.Alternatives, alternative(h))
		}
	}
	r.Body = docOf(knowledge.Block{Kind: knowledge.List, Items: items}, para(text("Use "), v.cmd("show <id>"), text(" to see one.")))
	return r
}

// Doc builders: every Body is generated by the bot, never user text.

func docOf(blocks ...knowledge.Block) knowledge.Doc { return knowledge.Doc{Blocks: blocks} }

func para(in ...knowledge.Inline) knowledge.Block {
	return knowledge.Block{Kind: knowledge.Paragraph, Inlines: in}
}

func text(s string) knowledge.Inline    { return knowledge.Inline{Kind: knowledge.Text, Text: s} }
func literal(s string) knowledge.Inline { return knowledge.Inline{Kind: knowledge.Literal, Text: s} }
func strong(s string) knowledge.Inline  { return knowledge.Inline{Kind: knowledge.Strong, Text: s} }

func notice(title string, body knowledge.Doc) Reply {
	return Reply{Kind: KindNotice, Title: title, Body: body}
}
