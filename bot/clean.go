package bot

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// MaxQuestionBytes bounds the text the core looks at: longer messages are
// cut, so that one huge paste cannot make a reply slow.
const MaxQuestionBytes = 4000

// The cleaning pipeline. Each stage is a small named function over one line
// (or the whole text), tested alone in clean_test.go.
var (
	// Discord: <@123> <@!123> <@&role> <#channel> </cmd:id> <t:123:R>.
	discordRefRe = regexp.MustCompile(`<(?:@[!&]?|#)\d+>|</[\w -]+:\d+>|<t:-?\d+(?::[a-zA-Z])?>`)
	// Discord custom emoji <:name:id> and <a:name:id>.
	discordEmojiRe = regexp.MustCompile(`<a?:\w+:\d+>`)
	// Slack: <@U123> <@U123|name> <#C123|name> <!here> <!subteam^S1|@team>.
	slackRefRe = regexp.MustCompile(`<[@#][A-Z0-9]+(?:\|[^>]*)?>|<![^>]*>`)
	// Slack links <url|text> and <url>, Discord's <url> (embed suppressed).
	labelledLinkRe = regexp.MustCompile(`<((?:https?|mailto|ftp):[^|>\s]+)\|([^>]*)>`)
	bareLinkRe     = regexp.MustCompile(`<((?:https?|mailto|ftp):[^|>\s]+)>`)
	// Markdown masked links [text](url), as Discord renders them.
	maskedLinkRe = regexp.MustCompile(`\[([^\[\]]+)\]\(<?(?:https?|mailto):[^)\s]+>?\)`)
	// Plain-text pings.
	pingRe = regexp.MustCompile(`(?i)(^|\s)@(?:everyone|here|channel)\b`)
	// Emphasis markers around words: **bold**, __underline__, ~~strike~~,
	// ||spoiler||, then single *, _ and ~ (only at word boundaries, so that
	// esp_wifi_set_ps and 2*3 survive).
	markup = []rewrite{
		{regexp.MustCompile(`\*\*([^*\n]+?)\*\*`), "$1"},
		{regexp.MustCompile(`(^|[^\w])__([^_\n]+?)__($|[^\w])`), "$1$2$3"},
		{regexp.MustCompile(`~~([^~\n]+?)~~`), "$1"},
		{regexp.MustCompile(`\|\|([^|\n]+?)\|\|`), "$1"},
		{regexp.MustCompile(`(^|[^\w*])\*([^*\s](?:[^*\n]*[^*\s])?)\*($|[^\w*])`), "$1$2$3"},
		{regexp.MustCompile(`(^|[^\w])_([^_\s](?:[^_\n]*[^_\s])?)_($|[^\w])`), "$1$2$3"},
		{regexp.MustCompile(`(^|[^\w~])~([^~\s](?:[^~\n]*[^~\s])?)~($|[^\w~])`), "$1$2$3"},
	}
	// Line prefixes: Discord headings and subtext, bullet markers stay.
	headingRe = regexp.MustCompile(`^(?:#{1,3}|-#)\s+`)
)

// Clean returns the question asked in a chat message: mentions, pings,
// quoted lines and chat markup are removed; links keep their text; code
// blocks and pasted logs are kept as text the matcher can use. Text is the
// platform's raw message text (Slack's &lt; &gt; &amp; escapes included).
//
// A message made only of a quote (someone quoting a question and mentioning
// the bot) gives the quoted text.
func Clean(p Platform, text string) string {
	text = truncate(text, MaxQuestionBytes)
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var kept, quoted []string
	for _, seg := range splitCode(text) {
		if seg.code {
			kept = append(kept, seg.text)
			continue
		}
		k, q := splitQuotes(seg.text)
		kept = append(kept, cleanProse(p, k))
		quoted = append(quoted, cleanProse(p, q))
	}
	out := tidy(strings.Join(kept, "\n"))
	if out == "" {
		out = tidy(strings.Join(quoted, "\n"))
	}
	return out
}

