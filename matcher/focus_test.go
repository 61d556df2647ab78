package matcher

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLineWeight(t *testing.T) {
	tests := []struct {
		line   string
		inCode bool
		want   float64
	}{
		{"E (5231) example: Socket unable to bind: errno 112", false, focusAsk},
		{"W (4211) MQTT_CLIENT: Connection refused, not authorized", false, focusAsk},
		{"I (3021) wifi:connected with Plant-IoT, aid = 7", false, focusCode},
		{"I (90231) wifi:bcn_timeout,ap_probe_send_start", false, focusAsk},
		{"I (185041) mqtt_example: MQTT_EVENT_DISCONNECTED", true, focusAsk},
		{"[   598][D][WiFiGeneric.cpp:1035] _eventCallback(): Arduino Event: 2 - STA_START", true, focusCode},
		{"[  5123][E][WiFiGeneric.cpp:1062] _eventCallback(): Reason: 15 - 4WAY_HANDSHAKE_TIMEOUT", true, focusAsk},
		{"rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)", true, focusDump},
		{"I (29) boot: ESP-IDF v5.1.2 2nd stage bootloader", true, focusDump},
		{"E (29) boot: No bootable app partitions in the partition table", true, focusAsk},
		{"ESP-IDF version: v4.4", false, focusBoilerplate},
		{"- Development Kit: ESP32-DevKitC", false, focusBoilerplate},
		{"Operating System: Windows 11", false, focusBoilerplate},
		{"Update: it only drops when the phone hotspot is the AP", false, focusProse},
		{"EDIT: fixed it, it was a loose jumper wire", false, focusProse},
		{"### Steps to reproduce", false, focusBoilerplate},
		{"- [x] I have searched the issue tracker", false, focusBoilerplate},
		{"Backtrace: 0x40081a2b:0x3ffb0d60 0x4008a3f1:0x3ffb0d80 0x400d2b3c:0x3ffb0da0", false, focusDump},
		{"Why does the socket stay busy after close?", false, focusAsk},
		{"The board reboots when the upload fails", false, focusAsk},
		{"I have a sensor on GPIO 4 that posts every minute.", false, focusProse},
		{"int s = socket(AF_INET, SOCK_STREAM, 0);", true, focusCode},
	}
	for _, tt := range tests {
		if got := lineWeight(tt.line, tt.inCode); got != tt.want {
			t.Errorf("lineWeight(%q) = %v, want %v", tt.line, got, tt.want)
		}
	}
}

// githubIssue is a long post as people file them: a template, a question,
// a log and a backtrace, several kilobytes in all.
func githubIssue(question, errorLine string) string {
	var b strings.Builder
	b.WriteString("### Answers checklist.\n\n- [x] I have read the documentation ESP-IDF Programming Guide and the issue is not addressed there.\n- [x] I have updated my IDF branch (master or release) to the latest version and checked that the issue is present there.\n- [x] I have searched the issue tracker for a similar issue and not found a similar issue.\n\n")
	b.WriteString("### General issue report\n\nESP-IDF version: v4.4.2\nDevelopment Kit: ESP32-DevKitC-32E\nModule or chip used: ESP32-WROOM-32E\nOperating System: Ubuntu 22.04\nPower Supply: USB\n\n")
	b.WriteString(question + "\n\n```\n")
	for i := range 90 {
		b.WriteString("I (" + strings.Repeat("1", 3+i%3) + ") wifi:new:<6,0>, old:<1,0>, ap:<255,255>, sta:<6,0>, prof:1\n")
	}
	b.WriteString(errorLine + "\n")
	for range 20 {
		b.WriteString("Backtrace:0x40081a2b:0x3ffb0d60 0x4008a3f1:0x3ffb0d80 0x400d2b3c:0x3ffb0da0 0x400d1e10:0x3ffb0dc0\n")
	}
	b.WriteString("```\n\nThanks for any help, happy to provide more logs.\n")
	return b.String()
}

