package matcher

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/espbot/espbot/knowledge"
)

func embeddedIndex(tb testing.TB) *Index {
	tb.Helper()
	return embeddedIndexWith(tb, Options{})
}

func embeddedIndexWith(tb testing.TB, opts Options) *Index {
	tb.Helper()
	kb, err := knowledge.LoadDefault()
	if err != nil {
		tb.Fatal(err)
	}
	ix, err := New(kb.Entries, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return ix
}

// TestIndex_Search_exactTitles: every entry answers its own question.
func TestIndex_Search_exactTitles(t *testing.T) {
	ix := embeddedIndex(t)
	for _, e := range ix.Entries() {
		res := ix.Search(e.Title)
		if !res.Answered || res.Best.Entry.ID != e.ID {
			got := "(nothing)"
			if res.Best != nil {
				got = res.Best.Entry.Title
			}
			t.Errorf("Search(%q): answered=%v best=%q", e.Title, res.Answered, got)
		}
	}
}

// TestIndex_Search_realPhrasing covers the ways people type: synonyms,
// typos, chip names, pasted logs, identifiers. Each expects a title prefix
// (alternatives separated by "|" where two entries answer equally well),
// answered; where two entries are that close, ranking them first and
// second is as good as answering.
func TestIndex_Search_realPhrasing(t *testing.T) {
	ix := embeddedIndex(t)
	tests := []struct {
		q, want string
		// close: two entries answer equally, suggesting both will do;
		// suggest: evidence is split, offering the entry first will do
		close, suggest bool
	}{
		{"how do i reduce lag on esp32 wifi?", "How to optimize communication latency|After downloading the tcp_client example", true, false},
		{"default keepalive of the esp-idf mqqt client", "What is the default keep-alive value", false, false},
		{"SO_REUSEADDR on an esp32 tcp server", "When ESP32 & ESP8266 are used as TCP Servers", false, false},
		{"Unable to create TCP socket: errno 23", "After creating and closing TCP SOCKET", false, false},
		{"Unable to create TCP socket: errno 23 after a few reconnects", "After creating and closing TCP SOCKET", false, true},
		{"too many open files when opening sockets", "After creating and closing TCP SOCKET", false, false},
		{"W (4211) MQTT_CLIENT: Connection refused, not authorized", "I'm using ESP8266 release/v3.3", false, false},
		{"does the 8285 support cisco compatible extensions", "Does ESP8285 support CCS", false, false},
		{"how to hardcode a static ip on ethernet with idf v3.3", "Using esp-idf release/v3.3", false, false},
		{"ESP8266 loop-back to 127.0.0.1", "Does ESP8266 support loop-back", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			res := ix.Explain(tt.q)
			want := strings.Split(tt.want, "|")
			ok := res.Best != nil && hasAnyPrefix(res.Best.Entry.Title, want) && res.Answered
			if tt.close && res.Best != nil && len(res.Alternatives) > 0 {
				ok = hasAnyPrefix(res.Best.Entry.Title, want) && hasAnyPrefix(res.Alternatives[0].Entry.Title, want)
			}
			if tt.suggest && res.Best != nil {
				ok = hasAnyPrefix(res.Best.Entry.Title, want)
			}
			if !ok {
				t.Errorf("got answered=%v %v, want %q\n%s", res.Answered, titleOf(res), tt.want, strings.Join(res.Explanation.Details, "\n"))
			}
		})
	}
}

