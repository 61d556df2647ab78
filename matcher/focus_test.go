package matcher

import (
	"os"
	"path/filepath"
	"slices"
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
		{"I (98231) wifi:state: run -> init (fc0) -- what does fc0 mean?", false, focusAsk}, // asked about
		{"I (98231) wifi:state: run -> init (fc0) ssid=???", true, focusCode},
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

// TestPostLines_inlineCode: a line that opens with a code fence closed on
// the same line is code, then prose, and opens no code block.
func TestPostLines_inlineCode(t *testing.T) {
	lines := postLines("Hi all,\n\n```int r = recv(sock, buf, len, 0);``` how do I print why it failed?\n\nMy setup: IDF v5.1\n\n```\nI (612) wifi:mode : sta\n```\n" +
		"```c\nstruct linger l = {1, 0};\nsetsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof(l));``` is this right?\n")
	type line struct {
		text string
		code bool
	}
	var got []line
	for _, l := range lines {
		got = append(got, line{l.text, l.code})
	}
	want := []line{{"Hi all,", false}, {"int r = recv(sock, buf, len, 0);", true}, {"how do I print why it failed?", false},
		{"My setup: IDF v5.1", false}, {"I (612) wifi:mode : sta", true},
		{"struct linger l = {1, 0};", true}, {"setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof(l));", true}, {"is this right?", false}}
	if !slices.Equal(got, want) {
		t.Errorf("postLines = %v, want %v", got, want)
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
		// three of its words are one letter from English ones (cliente,
		// serveur, routeur): the corrector's reading must not make it English
		"Le cliente mqtt perd le serveur quand le routeur change de canal",
	} {
		res := ix.Search(q)
		if res.Answered {
			t.Errorf("%q answered with %q", q, res.Best.Entry.Title)
		}
		if !res.NotEnglish {
			t.Errorf("%q: not marked as not English", q)
		}
		if res.Best != nil && res.Withheld != "not English" {
			t.Errorf("%q: withheld %q, want \"not English\"", q, res.Withheld)
		}
	}
	if res := ix.Search("can esp32 join a wifi whose ssid is 办公室?"); res.Best == nil || res.NotEnglish || res.Withheld != "" {
		t.Errorf("an English question with a Chinese SSID: %+v", res)
	}
	for _, q := range []string{
		// typos are strange words too, but English ones: most of these
		// words are mistyped, and the questions are still English
		"what is the defualt keepalive timme for the mqtt clinet",
		"why does my esp32 http clinet get a timout when the sevrer is slow",
		// so are names of products the FAQ does not know, among English
		// function words
		"why does my zyxel nebula show the esp as offline when the unifi does not?",
		"can the esp talk to my fritzbox or do i need the tplink deco for that?",
	} {
		if res := ix.Search(q); res.NotEnglish {
			t.Errorf("%q: an English question read as another language", q)
		}
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
		{"an ESP-01 with AT firmware hooked to an STM32: can it serve HTTP?", false},
		{"STM32 talks to a NodeMCU over UART, how fast can it publish?", false}, // a board names its chip
		{"my two DevKitCs and a pico w: what is the default MQTT keepalive?", false},
		// a Raspberry Pi is a computer the device talks to, and a device
		// beside the question is part of the asker's system
		{"what is the default MQTT keepalive with the mosquitto broker on my raspberry pi 4?", false},
		{"what is the default MQTT keepalive? It talks to an STM32 over UART.", false},
		{"Can the STM32 keep an MQTT connection alive? I read the FAQ.", true},
		{"what is the default MQTT keepalive?", false},
		{"arduino: mqtt keepalive default?", false},
		// a Python traceback of software on a computer, and one of ESP-IDF's tools
		{"Traceback (most recent call last):\n  File \"/home/pi/app.py\", line 4, in <module>\nFileNotFoundError: [Errno 2] No such file or directory: 'log.csv'", true},
		{"Traceback (most recent call last):\n  File \"/home/me/esp/esp-idf/tools/idf.py\", line 4, in <module>\nFileNotFoundError: [Errno 2] No such file or directory", false},
	} {
		if got := ix.plan(tc.q).suggestOnly() != ""; got != tc.only {
			t.Errorf("%q: suggestions only = %v, want %v", tc.q, got, tc.only)
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

// TestSetupField: a set-up field is a label and a short value, alone or
// glued to the end of a sentence; after a label, a sentence that goes on
// is the asker's description.
func TestSetupField(t *testing.T) {
	for _, tt := range []struct {
		text string
		at   int // where setupFieldIn finds one, or -1
		all  bool
	}{
		{"Board: ESP32-WROOM-32E, powered via USB.", -1, true},
		{"IDF version: 5.2.1", -1, true},
		{"My setup: two DevKitCs and a Pi.", -1, true},
		{"Power supply: 5V 2A wall adapter.", -1, true},
		{"downloads fail with a hostname error Board: DevKitC v4", 37, false},
		{"ESP8266 RTOS SDK: one task sends to 127.0.0.1:5000 and another task bound to :5000 never receives it.", -1, false},
		{"ESP32 DevKit: GPIO25 drives a relay and GPIO34 reads a sensor on ADC1 while Wi-Fi is up.", -1, false},
		{"EDIT: same with a second board.", -1, false},
		{"it fails at 10:30 every day", -1, false},
		{"see https://example.com/board: nothing", -1, false},
	} {
		if got := setupFieldIn(tt.text); got != tt.at {
			t.Errorf("setupFieldIn(%q) = %d, want %d", tt.text, got, tt.at)
		}
		if got := setupField(tt.text); got != tt.all {
			t.Errorf("setupField(%q) = %v, want %v", tt.text, got, tt.all)
		}
	}
}

func TestHashtagsAt(t *testing.T) {
	for _, tt := range []struct {
		text string
		want int
	}{
		{"mqtt drops after an hour, any idea? #esp32 #iot", 36},
		{"mqtt drops after an hour #arduino #home-automation.", 25},
		{"#esp32 #wifi", 0},
		{"same as issue #123", -1},
		{"do I need #include <lwip/sockets.h>", -1},
		{"mqtt drops after an hour", -1},
		{"the #define in the header", -1},
	} {
		if got := hashtagsAt(tt.text); got != tt.want {
			t.Errorf("hashtagsAt(%q) = %d, want %d", tt.text, got, tt.want)
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

// infoLog is a run of info-level log lines that makes a test post long.
const infoLog = "I (1234) wifi: some info line that a long post carries along\n"

// TestFocus_postWeights: how the lines and sentences of long posts weigh.
// The prose of a paragraph that does not ask counts less than the prose
// around the question, error lines fully wherever they are; the subject a
// post opens with is no aside, nor is a description because of a lone
// "Any ideas?" below its log or beside it; in a post that asks nothing the set-up
// paragraph counts less; screenshots, folds and a forum's code-box
// markup are left out.
func TestFocus_postWeights(t *testing.T) {
	log := strings.Repeat(infoLog, 12)
	tests := []struct {
		name   string
		post   string
		want   map[string]float64
		absent []string
	}{
		{"aside paragraphs",
			"I run an HTTP server on an ESP32 and it resets under load. Why does the socket get closed?\n\n" +
				"The code is basically the station example with my own SSID and password, nothing else changed in it.\n\n" +
				"E (1234) httpd: httpd_accept_conn: error in accept (23)\n\n" + log,
			map[string]float64{
				"I run an HTTP server":  focusAsk, // the asking line's sentence that does not ask
				"The code is basically": focusProse * focusAside,
				"E (1234) httpd":        focusAsk,
			}, nil},
		{"subject line",
			"ESP32 drops Wi-Fi every five minutes\n\n" +
				"The code is basically the station example with my own SSID and password.\n\n" +
				"Is there a setting that keeps the connection up?\n\n" + log,
			map[string]float64{"ESP32 drops": focusProse, "The code is": focusProse * focusAside}, nil},
		{"filler question",
			"Hi everyone,\n\nMy ESP32 loses its MQTT connection every few minutes.\n\n" +
				"The code is basically the station example with my own SSID and password.\n\n" +
				"E (1234) mqtt_client: Error transport connect\n\n" + log + "\nAny ideas?",
			map[string]float64{"My ESP32 loses": focusProse, "The code is": focusProse, "E (1234) mqtt": focusAsk}, nil},
		{"filler question beside the description",
			"My ESP32 loses its MQTT connection every few minutes.\nAny ideas?\n\n" +
				"The code is basically the station example with my own SSID and password.\n\n" + log,
			map[string]float64{"My ESP32 loses": focusProse, "The code is": focusProse}, nil},
		{"description before a short question",
			"Hi everyone, first post here.\n\n" +
				"Tablets in a classroom join an ESP32 running as an access point, and after the fifth one no new tablet gets in.\n\n" +
				"The code is basically the softAP example.\n\n" +
				"Is there a limit I can raise?\n\n" + log,
			map[string]float64{
				"Hi everyone":      focusProse, // where the subject goes
				"Tablets in a":     focusProse,
				"The code is":      focusProse * focusAside,
				"Is there a limit": focusAsk,
			}, nil},
		{"set-up paragraph",
			readPost(t, "forum.md", "My ESP32 loses its MQTT connection every few minutes"),
			map[string]float64{
				"My ESP32 loses its MQTT connection": focusProse,
				"My setup: ESP-IDF v5.0.4":           focusBoilerplate,
				"The code is basically":              focusProse * focusAside,
			}, nil},
		{"images and folds",
			"My ESP32 drops its MQTT connection every few minutes.\n\n" +
				"![Screenshot 2024-01-10](https://user-images.githubusercontent.com/1234/5678-abcd.png)\n\n" +
				"The broker log <img width=\"600\" src=\"https://github.com/user-attachments/assets/1a2b\"> shows nothing either.\n\n" +
				"<details><summary>Full log</summary>\n\n" + log + "\n</details>\n",
			map[string]float64{"The broker log": focusProse},
			[]string{"githubusercontent", "user-attachments", "details>"}},
		{"forum code box",
			"My ESP32 drops its MQTT connection every few minutes.\n\n" +
				"Code: Select all\n[code]\nesp_mqtt_client_config_t cfg = { .broker.address.uri = BROKER_URL };\n" +
				"client = esp_mqtt_client_init(&cfg);[/code]\n\nAfter the box it is prose again.\n\n" + log,
			map[string]float64{
				"esp_mqtt_client_config_t":             focusCodeLong,
				"client = esp_mqtt_client_init(&cfg);": focusCodeLong,
				"After the box":                        focusProse,
			},
			[]string{"code]", "Select all"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			segs := longFocus(t, tt.post)
			wantWeights(t, segs, tt.want)
			for _, s := range segs {
				for _, a := range tt.absent {
					if strings.Contains(s.text, a) {
						t.Errorf("%q kept: %q", a, s.text)
					}
				}
			}
		})
	}
}

// TestFillerQuestion: a question of stop words alone says nothing.
func TestFillerQuestion(t *testing.T) {
	if !fillerQuestion("Any ideas?", testStops(t)) || fillerQuestion("Any ideas why MQTT drops?", testStops(t)) {
		t.Error("fillerQuestion: want true for \"Any ideas?\" alone, false when it names something")
	}
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

// TestPlan_postEvidence: a post's form fields and set-up name the
// poster's ESP32 and ESP-IDF whatever the question: whose device the
// question is about, whether it names the domain and its share of stop
// words are read from the post's own sentences.
func TestPlan_postEvidence(t *testing.T) {
	ix := embeddedIndex(t)
	for _, name := range postTemplates {
		for _, tc := range []struct {
			q              string
			only, anchored bool
		}{
			{"does the Raspberry Pi Pico W support MQTT over TLS?", true, true},
			{"STM32 host sends AT commands to an ESP32 over UART, how fast can MQTT publish?", false, true},
			{"What is the default MQTT keepalive of esp_mqtt_client?", false, true},
			{"tell me a joke about routers", false, false},
		} {
			p := ix.plan(readPost(t, name, tc.q))
			if got := p.suggestOnly() != ""; got != tc.only {
				t.Errorf("%q in %s: suggestions only = %v, want %v", tc.q, name, got, tc.only)
			}
			// esp-idf-form.md's steps to reproduce are the poster's prose,
			// and they name ESP-IDF
			if p.anchored != tc.anchored && name != "esp-idf-form.md" {
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

// TestSentences: a chat question is cut into its sentences; they have
// roles only when some ask and others do not, and the last may end in an
// aside in brackets.
func TestSentences(t *testing.T) {
	// a preamble's text reads "[p]...", an addendum's "[a]..."
	type seg struct {
		text string
		role sentenceRole
	}
	tests := []struct {
		q    string
		want []seg
	}{
		{"how do I raise the lwip socket limit?", []seg{{"how do I raise the lwip socket limit?", roleOnly}}},
		{"Follow-up question: how do I raise the lwip socket limit?", []seg{{"how do I raise the lwip socket limit?", roleOnly}}},
		{"Quick q - how do I raise the lwip socket limit?", []seg{{"how do I raise the lwip socket limit?", roleOnly}}},
		{"TL;DR: how do I raise the lwip socket limit?", []seg{{"how do I raise the lwip socket limit?", roleOnly}}},
		{"Question about lwip: how do I raise the socket limit?", []seg{{"Question about lwip: how do I raise the socket limit?", roleOnly}}},
		{"My server runs out of sockets. How do I raise the limit?",
			[]seg{{"My server runs out of sockets.", roleContext}, {"How do I raise the limit?", roleAsking}}},
		// with no question mark in the message, a sentence that opens
		// with a word that asks is the asking one
		{"first time here. how do i raise the lwip socket limit",
			[]seg{{"first time here.", roleContext}, {"how do i raise the lwip socket limit", roleAsking}}},
		{"When I open a socket it fails. Which limit do I raise", // "When" opens statements too
			[]seg{{"When I open a socket it fails.", roleContext}, {"Which limit do I raise", roleAsking}}},
		{"My server runs out of sockets. how do I raise the limit? is it 10", // the mark decides
			[]seg{{"My server runs out of sockets.", roleContext}, {"how do I raise the limit?", roleAsking}, {"is it 10", roleContext}}},
		// a capitalised word that asks after a word with no full stop
		// opens a sentence
		{"esp-mqtt on an ESP32-C6 What keepalive am I getting",
			[]seg{{"esp-mqtt on an ESP32-C6", roleContext}, {"What keepalive am I getting", roleAsking}}},
		{"my ssid is What's Up and it fails", // not a word that asks whole
			[]seg{{"my ssid is What's Up and it fails", roleOnly}}},
		{"Is the limit 10? Can I raise it?", []seg{{"Is the limit 10?", roleOnly}, {"Can I raise it?", roleOnly}}},
		{"how do i raise the lwip socket limit using Arduino IDE",
			[]seg{{"how do i raise the lwip socket limit", roleOnly}, {" using Arduino IDE", roleOnly}}},
		{"sockets run out. how do i raise the limit (esp-idf v5.1.2)",
			[]seg{{"sockets run out.", roleContext}, {"how do i raise the limit ", roleAsking}, {"(esp-idf v5.1.2)", roleAsking}}},
		{"how do i raise the lwip socket limit with my devkitc",
			[]seg{{"how do i raise the lwip socket limit", roleOnly}, {" with my devkitc", roleOnly}}},
		{"tcp_client example on a DevKitC, what's with the spikes?", // the clause asks
			[]seg{{"tcp_client example on a DevKitC, what's with the spikes?", roleOnly}}},
		{"how do i raise the lwip socket limit on my router", // no module or board
			[]seg{{"how do i raise the lwip socket limit on my router", roleOnly}}},
		// an opening clause with a mark of an introduction keeps its
		// sentence's role
		{"sorry if this is a dumb question, but how do I raise the lwip socket limit?",
			[]seg{{"[p]sorry if this is a dumb question,", roleOnly}, {"but how do I raise the lwip socket limit?", roleOnly}}},
		{"My server runs out of sockets. Noob here, how do I raise the limit?",
			[]seg{{"My server runs out of sockets.", roleContext}, {"[p]Noob here,", roleAsking}, {"how do I raise the limit?", roleAsking}}},
		{"My server runs out of sockets, how do I raise the limit?", // no mark
			[]seg{{"My server runs out of sockets, how do I raise the limit?", roleOnly}}},
		// an addendum, without its mark, at a sentence's start or inside
		{"how do I raise the lwip socket limit?\nEDIT: forgot to say it is an esp8266",
			[]seg{{"how do I raise the lwip socket limit?", roleAsking}, {"[a]forgot to say it is an esp8266", roleContext}}},
		{"how do i raise the socket limit PS: it used to work",
			[]seg{{"how do i raise the socket limit", roleAsking}, {"[a]it used to work", roleContext}}},
		{"how do i raise the socket limit. Update 2 - same on idf 5",
			[]seg{{"how do i raise the socket limit.", roleAsking}, {"[a]same on idf 5", roleContext}}},
		{"how do i raise the socket limit\nEDIT: same with a devkitc board", // the addendum's aside
			[]seg{{"how do i raise the socket limit", roleAsking}, {"[a]same", roleContext}, {"[a] with a devkitc board", roleContext}}},
		// a remark glued on without a full stop is a sentence of its own
		{"how do i raise the socket limit First time posting here.",
			[]seg{{"how do i raise the socket limit", roleAsking}, {"First time posting here.", roleContext}}},
		{"my ESP32 drops since yesterday", // a name, not a sentence's first word
			[]seg{{"my ESP32 drops since yesterday", roleOnly}}},
		{"Bonjour à tous !", nil}, // a greeting alone: nothing asked
		{"PS-RAM is full on esp-idf - how do i free it",
			[]seg{{"PS-RAM is full on esp-idf - how do i free it", roleOnly}}},
	}
	for _, tt := range tests {
		var got []seg
		for _, s := range sentences(tt.q) {
			text := s.text
			switch {
			case s.preamble:
				text = "[p]" + text
			case s.addendum:
				text = "[a]" + text
			}
			got = append(got, seg{text, s.role})
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("sentences(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

func TestDropLinks(t *testing.T) {
	tests := []struct{ in, want string }{
		{"see https://github.com/espressif/esp-idf/issues/123 for the log", "see   for the log"},
		{"(following HTTPS://docs.espressif.com/x.html)", "(following  )"},
		{"on www.esp32.com/viewtopic.php?t=1, no answer. Why?", "on  , no answer. Why?"},
		{"ping 192.168.4.1 and esp32.com", "ping 192.168.4.1 and esp32.com"},
	}
	for _, tt := range tests {
		if got := dropLinks(tt.in); got != tt.want {
			t.Errorf("dropLinks(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestGreetingEnd(t *testing.T) {
	tests := []struct {
		in   string
		want string // what is left
	}{
		{"Bonjour à tous, comment configurer le keepalive ?", "comment configurer le keepalive ?"},
		{"Hi all! how do I raise the socket limit?", "how do I raise the socket limit?"},
		{"Hola amigos", ""},
		{"Good morning everyone - the softap drops", "the softap drops"},
		{"Bonjour service on the esp32?", "Bonjour service on the esp32?"}, // the mDNS one
		{"hey guys quick question: why?", "hey guys quick question: why?"},
		{"good question, thanks", "good question, thanks"},
	}
	for _, tt := range tests {
		got := tt.in
		if i := greetingEnd(tt.in); i > 0 {
			got = strings.TrimSpace(tt.in[i:])
		}
		if got != tt.want {
			t.Errorf("after the greeting of %q: %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSelfNameEnd(t *testing.T) {
	tests := []struct {
		in   string
		want string // what is left
	}{
		{"I'm Alex from Berlin.", ""},
		{"Hi, this is Marco from Italy. ", ""},
		{"I am Priya, an embedded developer at a startup.", "an embedded developer at a startup."},
		{"My name's Chen and I work at a small IoT company.", "I work at a small IoT company."},
		{"hello i am rahul from india.", ""},
		{"hey guys, im a hobbyist from brazil.", ""},
		{"I'm a bit lost here.", "I'm a bit lost here."},
		{"i'm a complete beginner from spain, and", "and"},
		{"im getting data from the server.", "im getting data from the server."},
		{"im getting errors from espressif.", "im getting errors from espressif."},
		{"My name is Priya Shah, and the softap drops", "and the softap drops"},
		// not names
		{"This is Arduino code, why does it fail?", "This is Arduino code, why does it fail?"},
		{"I'm stuck in menuconfig.", "I'm stuck in menuconfig."},
		{"im getting errors from the server", "im getting errors from the server"},
		{"I'm ESP32 newbie.", "I'm ESP32 newbie."},
	}
	for _, tt := range tests {
		got := tt.in
		if i := selfNameEnd(tt.in); i > 0 {
			got = strings.TrimSpace(tt.in[i:])
		}
		if got != tt.want {
			t.Errorf("after the name of %q: %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWithoutSignOff(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"mqtt keepalive default?\n\nRegards,\nJohn", []string{"mqtt keepalive default?"}},
		{"mqtt keepalive default?\nThanks, Priya", []string{"mqtt keepalive default?"}},
		{"mqtt keepalive default? Merci d'avance !", []string{"mqtt keepalive default?"}},
		{"where is the mqtt keepalive set merci d'avance", []string{"where is the mqtt keepalive set"}},
		{"mqtt keepalive default?\nBest regards", []string{"mqtt keepalive default?"}},
		{"which one is best, thanks", []string{"which one is best,"}},
		{"is the default the best", []string{"is the default the best"}}, // no thanks
		{"thanks", []string{"thanks"}}, // nothing else: a closing remark
		{"mqtt keepalive default?\nJohn", []string{"mqtt keepalive default?", "John"}},
		{"mqtt keepalive default?\nbump", []string{"mqtt keepalive default?"}},
		{"mqtt keepalive default? Thanks!\nSent from my iPhone", []string{"mqtt keepalive default?"}},
		{"mqtt keepalive default?\nsent from my phone to the broker", []string{"mqtt keepalive default?", "sent from my phone to the broker"}},
		{"can i bump the timeout", []string{"can i bump the timeout"}},
		// a signature block below the sign-off, thanks for the reader's time
		{"mqtt keepalive default?\nBest regards,\nAlex Smith\nEmbedded Engineer, Acme Corp", []string{"mqtt keepalive default?"}},
		{"where is the mqtt keepalive set Thanks a lot in advance for your time", []string{"where is the mqtt keepalive set"}},
		{"is there any help for the time sync", []string{"is there any help for the time sync"}}, // no thanks
	}
	for _, tt := range tests {
		if got := withoutSignOff(splitSentences(tt.in)); !slices.Equal(got, tt.want) {
			t.Errorf("withoutSignOff(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPhraseSet(t *testing.T) {
	set := newPhraseSet("new to|here", "sorry", "few|two days ago")
	tests := []struct {
		in   string
		want bool
	}{
		{"New to ESP32 here.", true},
		{"so, NEW HERE", true},
		{"Sorry!", true},
		{"it broke two days ago", true},
		{"it broke a few days ago", true},
		{"renew to", false},           // whole words
		{"new  to", false},            // one space apart
		{"first-time, new-to", false}, // not a space
		{"new", false},
		{"", false},
		{"sorryyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", false},
	}
	for _, tt := range tests {
		if got := set.match(tt.in); got != tt.want {
			t.Errorf("match(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestDropSubjectTags(t *testing.T) {
	tests := []struct{ in, want string }{
		{"[SOLVED] mqtt keepalive default?", "mqtt keepalive default?"},
		{"Re: RE: [ESP32][Help] mqtt keepalive", "mqtt keepalive"},
		{"(solved) Fwd: mqtt keepalive", "mqtt keepalive"},
		{"reconnect after a drop", "reconnect after a drop"},
		{"[this is a long bracket of words] x", "[this is a long bracket of words] x"},
		{"(esp-idf v5.1.2) mqtt keepalive", "(esp-idf v5.1.2) mqtt keepalive"},
		{"[  5123][W][WiFiGeneric.cpp:1062] Reason: 15", "[  5123][W][WiFiGeneric.cpp:1062] Reason: 15"}, // a log line
	}
	for _, tt := range tests {
		if got := dropSubjectTags(tt.in); got != tt.want {
			t.Errorf("dropSubjectTags(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSeparator(t *testing.T) {
	for _, tt := range []struct {
		line string
		want bool
	}{
		{"---", true},
		{"----- Delete below -----", true},
		{"=====", true},
		{"***", true},
		{"***ERROR*** A stack overflow in task httpd has been detected.", false},
		{"--- a/main.c", false},
	} {
		if got := separator(tt.line); got != tt.want {
			t.Errorf("separator(%q) = %v, want %v", tt.line, got, tt.want)
		}
	}
}

// TestWithoutSignature: a post's sign-off and the signature below it are
// no part of the question.
func TestWithoutSignature(t *testing.T) {
	texts := func(q string) []string {
		var out []string
		for _, l := range withoutSignature(postLines(q)) {
			out = append(out, l.text)
		}
		return out
	}
	q := "Hello,\n\nmy mqtt client drops.\n\nAny idea?\n\nBest regards,\nAlex Smith\nEmbedded Engineer, Acme Corp\n"
	if got, want := texts(q), []string{"Hello,", "my mqtt client drops.", "Any idea?"}; !slices.Equal(got, want) {
		t.Errorf("withoutSignature = %q, want %q", got, want)
	}
	q = "Hello,\n\nmy mqtt client drops.\n\nAny idea?\n\nMQTT Over TLS\n"
	if got, want := texts(q), []string{"Hello,", "my mqtt client drops.", "Any idea?", "MQTT Over TLS"}; !slices.Equal(got, want) {
		t.Errorf("withoutSignature without a sign-off = %q, want %q", got, want)
	}
}