// TestSearch_longPosts: in a post of several kilobytes the asking sentence
// and the error lines count, the template and the log noise little.
func TestSearch_longPosts(t *testing.T) {
	ix := embeddedIndex(t)
	post := githubIssue("After reconnecting a few dozen times my client cannot open sockets anymore.",
		"E (93211) app: Unable to create TCP socket: errno 23")
	if len(post) < 6000 {
		t.Fatalf("the post is only %d bytes", len(post))
	}
	res := ix.Explain(post)
	if res.Best == nil || !strings.HasPrefix(res.Best.Entry.Title, "After creating and closing TCP SOCKET") {
		t.Errorf("long post ranked %q first\n%s", titleOf(res), strings.Join(res.Explanation.Details, "\n"))
	}
	total := 0
	segs, _ := focus(post, testStops(t))
	for _, s := range segs {
		total += len(s.text) + 1
	}
	if total > MaxQueryBytes {
		t.Errorf("focus kept %d bytes, more than %d", total, MaxQueryBytes)
	}
}

// TestSearch_foreign: questions not in English get suggestions, never a
// confident guess.
func TestSearch_foreign(t *testing.T) {
	ix := embeddedIndex(t)
	for _, q := range []string{
		"ESP32 的 MQTT 默认保活时间是多少？",
		"¿Cuál es el tiempo de espera predeterminado de la conexión MQTT en el cliente?",
		"Wie kann ich die Latenzzeit der Verbindung verringern, wenn das Gerät schläft?",
	} {
		if res := ix.Search(q); res.Answered {
			t.Errorf("%q answered with %q", q, res.Best.Entry.Title)
		}
	}
	if res := ix.Search("can esp32 join a wifi whose ssid is 办公室?"); res.Best == nil {
		t.Error("an English question with a Chinese SSID found nothing")
	}
}

// TestPlan_otherVendor: a question about another vendor's board gets
// suggestions only, unless it also names an Espressif product.
func TestPlan_otherVendor(t *testing.T) {
	ix := embeddedIndex(t)
	for _, tc := range []struct {
		q    string
		only bool
	}{
		{"does the Raspberry Pi Pico W support MQTT over TLS?", true},
		{"nrf52840 tcp keepalive default?", true},
		{"STM32 host sends AT commands to an ESP32 over UART, how fast can MQTT publish?", false},
		{"pico w talking to an esp-now gateway, is that possible?", false},
		{"what is the default MQTT keepalive?", false},
		{"arduino: mqtt keepalive default?", false},
	} {
		if got := ix.plan(tc.q).suggestOnly() != ""; got != tc.only {
			t.Errorf("%q: suggestions only = %v, want %v", tc.q, got, tc.only)
		}
	}
	// a post's form fields and set-up name the poster's ESP32: whose
	// device the question is about is in its own sentences
	for _, name := range []string{"esp-idf-form.md", "arduino-form.md", "forum.md"} {
		for _, tc := range []struct {
			q    string
			only bool
		}{
			{"does the Raspberry Pi Pico W support MQTT over TLS?", true},
			{"STM32 host sends AT commands to an ESP32 over UART, how fast can MQTT publish?", false},
			{"what is the default MQTT keepalive?", false},
		} {
			if got := ix.plan(readPost(t, name, tc.q)).suggestOnly() != ""; got != tc.only {
				t.Errorf("%q in %s: suggestions only = %v, want %v", tc.q, name, got, tc.only)
			}
		}
	}
	res := ix.Search("does the Raspberry Pi Pico W support MQTT over TLS?")
	if res.Answered || res.Best == nil {
		t.Errorf("answered %v, best %v: want suggestions, not an answer", res.Answered, res.Best)
	}
}

// readPost fills the question into a post template of data/posts: an
// issue form or a forum post as people file them, with their boilerplate
// and logs.
func readPost(tb testing.TB, name, question string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("data", "posts", name))
	if err != nil {
		tb.Fatal(err)
	}
	return strings.ReplaceAll(string(b), "{{question}}", question)
}

var postTemplates = []string{"esp-idf-form.md", "esp-idf-old.md", "arduino-form.md", "forum.md"}

