package discord

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// Discord's documented limits, in characters. Messages over them are
// rejected with a 400, so the renderer must stay within them.
const (
	maxContent          = 2000
	maxEmbedTitle       = 256
	maxEmbedDescription = 4096
	maxFieldName        = 256
	maxFieldValue       = 1024
	maxFooter           = 2048
	maxEmbedTotal       = 6000
	maxFields           = 25
	maxRows             = 5
	maxButtonsPerRow    = 5
	maxButtonLabel      = 80
	maxCustomID         = 100
	maxSelectOptions    = 25
	maxOptionText       = 100
	maxChoices          = 25
	maxChoiceText       = 100
)

// runes counts characters the way Discord's limits do.
func runes(s string) int { return utf8.RuneCountInString(s) }

// truncateRunes cuts s to at most max characters, ending with an ellipsis
// when it had to cut, preferably at a word boundary.
func truncateRunes(s string, max int) string {
	if runes(s) <= max {
		return s
	}
	if max <= 1 {
		return string([]rune(s)[:max])
	}
	r := []rune(s)[:max-1]
	cut := string(r)
	if i := strings.LastIndexAny(cut, " \n"); i > len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " \n") + "…"
}

// embedLength is the embed's size as Discord counts it towards the 6,000
// total: title, description, field names and values, footer and author.
func embedLength(e *discordgo.MessageEmbed) int {
	n := runes(e.Title) + runes(e.Description)
	for _, f := range e.Fields {
		n += runes(f.Name) + runes(f.Value)
	}
	if e.Footer != nil {
		n += runes(e.Footer.Text)
	}
	if e.Author != nil {
		n += runes(e.Author.Name)
	}
	return n
}

// checkLimits reports the first Discord limit that m breaks, or nil. Tests
// run it on every rendered message; it is cheap enough to keep in code paths
// that want to log a renderer bug instead of sending a doomed request.
func checkLimits(m outgoing) error {
	if n := runes(m.Content); n > maxContent {
		return fmt.Errorf("content has %d characters (max %d)", n, maxContent)
	}
	total := 0
	for i, e := range m.Embeds {
		if err := checkEmbed(e); err != nil {
			return fmt.Errorf("embed %d: %w", i, err)
		}
		total += embedLength(e)
	}
	if total > maxEmbedTotal {
		return fmt.Errorf("embeds total %d characters (max %d)", total, maxEmbedTotal)
	}
	return checkComponents(m.Components)
}

func checkEmbed(e *discordgo.MessageEmbed) error {
	switch {
	case runes(e.Title) > maxEmbedTitle:
		return fmt.Errorf("title has %d characters (max %d)", runes(e.Title), maxEmbedTitle)
	case runes(e.Description) > maxEmbedDescription:
		return fmt.Errorf("description has %d characters (max %d)", runes(e.Description), maxEmbedDescription)
	case len(e.Fields) > maxFields:
		return fmt.Errorf("%d fields (max %d)", len(e.Fields), maxFields)
	case e.Footer != nil && runes(e.Footer.Text) > maxFooter:
		return fmt.Errorf("footer has %d characters (max %d)", runes(e.Footer.Text), maxFooter)
	case embedLength(e) > maxEmbedTotal:
		return fmt.Errorf("embed has %d characters (max %d)", embedLength(e), maxEmbedTotal)
	}
	for _, f := range e.Fields {
		if runes(f.Name) > maxFieldName || runes(f.Value) > maxFieldValue || f.Name == "" || f.Value == "" {
			return fmt.Errorf("field %q: name %d, value %d characters (max %d, %d, non-empty)", f.Name, runes(f.Name), runes(f.Value), maxFieldName, maxFieldValue)
		}
	}
	return nil
}

func checkComponents(rows []discordgo.MessageComponent) error {
	if len(rows) > maxRows {
		return fmt.Errorf("%d action rows (max %d)", len(rows), maxRows)
	}
	for _, r := range rows {
		row, ok := r.(discordgo.ActionsRow)
		if !ok {
			return fmt.Errorf("top-level component %T is not an action row", r)
		}
		if len(row.Components) > maxButtonsPerRow {
			return fmt.Errorf("%d components in a row (max %d)", len(row.Components), maxButtonsPerRow)
		}
		for _, c := range row.Components {
			if err := checkComponent(c); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkComponent(c discordgo.MessageComponent) error {
	switch c := c.(type) {
	case discordgo.Button:
		if runes(c.Label) > maxButtonLabel || len(c.CustomID) > maxCustomID {
			return fmt.Errorf("button %q: label %d, custom_id %d characters (max %d, %d)", c.Label, runes(c.Label), len(c.CustomID), maxButtonLabel, maxCustomID)
		}
	case discordgo.SelectMenu:
		if len(c.CustomID) > maxCustomID || len(c.Options) > maxSelectOptions || len(c.Options) == 0 {
			return fmt.Errorf("select %q: custom_id %d characters, %d options (max %d, 1-%d)", c.CustomID, len(c.CustomID), len(c.Options), maxCustomID, maxSelectOptions)
		}
		for _, o := range c.Options {
			if runes(o.Label) > maxOptionText || runes(o.Value) > maxOptionText || runes(o.Description) > maxOptionText {
				return fmt.Errorf("select option %q over %d characters", o.Label, maxOptionText)
			}
		}
	default:
		return fmt.Errorf("unexpected component %T", c)
	}
	return nil
}
