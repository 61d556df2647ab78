package matcher

import "testing"

func TestClosingRemark(t *testing.T) {
	tests := []struct {
		q    string
		want bool
	}{
		{"ok nvm, it was a loose usb cable lol", true},
		{"never mind, my bad", true},
		{"Nevermind!", true},
		{"false alarm, the router was off", true},
		{"figured it out, wrong GPIO", true},
		{"it works now after a full erase", true},
		{"thanks, that fixed it 🙏", true},
		// a question, or a new problem after the remark
		{"nvm, why does it still drop?", false},
		{"fixed it with a static IP but now DNS fails", false},
		{"works now on the C3, still drops on the S3", false},
		{"I fixed it yesterday, today it fails again", false},
		{"nvm, it was the cable, not the firmware", true},
		{"how do I know it works now", false},
		// no closing mark: a symptom, however short
		{"it was working yesterday, now the socket fails with errno 23", false},
		{"esp32 keeps dropping wifi", false},
		{"I fixed the IP address but DHCP gives another one", false},
		{"nvm the old log: sockets fail after a few dozen reconnects", false},
		// long: a description, not a remark
		{"nvm the earlier log, here is the full one from boot with the wifi driver at debug level and the panic", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := ClosingRemark(tc.q); got != tc.want {
			t.Errorf("ClosingRemark(%q) = %v, want %v", tc.q, got, tc.want)
		}
	}
}

// TestPlan_closing: a closing remark gets suggestions only; a question or
// a long post that happens to say "nvm" may be answered.
func TestPlan_closing(t *testing.T) {
	ix := embeddedIndex(t)
	for _, tc := range []struct {
		q    string
		only bool
	}{
		{"ok nvm, it was a loose usb cable lol", true},
		{"nvm, what is the default MQTT keepalive?", false},
		{"what is the default MQTT keepalive", false},
		{githubIssue("nvm the old log: sockets fail after a few dozen reconnects.", "E (93211) app: Unable to create TCP socket: errno 23"), false},
		// a post that says it is solved reports, unless something in it
		// still asks or fails
		{readPost(t, "forum.md", "Never mind, it was a loose jumper wire"), true},
		{readPost(t, "esp-idf-form.md", "thanks a lot, the linger trick fixed it"), true},
		{readPost(t, "forum.md", "Fixed it by lowering the TX power. Is there a cleaner way?"), false},
		{githubIssue("Fixed it by lowering the TX power.", "E (93211) app: Unable to create TCP socket: errno 23"), false},
	} {
		if got := ix.plan(tc.q).suggestOnly() != ""; got != tc.only {
			t.Errorf("%.60q: suggestions only = %v, want %v", tc.q, got, tc.only)
		}
	}
}
