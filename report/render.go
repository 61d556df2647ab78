package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteText renders r for a terminal.
func WriteText(w io.Writer, r Report) error {
	p := &errWriter{w: w}
	p.printf("espbot report, %s to %s\n", r.Since.Format("2006-01-02 15:04"), r.Until.Format("2006-01-02 15:04 MST"))
	p.printf("%d questions, %d answered%s\n", r.Questions, r.Answered, percent(r.Answered, r.Questions))
	section := func(title string, empty bool) bool {
		p.printf("\n%s\n", title)
		if empty {
			p.printf("  (none)\n")
		}
		return !empty
	}
	if section("Questions per platform", len(r.Platforms) == 0) {
		p.table(func(tw io.Writer) {
			for _, c := range r.Platforms {
				fmt.Fprintf(tw, "  %s\t%d\n", c.Name, c.Count)
			}
		})
	}
	if section("Questions per category", len(r.Categories) == 0) {
		p.table(func(tw io.Writer) {
			for _, c := range r.Categories {
				fmt.Fprintf(tw, "  %s\t%d\n", c.Name, c.Count)
			}
		})
	}
	if section("Unanswered questions, grouped by shared stems", len(r.Unanswered) == 0) {
		for i, c := range r.Unanswered {
			p.printf("  %d. [%s] %d question%s\n", i+1, strings.Join(c.Terms, ", "), c.Count, Plural(c.Count))
			for _, ex := range c.Examples {
				p.printf("       %q\n", ex)
			}
		}
	}
	if r.NoText > 0 {
		p.printf("  (%d more without recorded text)\n", r.NoText)
	}
	if section("Most down-voted answers", len(r.DownVoted) == 0) {
		p.table(func(tw io.Writer) {
			fmt.Fprintf(tw, "  down\tup\tentry\n")
			for _, v := range r.DownVoted {
				fmt.Fprintf(tw, "  %d\t%d\t%s\n", v.Down, v.Up, EntryLabel(v.Entry, v.Title))
			}
		})
	}
	if section(`Candidate phrasings ("other answer" picks; review with espbot learn)`, len(r.Candidates) == 0) {
		for _, c := range r.Candidates {
			p.printf("  %dx %q -> %s\n", c.Count, c.Text, EntryLabel(c.EntryID, c.Title))
		}
	}
	if section("Low-confidence answers", len(r.LowConfidence) == 0) {
		for _, l := range r.LowConfidence {
			p.printf("  %.2f %q -> %s%s\n", l.Confidence, l.Question, EntryLabel(l.Entry, l.Title), times(l.Count))
		}
	}
	return p.err
}

// WriteMarkdown renders r as GitHub markdown for an esp-faq issue.
// User text goes in code spans, so it can neither format nor mention
// anyone.
func WriteMarkdown(w io.Writer, r Report) error {
	p := &errWriter{w: w}
	p.printf("## espbot report: %s to %s\n\n", r.Since.Format("2006-01-02"), r.Until.Format("2006-01-02"))
	p.printf("**%d questions**, %d answered%s.\n", r.Questions, r.Answered, percent(r.Answered, r.Questions))
	p.printf("\n### Questions per platform\n\n")
	mdCounts(p, "Platform", r.Platforms)
	p.printf("\n### Questions per category\n\n")
	mdCounts(p, "Category", r.Categories)
	p.printf("\n### Unanswered questions\n\nGrouped by shared word stems, largest group first.\n\n")
	if len(r.Unanswered) == 0 {
		p.printf("None.\n")
	}
	for i, c := range r.Unanswered {
		p.printf("%d. **%s** (%d question%s)\n", i+1, mdEscape(strings.Join(c.Terms, ", ")), c.Count, Plural(c.Count))
		for _, ex := range c.Examples {
			p.printf("   - %s\n", mdCode(ex))
		}
	}
	if r.NoText > 0 {
		p.printf("\n%d more unanswered question%s recorded without text.\n", r.NoText, Plural(r.NoText))
	}
	p.printf("\n### Most down-voted answers\n\n")
	if len(r.DownVoted) == 0 {
		p.printf("None.\n")
	} else {
		p.printf("| Entry | Question | Down | Up |\n|---|---|---:|---:|\n")
		for _, v := range r.DownVoted {
			p.printf("| `%s` | %s | %d | %d |\n", v.Entry, mdCell(v.Title), v.Down, v.Up)
		}
	}
	p.printf("\n### Candidate alternate phrasings\n\nPeople asked this, then picked another answer.\n\n")
	if len(r.Candidates) == 0 {
		p.printf("None.\n")
	} else {
		p.printf("| Asked | Picked entry | Times |\n|---|---|---:|\n")
		for _, c := range r.Candidates {
			p.printf("| %s | %s | %d |\n", mdCell(mdCode(c.Text)), mdCell(EntryLabel(c.EntryID, c.Title)), c.Count)
		}
	}
	p.printf("\n### Low-confidence answers\n\n")
	if len(r.LowConfidence) == 0 {
		p.printf("None.\n")
	} else {
		p.printf("| Asked | Answered with | Confidence | Times |\n|---|---|---:|---:|\n")
		for _, l := range r.LowConfidence {
			p.printf("| %s | %s | %.2f | %d |\n", mdCell(mdCode(l.Question)), mdCell(EntryLabel(l.Entry, l.Title)), l.Confidence, l.Count)
		}
	}
	return p.err
}

func mdCounts(p *errWriter, what string, cs []Count) {
	if len(cs) == 0 {
		p.printf("None.\n")
		return
	}
	p.printf("| %s | Questions |\n|---|---:|\n", what)
	for _, c := range cs {
		p.printf("| %s | %d |\n", mdCell(mdEscape(c.Name)), c.Count)
	}
}

// mdCode puts user text in a code span: no formatting, no mentions.
func mdCode(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if strings.Contains(s, "`") {
		return "`` " + strings.ReplaceAll(s, "``", "` `") + " ``"
	}
	return "`" + s + "`"
}

// mdCell makes text safe inside a table cell.
func mdCell(s string) string {
	return strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "|", `\|`)
}

// mdEscape escapes markdown punctuation in plain text.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_{}[]<>()#+-!|@~", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// EntryLabel names an entry by its ID and, when known, its title.
func EntryLabel(id, title string) string {
	if title == "" {
		return id
	}
	return id + " (" + title + ")"
}

func percent(n, of int) string {
	if of == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d%%)", 100*n/of)
}

// Plural is "s" unless n is 1.
func Plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func times(n int) string {
	if n == 1 {
		return ""
	}
	return fmt.Sprintf(" (%dx)", n)
}

// errWriter keeps the first write error, so renderers stay readable.
type errWriter struct {
	w   io.Writer
	err error
}

func (p *errWriter) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

// table aligns what fn writes in columns.
func (p *errWriter) table(fn func(io.Writer)) {
	if p.err != nil {
		return
	}
	tw := tabwriter.NewWriter(p.w, 0, 4, 2, ' ', 0)
	fn(tw)
	p.err = tw.Flush()
}
