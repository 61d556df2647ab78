// Package terminal is espbot's terminal surface: it renders core replies
// as plain text (or the ask JSON), answers questions read line by line
// ("espbot ask"), and holds a chat ("espbot chat").
package terminal

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/espbot/espbot/bot"
	"github.com/espbot/espbot/internal/lineedit"
	"github.com/espbot/espbot/internal/textwidth"
	"github.com/espbot/espbot/internal/wrap"
	"github.com/espbot/espbot/knowledge"
	"github.com/espbot/espbot/matcher"
)

// Core is the part of *bot.Bot the terminal uses.
type Core interface {
	Handle(ctx context.Context, m bot.Message) bot.Reply
}

var _ Core = (*bot.Bot)(nil)

// Options choose how replies look.
type Options struct {
	// Commands lists alternatives as "/show ID" commands (the chat);
	// otherwise as "[ID] title" (espbot ask).
	Commands bool
	// Width folds the text to this many columns at word boundaries, for a
	// terminal that wide (0: lines are not folded).
	Width int
}

// Render writes r as text; a reply of KindIgnore writes nothing.
func Render(w io.Writer, r bot.Reply, o Options) error {
	p := &page{width: o.Width}
	switch r.Kind {
	case bot.KindIgnore:
		return nil
	case bot.KindAnswer:
		writeAnswer(p, r)
		writeAlternatives(p, "Related questions", r.Alternatives, o)
	default:
		if r.Title != "" {
			p.line("", r.Title)
		}
		p.doc(r.Body)
		if r.Kind == bot.KindSuggestions || r.Kind == bot.KindNoMatch {
			writeAlternatives(p, "Closest questions", r.Alternatives, o) // help lists them itself
		}
	}
	writeExplanation(&p.b, r.Explanation)
	_, err := io.WriteString(w, p.b.String()+"\n")
	return err
}

// page is a reply being written, folded to width columns (0: not folded).
type page struct {
	b     strings.Builder
	width int
}

// line writes head and text as one line, folded so that the text's
// further lines start under its first word: the text reads as a column
// beside "Q: " or "/show ID  ". A head wider than half the terminal would
// leave that column too narrow: the text's further lines then start three
// columns past the head's indentation.
func (p *page) line(head, text string) {
	hang := textwidth.String(head)
	if hang > p.width/2 {
		hang = len(head) - len(strings.TrimLeft(head, " ")) + 3
	}
	p.b.WriteString(wrap.Hang(head+text, len(head), hang, p.width) + "\n")
}

// doc writes a document indented by three columns, its prose folded and
// its code kept whole.
func (p *page) doc(d knowledge.Doc) {
	p.b.WriteString(wrap.Text(indent(knowledge.RenderText(d), "   "), p.width) + "\n")
}

// writeAnswer writes the title, where it comes from, the answer and its
// links.
func writeAnswer(p *page, r bot.Reply) {
	e := r.Entry
	p.line("Q: ", e.Title)
	p.line("   ", fmt.Sprintf("[%s] %s%s, confidence %.2f", e.ID, e.Category, chipList(e.Chips), r.Confidence))
	if e.URL != "" {
		p.line("   ", e.URL)
	}
	p.b.WriteString("\n")
	p.doc(e.Body)
	if len(e.Links) > 0 {
		p.b.WriteString("\n   Links:\n")
		for _, l := range e.Links {
			p.line("   - ", linkText(l.Text, l.URL))
		}
	}
}

func writeAlternatives(p *page, heading string, alts []bot.Alternative, o Options) {
	if len(alts) == 0 {
		return
	}
	fmt.Fprintf(&p.b, "\n   %s:\n", heading)
	for _, a := range alts {
		if o.Commands {
			p.line("   /show "+a.ID+"  ", a.Title)
		} else {
			p.line("   - ["+a.ID+"] ", a.Title)
		}
	}
}

func chipList(chips []string) string {
	if len(chips) == 0 {
		return ""
	}
	return " (" + strings.Join(chips, ", ") + ")"
}