// TestFocus_issueForm: the fields of an issue form weigh as boilerplate,
// what stands for nothing is left out, the boot log counts for nothing and
// the question for most.
func TestFocus_issueForm(t *testing.T) {
	got := map[string]segment{}
	segs, _ := focus(readPost(t, "esp-idf-form.md", "My MQTT client drops the connection every 30 s. What should I check?"), testStops(t))
	for _, s := range segs {
		got[s.text] = s
	}
	tests := []struct {
		text string
		want float64
		role sentenceRole
	}{
		{"What should I check?", focusAsk, roleAsking},
		{"My MQTT client drops the connection every 30 s.", focusAsk, roleContext}, // its line asks
		{"### IDF version.", focusBoilerplate, roleOnly},
		{"v5.1.2", focusBoilerplate, roleOnly},
		{"Windows", focusBoilerplate, roleOnly},
		{"USB", focusBoilerplate, roleOnly},
		{"rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)", focusDump, roleOnly},
		{"I (29) boot: ESP-IDF v5.1.2 2nd stage bootloader", focusDump, roleOnly},
		{"I (1240) wifi:security: WPA2-PSK, phy: bgn, rssi: -45", focusInfoLong, roleOnly},
	}
	for _, tt := range tests {
		s, ok := got[tt.text]
		if !ok || s.weight != tt.want || s.role != tt.role {
			t.Errorf("%q: got %+v (found %v), want weight %v role %v", tt.text, s, ok, tt.want, tt.role)
		}
	}
	for text := range got {
		if strings.Contains(text, "No response") || strings.HasPrefix(text, "- [") || strings.HasPrefix(text, "```") {
			t.Errorf("%q should be left out", text)
		}
	}
}

// TestFocus_fieldList: "- Key: value" lines under a heading are a form's
// fields, however long the key; a section that describes the problem is
// read as prose.
func TestFocus_fieldList(t *testing.T) {
	got := map[string]float64{}
	segs, _ := focus(readPost(t, "esp-idf-old.md", "Sockets stop opening after a day"), testStops(t))
	for _, s := range segs {
		got[s.text] = s.weight
	}
	for text, want := range map[string]float64{
		"- IDF version (run ``git describe --tags`` to find it): v4.4.6": focusBoilerplate,
		"- Using an IDE?:        No":                                     focusBoilerplate,
		"Sockets stop opening after a day":                               focusProse,
		"I (275) cpu_start: cpu freq: 160000000 Hz":                      focusDump,
	} {
		if got[text] != want {
			t.Errorf("%q weighs %v, want %v", text, got[text], want)
		}
	}
}

