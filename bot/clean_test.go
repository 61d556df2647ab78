package bot

import (
	"strings"
	"testing"
)

func TestClean(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    Platform
		in   string
		want string
	}{
		{"plain", Discord, "How to use MQTT?", "How to use MQTT?"},
		{"discord mentions", Discord, "<@123> <@!456> hi <@&789> in <#42>", "hi in"},
		{"slack mentions", Slack, "<@U0123ABC> hi <@W99|bob> <!here> <!channel> <!subteam^S1|@team>", "hi"},
		{"plain pings", Discord, "@everyone @here why?", "why?"},
		{"email kept", Discord, "mail me@here.com", "mail me@here.com"},
		{"bold italics strike", Discord, "**why** is *my* __wifi__ ~~slow~~ _today_ ||really||", "why is my wifi slow today really"},
		{"identifiers survive", Discord, "esp_wifi_set_ps and 2*3*4 and WIFI_PS_NONE_", "esp_wifi_set_ps and 2*3*4 and WIFI_PS_NONE_"},
		{"inline code kept verbatim", Discord, "call `*esp_netif_init*` now", "call *esp_netif_init* now"},
		{"slack links", Slack, "see <https://docs.espressif.com|the docs> and <https://x.io>", "see the docs and https://x.io"},
		{"slack escapes", Slack, "a &lt; b &amp;&amp; c &gt; d", "a < b && c > d"},
		{"discord masked link", Discord, "see [the docs](https://docs.espressif.com) ok", "see the docs ok"},
		{"discord emoji and timestamp", Discord, "hi <:esp:123> <a:spin:456> <t:1700000000:R>", "hi"},
		{"quoted lines dropped", Discord, "> someone said this\nwhy does it fail?", "why does it fail?"},
		{"slack quote", Slack, "&gt; quoted\nmy question", "my question"},
		{"discord block quote", Discord, "my question\n>>> quoted\nmore quoted", "my question"},
		{"only a quote gives the quote", Discord, "> how to fix latency\n<@1>", "how to fix latency"},
		{"heading and subtext", Discord, "# Title\n-# small\ntext", "Title\nsmall\ntext"},
		{"code block kept", Discord, "why?\n```c\nesp_wifi_init(&cfg); // > not a quote\n```\nthanks", "why?\nesp_wifi_init(&cfg); // > not a quote\nthanks"},
		{"unclosed code block", Discord, "log:\n```\nE (123) wifi: *boom*", "log:\nE (123) wifi: *boom*"},
		{"pasted log kept", Slack, "E (1234) esp-tls: mbedtls_ssl_handshake returned -0x7780\nI (99) wifi:state: run -> init", "E (1234) esp-tls: mbedtls_ssl_handshake returned -0x7780\nI (99) wifi:state: run -> init"},
		{"whitespace", Discord, "  a \t  b  \n\n\n c  ", "a b\nc"},
		{"crlf", Discord, "a\r\n> q\r\nb", "a\nb"},
		{"empty", Discord, "<@1>", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Clean(tt.p, tt.in); got != tt.want {
				t.Errorf("Clean(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestClean_Truncates(t *testing.T) {
	t.Parallel()
	long := ""
	for len(long) < 3*MaxQuestionBytes {
		long += "é latency "
	}
	if got := Clean(Discord, long); len(got) > MaxQuestionBytes {
		t.Errorf("len = %d, want <= %d", len(got), MaxQuestionBytes)
	}
}

func TestParseCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       string
		name     string // "" = not a command
		args     int
		explicit bool
	}{
		{"help", "help", 0, false},
		{"/help", "help", 0, true},
		{"!HELP", "help", 0, true},
		{"help me with wifi", "", 0, false},
		{"/help me", "help", 1, true},
		{"list", "list", 0, false},
		{"list protocols", "list", 1, false},
		{"show abc", "show", 1, false},
		{"show me how to use mqtt", "", 0, false},
		{"/show", "show", 0, true},
		{"search mqtt tls", "search", 2, false},
		{"search", "", 0, false},
		{"/faq", "", 0, false},
		{"how to search", "", 0, false},
		{"", "", 0, false},
	}
	for _, tt := range tests {
		cmd, args, explicit, ok := parseCommand(tt.in)
		if ok != (tt.name != "") || cmd.name != tt.name || len(args) != tt.args || explicit != tt.explicit {
			t.Errorf("parseCommand(%q) = %q %v %v %v", tt.in, cmd.name, args, explicit, ok)
		}
	}
}

// FuzzClean checks Clean's invariants: it is idempotent on its own output
// and leaves no pings and no mention markup outside code.
func FuzzClean(f *testing.F) {
	for _, s := range []string{
		"<@123> how to fix **wifi** lag?", "> quote\n<@U1|bob> <!here> hi", "```c\nint *p;\n```", "@everyone __x__ ~y~",
		"&gt; q\n&lt;@U1&gt;", "[a](https://x.io) <https://y.io|z>", "<@<@1>>", "```", "`", "*_~|#",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range []Platform{Discord, Slack} {
			out := Clean(p, s)
			if len(out) > MaxQuestionBytes*2 {
				t.Fatalf("output too long: %d", len(out))
			}
			if strings.Contains(s, "`") {
				continue // code may quote anything verbatim
			}
			if discordRefRe.MatchString(out) && p == Discord && !strings.Contains(s, "&") {
				t.Errorf("Clean(%q) = %q keeps a Discord mention", s, out)
			}
			if pingRe.MatchString(out) && !strings.Contains(s, "&") && !strings.Contains(s, "<") && !strings.Contains(s, "[") {
				t.Errorf("Clean(%q) = %q keeps a ping", s, out)
			}
		}
	})
}
