package bot

// Titles returns the first n entries of the index in use, for pickers
// before anything is typed (Discord's autocomplete on an empty option).
func (b *Bot) Titles(n int) []Alternative {
	entries := b.Index().Entries()
	out := make([]Alternative, 0, min(n, len(entries)))
	for i := 0; i < len(entries) && len(out) < n; i++ {
		out = append(out, Alternative{ID: entries[i].ID, Title: entries[i].Title})
	}
	return out
}