func TestSetupSentence(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"My setup: ESP-IDF v5.0.4, an ESP32-WROOM-32E devkit powered from USB, building with idf.py on Ubuntu 22.04.", true},
		{"Arduino core 2.0.14 on a NodeMCU board, Windows 11.", true},
		{"Does ESP-IDF v5.1 support WPA3 on the ESP32-C6?", false},
		{"The MQTT client disconnects every 30 seconds on v4.4.", false},
	}
	for _, tt := range tests {
		if got := setupSentence(tt.text); got != tt.want {
			t.Errorf("setupSentence(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

// TestSearch_postTemplates: a template with no question in it asks
// nothing, and a question filed in a template finds what it finds alone:
// the same best entry, and rarely a confident answer with another one.
func TestSearch_postTemplates(t *testing.T) {
	ix, err := New(loadCorpus(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	qs := devQuestions(t)
	for _, name := range postTemplates {
		if r := ix.Search(readPost(t, name, "")); r.Answered {
			t.Errorf("%s with no question answered %q (confidence %.2f)", name, titleOf(r), r.Confidence)
		}
		same, other := 0, 0
		for _, q := range qs {
			alone, post := ix.Search(q), ix.Search(readPost(t, name, q))
			switch {
			case titleOf(alone) == titleOf(post):
				same++
			case post.Answered:
				other++
			}
		}
		t.Logf("%s: %d of %d find the same best entry, %d answer another", name, same, len(qs), other)
		if same*2 < len(qs) || other*20 > len(qs) {
			t.Errorf("%s: %d of %d questions find the best entry they find alone (want half), %d answer another one (want at most 1 in 20)", name, same, len(qs), other)
		}
	}
}

// FuzzFoldedPatterns checks that the cheap word test never rules out a
// text a pattern matches.
func FuzzFoldedPatterns(f *testing.F) {
	for _, s := range []string{"E (123) wifi: connect FAILED", "Timed Out", "can't bind", "all good",
		"ASSERTION hit", "errno 23", "ESP-IDF v5.0.4 on a WROOM devkit", "VS Code on Ubuntu, powered by USB", "3.3 V rail"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for i, p := range append([]foldedPattern{errorWord}, setupMarks...) {
			if p.re.MatchString(text) && !p.mayMatch(text) {
				t.Fatalf("pattern %d: the word test rules out %q", i, text)
			}
		}
	})
}

// TestFocus_asideParagraphs: in a long post, the prose of a paragraph
// that does not ask counts less than the prose around the question; error
// lines count fully wherever they are.
func TestFocus_asideParagraphs(t *testing.T) {
	post := "I run an HTTP server on an ESP32 and it resets under load. Why does the socket get closed?\n\n" +
		"The code is basically the station example with my own SSID and password, nothing else changed in it.\n\n" +
		"E (1234) httpd: httpd_accept_conn: error in accept (23)\n\n" +
		strings.Repeat("Some more words to make this a long post rather than a chat question. ", 8)
	segs := longFocus(t, post)
	weight := func(prefix string) float64 {
		for _, s := range segs {
			if strings.HasPrefix(s.text, prefix) {
				return s.weight
			}
		}
		t.Fatalf("no segment starts with %q in %+v", prefix, segs)
		return 0
	}
	// the line that asks counts fully, its sentence that does not too
	if w := weight("I run an HTTP server"); w != focusAsk {
		t.Errorf("context of the question: weight %v, want %v", w, focusAsk)
	}
	if w := weight("The code is basically"); w != focusProse*focusAside {
		t.Errorf("prose of another paragraph: weight %v, want %v", w, focusProse*focusAside)
	}
	if w := weight("E (1234) httpd"); w != focusAsk {
		t.Errorf("error line of another paragraph: weight %v, want %v", w, focusAsk)
	}
}

// TestFocus_subjectLine: the prose a long post opens with is its subject,
// like an issue's title: it is not an aside when another paragraph asks.
func TestFocus_subjectLine(t *testing.T) {
	post := "ESP32 drops Wi-Fi every five minutes\n\n" +
		"The code is basically the station example with my own SSID and password.\n\n" +
		"Is there a setting that keeps the connection up?\n\n" +
		strings.Repeat("I (1234) wifi: some info line that a long post carries along\n", 12)
	segs := longFocus(t, post)
	wantWeights(t, segs, map[string]float64{
		"ESP32 drops": focusProse,
		"The code is": focusProse * focusAside,
	})
}

// TestFocus_fillerQuestion: "Any ideas?" in a paragraph of its own, after
// a description and its log, does not make the description an aside, as
// "how?" at the end of it does not either.
func TestFocus_fillerQuestion(t *testing.T) {
	post := "Hi everyone,\n\n" +
		"My ESP32 loses its MQTT connection every few minutes.\n\n" +
		"The code is basically the station example with my own SSID and password.\n\n" +
		"E (1234) mqtt_client: Error transport connect\n\n" +
		strings.Repeat("I (1234) wifi: some info line that a long post carries along\n", 12) + "\n" +
		"Any ideas?"
	segs := longFocus(t, post)
	wantWeights(t, segs, map[string]float64{
		"My ESP32 loses": focusProse,
		"The code is":    focusProse,
		"E (1234) mqtt":  focusAsk,
	})
	if !fillerQuestion("Any ideas?", testStops(t)) || fillerQuestion("Any ideas why MQTT drops?", testStops(t)) {
		t.Error("fillerQuestion: want true for \"Any ideas?\" alone, false when it names something")
	}
}

// TestFocus_setupParagraph: in a long post that asks nothing, the prose
// of the paragraph that describes the set-up counts less than the
// statement of the problem.
func TestFocus_setupParagraph(t *testing.T) {
	segs := longFocus(t, readPost(t, "forum.md", "My ESP32 loses its MQTT connection every few minutes"))
	wantWeights(t, segs, map[string]float64{
		"My ESP32 loses its MQTT connection": focusProse,
		"My setup: ESP-IDF v5.0.4":           focusBoilerplate,
		"The code is basically":              focusProse * focusAside,
	})
}

// longFocus focuses a test post, which must read as a long post.
func longFocus(t *testing.T, post string) []segment {
	t.Helper()
	segs, long := focus(post, testStops(t))
	if !long {
		t.Fatal("not read as a long post: make the test post longer")
	}
	return segs
}

// wantWeights checks the weight of the segments starting with each prefix,
// and that there is one.
func wantWeights(t *testing.T, segs []segment, want map[string]float64) {
	t.Helper()
	for prefix, w := range want {
		found := false
		for _, s := range segs {
			if strings.HasPrefix(s.text, prefix) {
				found = true
				if s.weight != w {
					t.Errorf("%q: weight %v, want %v", prefix, s.weight, w)
				}
			}
		}
		if !found {
			t.Errorf("no segment starts with %q in %+v", prefix, segs)
		}
	}
}

// TestPlan_postEvidence: whether a question names the domain, and its
// share of stop words, are read from a long post's own sentences, not
// from the fields and logs of its form, which name ESP32s and ESP-IDF
// whatever the question.
func TestPlan_postEvidence(t *testing.T) {
	ix := embeddedIndex(t)
	// not esp-idf-form.md: its steps to reproduce are the poster's prose,
	// and they name ESP-IDF
	for _, name := range []string{"esp-idf-old.md", "arduino-form.md", "forum.md"} {
		for _, tc := range []struct {
			q        string
			anchored bool
		}{
			{"tell me a joke about routers", false},
			{"What is the default MQTT keepalive of esp_mqtt_client?", true},
		} {
			p := ix.plan(readPost(t, name, tc.q))
			if p.anchored != tc.anchored {
				t.Errorf("%q in %s: anchored %v, want %v", tc.q, name, p.anchored, tc.anchored)
			}
			if p.tokens > 40 {
				t.Errorf("%q in %s: %d tokens counted, want only those of its prose", tc.q, name, p.tokens)
			}
		}
	}
}

// TestPlan_focusScalesWeight: a word of a long post's boot log or form
// counts in the score by its line's focus, not by its square root, which
// would make a boot-log word count a third of the question's.
func TestPlan_focusScalesWeight(t *testing.T) {
	ix := embeddedIndex(t)
	p := ix.plan(readPost(t, "esp-idf-form.md", "My MQTT client drops the connection every 30 s. What should I check?"))
	low := 0
	for _, c := range p.concepts {
		if c.weight > c.focus+1e-9 {
			t.Errorf("%s: weight %.3f above its focus %.2f", c.text, c.weight, c.focus)
		}
		if c.focus <= focusBoilerplate {
			low++
		}
	}
	if low == 0 {
		t.Fatal("no concept of the form's boilerplate: the test post is not read as a form")
	}
}

// testStops returns the built-in stop words.
func testStops(tb testing.TB) map[string]bool {
	tb.Helper()
	w, err := builtinWords()
	if err != nil {
		tb.Fatal(err)
	}
	return w.stop
}

// TestFocus_images: a long post's screenshots and the tags that fold its
// log are left out, the words around them kept.
func TestFocus_images(t *testing.T) {
	post := "My ESP32 drops its MQTT connection every few minutes.\n\n" +
		"![Screenshot 2024-01-10](https://user-images.githubusercontent.com/1234/5678-abcd.png)\n\n" +
		"The broker log <img width=\"600\" src=\"https://github.com/user-attachments/assets/1a2b\"> shows nothing either.\n\n" +
		"<details><summary>Full log</summary>\n\n" +
		strings.Repeat("I (1234) wifi: some info line that a long post carries along\n", 12) +
		"\n</details>\n"
	for _, s := range longFocus(t, post) {
		if strings.Contains(s.text, "githubusercontent") || strings.Contains(s.text, "user-attachments") ||
			strings.Contains(s.text, "details>") {
			t.Errorf("image or folding tag kept: %q", s.text)
		}
	}
	wantWeights(t, longFocus(t, post), map[string]float64{"The broker log": focusProse})
}

// TestFocus_forumCode: a forum's [code] box is read as code, as a
// Markdown fence is.
func TestFocus_forumCode(t *testing.T) {
	post := "My ESP32 drops its MQTT connection every few minutes.\n\n" +
		"Code: Select all\n[code]\nesp_mqtt_client_config_t cfg = { .broker.address.uri = BROKER_URL };\n" +
		"client = esp_mqtt_client_init(&cfg);[/code]\n\n" +
		"After the box it is prose again.\n\n" +
		strings.Repeat("I (1234) wifi: some info line that a long post carries along\n", 12)
	segs := longFocus(t, post)
	wantWeights(t, segs, map[string]float64{
		"esp_mqtt_client_config_t":             focusCodeLong,
		"client = esp_mqtt_client_init(&cfg);": focusCodeLong,
		"After the box":                        focusProse,
	})
	for _, s := range segs {
		if strings.Contains(s.text, "code]") || strings.Contains(s.text, "Select all") {
			t.Errorf("forum markup kept: %q", s.text)
		}
	}
}