// rewrite is one regular expression replacement.
type rewrite struct {
	re   *regexp.Regexp
	repl string
}

// segment is a run of prose or the content of a fenced code block.
type segment struct {
	text string
	code bool
}

// splitCode separates ``` fenced code blocks from prose. The fences and the
// language tag are dropped; the code is kept verbatim. An unclosed fence
// runs to the end of the text.
func splitCode(text string) []segment {
	var segs []segment
	for {
		i := strings.Index(text, "```")
		if i < 0 {
			return append(segs, segment{text: text})
		}
		segs = append(segs, segment{text: text[:i]})
		rest := text[i+3:]
		j := strings.Index(rest, "```")
		if j < 0 {
			j = len(rest)
		}
		code := rest[:j]
		// A language tag is the first line's only word: "```c\n...".
		if first, body, ok := strings.Cut(code, "\n"); ok && !strings.ContainsAny(strings.TrimSpace(first), " \t") {
			code = body
		}
		segs = append(segs, segment{text: code, code: true})
		if j == len(rest) {
			return segs
		}
		text = rest[j+3:]
	}
}

// splitQuotes separates quoted lines ("> ...", Slack's "&gt; ...") from the
// rest. Discord's ">>> " quotes everything after it.
func splitQuotes(text string) (kept, quoted string) {
	var k, q []string
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		t := strings.TrimLeft(line, " \t")
		if rest, ok := cutAny(t, ">>> ", "&gt;&gt;&gt; "); ok {
			q = append(q, rest)
			q = append(q, lines[i+1:]...)
			break
		}
		if rest, ok := cutAny(t, ">", "&gt;"); ok {
			q = append(q, rest)
			continue
		}
		k = append(k, line)
	}
	return strings.Join(k, "\n"), strings.Join(q, "\n")
}

func cutAny(s string, prefixes ...string) (string, bool) {
	for _, p := range prefixes {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return rest, true
		}
	}
	return s, false
}

// cleanProse removes references, pings and markup from prose, leaving the
// content of `inline code` untouched.
func cleanProse(p Platform, text string) string {
	if text == "" {
		return ""
	}
	text = stripRefs(text)
	if p == Slack {
		text = unescapeSlack(text)
	}
	var b strings.Builder
	for i, part := range strings.Split(text, "`") {
		if i%2 == 1 {
			b.WriteString(part) // inside `inline code`
			continue
		}
		b.WriteString(stripMarkup(part))
	}
	return b.String()
}

// stripRefs removes mentions and pings and turns links into their text.
func stripRefs(s string) string {
	if !strings.ContainsAny(s, "<[@") {
		return s // the common case: no regular expression to run
	}
	s = labelledLinkRe.ReplaceAllString(s, "$2")
	s = bareLinkRe.ReplaceAllString(s, "$1")
	s = discordRefRe.ReplaceAllString(s, " ")
	s = discordEmojiRe.ReplaceAllString(s, " ")
	s = slackRefRe.ReplaceAllString(s, " ")
	s = maskedLinkRe.ReplaceAllString(s, "$1")
	s = pingRe.ReplaceAllString(s, "$1")
	return s
}

// unescapeSlack undoes the three escapes Slack applies to message text.
func unescapeSlack(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

// stripMarkup removes emphasis markers and heading prefixes.
func stripMarkup(s string) string {
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if !strings.ContainsAny(line, "*_~|#") {
			continue
		}
		line = headingRe.ReplaceAllString(line, "")
		for _, rw := range markup {
			line = rw.re.ReplaceAllString(line, rw.repl)
		}
		lines[i] = line
	}
	return strings.Join(lines, "\n")
}

// tidy trims every line, collapses runs of spaces and drops blank lines.
func tidy(s string) string {
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line != "" {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// truncate cuts s to at most n bytes at a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
