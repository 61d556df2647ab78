package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/espbot/espbot/knowledge"
	"github.com/espbot/espbot/matcher"
)

// writeResult renders a matcher result as readable text for the terminal.
func writeResult(w io.Writer, res matcher.Result) error {
	var b strings.Builder
	if res.Answered {
		e := res.Best.Entry
		fmt.Fprintf(&b, "Q: %s\n", e.Title)
		fmt.Fprintf(&b, "   [%s] %s%s, confidence %.2f\n\n", e.ID, e.Category, chipList(e.Chips), res.Confidence)
		b.WriteString(indent(renderBody(e), "   "))
		b.WriteString("\n")
		if len(e.Links) > 0 {
			b.WriteString("\n   Links:\n")
			for _, l := range e.Links {
				fmt.Fprintf(&b, "   - %s\n", linkText(l.Text, l.URL))
			}
		}
		writeAlternatives(&b, "Related questions", res.Alternatives)
	} else {
		b.WriteString("Sorry, I don't know: the FAQ does not seem to answer that.\n")
		var close []matcher.Hit
		if res.Best != nil && res.Best.Confidence >= 0.15 {
			close = append(close, *res.Best)
		}
		for _, h := range res.Alternatives {
			if h.Confidence >= 0.15 {
				close = append(close, h)
			}
		}
		writeAlternatives(&b, "Closest questions", close)
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeAlternatives(b *strings.Builder, heading string, hits []matcher.Hit) {
	if len(hits) == 0 {
		return
	}
	fmt.Fprintf(b, "\n   %s:\n", heading)
	for _, h := range hits {
		fmt.Fprintf(b, "   - [%s] %s\n", h.Entry.ID, h.Entry.Title)
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

// writeExplanation prints why a result was ranked and decided as it was.
func writeExplanation(w io.Writer, x *matcher.Explanation) error {
	if x == nil {
		return nil
	}
	var b strings.Builder
	b.WriteString("Explanation:\n")
	fmt.Fprintf(&b, "  terms: %s\n", strings.Join(x.Terms, " "))
	writeMap(&b, "lexicon", x.Expansions)
	writeMap(&b, "typos", x.Corrections)
	if len(x.Chips) > 0 {
		fmt.Fprintf(&b, "  chips: %s\n", strings.Join(x.Chips, ", "))
	}
	for _, d := range x.Details {
		fmt.Fprintf(&b, "  %s\n", d)
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
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

func renderBody(e *knowledge.Entry) string { return knowledge.RenderText(e.Body) }
