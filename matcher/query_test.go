package matcher

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/espbot/espbot/knowledge"
)

// conceptsOf returns the concepts of q whose typed term is term.
func conceptsOf(p *queryPlan, term string) []concept {
	var cs []concept
	for _, c := range p.concepts {
		if c.alts[0].term == term {
			cs = append(cs, c)
		}
	}
	return cs
}

// TestPlan_identifierParts: a word asked about beside an identifier it is
// part of is one concept, whichever comes first, and it keeps its lexicon
// group; a part no word repeats belongs to its identifier.
func TestPlan_identifierParts(t *testing.T) {
	ix := embeddedIndex(t)
	term := ix.an.tokens("handshake", nil)[0].term
	for _, q := range []string{
		"the handshake fails: mbedtls_ssl_handshake returned -0x7600",
		"mbedtls_ssl_handshake returned -0x7600, the handshake fails",
	} {
		p := ix.plan(q)
		cs := conceptsOf(p, term)
		if len(cs) != 1 {
			t.Errorf("%q: %d concepts for %q, want 1", q, len(cs), term)
			continue
		}
		if cs[0].part || cs[0].key() == term {
			t.Errorf("%q: the word is a part (%v) or lost its lexicon group (key %q)", q, cs[0].part, cs[0].key())
		}
		whole := -1
		for i, c := range p.concepts {
			if c.text == "mbedtls_ssl_handshake" {
				whole = i
			}
		}
		ssl := conceptsOf(p, "ssl")
		if whole < 0 || len(ssl) != 1 || !ssl[0].part || ssl[0].parent != whole {
			t.Errorf("%q: the part ssl (%+v) does not belong to the identifier (concept %d)", q, ssl, whole)
		}
	}
}

// TestPlan_partsAfterNotes: a note drops some of its concepts (a board's
// name, a chip a board implies); the parts that stay still point at their
// identifier, or at none when it was dropped.
func TestPlan_partsAfterNotes(t *testing.T) {
	ix := embeddedIndex(t)
	for _, q := range []string{
		"mbedtls_ssl_handshake returned -0x7600 (board: ESP32-WROOM-32D devkitc)",
		"what does esp_wifi_set_ps do on the esp32? on my nodemcu",
		"Been stuck on this for days. esp_netif_init fails with esp_netif_new_ip_info",
	} {
		p := ix.plan(q)
		for _, c := range p.concepts {
			if !c.part || c.parent < 0 {
				continue
			}
			if o := p.concepts[c.parent]; o.part || !strings.Contains(o.text, c.text) {
				t.Errorf("%q: the part %q points at %q", q, c.text, o.text)
			}
		}
	}
}

// TestScore_partsOfMatchedIdentifier: an entry that matches an identifier
// whole gets its parts at partOverlap of their worth, so that the parts
// do not outweigh the other words of the question; an entry matching the
// parts alone gets them in full.
func TestScore_partsOfMatchedIdentifier(t *testing.T) {
	ix := embeddedIndex(t)
	p := ix.plan("esp_http_client_write chunked data")
	flat := *p
	flat.concepts = append([]concept(nil), p.concepts...)
	parts := 0
	for i := range flat.concepts {
		if flat.concepts[i].part && flat.concepts[i].parent >= 0 {
			flat.concepts[i].parent = -1
			parts++
		}
	}
	if parts == 0 {
		t.Fatal("no part of esp_http_client_write belongs to it")
	}
	scores := func(p *queryPlan) map[int32]float64 {
		sc := ix.getScratch()
		defer ix.release(sc)
		m := map[int32]float64{}
		for _, d := range ix.score(p, sc) {
			m[d] = sc.acc[d].score
		}
		return m
	}
	got, full := scores(p), scores(&flat)
	whole := uint64(1) << 0 // the identifier is the first concept
	lower, same := 0, 0
	sc := ix.getScratch()
	defer ix.release(sc)
	for _, d := range ix.score(p, sc) {
		switch {
		case sc.acc[d].mask&whole != 0:
			if got[d] >= full[d] {
				t.Errorf("entry %s matches the identifier whole: score %.3f, want below %.3f", ix.entries[d].ID, got[d], full[d])
			}
			lower++
		default:
			if math.Abs(got[d]-full[d]) > 1e-9 {
				t.Errorf("entry %s matches parts only: score %.3f, want %.3f", ix.entries[d].ID, got[d], full[d])
			}
			same++
		}
	}
	if lower == 0 || same == 0 {
		t.Fatalf("%d entries match the identifier and %d do not: the test question no longer tells", lower, same)
	}
}