// TestIndex_Search_abstains on chit-chat, off-topic text and ESP
// questions the embedded page does not cover.
func TestIndex_Search_abstains(t *testing.T) {
	ix := embeddedIndex(t)
	for _, q := range []string{
		"hey there", "thanks!", "tell me a joke", "is it going to rain tomorrow?",
		"how do i exit vim", "kubectl get pods shows CrashLoopBackOff",
		"spiffs or littlefs on esp32?", "i2c sensor returns ESP_ERR_TIMEOUT on esp32-c3",
		"", "   ", "🤔🤔🤔", "https://example.com/some/page",
	} {
		if res := ix.Search(q); res.Answered {
			t.Errorf("Search(%q) answered %q (confidence %.2f)", q, res.Best.Entry.Title, res.Confidence)
		}
	}
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func titleOf(r Result) string {
	if r.Best == nil {
		return "(nothing)"
	}
	return r.Best.Entry.Title
}

func TestIndex_Search_alternativesAndConfidence(t *testing.T) {
	ix := embeddedIndex(t)
	res := ix.Search("esp32 ping latency is high")
	if len(res.Alternatives) == 0 || len(res.Alternatives) > 3 {
		t.Fatalf("alternatives = %d, want 1..3", len(res.Alternatives))
	}
	for _, h := range append([]Hit{*res.Best}, res.Alternatives...) {
		if h.Confidence < 0 || h.Confidence > 1 {
			t.Errorf("confidence %v out of [0, 1]", h.Confidence)
		}
	}
	if res.Alternatives[0].Entry.ID == res.Best.Entry.ID {
		t.Error("the best entry is repeated among the alternatives")
	}
}

// TestIndex_Search_chips: naming a chip prefers the entry about it.
func TestIndex_Search_chips(t *testing.T) {
	ix := embeddedIndex(t)
	a := ix.Explain("sntp time drifts on ESP8266")
	if !strings.Contains(titleOf(a), "ESP8266") {
		t.Errorf("ESP8266 question answered with %q", titleOf(a))
	}
	if len(a.Explanation.Chips) != 1 || a.Explanation.Chips[0] != "esp8266" {
		t.Errorf("chips = %v", a.Explanation.Chips)
	}
}

func TestIndex_Explain(t *testing.T) {
	ix := embeddedIndex(t)
	res := ix.Explain("mqqt keepalive lag")
	x := res.Explanation
	if x.Corrections["mqqt"] != "mqtt" && x.Expansions["mqqt"] == "" {
		t.Errorf("no correction or expansion for mqqt: %+v", x)
	}
	if x.Expansions["lag"] == "" {
		t.Errorf("lag not expanded: %v", x.Expansions)
	}
	all := strings.Join(x.Details, "\n")
	for _, want := range []string{"learned need", "ranking features:", "decision features:", "decision: calibrated"} {
		if !strings.Contains(all, want) {
			t.Errorf("explanation lacks %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "long post") {
		t.Errorf("a chat question explained as a long post:\n%s", all)
	}
	post := strings.Join(ix.Explain(readPost(t, "esp-idf-form.md", "mqqt keepalive lag")).Explanation.Details, "\n")
	if !strings.Contains(post, "read as a long post") {
		t.Errorf("a long post's explanation does not say how it was read:\n%s", post)
	}
	// its lines are listed with their weights, the question among the heaviest
	if !strings.Contains(post, "lines, heaviest first") || !regexp.MustCompile(`\n +0\.80 +\S+ +"mqqt keepalive lag"`).MatchString(post) {
		t.Errorf("a long post's explanation does not list its lines with their weights:\n%s", post)
	}
}

func TestIndex_Search_typoNeverRewritesKnownWords(t *testing.T) {
	ix := embeddedIndex(t)
	res := ix.Explain("chirp spread spectrum on esp32")
	if _, ok := res.Explanation.Corrections["chirp"]; ok {
		t.Errorf("chirp was corrected: %v", res.Explanation.Corrections)
	}
	res = ix.Explain("esp_wifi_set_pz")
	if len(res.Explanation.Corrections) != 0 {
		t.Errorf("an identifier was corrected: %v", res.Explanation.Corrections)
	}
}

// TestIndex_Search_hostileInput: bounded and safe whatever arrives.
func TestIndex_Search_hostileInput(t *testing.T) {
	ix := embeddedIndex(t)
	inputs := []string{
		strings.Repeat("mqtt keepalive ", 7000), // 100 KB paste
		"bad \xff\xfe utf8 mqtt",
		"\x00\x01\x02 control \x1b[31m chars",
		strings.Repeat("🙂", 5000),
		"int main(void) { for(;;) { esp_wifi_set_ps(WIFI_PS_NONE); } }",
		strings.Repeat("a", 100000),
	}
	for _, in := range inputs {
		res := ix.Search(in)
		if res.Confidence < 0 || res.Confidence > 1 {
			t.Errorf("confidence %v", res.Confidence)
		}
	}
}

func TestNew_extraLexicon(t *testing.T) {
	kb, err := knowledge.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(kb.Entries, Options{Lexicon: []string{"lonely"}}); err == nil {
		t.Error("a lexicon line with one term was accepted")
	}
	ix, err := New(kb.Entries, Options{Lexicon: []string{"zorbling / latency"}})
	if err != nil {
		t.Fatal(err)
	}
	if res := ix.Explain("zorbling on esp32 wifi"); res.Explanation.Expansions["zorbling"] == "" {
		t.Errorf("extra lexicon line not used: %v", res.Explanation.Expansions)
	}
}

func TestNew_phrasings(t *testing.T) {
	kb, err := knowledge.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	target := kb.Entries[3]
	q := "quokka zebra banana flux capacitor"
	ix, err := New(kb.Entries, Options{Phrasings: map[string][]string{target.ID: {q}}})
	if err != nil {
		t.Fatal(err)
	}
	if res := ix.Search(q); res.Best == nil || res.Best.Entry.ID != target.ID {
		t.Errorf("accepted phrasing does not find its entry: %v", titleOf(res))
	}
}

func TestIndex_SearchTitles(t *testing.T) {
	ix := embeddedIndex(t)
	hits := ix.SearchTitles("mqt", 5)
	if len(hits) == 0 || !strings.Contains(strings.ToLower(hits[0].Entry.Title), "mqtt") {
		t.Fatalf("prefix search: %v", hits)
	}
	if len(ix.SearchTitles("keep-alive", 25)) > 25 {
		t.Fatal("more hits than asked")
	}
}

// TestIndex_Search_corpus checks a few questions against the whole esp-faq.
func TestIndex_Search_corpus(t *testing.T) {
	ix, err := New(loadCorpus(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	res := ix.Search("E (31337) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x2800")
	if !res.Answered || !strings.Contains(res.Best.Entry.Title, "-0x2800") {
		t.Errorf("pasted log line: %v", titleOf(res))
	}
	if res := ix.Search("what's a good movie to watch tonight"); res.Answered {
		t.Errorf("off-topic answered: %v", titleOf(res))
	}
	// what a line has in common with an entry about a TLS error in
	// ESP-IDF v5.1.2 is the version, the framework and the chip: it asks
	// nothing that entry answers
	for _, q := range []string{
		"ok, lunch time, back soon (esp-idf v5.1.2)",
		"off to the dentist, wish me luck (esp-idf v5.1.2 on an esp32-s3)",
	} {
		if res := ix.Search(q); res.Answered {
			t.Errorf("%q answered with %v", q, titleOf(res))
		}
	}
	for _, q := range []string{
		"what is the default mqtt keepalive? (esp-idf v5.1.2)",
		"how do i add the esp32 board to the arduino ide?",
		"does 8266 do 802.11r fast roaming?", // the number is what it asks
	} {
		if res := ix.Search(q); !res.Answered {
			t.Errorf("%q: not answered (%v at %.2f)", q, titleOf(res), res.Confidence)
		}
	}
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{"esp_wifi_set_ps(WIFI_PS_NONE)", "ESP32-S3 v4.4 192.168.4.1", "keep-alive", "\xff", "？：", "AT+CIPSERVER=1,80"} {
		f.Add(s)
	}
	an, err := newAnalyzer(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range an.tokens(Truncate(s), nil) {
			if tok.Text == "" || !utf8.ValidString(tok.Text) {
				t.Fatalf("bad token %q from %q", tok.Text, s)
			}
		}
	})
}

func FuzzSearch(f *testing.F) {
	ix := embeddedIndex(f)
	for _, s := range []string{"mqtt keepalive", "errno 23", "", "🙂", "SO_REUSEADDR 8266",
		strings.Repeat("Update: the socket closes. [code]x = 1;\n![a](b) <details>\nAny ideas?\n\n", 20)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		res := ix.Search(s)
		if res.Confidence < 0 || res.Confidence > 1 || res.Answered && res.Best == nil || len(res.Alternatives) > 3 {
			t.Fatalf("bad result for %q: %+v", s, res)
		}
	})
}

func TestIndex_Related(t *testing.T) {
	ix := embeddedIndex(t)
	e := ix.Entries()[1]
	rel := ix.Related(e.ID, 3)
	if len(rel) == 0 || len(rel) > 3 {
		t.Fatalf("%d related entries, want 1..3", len(rel))
	}
	for _, h := range rel {
		if h.Entry.ID == e.ID {
			t.Error("an entry is related to itself")
		}
	}
	if ix.Related("nope", 3) != nil {
		t.Error("related entries of an unknown ID")
	}
}

// TestExpandPrefix_mostUsed: a prefix being typed stands for its most
// used completions, whatever order the vocabulary was built in.
func TestExpandPrefix_mostUsed(t *testing.T) {
	ix := embeddedIndex(t)
	p := &queryPlan{}
	ix.expandPrefix(p, "how to con")
	if len(p.concepts) != 1 || len(p.concepts[0].alts) != maxCompletions {
		t.Fatalf("concepts %+v, want one of %d completions", p.concepts, maxCompletions)
	}
	chosen := map[string]bool{}
	for _, a := range p.concepts[0].alts {
		chosen[a.term] = true
	}
	least := -1
	for _, w := range ix.vocab.byLen {
		for _, v := range w {
			if strings.HasPrefix(v.word, "con") && chosen[v.term] && (least < 0 || v.df < least) {
				least = v.df
			}
		}
	}
	for _, w := range ix.vocab.byLen {
		for _, v := range w {
			if strings.HasPrefix(v.word, "con") && len(v.word) < len("con")+12 && v.df > least && !chosen[v.term] {
				t.Errorf("%q (in %d entries) left out for completions in %d", v.word, v.df, least)
			}
		}
	}
}
