package matcher

import (
	"strings"
	"testing"
)

// TestWithTypos: the typos are the same for the same seed, spare the
// first letter, identifiers, numbers, short words and what people paste
// (logs, code), and hit about typoRate of the longer words.
func TestWithTypos(t *testing.T) {
	q := "my esp32 keeps disconnecting from the router after esp_wifi_connect returns 0x3001, why does this happen"
	a, made := withTypos(q, 42, typoRate)
	if b, _ := withTypos(q, 42, typoRate); a != b || !made {
		t.Fatalf("seed 42: %q then %q (made %v)", a, b, made)
	}
	for _, keep := range []string{"esp32", "esp_wifi_connect", "0x3001", "my ", " the "} {
		if !strings.Contains(a, keep) {
			t.Errorf("%q lost %q", a, keep)
		}
	}
	// what people paste keeps its spelling
	for _, pasted := range []string{
		"E (4520) ESPNOW: Peer channel is not equal to the home channel, send fail!",
		"    return _read(filepath_or_buffer, kwds)",
		"the `esp_netif_set_hostname` call",
		"```\nwifi_config_t cfg = { .sta = { .ssid = \"home\" } };\n```",
	} {
		for seed := range uint64(50) {
			if got, _ := withTypos(pasted, seed, typoRate); !strings.Contains(got, strings.Trim(pasted, "the cal")) {
				t.Fatalf("seed %d: %q became %q", seed, pasted, got)
			}
		}
	}
	words, changed := 0, 0
	for seed := range uint64(200) {
		got, _ := withTypos(q, seed, typoRate)
		gw, qw := strings.Fields(got), strings.Fields(q)
		if len(gw) != len(qw) {
			t.Fatalf("seed %d: %q has %d words, want %d", seed, got, len(gw), len(qw))
		}
		for i := range qw {
			if len(qw[i]) < typoMinLen || strings.ContainsAny(qw[i], "0123456789_") {
				continue
			}
			words++
			if gw[i] != qw[i] {
				changed++
				if gw[i][0] != qw[i][0] {
					t.Errorf("seed %d: %q -> %q changed the first letter", seed, qw[i], gw[i])
				}
			}
		}
	}
	if share := float64(changed) / float64(words); share < typoRate/2 || share > typoRate*1.5 {
		t.Errorf("%.2f of the words got a typo, want about %.2f", share, typoRate)
	}
}
