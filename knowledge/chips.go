package knowledge

import "strings"

// normaliseChip returns the canonical spelling of a chip name ("esp32s3" ->
// "ESP32-S3") and whether it is a chip name at all.
func normaliseChip(tok string) (string, bool) {
	t := strings.ToUpper(strings.TrimSpace(tok))
	for _, base := range [...]string{"ESP8266", "ESP8285", "ESP8089", "ESP8684", "ESP8685", "ESP8686", "ESP32"} {
		if !strings.HasPrefix(t, base) {
			continue
		}
		rest := strings.TrimPrefix(t[len(base):], "-")
		if rest == "" {
			return base, true
		}
		if base == "ESP32" && isVariant(rest) {
			return base + "-" + rest, true
		}
		if base == "ESP8266" && rest == "EX" {
			return base, true
		}
	}
	return t, false
}

// isVariant recognises chip series suffixes such as S3, C61, H2, P4.
func isVariant(s string) bool {
	if len(s) < 2 || len(s) > 3 || strings.IndexByte("SCHP", s[0]) < 0 {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// chipTypo reports whether word looks like a misspelled chip name ("ES32",
// "EPS8266", "ESP-32") and returns the likely intended name.
func chipTypo(word string) (string, bool) {
	if !strings.Contains(word, "32") && !strings.Contains(word, "82") {
		return "", false
	}
	w := strings.ToUpper(word)
	k := 0
	for k < len(w) && w[k] >= 'A' && w[k] <= 'Z' {
		k++
	}
	letters, rest := w[:k], strings.TrimPrefix(w[k:], "-")
	digits := 0
	for digits < len(rest) && rest[digits] >= '0' && rest[digits] <= '9' {
		digits++
	}
	num := rest[:digits]
	if num != "32" && num != "8266" && num != "8285" {
		return "", false
	}
	switch {
	case letters == "ESP" && w[k] == '-' && len(w) == k+1+digits:
		return "ESP" + num, true
	case letters != "ESP" && oneEdit(letters, "ESP"):
		return "ESP" + num, true
	}
	return "", false
}

// oneEdit reports whether a and b differ by exactly one insertion, deletion,
// substitution or transposition of adjacent letters.
func oneEdit(a, b string) bool {
	if a == b {
		return false
	}
	switch len(a) - len(b) {
	case 0:
		diff := []int{}
		for i := range len(a) {
			if a[i] != b[i] {
				diff = append(diff, i)
			}
		}
		if len(diff) == 1 {
			return true
		}
		return len(diff) == 2 && diff[1] == diff[0]+1 && a[diff[0]] == b[diff[1]] && a[diff[1]] == b[diff[0]]
	case 1:
		return dropsOne(a, b)
	case -1:
		return dropsOne(b, a)
	}
	return false
}

// dropsOne reports whether removing one byte of long gives short.
func dropsOne(long, short string) bool {
	for i := range len(long) {
		if long[:i]+long[i+1:] == short {
			return true
		}
	}
	return false
}

// didYouMean suggests a chip name for an unknown :CHIP: token.
func didYouMean(tok string) string {
	if s, ok := chipTypo(tok); ok {
		return " (did you mean " + s + "?)"
	}
	return ""
}

// chipTypos returns the misspelled chip names of a text, each once.
func chipTypos(text string) []string {
	if !strings.Contains(text, "32") && !strings.Contains(text, "82") {
		return nil
	}
	var out []string
	for i := 0; i < len(text); {
		for i < len(text) && !isWordByte(text[i]) {
			i++
		}
		j := i
		for j < len(text) && isWordByte(text[j]) {
			j++
		}
		w := text[i:j]
		i = j
		if len(w) < 4 || len(w) > 10 {
			continue
		}
		if s, ok := chipTypo(w); ok {
			msg := "possibly misspelled chip name " + quote(w) + " (did you mean " + s + "?)"
			if !contains(out, msg) {
				out = append(out, msg)
			}
		}
	}
	return out
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
}