// TestPlan_bare: a question of one word is a topic and gets suggestions;
// an identifier, an error code or two words may be answered.
func TestPlan_bare(t *testing.T) {
	ix := embeddedIndex(t)
	tests := []struct {
		q    string
		want bool
	}{
		{"mtu", true},
		{"ping?", true},
		{"keep-alive", true}, // its parts aside, one word
		{"keep alive", true}, // a lexicon phrase of two words
		{"too many open files", false},
		{"SO_REUSEADDR", false},
		{"errno 23", false},
		{"0x2800", false},
		{"lwip mtu", false},
		{"default mtu?", false},
	}
	for _, tt := range tests {
		if got := ix.plan(tt.q).bare(); got != tt.want {
			t.Errorf("bare(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
	res := ix.Search("mtu")
	if res.Answered || res.Best == nil || !strings.Contains(res.Best.Entry.Title, "MTU") {
		t.Errorf("mtu: answered %v, best %v: want the MTU entry as a suggestion", res.Answered, titleOf(res))
	}
}

// TestPlan_chatShorthand: chat shorthand means what it stands for: "w/o"
// is "without", though its letters alone mean nothing, and "idk", "tbh"
// and "rn" are filler, as is "thanks in advance".
func TestPlan_chatShorthand(t *testing.T) {
	ix := embeddedIndex(t)
	keys := func(q string) []string {
		var out []string
		for _, c := range ix.plan(q).concepts {
			out = append(out, c.key())
		}
		return out
	}
	if got, want := keys("connect w/o a password"), keys("connect without a password"); !slices.Equal(got, want) {
		t.Errorf("connect w/o a password: concepts %q, want %q", got, want)
	}
	if got, want := keys("mqtt keepalive idk tbh rn, thanks in advance"), keys("mqtt keepalive"); !slices.Equal(got, want) {
		t.Errorf("with chat filler: concepts %q, want %q", got, want)
	}
}

// TestPlan_modelCodes: a chip's suffix after a word the FAQ never uses is
// that product's model code; after an FAQ word, a stop word, a possessive
// or a board's name it is the chip.
func TestPlan_modelCodes(t *testing.T) {
	ix := embeddedIndex(t)
	for _, tt := range []struct {
		q    string
		chip bool
	}{
		{"wifi drops every hour, my router is a TP-Link Archer C6", false},
		{"my phone is a galaxy s3 and cannot join the softap", false},
		{"wifi drops every hour on the C6", true},
		{"does the esp32 and c3 support wpa3", true},
		{"a colleague's c3 project has ftm options", true},
		{"wifi drops every hour on a xiao c3", true},
	} {
		member := func(c string) bool { return c != "esp32" } // an ESP32-xx
		if got := slices.ContainsFunc(ix.plan(tt.q).chips, member); got != tt.chip {
			t.Errorf("%q: names a chip %v, want %v", tt.q, got, tt.chip)
		}
	}
}

// TestPlan_setupNote: a sentence that only says what the asker works with
// counts little; the same version in the question's own words counts
// fully.
func TestPlan_setupNote(t *testing.T) {
	ix := embeddedIndex(t)
	focusOf := func(q, text string) float64 {
		for _, c := range ix.plan(q).concepts {
			if c.text == text {
				return c.focus
			}
		}
		return 0 // none
	}
	for _, tt := range []struct {
		q, concept string
		want       float64
	}{
		{"what is the default mqtt keepalive? (esp-idf v5.1.2)", "v5.1.2", setupNoteFocus},
		{"what is the default mqtt keepalive? using arduino ide", "arduino", setupNoteFocus},
		{"on esp-idf v5.1.2, what is the default mqtt keepalive?", "v5.1.2", 1},
		{"what is the default mqtt keepalive? it drops on v5.1.2", "v5.1.2", 1},         // the note says more
		{"what keepalive does esp-mqtt use (esp-idf v5.1.2)", "v5.1.2", setupNoteFocus}, // an aside in brackets
		{"what keepalive does esp-mqtt use (the broker resets me on v5.1.2)", "v5.1.2", 1},
		{"what is the default mqtt keepalive? (esp-idf v5.1.2)", "keepalive", 1},
		{"what is the default mqtt keepalive using arduino ide", "arduino", setupNoteFocus}, // a clause of the tools used
		{"how do I join an enterprise network using eap-tls", "tls", 1},
		{"what is the default mqtt keepalive? I am using the Arduino framework in VS Code.", "vs code", setupNoteFocus},
		{"what is the default mqtt keepalive? I am using the Arduino framework in VS Code.", "framework", setupNoteFocus},
		{"what is the default mqtt keepalive (VS Code, PlatformIO)", "vs code", setupNoteFocus},
		{"can I debug the esp32 in vs code?", "vs code", 1},
		// modules, boards and names made of set-up words say what the
		// asker works with too; a note's module or board counts for its
		// chip alone
		{"what is the default mqtt keepalive? (board: ESP32-WROOM-32D devkitc)", "32d", 0},
		{"what is the default mqtt keepalive? (board: ESP32-WROOM-32D devkitc)", "devkitc", 0},
		{"what is the default mqtt keepalive? (board: ESP32-WROOM-32D devkitc)", "esp32", setupNoteFocus},
		{"what is the default mqtt keepalive? (arduino-esp32 2.0.14)", "arduinoesp32", 0},
		{"what is the default mqtt keepalive? (arduino-esp32 2.0.14)", "v2.0.14", setupNoteFocus},
		{"what is the default mqtt keepalive? (my own board with a W5500)", "board", 1},
		{"what is the default mqtt keepalive? I'm using esp-idf 5.1 on a custom board.", "custom", 0},
		// clauses of set-up words after a comma are a note too
		{"what is the default mqtt keepalive, arduino core 2.0.14", "v2.0.14", setupNoteFocus},
		{"what is the default mqtt keepalive, esp-idf v5.0, esp32-s3", "v5.0", setupNoteFocus},
		{"what is the default mqtt keepalive, esp8266 rtos sdk 3.4", "v3.4", setupNoteFocus},
		{"what is the default mqtt keepalive, wroom-32e devkitc v4", "v4", 0},
		{"what is the default mqtt keepalive, or the tls one, on v5.1", "v5.1", 1},
		// so are model codes and words after it
		{"what is the default mqtt keepalive? (wemos d1 mini)", "mini", 0},
		{"what is the default mqtt keepalive? (wemos d1 mini)", "d1", 0},
		{"what is the default mqtt keepalive? (lolin d32 pro)", "pro", 0},
		{"is there a mini http server i can run on the devkitc?", "mini", 1},
		// and a vendor's words for its board, up to the code that ends the
		// name; without one they are the question's
		{"what is the default mqtt keepalive on a heltec wifi lora 32 v2", "lora", 0},
		{"what is the default mqtt keepalive on a heltec wifi lora 32 v2", "32", 0},
		{"what is the default mqtt keepalive with my ttgo t-display", "display", 0},
		{"what is the default mqtt keepalive (sparkfun thing plus)", "thing", 0},
		{"my heltec lora board drops off the wifi, what is the default mqtt keepalive", "lora", 1},
		{"which lora radios can a heltec talk to?", "lora", 1},
		// a board's name in the question's own words counts as a note's;
		// "module" alone may be what is asked about
		{"on my heltec wifi lora 32 v2, what is the default mqtt keepalive", "lora", setupNoteFocus},
		{"on my heltec wifi lora 32 v2, what is the default mqtt keepalive", "heltec", setupNoteFocus},
		{"how do I bring up ppp with a cat-1 cellular module on the usb port?", "module", 1},
		// a field of the set-up is left out but for its chip, whatever
		// its words, alone or glued on
		{"what is the default mqtt keepalive? Board: ESP32-WROOM-32E, powered via USB.", "usb", 0},
		{"what is the default mqtt keepalive? Board: ESP32-WROOM-32E, powered via USB.", "esp32", setupNoteFocus},
		{"what is the default mqtt keepalive Power supply: 5V 2A wall adapter.", "wall", 0},
		{"what is the default mqtt keepalive? Power: my USB hub is flaky and browns out the board whenever it sends.", "hub", 1},
		// a revision after a board's name is part of the name
		{"what is the default mqtt keepalive on an esp32 devkit v1", "v1", 0},
		{"what is the default mqtt keepalive on an esp32 devkit v1", "esp32", setupNoteFocus},
		{"what changed in the mqtt keepalive in v5", "v5", 1},
		// a verb that says only what the asker works with says nothing
		// more; beside what else the sentence says it stays
		{"Working on ESP32-C6. what is the default mqtt keepalive?", "esp32c6", setupNoteFocus},
		{"Working on ESP32-C6. what is the default mqtt keepalive?", "working", 0},
		{"what is the default mqtt keepalive? Currently running it on an ESP32-S3 devkit.", "running", 0},
		{"is the esp32 still running? it reboots each night", "running", 1},
		{"Testing with an ESP32-C3 right now. what is the default mqtt keepalive?", "right", 0},
		{"what is the right mqtt keepalive?", "right", 1},
		{"what is the default mqtt keepalive? Running out of heap on an ESP32-C6.", "esp32c6", 1},
		{"what is the default mqtt keepalive? Using VS Code with the ESP-IDF extension.", "extension", 0},
		{"what is the default mqtt keepalive? Using VS Code with the ESP-IDF extension.", "vs code", setupNoteFocus},
		{"how do I install the esp-idf extension?", "extension", 1},
		// hashtags file the question; only their chips stay
		{"what is the default mqtt keepalive? #arduino #iot", "iot", 0},
		{"what is the default mqtt keepalive #esp32 #iot", "esp32", setupNoteFocus},
		// so do the languages and Rust crates the asker builds with
		{"what is the default mqtt keepalive? (Rust, esp-idf-hal)", "hal", 0},
		{"what is the default mqtt keepalive? (Rust, esp-idf-hal)", "rust", setupNoteFocus},
		{"what is the default mqtt keepalive? I am using MicroPython.", "micropython", setupNoteFocus},
		{"what is the default mqtt keepalive? I am using Zephyr.", "zephyr", 1},
		// a sentence around the question of another vendor's device is
		// the rest of the asker's system; beside an Espressif one it is
		// what the question is about
		{"what is the default mqtt keepalive? It talks to an STM32 over UART.", "uart", setupNoteFocus},
		{"what is the default mqtt keepalive? My ESP32 talks to an STM32 over UART.", "uart", 1},
		{"It talks to an STM32 over UART. What is the default baud rate?", "uart", setupNoteFocus},
		{"How do I set the uart baud rate on an stm32", "uart", 1},
		{"what is the default mqtt keepalive? The broker runs on a Raspberry Pi.", "raspberry", setupNoteFocus},
		// the chip the question names beats the one a board implies
		{"what is the default esp32 mqtt keepalive? on my nodemcu", "esp8266", 0},
		{"what is the default mqtt keepalive? on my nodemcu", "esp8266", setupNoteFocus},
		{"my nodemcu and an esp32: what is the default mqtt keepalive?", "esp8266", 1},
	} {
		if got := focusOf(tt.q, tt.concept); got != tt.want {
			t.Errorf("%q: %s counts %v, want %v", tt.q, tt.concept, got, tt.want)
		}
	}
	// nor does the note make the question one about Espressif's products
	if p := ix.plan("which standing desk is best for long days? (esp-idf v5.1.2)"); p.espressif || p.anchored {
		t.Errorf("a set-up note: espressif %v, anchored %v; want neither", p.espressif, p.anchored)
	}
	if p := ix.plan("which standing desk is best for long esp-idf days?"); !p.espressif {
		t.Error("the question's own esp-idf: not read as naming Espressif")
	}
}

// TestPlan_introduction: a sentence that introduces the asker and says
// nothing else is taken back, but for the chip it names, which counts as
// a set-up note's; one that says more is part of the question, and a
// question of one sentence is read whole.
func TestPlan_introduction(t *testing.T) {
	ix := embeddedIndex(t)
	type seen struct {
		key   string
		focus float64
	}
	concepts := func(q string) []seen {
		var out []seen
		for _, c := range ix.plan(q).concepts {
			out = append(out, seen{c.key(), c.focus})
		}
		return out
	}
	asked := concepts("how do I raise the number of lwip sockets?")
	withChip := append([]seen{{"esp8266", setupNoteFocus}}, asked...)
	for _, tt := range []struct {
		q    string
		want []seen
	}{
		{"First time posting here. how do I raise the number of lwip sockets?", asked},
		{"how do I raise the number of lwip sockets? I've searched the forum but found nothing.", asked},
		{"how do I raise the number of lwip sockets? I can post my code if needed.", asked},
		{"how do I raise the number of lwip sockets? It worked fine yesterday.", asked},
		{"how do I raise the number of lwip sockets? It used to work.", asked},
		{"how do I raise the number of lwip sockets? Let me know if you need more info.", asked},
		{"how do I raise the number of lwip sockets? (translated with google)", asked},
		{"Not sure if this is the right channel, but how do I raise the number of lwip sockets?", asked},
		{"first time posting here. how do I raise the number of lwip sockets", asked}, // nothing asks
		{"I'm working on a little home project. how do I raise the number of lwip sockets?", asked},
		{"New to esp8266 here. how do I raise the number of lwip sockets?", withChip},
		{"Sorry, noob question. how do I raise the number of lwip sockets?", asked},
		// an opening clause, a handle, an addendum that says nothing
		{"sorry if this is a dumb question, but how do I raise the number of lwip sockets?", asked},
		{"Been trying to figure this out all day, how do I raise the number of lwip sockets?", asked},
		{"Been going around in circles with this, how do I raise the number of lwip sockets?", asked},
		{"@espbot how do I raise the number of lwip sockets?", asked},
		{"how do I raise the number of lwip sockets?\nEDIT: forgot to mention it worked fine last week.", asked},
		{"how do I raise the number of lwip sockets PS: thanks in advance", asked},
		// an addendum that says an attempt changed nothing
		{"how do I raise the number of lwip sockets?\nUpdate: still no luck after a reboot.", asked},
		{"how do I raise the number of lwip sockets? EDIT: reflashed the firmware, didn't help.", asked},
		{"I have a problem: how do I raise the number of lwip sockets?", asked},
		// a mark's own words say nothing either, though entries use them
		// ("post" is HTTP's)
		{"Follow-up to my last post: how do I raise the number of lwip sockets?", asked},
		{"how do I raise the number of lwip sockets? (sorry for bad english)", asked},
		{"how do I raise the number of lwip sockets? It started happening since yesterday.", asked},
		{"how do I raise the number of lwip sockets It started happening since yesterday.", asked},
		// a link
		{"how do I raise the number of lwip sockets? https://docs.espressif.com/projects/esp-idf/en/stable/esp32/api-guides/lwip.html", asked},
	} {
		if got := concepts(tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("%q: concepts %v, want %v", tt.q, got, tt.want)
		}
	}
	for _, q := range []string{
		"First time using lwip sockets here. how do I raise their number?", // says more
		"first time I open a lwip socket it fails",                         // one sentence
	} {
		if got := concepts(q); !slices.ContainsFunc(got, func(s seen) bool { return s.key == "time" }) {
			t.Errorf("%q: concepts %v, want the whole question", q, got)
		}
	}
	// an opening clause that says something stays part of its sentence
	if got, want := concepts("New to lwip sockets, how do I raise their number?"), concepts("New to lwip sockets how do I raise their number?"); !slices.Equal(got, want) {
		t.Errorf("a clause that says something: concepts %v, want %v", got, want)
	}
	// an addendum that says something counts as a note, unless it asks
	note := concepts("how do I raise the number of lwip sockets?\nstill drops the wifi connection.")
	for i := len(asked); i < len(note); i++ {
		note[i].focus *= setupNoteFocus
	}
	if got := concepts("how do I raise the number of lwip sockets?\nUpdate: still drops the wifi connection."); len(note) == len(asked) || !slices.Equal(got, note) {
		t.Errorf("an addendum: concepts %v, want %v", got, note)
	}
	if got, want := concepts("how do I raise the number of lwip sockets? EDIT: does the wifi connection limit them too?"), concepts("how do I raise the number of lwip sockets? does the wifi connection limit them too?"); !slices.Equal(got, want) {
		t.Errorf("an addendum that asks: concepts %v, want %v", got, want)
	}
	// nor does the chip make the question one about Espressif's products
	if p := ix.plan("New to esp8266 here. which standing desk is best for long days?"); p.espressif || p.anchored {
		t.Errorf("an introduction: espressif %v, anchored %v; want neither", p.espressif, p.anchored)
	}
}

// TestIdentIndex_containing: an identifier no entry uses finds the longer
// ones that contain it in whole segments, unless too many do.
func TestIdentIndex_containing(t *testing.T) {
	ix := newIdentIndex(map[string]int32{
		"esp_http_client_read_response": 0, "config_lwip_max_sockets": 1, "lwip_max": 2,
		"esp_err_a": 3, "esp_err_b": 4, "esp_err_c": 5, "esp_err_d": 6, "plain": 7,
	})
	tests := []struct {
		term string
		want []string
	}{
		{"read_response", []string{"esp_http_client_read_response"}},
		{"lwip_max_sockets", []string{"config_lwip_max_sockets"}},
		{"lwip_max", []string{"config_lwip_max_sockets"}}, // itself is not longer
		{"ad_response", nil}, // not whole segments
		{"esp_err", nil},     // four of them: too generic
		{"no_such_thing", nil},
	}
	for _, tt := range tests {
		if got := ix.containing(tt.term, maxWider); !slices.Equal(got, tt.want) {
			t.Errorf("containing(%q) = %q, want %q", tt.term, got, tt.want)
		}
	}
}

// TestPlan_widerIdentifier: a question's identifier that no entry uses is
// matched through the longer one an entry has, so it is no unknown term.
func TestPlan_widerIdentifier(t *testing.T) {
	ix := embeddedIndex(t)
	p := ix.plan("http_client_write returns -1 after a while")
	cs := conceptsOf(p, "http_client_write")
	if len(cs) != 1 || cs[0].unknown || !cs[0].hasAlt("esp_http_client_write") {
		t.Fatalf("concepts %+v: want http_client_write known through esp_http_client_write", cs)
	}
}

// TestExplain_partsOfMatchedIdentifier: --explain counts a part of a
// matched identifier as the score does, and says why; the decision line
// shows the threshold as the model has it.
func TestExplain_partsOfMatchedIdentifier(t *testing.T) {
	ix := embeddedIndex(t)
	d := strings.Join(ix.Explain("esp_http_client_write chunked data").Explanation.Details, "\n")
	if !strings.Contains(d, "(its identifier matched)") {
		t.Errorf("no part of a matched identifier in the explanation:\n%s", d)
	}
	if want := fmt.Sprintf("threshold %.3f", ix.threshold); !strings.Contains(d, want) {
		t.Errorf("the decision line lacks %q:\n%s", want, d)
	}
}

// TestRank_codeConflict: an entry about another error code of the same
// kind (hex, errno, Wi-Fi reason) than the one asked about is marked for the ranker; one
// about the asked code, or about no code, is not, and an error named in
// words ("out of memory") is no code.
func TestRank_codeConflict(t *testing.T) {
	kb, err := knowledge.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	entries := append(kb.Entries,
		knowledge.Entry{ID: "t-2800", Title: "What does mbedtls_ssl_handshake returned -0x2800 mean?", Category: "Protocols"},
		knowledge.Entry{ID: "t-7600", Title: "What do the error codes 0x6900 and 0x7600 mean during a TLS handshake?", Category: "Protocols"},
		knowledge.Entry{ID: "t-none", Title: "Why does the mbedtls handshake fail?", Category: "Protocols"},
		knowledge.Entry{ID: "t-errno", Title: "Why does connect() fail with errno 113 on a socket?", Category: "Protocols"},
		knowledge.Entry{ID: "t-reason", Title: "What does the Wi-Fi disconnection reason 201 mean?", Category: "Protocols"},
	)
	ix, err := New(entries, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		q    string
		want map[string]float64
	}{
		{"mbedtls_ssl_handshake returned -0x7600, what does it mean?", map[string]float64{"t-2800": 1, "t-7600": 0, "t-none": 0}},
		{"connect() on a socket fails with errno 119", map[string]float64{"t-errno": 1}},
		{"connect() on a socket fails: out of memory", map[string]float64{"t-errno": 0}},
		{"connect() on a socket fails with errno 113", map[string]float64{"t-errno": 0}},
		{"wifi disconnection with reason 15, what does it mean?", map[string]float64{"t-reason": 1}},
		{"wifi disconnection with reason 201, what does it mean?", map[string]float64{"t-reason": 0}},
	}
	for _, tt := range tests {
		want := maps.Clone(tt.want)
		for _, c := range ix.rank(ix.plan(tt.q)) {
			id := ix.entries[c.doc].ID
			if w, ok := want[id]; ok {
				if c.x[rfCodeConflict] != w {
					t.Errorf("%q: %s has code-conflict %v, want %v", tt.q, id, c.x[rfCodeConflict], w)
				}
				delete(want, id)
			}
		}
		if len(want) > 0 {
			t.Errorf("%q: not among the candidates: %v", tt.q, want)
		}
	}
	if !hexCode("0x7a00") || !hexCode("0x101") || hexCode("0x") || hexCode("0xzz00") || hexCode("7600") || hexCode("0x400d2f39") {
		t.Error("hexCode misreads a code")
	}
}

// TestOneAlt: appending to one concept's alternatives never overwrites the
// next concept's, though they share the plan's pool.
func TestOneAlt(t *testing.T) {
	var p queryPlan
	var firsts [][]alt
	for i := range 3 * altPoolSize {
		firsts = append(firsts, p.oneAlt(alt{id: int32(i)}))
	}
	for i := range firsts {
		firsts[i] = append(firsts[i], alt{id: -1}, alt{id: -2})
	}
	for i, as := range firsts {
		if len(as) != 3 || as[0].id != int32(i) || as[1].id != -1 || as[2].id != -2 {
			t.Fatalf("concept %d: alternatives %+v", i, as)
		}
	}
}

// TestPlan_postIntroduction: in a long post, a sentence that introduces
// the poster and says nothing else is taken back, as in a chat question.
func TestPlan_postIntroduction(t *testing.T) {
	ix := embeddedIndex(t)
	has := func(p *queryPlan, key string) bool {
		return slices.ContainsFunc(p.concepts, func(c concept) bool { return c.key() == key })
	}
	intro := ix.plan(githubIssue("First post here, so sorry if this is in the wrong section.\n\nHow do I raise the number of lwip sockets?", "E (5231) example: Socket unable to bind: errno 112"))
	if !intro.post || has(intro, "section") || !has(intro, "~lwip") {
		t.Errorf("an introduction in a post: post %v, concepts %v; want a post without the introduction's words", intro.post, intro.concepts)
	}
	said := ix.plan(githubIssue("First post here: the wrong section of my app drops the mqtt connection.\n\nHow do I raise the number of lwip sockets?", "E (5231) example: Socket unable to bind: errno 112"))
	if !has(said, "section") {
		t.Errorf("a sentence that says something: concepts %v, want its words", said.concepts)
	}
}
