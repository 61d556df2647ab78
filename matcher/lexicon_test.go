package matcher

import (
	"strings"
	"testing"
)

func TestParseLexicon(t *testing.T) {
	groups, err := ParseLexicon("# comment\nlag / latency / delay\n\nntp / sntp\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 || len(groups[0]) != 3 || groups[1][1] != "sntp" {
		t.Fatalf("groups = %q", groups)
	}
	if _, err := ParseLexicon("ok / fine\nlonely\n"); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("want an error naming line 2, got %v", err)
	}
}

// TestBuiltinLexicon checks the shipped data: it parses, and the
// equivalences the product promises are there.
func TestBuiltinLexicon(t *testing.T) {
	an, err := newAnalyzer(nil)
	if err != nil {
		t.Fatal(err)
	}
	same := [][2]string{
		{"lag", "latency"},
		{"delay", "latency"},
		{"ping", "icmp echo"},
		{"sta", "station"},
		{"ap", "softap"},
		{"tls", "ssl"},
		{"mbedtls", "tls"},
		{"4g", "lte"},
		{"cellular", "lte"},
		{"ntp", "sntp"},
		{"time zone", "tz"},
		{"errno 23", "enfile"},
		{"too many open files", "enfile"},
		{"not authorised", "MQTT_CONNECTION_REFUSE_NOT_AUTHORIZED"},
		{"keep-alive", "heartbeat"},
		{"mqqt", "mqtt"},
	}
	for _, p := range same {
		g1, g2 := groupOf(an, p[0]), groupOf(an, p[1])
		if g1 == "" || g1 != g2 {
			t.Errorf("%q -> %q and %q -> %q: want the same group", p[0], g1, p[1], g2)
		}
	}
	if g1, g2 := groupOf(an, "modem sleep"), groupOf(an, "modem"); g1 == g2 {
		t.Errorf("longest match: %q and %q both -> %q", "modem sleep", "modem", g1)
	}
}

func groupOf(an *analyzer, phrase string) string {
	whole := wholeTokens(an.tokens(phrase, nil))
	m := an.synonyms(whole)
	if len(m) != 1 {
		return ""
	}
	return m[0].group
}

func TestStopWords_keepMeaning(t *testing.T) {
	an, err := newAnalyzer(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"not", "no", "without", "only", "default", "max", "off"} {
		if w != "off" && an.stop[w] {
			t.Errorf("%q is a stop word; it changes the meaning of questions", w)
		}
	}
	for _, w := range []string{"the", "how", "pls", "thanks"} {
		if !an.stop[w] {
			t.Errorf("%q is not a stop word", w)
		}
	}
}