func linkText(text, url string) string {
	if text == "" || text == url {
		return url
	}
	return text + " (" + url + ")"
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

// writeExplanation writes why the matcher ranked and decided as it did.
func writeExplanation(b *strings.Builder, x *matcher.Explanation) {
	if x == nil {
		return
	}
	b.WriteString("\nExplanation:\n")
	fmt.Fprintf(b, "  terms: %s\n", strings.Join(x.Terms, " "))
	writeMap(b, "lexicon", x.Expansions)
	writeMap(b, "typos", x.Corrections)
	if len(x.Chips) > 0 {
		fmt.Fprintf(b, "  chips: %s\n", strings.Join(x.Chips, ", "))
	}
	for _, d := range x.Details {
		fmt.Fprintf(b, "  %s\n", d)
	}
}

func writeMap(b *strings.Builder, name string, m map[string]string) {
	if len(m) == 0 {
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(b, "  %s:", name)
	for _, k := range keys {
		fmt.Fprintf(b, " %s -> %s;", k, m[k])
	}
	b.WriteString("\n")
}

// AskOptions are espbot ask's choices.
type AskOptions struct {
	// JSON writes one bot.AskResult per line instead of text.
	JSON bool
	// Explain asks the matcher why.
	Explain bool
	// Width folds text answers to this many columns (0: not folded).
	Width int
}

// AskOne answers one question.
func AskOne(ctx context.Context, c Core, w io.Writer, q string, o AskOptions) error {
	r := c.Handle(ctx, bot.Message{Platform: bot.Terminal, User: "terminal", Text: q, Ask: true, Explain: o.Explain})
	var err error
	if o.JSON {
		err = json.NewEncoder(w).Encode(bot.NewAskResult(r))
	} else {
		err = Render(w, r, Options{Width: o.Width})
	}
	if err != nil {
		return fmt.Errorf("write answer: %w", err)
	}
	return nil
}

// AskLines answers one question per non-blank line of in, in order,
// flushing each answer as it is written so that callers can stream.
func AskLines(ctx context.Context, c Core, in io.Reader, out io.Writer, o AskOptions) error {
	r := bufio.NewReaderSize(in, 64*1024)
	w := bufio.NewWriter(out)
	for ctx.Err() == nil {
		line, err := r.ReadString('\n')
		if q := strings.TrimRight(line, "\r\n"); strings.TrimSpace(q) != "" {
			if werr := AskOne(ctx, c, w, q, o); werr != nil {
				return werr
			}
			if werr := w.Flush(); werr != nil {
				return fmt.Errorf("write answer: %w", werr)
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read questions: %w", err)
		}
	}
	return ctx.Err()
}

// LineReader reads the chat's questions; *lineedit.Editor is one.
type LineReader interface {
	ReadLine(ctx context.Context) (string, error)
}

// Chat reads questions until the user leaves (Ctrl-D, or Ctrl-C twice)
// and writes the replies folded to width() columns (0: not folded);
// entries is the size of the FAQ, for the greeting.
func Chat(ctx context.Context, c Core, lines LineReader, out io.Writer, entries int, width func() int) error {
	fmt.Fprintf(out, "espbot: ask about ESP32/ESP8266 networking (%d FAQ entries). /help for commands, Ctrl-D to leave.\n", entries)
	for n := 1; ; n++ {
		fmt.Fprintln(out)
		line, err := lines.ReadLine(ctx)
		if errors.Is(err, io.EOF) || errors.Is(err, lineedit.ErrInterrupted) || ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read question: %w", err)
		}
		q := strings.TrimSpace(line)
		if q == "" {
			continue
		}
		msg := bot.Message{Platform: bot.Terminal, Channel: "terminal", User: "you", IsDM: true,
			EventID: fmt.Sprint("terminal-", n), Text: q}
		if err := Render(out, c.Handle(ctx, msg), Options{Commands: true, Width: width()}); err != nil {
			return fmt.Errorf("write answer: %w", err)
		}
	}
}
