package matcher

import (
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
		{"ESP-IDF version: v4.4", false, focusBoilerplate},
		{"- Development Kit: ESP32-DevKitC", false, focusBoilerplate},
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
	for _, s := range focus(post) {
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
	res := ix.Search("does the Raspberry Pi Pico W support MQTT over TLS?")
	if res.Answered || res.Best == nil {
		t.Errorf("answered %v, best %v: want suggestions, not an answer", res.Answered, res.Best)
	}
}
